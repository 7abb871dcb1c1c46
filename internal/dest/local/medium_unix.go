//go:build !windows

package local

import (
	"errors"
	"fmt"
	"github.com/posbackup/posbackup/internal/oserr"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// MountAreas are the folders under which removable media and network shares
// are mounted on Linux and macOS. A destination below one of them must be on
// a mounted file system: an empty mount point is a missing medium.
var MountAreas = []string{"/media", "/mnt", "/run/media", "/Volumes"}

func checkMedium(abs string) error {
	for _, area := range MountAreas {
		rel, err := filepath.Rel(area, abs)
		if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
			continue
		}
		areaSt, err := os.Stat(area)
		if err != nil {
			return missing(abs, area)
		}
		if up, err := os.Stat(filepath.Dir(area)); err == nil && devOf(up) != devOf(areaSt) {
			return nil // a medium is mounted on the area itself (mount /dev/sdb1 /mnt)
		}
		// Every folder from the area down to the destination (as far as it
		// exists) on the same device as the area means nothing is mounted there.
		p := abs
		for {
			st, err := os.Stat(p)
			if err == nil {
				if devOf(st) != devOf(areaSt) {
					return nil // a file system is mounted on the way
				}
			} else if !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("cannot reach the destination %s: %s", abs, oserr.Words(err))
			}
			parent := filepath.Dir(p)
			if parent == area || parent == p {
				break
			}
			p = parent
		}
		return missing(abs, filepath.Join(area, strings.Split(rel, string(filepath.Separator))[0]))
	}
	return nil
}

func missing(abs, mountPoint string) error {
	return &MediumError{Dest: abs, Where: mountPoint}
}

func devOf(st os.FileInfo) uint64 {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return uint64(s.Dev)
	}
	return 0
}

// SameDrive reports whether a and b (existing paths, or their nearest
// existing parents) are on the same file system.
func SameDrive(a, b string) bool {
	sa, err1 := os.Stat(existingParent(a))
	sb, err2 := os.Stat(existingParent(b))
	return err1 == nil && err2 == nil && devOf(sa) == devOf(sb)
}

func isNoSpace(err error) bool { return errors.Is(err, syscall.ENOSPC) }

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// existingParent is p, or its nearest parent that exists.
func existingParent(p string) string {
	p, _ = filepath.Abs(p)
	for {
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(p)
		if parent == p {
			return p
		}
		p = parent
	}
}
