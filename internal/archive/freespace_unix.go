//go:build linux || darwin || freebsd || openbsd || dragonfly

package archive

import (
	"path/filepath"

	"golang.org/x/sys/unix"
)

// FreeSpace returns the bytes free for this user on the file system that
// holds path (or, when path does not exist yet, its nearest existing
// parent).
func FreeSpace(path string) (int64, error) {
	var st unix.Statfs_t
	for {
		err := unix.Statfs(path, &st)
		if err == nil {
			return int64(st.Bavail) * int64(st.Bsize), nil
		}
		parent := filepath.Dir(path)
		if err != unix.ENOENT || parent == path {
			return -1, err
		}
		path = parent
	}
}
