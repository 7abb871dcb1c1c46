//go:build !windows

package local_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/posbackup/posbackup/internal/dest/local"
)

// mediumArea points local.MountAreas at a new temporary folder for the
// test and returns it.
func mediumArea(t *testing.T) string {
	t.Helper()
	area := t.TempDir()
	saved := local.MountAreas
	local.MountAreas = []string{area}
	t.Cleanup(func() { local.MountAreas = saved })
	return area
}

// mediumMount mounts a small tmpfs on dir (as root on Linux) and unmounts it
// when the test ends; ok is false when that is not possible here.
func mediumMount(t *testing.T, dir string) (ok bool, why string) {
	t.Helper()
	if runtime.GOOS != "linux" {
		return false, "mounting a tmpfs needs Linux"
	}
	if os.Geteuid() != 0 {
		return false, "mounting a tmpfs needs root"
	}
	mountCmd, err := exec.LookPath("mount")
	if err != nil {
		return false, "mount is not installed"
	}
	if out, err := exec.Command(mountCmd, "-t", "tmpfs", "-o", "size=4m", "tmpfs", dir).CombinedOutput(); err != nil {
		return false, "mount -t tmpfs failed: " + err.Error() + " " + string(out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
			exec.Command("umount", "-l", dir).Run()
		}
	})
	return true, ""
}

func mediumSkip(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("cannot test with a mounted medium: %s", why)
	}
	t.Skipf("cannot test with a mounted medium: %s", why)
}

// TestMediumMissing: a destination below an empty mount point (a folder in
// a mount area with nothing mounted on it) is refused, naming the mount
// point and asking to insert and mount the medium, and nothing is created;
// once a file system is mounted there, Open creates the folder.
func TestMediumMissing(t *testing.T) {
	area := mediumArea(t)
	mp := filepath.Join(area, "usbstick")
	if err := os.Mkdir(mp, 0o755); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(mp, "posbackup", "Filiale 1")

	for _, dir := range []string{target, mp} {
		for _, create := range []bool{true, false} {
			f, err := local.Open(dir, create)
			if err == nil {
				t.Fatalf("Open(%s, %v) on an empty mount point succeeded (%s): it would write to the system disk", dir, create, f.Dir())
			}
			var me *local.MediumError
			if !errors.As(err, &me) {
				t.Fatalf("Open(%s, %v) = %T %v, want a *local.MediumError", dir, create, err, err)
			}
			if me.Where != mp {
				t.Errorf("MediumError.Where = %q, want the mount point %q", me.Where, mp)
			}
			msg := err.Error()
			if !strings.Contains(msg, mp) {
				t.Errorf("the message does not name the mount point %s: %q", mp, msg)
			}
			if !strings.Contains(msg, "insert") || !strings.Contains(msg, "mount") {
				t.Errorf("the message does not say to insert and mount the medium: %q", msg)
			}
		}
	}
	if ents, err := os.ReadDir(mp); err != nil || len(ents) != 0 {
		t.Fatalf("the empty mount point %s was written to: %v %v", mp, ents, err)
	}

	// A mount point that does not even exist is missing too, and is not made.
	gone := filepath.Join(area, "nas")
	_, err := local.Open(filepath.Join(gone, "backup"), true)
	var me *local.MediumError
	if !errors.As(err, &me) || me.Where != gone {
		t.Errorf("Open below the missing mount point %s = %v, want a *local.MediumError naming it", gone, err)
	}
	if _, err := os.Stat(gone); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open created the missing mount point %s (stat: %v)", gone, err)
	}

	// A destination outside every mount area is not checked.
	plain := filepath.Join(t.TempDir(), "backup")
	if _, err := local.Open(plain, true); err != nil {
		t.Errorf("Open(%s) outside the mount areas: %v", plain, err)
	}

	// With a medium mounted the same destination opens and is created.
	if ok, why := mediumMount(t, mp); !ok {
		mediumSkip(t, why)
	}
	f, err := local.Open(target, true)
	if err != nil {
		t.Fatalf("Open(%s) with a medium mounted at %s: %v", target, mp, err)
	}
	if f.Dir() != target {
		t.Errorf("Dir() = %q, want %q", f.Dir(), target)
	}
	if st, err := os.Stat(target); err != nil || !st.IsDir() {
		t.Errorf("Open did not create %s on the medium: %v", target, err)
	}
	if local.SameDrive(target, area) {
		t.Errorf("the created folder %s is not on the mounted medium", target)
	}
	if _, err := local.Open(mp, false); err != nil {
		t.Errorf("Open(%s) of the mount point itself with a medium mounted: %v", mp, err)
	}
}

// TestMediumSameDrive: two paths in one folder are on the same drive (also
// when one does not exist yet); a path on a mounted tmpfs is not.
func TestMediumSameDrive(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "Hypers-!")
	b := filepath.Join(dir, "Backup")
	if err := os.Mkdir(a, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(b, 0o755); err != nil {
		t.Fatal(err)
	}
	if !local.SameDrive(a, b) {
		t.Errorf("SameDrive(%s, %s) = false, want true", a, b)
	}
	notYet := filepath.Join(b, "not", "made", "yet")
	if !local.SameDrive(a, notYet) {
		t.Errorf("SameDrive(%s, %s) = false for a folder not made yet, want true (its nearest existing parent)", a, notYet)
	}

	mnt := filepath.Join(dir, "usb")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if ok, why := mediumMount(t, mnt); !ok {
		mediumSkip(t, why)
	}
	if local.SameDrive(a, mnt) {
		t.Errorf("SameDrive(%s, %s) = true across a mounted tmpfs, want false", a, mnt)
	}
	if local.SameDrive(filepath.Join(mnt, "Backup", "new"), a) {
		t.Errorf("SameDrive for a folder not made yet on the tmpfs = true, want false")
	}
	if !local.SameDrive(mnt, filepath.Join(mnt, "x")) {
		t.Errorf("SameDrive within the tmpfs = false, want true")
	}
}

// TestMediumMountedOnArea: a medium mounted on a mount area itself (the
// common `mount /dev/sdb1 /mnt`) is present, so a destination on it opens.
func TestMediumMountedOnArea(t *testing.T) {
	area := mediumArea(t)
	if ok, why := mediumMount(t, area); !ok {
		mediumSkip(t, why)
	}
	target := filepath.Join(area, "backup")
	f, err := local.Open(target, true)
	if err != nil {
		t.Fatalf("Open(%s) with a medium mounted on the area %s itself: %v", target, area, err)
	}
	if st, err := os.Stat(f.Dir()); err != nil || !st.IsDir() {
		t.Errorf("Open did not create %s: %v", target, err)
	}
	// An existing folder on that medium opens too.
	if _, err := local.Open(target, false); err != nil {
		t.Errorf("Open(%s) of an existing folder on the medium mounted at %s: %v", target, area, err)
	}
}
