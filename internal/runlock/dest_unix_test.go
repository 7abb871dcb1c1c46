//go:build unix

package runlock

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The lock folder of a backup without a config lies in the shared temp
// folder under a name anyone can guess. A folder another user made there,
// or one others may write to, is refused, and a link at the lock file's
// name is not followed: the file it points to stays as it was.
func TestDestPathRefusesAFolderOthersCanWrite(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	p := destPath(t, "/media/usb")
	dir := filepath.Dir(p)
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("the lock folder %s: %v, mode %v; want 0700", dir, err, fi.Mode().Perm())
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if _, err := DestPath("/media/usb"); err == nil || !strings.Contains(err.Error(), "not this user's own") {
		t.Errorf("a lock folder others may write to: %v, want a refusal", err)
	}
	os.Chmod(dir, 0o700)
}

func TestTryLockFollowsNoLink(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	p := destPath(t, "/media/usb")
	victim := filepath.Join(tmp, "shadow")
	if err := os.WriteFile(victim, []byte("keep me\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, p); err != nil {
		t.Fatal(err)
	}
	if unlock, err := TryLock(p); err == nil {
		unlock()
		t.Error("TryLock took a lock through a link")
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep me\n" {
		t.Errorf("the file the link points to was changed: %q", b)
	}
}
