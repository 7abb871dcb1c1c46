//go:build linux

package faultstest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/posbackup/posbackup/internal/testsrv"
	"github.com/posbackup/posbackup/internal/testutil"
)

// tmpfsSize is the size of the small disks: the older archive fits, the
// new one (fullData) does not.
const (
	tmpfsSize = "4m"
	smallData = 512 << 10
	fullData  = 6 << 20
)

// smallDisk mounts a tmpfs of tmpfsSize on a new folder and unmounts it at
// cleanup. It needs root: it skips without, and fails under CI=true.
func smallDisk(t *testing.T) string {
	t.Helper()
	needRoot(t, "mounting a small tmpfs")
	dir := filepath.Join(t.TempDir(), "small-disk")
	mountSmall(t, dir)
	return dir
}

// mountSmall makes the folder dir and mounts a tmpfs of tmpfsSize on it,
// unmounted at cleanup.
func mountSmall(t *testing.T, dir string) {
	t.Helper()
	needRoot(t, "mounting a small tmpfs")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+tmpfsSize+",mode=0755", "tmpfs", dir).CombinedOutput(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("mount -t tmpfs (CI=true, so this fails instead of skipping): %v: %s", err, out)
		}
		t.Skipf("mount -t tmpfs is not allowed here: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			// Busy (a file still open): detach it, it goes once closed.
			if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
				t.Errorf("unmounting the tmpfs at %s: %v", dir, err)
			}
		}
	})
}

// saysFull checks that a failure names folder and says it is full.
func saysFull(t *testing.T, res result, folder string) {
	t.Helper()
	low := strings.ToLower(res.stderr)
	if res.code == 0 || !strings.Contains(res.stderr, "BACKUP FAILED") || !strings.Contains(res.stderr, folder) ||
		!(strings.Contains(low, "full") || strings.Contains(low, "no space")) {
		t.Errorf("the failure does not say plainly that %s is full: %s", folder, res)
	}
	if strings.Contains(res.stderr, "goroutine ") || strings.Contains(res.stderr, ".go:") {
		t.Errorf("the failure shows program internals: %s", res)
	}
}

// TestFullDestinationFolder backs up to a folder on a small tmpfs: the
// first archive fits, the second fills the disk. The run fails saying the
// folder is full, the older archive's bytes are unchanged and it still
// verifies, and no partial file is left beside it.
func TestFullDestinationFolder(t *testing.T) {
	disk := smallDisk(t)
	to := filepath.Join(disk, "Backup")
	r := newRunner(t)
	src := t.TempDir()
	install(t, src, smallData, 1)
	if first := r.backup(t, src, to, nil); first.code != 0 {
		t.Fatalf("the first backup, which fits, failed: %s", first)
	}
	archive := filepath.Join(to, archiveName)
	oldSum := sum(t, archive)

	install(t, src, fullData, 2)
	res := r.backup(t, src, to, nil)
	t.Logf("full destination: %s", firstLine(res))
	saysFull(t, res, to)
	if got := sum(t, archive); got != oldSum {
		t.Fatalf("the older archive changed after the failed backup: SHA-256 %s, was %s", got, oldSum)
	}
	testutil.CheckWithTools(t, archive)
	onlyArchive(t, to, "after the failed backup to a full folder")
}

// TestFullTempFolder backs up to real servers with TMPDIR (where the
// upload's resume copy and the archive's spool go) on a small tmpfs that
// the new archive does not fit in. The run fails saying the temp folder is
// full; on the server the older archive is unchanged and no partial file
// is left.
//
// Two shapes of data: one big file (its compressed copy spills from memory
// into the temp folder while it is made) and small files (each stays in
// memory; the upload's resume copy fills the temp folder).
func TestFullTempFolder(t *testing.T) {
	for _, tc := range []struct{ kind, shape string }{{"ftpes", "big-file"}, {"sftp", "big-file"}, {"ftpes", "small-files"}, {"sftp", "small-files"}} {
		kind := tc.kind
		part := fullData
		if tc.shape == "small-files" {
			part = 512 << 10
		}
		t.Run(tc.shape+"/"+kind, func(t *testing.T) {
			tmp := smallDisk(t)
			var url, dir string
			var flags []string
			if kind == "sftp" {
				s := testsrv.StartSSH(t)
				url, dir = "sftp://"+s.Addr+"/betrieb1", filepath.Join(s.Root, "betrieb1")
				flags = []string{"--user", s.User, "--fingerprint", s.HostKeyFingerprint}
			} else {
				s := testsrv.StartFTP(t, kind)
				url, dir = kind+"://"+s.Addr+"/betrieb1", filepath.Join(s.Root, "betrieb1")
				flags = []string{"--user", s.User, "--fingerprint", s.Fingerprint}
			}
			r := newRunner(t)
			src := t.TempDir()
			install(t, src, smallData, 1)
			env := []string{"TMPDIR=" + tmp}
			if first := r.backup(t, src, url, env, flags...); first.code != 0 {
				t.Fatalf("the first backup, whose copy fits the temp folder, failed: %s", first)
			}
			archive := filepath.Join(dir, archiveName)
			oldSum := sum(t, archive)

			installParts(t, src, fullData, part, 2)
			res := r.backup(t, src, url, env, flags...)
			t.Logf("full temp folder, %s: %s", kind, firstLine(res))
			saysFull(t, res, tmp)
			if strings.Contains(res.stderr, "broke off") || strings.Contains(res.stderr, "could not be read") {
				t.Errorf("a full temp folder on this computer is blamed on the connection or on the source files: %s", res)
			}
			if got := sum(t, archive); got != oldSum {
				t.Fatalf("the older archive on the server changed after the failed backup: SHA-256 %s, was %s", got, oldSum)
			}
			testutil.CheckWithTools(t, archive)
			onlyArchive(t, dir, "after the failed backup with a full temp folder")
			if ns := names(t, tmp); len(ns) > 0 {
				t.Errorf("the failed run left %q in the temp folder %s", ns, tmp)
			}
			// A full temp folder is no unreadable source file: with
			// --allow-missing too the backup must fail, not succeed
			// without the file.
			res = r.backup(t, src, url, env, append(flags, "--allow-missing")...)
			t.Logf("full temp folder, %s, --allow-missing: %s", kind, firstLine(res))
			saysFull(t, res, tmp)
			if got := sum(t, archive); got != oldSum {
				t.Fatalf("with --allow-missing, the older archive on the server was replaced by a backup made with a full temp folder: SHA-256 %s, was %s", got, oldSum)
			}
			onlyArchive(t, dir, "after the failed backup with a full temp folder and --allow-missing")
		})
	}
}

// TestFullServerDisk backs up to real servers whose backup folder is a
// small tmpfs: the first archive fits, the second fills the server's disk.
// The run fails saying the server is full, the older archive there is
// unchanged and no partial file is left.
func TestFullServerDisk(t *testing.T) {
	for _, kind := range []string{"ftp", "ftpes", "sftp"} {
		t.Run(kind, func(t *testing.T) {
			var url, root string
			var flags []string
			if kind == "sftp" {
				s := testsrv.StartSSH(t)
				url, root = "sftp://"+s.Addr+"/betrieb1", s.Root
				flags = []string{"--user", s.User, "--fingerprint", s.HostKeyFingerprint}
			} else {
				s := testsrv.StartFTP(t, kind)
				url, root = kind+"://"+s.Addr+"/betrieb1", s.Root
				flags = []string{"--user", s.User}
				if kind != "ftp" {
					flags = append(flags, "--fingerprint", s.Fingerprint)
				}
			}
			dir := filepath.Join(root, "betrieb1")
			mountSmall(t, dir)
			testsrv.Chown(t, dir)
			r := newRunner(t)
			src := t.TempDir()
			install(t, src, smallData, 1)
			if first := r.backup(t, src, url, nil, flags...); first.code != 0 {
				t.Fatalf("the first backup, which fits the server's disk, failed: %s", first)
			}
			archive := filepath.Join(dir, archiveName)
			oldSum := sum(t, archive)

			install(t, src, fullData, 2)
			res := r.backup(t, src, url, nil, flags...)
			t.Logf("full server disk, %s: %s", kind, firstLine(res))
			if low := strings.ToLower(res.stderr); res.code == 0 || !strings.Contains(res.stderr, "BACKUP FAILED") ||
				!(strings.Contains(low, "full") || strings.Contains(low, "no space")) || strings.Contains(low, "broke off") {
				t.Errorf("the failure does not say plainly that the server is full: %s", res)
			}
			if got := sum(t, archive); got != oldSum {
				t.Fatalf("the older archive on the server changed after the failed backup: SHA-256 %s, was %s", got, oldSum)
			}
			testutil.CheckWithTools(t, archive)
			onlyArchive(t, dir, "after the failed backup to a full server")
		})
	}
}
