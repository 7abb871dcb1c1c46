//go:build windows

package local

import (
	"path/filepath"
	"strings"

	"golang.org/x/sys/windows"
)

// IsNetworkPath reports whether p is on a network share: a UNC path or a
// mapped drive letter. A Windows service running as the system account
// does not see mapped letters and reaches shares as the computer.
func IsNetworkPath(p string) bool {
	vol := filepath.VolumeName(absOr(p))
	if strings.HasPrefix(vol, `\\`) {
		return true
	}
	if len(vol) != 2 || vol[1] != ':' {
		return false
	}
	root, err := windows.UTF16PtrFromString(vol + `\`)
	if err != nil {
		return false
	}
	return windows.GetDriveType(root) == windows.DRIVE_REMOTE
}
