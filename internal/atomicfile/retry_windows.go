package atomicfile

import (
	"errors"

	"golang.org/x/sys/windows"
)

// retryable is a rename refused because another process has the file open
// (a sharing violation, or access denied while the target is open).
func retryable(err error) bool {
	return errors.Is(err, windows.ERROR_SHARING_VIOLATION) || errors.Is(err, windows.ERROR_ACCESS_DENIED) || errors.Is(err, windows.ERROR_LOCK_VIOLATION)
}
