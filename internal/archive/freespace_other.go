//go:build !(linux || darwin || freebsd || openbsd || dragonfly || windows)

package archive

import "errors"

// FreeSpace is unknown on this system: -1.
func FreeSpace(path string) (int64, error) {
	return -1, errors.New("free space cannot be measured on this system")
}
