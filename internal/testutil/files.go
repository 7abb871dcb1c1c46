package testutil

import (
	"io/fs"
	"os"
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

// Names lists the entries of dir itself (files and folders), sorted, as
// os.ReadDir gives them: what a destination folder holds.
func Names(t testing.TB, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("listing %s: %v", dir, err)
	}
	out := make([]string, 0, len(ents))
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}
