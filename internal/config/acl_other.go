//go:build !windows

package config

import "os"

// restrictToOwner: chmod 600 (in writeOwnerOnly) is enough here.
func restrictToOwner(string) error { return nil }

// othersCanRead reports whether the group or others may read the file.
func othersCanRead(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().Perm()&0o044 != 0
}
