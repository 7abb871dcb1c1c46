package job_test

// Tests that an interrupted backup never destroys the last good archive:
// the process killed with SIGKILL, the medium full, the medium pulled while
// writing, the run cancelled.

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/local"
	"github.com/posbackup/posbackup/internal/job"
	"github.com/posbackup/posbackup/internal/profile"
)

// TestInterruptKill9 kills a running posbackup process with SIGKILL while it
// writes the archive, then checks that the older archive of the same name is
// whole, that the unfinished file is never listed as a backup, and that a
// later run removes it once its name says it is old.
func TestInterruptKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds posbackup and backs up 256 MiB; skipped with -short")
	}
	bin := buildPosbackup(t)
	// 16 x 16 MiB of incompressible data: the archive is about as big, so
	// the disk holds the source, the older archive and at most one more
	// archive (< 1 GiB together); small files keep the writer's spools small.
	start := time.Now()
	src := intrSource(t, 16, 16<<20)
	t.Logf("made a source of 256 MiB in %v", time.Since(start).Round(time.Millisecond))
	destDir := filepath.Join(t.TempDir(), "backup")
	spoolDir := t.TempDir() // TMPDIR of the subprocesses: spools of the killed run land here

	run := func(args ...string) *exec.Cmd {
		cmd := exec.Command(bin, append([]string{"backup", "--source", src, "--variant", "2", "--to", destDir, "--name", intrFixedName}, args...)...)
		cmd.Env = append(os.Environ(), "TMPDIR="+spoolDir, "TEMP="+spoolDir, "TMP="+spoolDir)
		return cmd
	}

	// 1. A successful backup: the older archive.
	start = time.Now()
	if out, err := run().CombinedOutput(); err != nil {
		t.Fatalf("the first backup failed: %v\n%s", err, out)
	}
	firstTook := time.Since(start)
	t.Logf("first backup (subprocess) took %v", firstTook.Round(time.Millisecond))
	oldPath := filepath.Join(destDir, intrFixedZip)
	oldSHA := intrSHA(t, oldPath)
	intrVerify(t, oldPath)
	if names := intrDirNames(t, destDir); len(names) != 1 {
		t.Fatalf("after the first backup the destination holds %q, want only %s", names, intrFixedZip)
	}

	// 2. A second backup, killed while it writes its temporary file.
	cmd := run()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	killed := false
	var tempName string
	var lastSize int64 = -1
	deadline := time.Now().Add(5 * time.Minute) // a safety net only, not an assertion on speed
	for !killed {
		select {
		case err := <-exited:
			t.Fatalf("the second backup ended (%v) before a growing temporary file was seen, so it could not be killed mid-write; make the source bigger. Output:\n%s", err, out.String())
		default:
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no growing temporary file appeared in %s; output:\n%s", destDir, out.String())
		}
		for _, n := range intrTemps(t, destDir) {
			st, err := os.Stat(filepath.Join(destDir, n))
			if err != nil {
				continue
			}
			if n == tempName && lastSize > 0 && st.Size() > lastSize {
				// Kill it by its PID with SIGKILL (Process.Kill on Unix).
				if err := cmd.Process.Kill(); err != nil {
					t.Fatalf("kill %d: %v", cmd.Process.Pid, err)
				}
				killed = true
				t.Logf("killed pid %d while %s had grown from %d to %d bytes", cmd.Process.Pid, n, lastSize, st.Size())
				break
			}
			tempName, lastSize = n, st.Size()
		}
		time.Sleep(5 * time.Millisecond)
	}
	err := <-exited
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ProcessState.ExitCode() != -1 {
		// ExitCode is -1 only when a signal ended the process.
		t.Fatalf("the second backup was not ended by the kill (wait: %v, state %v): it finished first. Output:\n%s", err, cmd.ProcessState, out.String())
	}

	// The older archive is whole and unchanged; only the leftover is new.
	names := intrDirNames(t, destDir)
	var leftovers []string
	for _, n := range names {
		switch {
		case n == intrFixedZip:
		case dest.IsTemp(n):
			leftovers = append(leftovers, n)
		default:
			t.Errorf("after the kill the destination holds an unexpected %q", n)
		}
	}
	if len(leftovers) != 1 {
		t.Fatalf("after the kill the destination holds %q: want %s and exactly one unfinished %s* file", names, intrFixedZip, dest.TempPrefix)
	}
	leftover := filepath.Join(destDir, leftovers[0])
	if got := intrSHA(t, oldPath); got != oldSHA {
		t.Fatalf("the kill changed the older archive: SHA-256 %s, was %s", got, oldSHA)
	}
	intrVerify(t, oldPath)
	if st, err := os.Stat(leftover); err == nil {
		t.Logf("leftover %s: %d bytes", leftovers[0], st.Size())
	}
	if spools := intrDirNames(t, spoolDir); len(spools) > 0 {
		// Not asserted: reported (the killed process leaves its spool files
		// in the system's temp folder; nothing removes them later).
		t.Logf("the killed run left %d file(s) in its TMPDIR: %q", len(spools), spools)
	}

	d, err := local.Open(destDir, false)
	if err != nil {
		t.Fatal(err)
	}
	listed, err := job.List(context.Background(), d)
	if err != nil {
		t.Fatalf("job.List: %v", err)
	}
	if len(listed) != 1 || listed[0].Name != intrFixedZip || listed[0].Problem != "" {
		t.Errorf("job.List = %+v, want only %s (no unfinished file)", listed, intrFixedZip)
	}
	for _, l := range listed {
		if dest.IsTemp(l.Name) {
			t.Errorf("job.List shows the unfinished %s as a backup", l.Name)
		}
	}

	// 3. A later run removes the leftover once it is old by the start time
	// in its name (the file time does not count): the subprocess ran on
	// this computer's host name, the in-process run says till1, so it is
	// another host's leftover and goes after OtherHostLeftoverAge.
	later := time.Now().Add(job.OtherHostLeftoverAge + time.Hour)
	start = time.Now()
	res, err := job.Backup(context.Background(), job.BackupRequest{
		Profile: profile.Default(), Source: src, Variant: 2, Role: profile.RoleLocation,
		Dest: d, NameTemplate: intrFixedName, Lang: "en", Host: "till1", Now: func() time.Time { return later },
	})
	if err != nil {
		t.Fatalf("the third backup failed: %v", err)
	}
	t.Logf("third backup (in process) took %v", time.Since(start).Round(time.Millisecond))
	if _, err := os.Stat(leftover); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the leftover %s of the killed run is still there after a later backup (stat: %v)", leftovers[0], err)
	}
	if names := intrDirNames(t, destDir); len(names) != 1 || names[0] != intrFixedZip {
		t.Errorf("after the third backup the destination holds %q, want only %s", names, intrFixedZip)
	}
	if !res.Verified || res.Archive != intrFixedZip {
		t.Errorf("third backup: archive %q verified %v", res.Archive, res.Verified)
	}
	intrVerify(t, oldPath)
	if intrSHA(t, oldPath) == oldSHA {
		t.Errorf("the third backup did not replace %s", intrFixedZip)
	}
}

// TestInterruptDiskFull fills a small tmpfs: the backup fails saying the
// medium is full, the older archive stays byte for byte, no temp file stays.
func TestInterruptDiskFull(t *testing.T) {
	mnt := intrMountTmpfs(t, "8m")
	d, err := local.Open(mnt, false)
	if err != nil {
		t.Fatal(err)
	}
	oldSHA := intrMustBackup(t, intrSource(t, 0, 0), d)

	big := intrSource(t, 3, 4<<20) // 12 MiB of incompressible data on an 8 MiB medium
	_, err = intrBackup(context.Background(), big, d, nil)
	if err == nil {
		t.Fatalf("a 12 MiB backup onto an 8 MiB medium succeeded")
	}
	t.Logf("error: %v", err)
	msg := err.Error()
	if !strings.Contains(msg, "full") {
		t.Errorf("the error does not say the medium is full: %q", msg)
	}
	if !strings.Contains(msg, intrFixedZip) || !strings.Contains(msg, "unchanged") {
		t.Errorf("the error does not say the older archive %s is unchanged: %q", intrFixedZip, msg)
	}
	intrAssertOnlyOld(t, mnt, oldSHA)
}

// intrMountTmpfs mounts a tmpfs of the given size on a new temporary folder
// and unmounts it when the test ends. It skips when that is not possible,
// except with CI=true, where it fails.
func intrMountTmpfs(t *testing.T, size string) string {
	t.Helper()
	skip := func(format string, a ...any) {
		t.Helper()
		if os.Getenv("CI") == "true" {
			t.Fatalf(format, a...)
		}
		t.Skipf(format, a...)
	}
	if runtime.GOOS != "linux" {
		skip("mounting a tmpfs needs Linux (this is %s)", runtime.GOOS)
	}
	if os.Geteuid() != 0 {
		skip("mounting a small tmpfs needs root (euid %d)", os.Geteuid())
	}
	mountCmd, err := exec.LookPath("mount")
	if err != nil {
		skip("mount is not installed: %v", err)
	}
	mnt := filepath.Join(t.TempDir(), "medium")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(mountCmd, "-t", "tmpfs", "-o", "size="+size, "tmpfs", mnt).CombinedOutput(); err != nil {
		skip("mount -t tmpfs failed: %v %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", mnt, err, out)
			exec.Command("umount", "-l", mnt).Run()
		}
	})
	return mnt
}

// TestInterruptMediumPulled stores through a destination that fails half way
// with an I/O error and leaves its partial file behind: the job must delete
// it, keep the older archive, and say why in plain words.
func TestInterruptMediumPulled(t *testing.T) {
	destDir := filepath.Join(t.TempDir(), "usb")
	d, err := local.Open(destDir, true)
	if err != nil {
		t.Fatal(err)
	}
	src := intrSource(t, 2, 1<<20)
	oldSHA := intrMustBackup(t, src, d)

	pulled := &intrFailingFolder{Folder: d, failAfter: 256 << 10}
	_, err = intrBackup(context.Background(), src, pulled, nil)
	if err == nil {
		t.Fatalf("the backup succeeded although the medium failed after %d bytes", pulled.failAfter)
	}
	if pulled.wrote != pulled.failAfter {
		t.Fatalf("the failing destination stored %d bytes before failing, want %d (the archive was too small?)", pulled.wrote, pulled.failAfter)
	}
	msg := err.Error()
	t.Logf("error: %v", msg)
	var je *job.Error
	if !errors.As(err, &je) {
		t.Errorf("the error is a %T, want a *job.Error with a plain message", err)
	}
	if !strings.Contains(msg, intrFixedZip) || !strings.Contains(msg, "unchanged") {
		t.Errorf("the error does not name the older archive %s as unchanged: %q", intrFixedZip, msg)
	}
	// The user must learn what went wrong: the destination's I/O error, not
	// the pipe's internal "stopped reading".
	if !strings.Contains(msg, "input/output error") {
		t.Errorf("the error does not give the destination's reason (input/output error): %q", msg)
	}
	for _, goism := range []string{"io: ", "closed pipe", "context canceled", "&{"} {
		if strings.Contains(msg, goism) {
			t.Errorf("the error is not plain, it contains %q: %q", goism, msg)
		}
	}
	intrAssertOnlyOld(t, destDir, oldSHA)
}

// TestInterruptCancel cancels the run while the archive is written and while
// it is checked: the backup fails, the older archive stays, no temp file stays.
func TestInterruptCancel(t *testing.T) {
	src := intrSource(t, 8, 1<<20)
	for _, phase := range []string{"archive", "verify"} {
		t.Run(phase, func(t *testing.T) {
			destDir := filepath.Join(t.TempDir(), "backup")
			d, err := local.Open(destDir, true)
			if err != nil {
				t.Fatal(err)
			}
			oldSHA := intrMustBackup(t, src, d)

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			cancelled := false
			res, err := intrBackup(ctx, src, d, func(e job.Event) {
				if e.Phase == phase && !cancelled {
					cancelled = true
					cancel()
				}
			})
			if !cancelled {
				t.Fatalf("the run never reached phase %q", phase)
			}
			if err == nil {
				t.Fatalf("the backup cancelled during %q succeeded: %+v", phase, res)
			}
			msg := err.Error()
			t.Logf("error: %v", msg)
			if !strings.Contains(msg, intrFixedZip) || !strings.Contains(msg, "unchanged") {
				t.Errorf("the error does not name the older archive %s as unchanged: %q", intrFixedZip, msg)
			}
			// The user (or the service stopping) cancelled: say so plainly,
			// not in Go's words, and not as if the archive were damaged.
			if !strings.Contains(msg, "cancel") || strings.Contains(msg, "context canceled") || strings.Contains(msg, "failed its check") {
				t.Errorf("the error does not say plainly that the backup was cancelled: %q", msg)
			}
			intrAssertOnlyOld(t, destDir, oldSHA)
		})
	}
}
