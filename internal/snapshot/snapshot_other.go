//go:build !windows

package snapshot

import "path/filepath"

// native: no byte-range or sharing locks stop a reader here, and no
// snapshots.
func native() platform {
	return platform{held: func(error) bool { return false }, admin: func() bool { return false }, join: func(root, rel string) string { return filepath.Join(root, rel) }}
}
