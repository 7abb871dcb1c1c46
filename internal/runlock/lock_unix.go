//go:build unix

package runlock

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// noFollow: TryLock never opens the file a link at the lock's name points to.
const noFollow = unix.O_NOFOLLOW

// privateDir makes dir (0700) or checks the one there: a real folder, not
// a link, owned by this user. One of this user's that others may write to
// (an older version made it 0755 under a umask of 0) is closed to 0700.
func privateDir(dir string) error {
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("the folder of the lock files %s cannot be created: %w", dir, err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("the folder of the lock files %s cannot be read: %w", dir, err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !fi.IsDir() || !ok || int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("the folder of the lock files %s is not this user's own (another user may have made it): remove it, then start the backup again", dir)
	}
	if fi.Mode().Perm()&0o022 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("the folder of the lock files %s is open to other users and cannot be closed: %w", dir, err)
		}
	}
	return nil
}

// lockFile takes an exclusive flock on f without waiting. busy is true
// when another open file holds it.
func lockFile(f *os.File) (busy bool, err error) {
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if errors.Is(err, unix.EWOULDBLOCK) || errors.Is(err, unix.EAGAIN) {
		return true, nil
	}
	return false, err
}

func unlockFile(f *os.File) { unix.Flock(int(f.Fd()), unix.LOCK_UN) }
