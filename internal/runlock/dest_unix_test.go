//go:build unix

package runlock

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/posbackup/posbackup/internal/testutil"
)

// The lock folder of a backup without a config lies in the shared temp
// folder under a name anyone can guess. A folder another user made there
// is refused, one of this user's that others may write to is closed, and
// a link at the lock file's name is not followed: the file it points to
// stays as it was.
func TestDestPathRefusesAnotherUsersFolder(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	p := destPath(t, "/media/usb")
	dir := filepath.Dir(p)
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("the lock folder %s: %v; want mode 0700", dir, err)
	}

	// This user's own, open to others (as an older version left it): closed.
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	destPath(t, "/media/usb")
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("this user's lock folder open to others was left %v, want 0700", fi.Mode().Perm())
	}

	// Another user's: refused.
	if os.Geteuid() != 0 {
		testutil.Unavailable(t, "making a folder of another user's needs root")
	}
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	if _, err := DestPath("/media/usb"); err == nil || !strings.Contains(err.Error(), "not this user's own") {
		t.Errorf("another user's lock folder: %v, want a refusal", err)
	}
	// A link in the folder's place: refused too.
	os.Chown(dir, 0, 0)
	os.Rename(dir, dir+".real")
	if err := os.Symlink(dir+".real", dir); err != nil {
		t.Fatal(err)
	}
	if _, err := DestPath("/media/usb"); err == nil {
		t.Error("a link in the lock folder's place was taken")
	}
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
