//go:build windows

package runlock

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
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

// The lock covers one byte far beyond the end of the file, so that the
// holder's details at the start of the file stay readable by others
// (Windows byte-range locks are mandatory).
const (
	lockOffsetHigh = 0x40000000
	lockLen        = 1
)

// lockFile takes an exclusive LockFileEx lock on f without waiting. busy
// is true when another handle holds it. Windows releases the lock when the
// holding process ends.
func lockFile(f *os.File) (busy bool, err error) {
	ol := &windows.Overlapped{OffsetHigh: lockOffsetHigh}
	err = windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, lockLen, 0, ol)
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) || errors.Is(err, windows.ERROR_IO_PENDING) {
		return true, nil
	}
	return false, err
}

func unlockFile(f *os.File) {
	ol := &windows.Overlapped{OffsetHigh: lockOffsetHigh}
	windows.UnlockFileEx(windows.Handle(f.Fd()), 0, lockLen, 0, ol)
}
