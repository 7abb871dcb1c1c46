//go:build !unix && !windows

package runlock

import (
	"errors"
	"os"
)

// noFollow: no flag is needed here (Windows' temp folder is the user's own).
const noFollow = 0

// privateDir makes dir; the temp folder it is in is the user's own.
func privateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return errors.New("the folder of the lock files " + dir + " cannot be created: " + err.Error())
	}
	return nil
}

func lockFile(f *os.File) (bool, error) {
	return false, errors.New("file locks are not supported on this system")
}

func unlockFile(f *os.File) {}
