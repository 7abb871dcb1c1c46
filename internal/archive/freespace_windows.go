//go:build windows

package archive

import (
	"path/filepath"
	"strings"

	"golang.org/x/sys/windows"
)

// FreeSpace returns the bytes free for this user on the volume that holds
// path (or, when path does not exist yet, its nearest existing parent);
// drive letters and UNC paths both work.
func FreeSpace(path string) (int64, error) {
	for {
		dir := path
		if !strings.HasSuffix(dir, `\`) {
			dir += `\` // required for UNC paths (\\nas\share\)
		}
		p, err := windows.UTF16PtrFromString(dir)
		if err != nil {
			return -1, err
		}
		var avail, total, free uint64
		err = windows.GetDiskFreeSpaceEx(p, &avail, &total, &free)
		if err == nil {
			return int64(avail), nil
		}
		parent := filepath.Dir(path)
		if (err != windows.ERROR_PATH_NOT_FOUND && err != windows.ERROR_FILE_NOT_FOUND) || parent == path {
			return -1, err
		}
		path = parent
	}
}
