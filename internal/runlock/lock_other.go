//go:build !unix && !windows

package runlock

import (
	"errors"
	"os"
)

func lockFile(f *os.File) (bool, error) {
	return false, errors.New("file locks are not supported on this system")
}

func unlockFile(f *os.File) {}
