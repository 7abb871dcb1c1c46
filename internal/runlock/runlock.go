// Package runlock keeps backup runs apart across processes: the service's
// scheduled runs and a backup started by hand take the same lock file (in
// the state folder) and never run at the same time.
//
// The lock is an operating-system file lock (flock on Unix, LockFileEx on
// Windows) on an open file, not the file's existence: when the holding
// process ends in any way, also killed or crashed, the system releases the
// lock, so a crashed run never leaves it stuck. The file stays; it holds
// the process id, host and start time of the current holder so that a
// refused run can say who holds it.
package runlock

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// FileName is the lock file's name in the state folder. The service's
// scheduler and every backup started by hand use the same path, so that
// they keep each other out.
const FileName = "run.lock"

// ErrLocked is matched (errors.Is) by the error TryLock returns when
// another run holds the lock. The error itself is a *LockedError.
var ErrLocked = errors.New("another backup is running")

// Holder describes the process that holds a lock.
type Holder struct {
	PID     int       `json:"pid"`
	Host    string    `json:"host"`
	Started time.Time `json:"started"`
	Command string    `json:"command,omitempty"`
}

// LockedError reports that the lock at Path is held. Holder is what the
// holder wrote into the lock file; Known is false when it could not be
// read (the holder had not written it yet, or the file is unreadable).
type LockedError struct {
	Path   string
	Holder Holder
	Known  bool
}

func (e *LockedError) Error() string {
	if !e.Known {
		return fmt.Sprintf("another backup is running (lock file %s); wait until it has finished", e.Path)
	}
	h := e.Holder
	s := fmt.Sprintf("another backup is running: process %d on %s, started %s", h.PID, h.Host, h.Started.Local().Format("2006-01-02 15:04:05"))
	if h.Command != "" {
		s += " (" + h.Command + ")"
	}
	return s + "; wait until it has finished (lock file " + e.Path + ")"
}

// Is makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// Now is the clock used for Holder.Started; tests may replace it.
var Now = time.Now

// TryLock takes the lock at path without waiting, creating the file (and
// its folder) if needed. It returns ErrLocked (a *LockedError naming the
// holder) when another process, or another TryLock in this process, holds
// it. unlock releases the lock; calling it more than once is harmless.
func TryLock(path string) (unlock func(), err error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("the folder of the lock file %s cannot be created: %w", path, err)
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|noFollow, 0o644)
	if err != nil {
		return nil, fmt.Errorf("the lock file %s cannot be opened: %w", path, err)
	}
	busy, err := lockFile(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("the lock file %s cannot be locked: %w", path, err)
	}
	if busy {
		h, known := readHolder(f)
		f.Close()
		return nil, &LockedError{Path: path, Holder: h, Known: known}
	}
	host, _ := os.Hostname()
	h := Holder{PID: os.Getpid(), Host: host, Started: Now().Round(0), Command: command()}
	b, _ := json.Marshal(h)
	if err := f.Truncate(0); err == nil {
		f.WriteAt(append(b, '\n'), 0)
		f.Sync()
	}
	done := false
	return func() {
		if done {
			return
		}
		done = true
		f.Truncate(0)
		unlockFile(f)
		f.Close()
	}, nil
}

// ReadHolder returns who holds, or last held, the lock at path, as written
// into the lock file. ok is false when the file is missing, empty (no
// holder since it was last released) or unreadable.
func ReadHolder(path string) (h Holder, ok bool) {
	f, err := os.Open(path)
	if err != nil {
		return Holder{}, false
	}
	defer f.Close()
	return readHolder(f)
}

func readHolder(f *os.File) (Holder, bool) {
	b, err := io.ReadAll(io.NewSectionReader(f, 0, 4096))
	if err != nil || len(strings.TrimSpace(string(b))) == 0 {
		return Holder{}, false
	}
	var h Holder
	if json.Unmarshal(b, &h) != nil || h.PID == 0 {
		return Holder{}, false
	}
	return h, true
}

func command() string {
	if len(os.Args) == 0 {
		return ""
	}
	name := filepath.Base(os.Args[0])
	if len(os.Args) > 1 && !strings.HasPrefix(os.Args[1], "-") {
		name += " " + os.Args[1]
		if len(os.Args) > 2 && !strings.HasPrefix(os.Args[2], "-") {
			name += " " + os.Args[2]
		}
	}
	return name
}
