package job

import (
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"testing"
)

// TestRestoreProgressWithinALargeFile: restoring one large file reports
// bytes while the file is written, not only once it is done (issue 15: the
// page's bar stood at 0 during a large file).
func TestRestoreProgressWithinALargeFile(t *testing.T) {
	in := fixture(t)
	big := make([]byte, 24<<20)
	rand.Read(big)
	if err := os.WriteFile(filepath.Join(in.Root, "Daten", "M001", "Arthist.dat"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	to := folder(t, t.TempDir())
	res := backup(t, BackupRequest{Source: in.Root, Variant: 2, Dest: to, NameTemplate: "big"})
	a, err := OpenPath(filepath.Join(to.Dir(), res.Archive))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var during int
	_, err = Restore(context.Background(), RestoreRequest{Archive: a, Target: t.TempDir(), Only: []Part{{Pattern: "Daten/M001/Arthist.dat"}},
		Confirm: func([]string) bool { return true },
		OnEvent: func(e Event) {
			if e.Phase == "restore" && e.Files == 0 && e.Bytes > 0 && e.Bytes < int64(len(big)) {
				during++
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if during == 0 {
		t.Fatal("no progress was reported while the large file was restored")
	}
}

// TestVerifyProgress: the check after writing reports its progress entry
// by entry, from 0, instead of one event with everything done.
func TestVerifyProgress(t *testing.T) {
	in := fixture(t)
	to := folder(t, t.TempDir())
	var partial, first int
	var total int64
	res := backup(t, BackupRequest{Source: in.Root, Variant: 4, Dest: to, NameTemplate: "v", OnEvent: func(e Event) {
		if e.Phase != "verify" {
			return
		}
		if first == 0 {
			first = 1
			if e.Bytes != 0 {
				t.Errorf("the check starts at %d bytes, not 0", e.Bytes)
			}
		}
		total = e.TotalBytes
		if e.Bytes > 0 && e.Bytes < e.TotalBytes {
			partial++
		}
	}})
	if partial == 0 || total != res.Bytes {
		t.Fatalf("the check reported no progress between 0 and %d bytes (total %d)", res.Bytes, total)
	}
}
