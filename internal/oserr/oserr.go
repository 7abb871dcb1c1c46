// Package oserr gives an error in the operating system's own words, for
// messages that name the path themselves.
package oserr

import (
	"errors"
	"io/fs"
	"os"
)

// Words is err without the Go operation and path that an *fs.PathError or
// *os.LinkError puts in front ("permission denied", "no space left on
// device"); any other error as it is.
func Words(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err.Error()
	}
	return err.Error()
}
