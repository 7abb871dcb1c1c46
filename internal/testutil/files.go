package testutil

import (
	"io/fs"
	"path/filepath"
	"sort"
	"testing"
)

// Files lists the files below root (not the folders), as slash paths
// relative to root, sorted: what a restore or an extraction left there.
func Files(t testing.TB, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("listing the files below %s: %v", root, err)
	}
	sort.Strings(out)
	return out
}
