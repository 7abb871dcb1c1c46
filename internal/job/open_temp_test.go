package job

import (
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/posbackup/posbackup/internal/dest/faulty"
	"github.com/posbackup/posbackup/internal/testutil"
)

// A server's archive is downloaded into the temp folder asked for, and the
// copy goes with Close; a temp folder that is full or missing is named.
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

	// A temp folder too small for the archive: the error names it.
	if os.Geteuid() != 0 {
		testutil.Unavailable(t, "needs root to mount a small tmpfs")
	}
	small := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", small).CombinedOutput(); err != nil {
		testutil.Unavailable(t, "cannot mount a small tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", small).Run() })
	big := make([]byte, 512<<10)
	rng := rand.New(rand.NewPCG(16, 5))
	for i := range big {
		big[i] = byte(rng.Uint32()) // does not compress
	}
	if err := os.WriteFile(filepath.Join(in.Root, "Daten", "Global", "gross.dat"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	res = backup(t, BackupRequest{Source: in.Root, Variant: 2, Dest: srv, NameTemplate: "gross"})
	_, err = OpenArchiveIn(context.Background(), srv, res.Archive, "", small)
	if err == nil {
		t.Fatalf("a download of %d bytes into a 64 KiB temp folder succeeded", res.Size)
	}
	for _, want := range []string{"download of " + res.Archive, "temporary folder " + small, "temp_dir"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the message does not say %q: %v", want, err)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(small, "*")); len(left) != 0 {
		t.Errorf("a failed download left %v", left)
	}
	// A missing temp folder is named too.
	missing := filepath.Join(tmp, "gone")
	if _, err := OpenArchiveIn(context.Background(), srv, res.Archive, "", missing); err == nil || !strings.Contains(err.Error(), "temporary folder "+missing+" cannot be used") {
		t.Errorf("a missing temp folder: %v", err)
	}
}
