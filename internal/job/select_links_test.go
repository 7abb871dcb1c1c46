package job

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/posbackup/posbackup/internal/profile"
)

// Issue 11, finding 4, end to end: a symlinked data file is in the archive
// with its content and restores as a plain file; a link that leads nowhere
// fails the backup (naming it) unless missing files are allowed.
func TestLinkedFilesInTheBackup(t *testing.T) {
	in := fixture(t)
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "drucker.cfg"), []byte("[Drucker]\r\nBon=2\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(in.Root, "Daten", "Global", "drucker.cfg")
	if err := os.Symlink(filepath.Join(outside, "drucker.cfg"), link); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	to := folder(t, t.TempDir())
	res := backup(t, BackupRequest{Source: in.Root, Variant: 1, Dest: to, NameTemplate: "links"})
	zipPath := filepath.Join(to.Dir(), res.Archive)
	target := t.TempDir()
	if _, err := restore(t, zipPath, RestoreRequest{Target: target, Only: []Part{{Pattern: "Daten/Global/drucker.cfg"}}}); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(target, "Daten", "Global", "drucker.cfg")
	if st, err := os.Lstat(p); err != nil || !st.Mode().IsRegular() {
		t.Fatalf("the linked file was not restored as a file: %v %v", st, err)
	}
	if b, _ := os.ReadFile(p); string(b) != "[Drucker]\r\nBon=2\r\n" {
		t.Errorf("restored %q", b)
	}

	broken := filepath.Join(in.Root, "Daten", "M001", "Stamm", "kunden.dat")
	if err := os.Symlink(filepath.Join(outside, "gone.dat"), broken); err != nil {
		t.Fatal(err)
	}
	_, err := Backup(context.Background(), BackupRequest{Profile: profile.Default(), Source: in.Root, Variant: 1, Dest: to, NameTemplate: "links"})
	if err == nil || !strings.Contains(err.Error(), broken) || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("a backup with a link that leads nowhere: %v", err)
	}
	res = backup(t, BackupRequest{Source: in.Root, Variant: 1, Dest: to, NameTemplate: "links", AllowMissing: true})
	if w := strings.Join(res.Warnings, "\n"); !strings.Contains(w, broken) {
		t.Errorf("the warnings do not name the broken link: %v", res.Warnings)
	}
}
