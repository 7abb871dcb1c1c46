package remote

import (
	"fmt"
	"strings"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/retry"
)

// NotFound is the error for name missing in where (a destination's String):
// a plain message wrapping dest.ErrNotFound.
func NotFound(name, where string) error {
	return &retry.Error{Msg: fmt.Sprintf("%s does not exist in %s", Quote(name), where), Err: dest.ErrNotFound}
}

// NetError explains err, a broken connection to host during an operation,
// as a Transient error; a message that speaks of a timeout or deadline says
// that host stopped answering. Context errors and plain errors are
// returned as they are.
func NetError(host string, err error) error {
	if err == nil {
		return nil
	}
	s := err.Error()
	return retry.Broken(host, err, strings.Contains(s, "timeout") || strings.Contains(s, "deadline"))
}

// FolderName is the folder as messages show it.
func FolderName(folder string) string {
	if folder == "" {
		return "(the login folder)"
	}
	return folder
}

// Quote puts s in double quotes, as messages show names.
func Quote(s string) string { return "\"" + s + "\"" }
