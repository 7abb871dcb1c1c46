//go:build windows

package local

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

func checkMedium(abs string) error {
	return driveMissing(abs, func(root string) bool { _, err := os.Stat(root); return err == nil })
}

// SameDrive reports whether a and b are on the same drive letter or share.
func SameDrive(a, b string) bool {
	va := windowsVolume(absOr(a)) // C: and \\?\C: are one drive
	vb := windowsVolume(absOr(b))
	return va != "" && strings.EqualFold(va, vb)
}

func absOr(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

const errorDiskFull syscall.Errno = 112

func isNoSpace(err error) bool {
	return errors.Is(err, errorDiskFull) || errors.Is(err, syscall.Errno(39)) // ERROR_HANDLE_DISK_FULL
}

func syncDir(string) {}
