package job

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/posbackup/posbackup/internal/dest/faulty"
)

// A server's archive is downloaded into the temp folder asked for, and
// only when that folder has room for it; the copy goes with Close.
func TestOpenArchiveInDownloadsIntoTempDir(t *testing.T) {
	in := fixture(t)
	base := folder(t, filepath.Join(t.TempDir(), "srv"))
	srv := faulty.New(base, faulty.Config{Remote: true}).Dest()
	res := backup(t, BackupRequest{Source: in.Root, Variant: 2, Dest: srv, NameTemplate: "dl"})
	tmp := t.TempDir()
	a, err := OpenArchiveIn(context.Background(), srv, res.Archive, "", tmp)
	if err != nil {
		t.Fatal(err)
	}
	copies, _ := filepath.Glob(filepath.Join(tmp, "posbackup-download-*.zip"))
	a.Close()
	if len(copies) != 1 {
		t.Errorf("downloads in the temp folder while open: %v, want one", copies)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "*")); len(left) != 0 {
		t.Errorf("left in the temp folder after Close: %v", left)
	}

	defer func(f func(string) (int64, error)) { freeSpace = f }(freeSpace)
	freeSpace = func(dir string) (int64, error) {
		if dir != tmp {
			t.Errorf("free space asked of %s, want %s", dir, tmp)
		}
		return 1000, nil
	}
	_, err = OpenArchiveIn(context.Background(), srv, res.Archive, "", tmp)
	if err == nil {
		t.Fatal("a download with 1000 bytes free in the temp folder succeeded")
	}
	for _, want := range []string{tmp, "1000 bytes free", "download of " + res.Archive, "temp_dir"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the message does not say %q: %v", want, err)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "*")); len(left) != 0 {
		t.Errorf("a refused download left %v", left)
	}
}
