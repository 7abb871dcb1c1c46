package local_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/desttest"
	"github.com/posbackup/posbackup/internal/dest/local"
)

// resident returns how many of p's pages are in the page cache (mincore
// over a mapping of the file; the mapping is never touched, so it maps no
// page itself) and how many pages p has.
func resident(t *testing.T, p string) (in, pages int) {
	t.Helper()
	fh, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		t.Fatal(err)
	}
	m, err := unix.Mmap(int(fh.Fd()), 0, int(st.Size()), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		t.Fatalf("mmap %s: %v", p, err)
	}
	defer unix.Munmap(m)
	ps := os.Getpagesize()
	vec := make([]byte, (len(m)+ps-1)/ps)
	// x/sys has no wrapper for mincore(2) on Linux.
	if _, _, errno := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&m[0])), uintptr(len(m)), uintptr(unsafe.Pointer(&vec[0]))); errno != 0 {
		t.Fatalf("mincore %s: %v", p, errno)
	}
	for _, v := range vec {
		if v&1 != 0 {
			in++
		}
	}
	return in, len(vec)
}

// diskDir is a new folder on a file system with a page cache in front of
// a medium (not tmpfs, whose memory is the medium).
func diskDir(t *testing.T) string {
	t.Helper()
	for _, base := range []string{os.TempDir(), "."} {
		var sf unix.Statfs_t
		if err := unix.Statfs(base, &sf); err != nil || sf.Type == unix.TMPFS_MAGIC || sf.Type == unix.RAMFS_MAGIC {
			continue
		}
		dir, err := os.MkdirTemp(base, "posbackup-medium-")
		if err != nil {
			continue
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		return dir
	}
	t.Fatal("no folder on a disk file system to test in")
	return ""
}

// TestOpenMediumDropsCache (finding 7): after a Put and a full read the
// archive is in the page cache; OpenMedium drops it, so the read-back
// comes from the medium, and still returns every byte.
func TestOpenMediumDropsCache(t *testing.T) {
	f, err := local.Open(filepath.Join(diskDir(t), "backup"), true)
	if err != nil {
		t.Fatal(err)
	}
	data := desttest.RandomBytes(8 << 20)
	desttest.Put(t, f, "M001_Montag.zip", data)
	p := f.Path("M001_Montag.zip")
	if _, err := os.ReadFile(p); err != nil {
		t.Fatal(err)
	}
	before, pages := resident(t, p)
	if before < pages/2 {
		t.Skipf("only %d of %d pages are cached after writing and reading the file: this file system does not show its cache to mincore", before, pages)
	}
	fh, err := f.OpenMedium("M001_Montag.zip")
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	after, _ := resident(t, p)
	t.Logf("pages in the page cache: %d of %d before OpenMedium, %d after", before, pages, after)
	if after > pages/50 {
		t.Fatalf("after OpenMedium %d of %d pages are still cached: the read-back would read the cache, not the medium", after, pages)
	}
	got, err := os.ReadFile(fh.Name())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Fatal("the bytes read after OpenMedium differ")
	}
	if _, err := f.OpenMedium("missing.zip"); !errors.Is(err, dest.ErrNotFound) {
		t.Fatalf("OpenMedium of a missing file: %v, want an error wrapping dest.ErrNotFound", err)
	}
}

// TestFoldsCase: a folder on a case-sensitive file system does not fold
// case; one on a FAT medium (the USB stick) does. The probe leaves nothing
// behind.
func TestFoldsCase(t *testing.T) {
	f, err := local.Open(filepath.Join(t.TempDir(), "backup"), true)
	if err != nil {
		t.Fatal(err)
	}
	if caps := f.Caps(); caps.FoldsCase || !caps.RenameReplaces {
		t.Fatalf("Caps on %s = %+v, want RenameReplaces and no case folding", f.Dir(), caps)
	}
	if names := desttest.Names(t, f); len(names) != 0 {
		t.Fatalf("the case probe left %q", names)
	}

	mnt := t.TempDir()
	if ok, why := fatMount(t, mnt); !ok {
		mediumSkip(t, why)
	}
	done := make(chan error, 1)
	var caps dest.Caps
	var left []string
	go func() {
		g, err := local.Open(filepath.Join(mnt, "backup"), true)
		if err == nil {
			caps = g.Caps()
			var infos []dest.Info
			infos, err = g.List(context.Background())
			for _, i := range infos {
				left = append(left, i.Name)
			}
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the FAT medium did not answer within a minute")
	}
	if !caps.FoldsCase {
		t.Fatalf("Caps on the FAT medium %s = %+v, want FoldsCase", mnt, caps)
	}
	if len(left) != 0 {
		t.Fatalf("the case probe left %q on the FAT medium", left)
	}
}

// fatMount formats a small FAT image and mounts it on dir (root, Linux,
// dosfstools; the kernel's vfat, or fusefat where the kernel has none),
// unmounting it when the test ends.
func fatMount(t *testing.T, dir string) (ok bool, why string) {
	t.Helper()
	if os.Geteuid() != 0 {
		return false, "mounting a FAT image needs root"
	}
	mkfs, err := exec.LookPath("mkfs.vfat")
	if err != nil {
		return false, "mkfs.vfat is not installed (Debian package dosfstools)"
	}
	img := filepath.Join(t.TempDir(), "stick.img")
	if out, err := exec.Command(mkfs, "-C", img, "8192").CombinedOutput(); err != nil {
		return false, "mkfs.vfat failed: " + err.Error() + " " + string(out)
	}
	out, err := exec.Command("mount", "-o", "loop", img, dir).CombinedOutput()
	if err == nil {
		t.Cleanup(func() {
			if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
				t.Errorf("umount %s: %v %s", dir, err, out)
				exec.Command("umount", "-l", dir).Run()
			}
		})
		return true, ""
	}
	// No vfat in this kernel: fusefat in the foreground, so it is ours to
	// stop by its PID.
	fuse, ferr := exec.LookPath("fusefat")
	if ferr != nil {
		return false, "mount -o loop failed (" + string(bytes.TrimSpace(out)) + ") and fusefat is not installed (Debian package fusefat)"
	}
	cmd := exec.Command(fuse, "-f", "-o", "rw+", img, dir)
	if err := cmd.Start(); err != nil {
		return false, "fusefat: " + err.Error()
	}
	t.Cleanup(func() {
		exec.Command("umount", "-l", dir).Run()
		cmd.Process.Kill()
		cmd.Wait()
	})
	for i := 0; i < 100; i++ {
		if b, _ := os.ReadFile("/proc/self/mounts"); bytes.Contains(b, []byte(" "+dir+" ")) {
			return true, ""
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false, "fusefat did not mount " + img + " within 5 seconds"
}
