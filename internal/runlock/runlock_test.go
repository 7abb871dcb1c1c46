package runlock

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/testutil"
)

const helperEnv = "POSBACKUP_RUNLOCK_HELPER"

// TestMain lets the test binary act as the helper process that holds a
// lock: re-executed with helperEnv set to a lock path, it takes the lock,
// says "locked" on stdout and waits to be killed.
func TestMain(m *testing.M) {
	if path := os.Getenv(helperEnv); path != "" {
		unlock, err := TryLock(path)
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(3)
		}
		defer unlock()
		fmt.Println("locked")
		select {} // hold the lock until killed
	}
	os.Exit(m.Run())
}

// startHolder starts a helper process holding the lock at path and returns
// once it holds it.
func startHolder(t *testing.T, path string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if strings.TrimSpace(line) != "locked" {
		t.Fatalf("helper did not take the lock: %q %v", line, err)
	}
	return cmd
}

func TestKilledHolderReleasesLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "run.lock")
	cmd := startHolder(t, path)

	unlock, err := TryLock(path)
	if err == nil {
		unlock()
		t.Fatal("TryLock succeeded while another process holds the lock")
	}
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("want ErrLocked, got %v", err)
	}
	var le *LockedError
	if !errors.As(err, &le) || !le.Known {
		t.Fatalf("holder not named: %v", err)
	}
	host, _ := os.Hostname()
	if le.Holder.PID != cmd.Process.Pid || le.Holder.Host != host {
		t.Fatalf("holder = %+v, want pid %d on %s", le.Holder, cmd.Process.Pid, host)
	}
	msg := err.Error()
	for _, want := range []string{fmt.Sprintf("process %d", cmd.Process.Pid), host, "another backup is running"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}

	// The holder crashes: SIGKILL by PID (TerminateProcess on Windows).
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	unlock, err = TryLock(path)
	if err != nil {
		t.Fatalf("lock still held after the holder was killed: %v", err)
	}
	h, ok := ReadHolder(path)
	if !ok || h.PID != os.Getpid() {
		t.Fatalf("holder after takeover = %+v %v, want this process %d", h, ok, os.Getpid())
	}
	unlock()
	if _, ok := ReadHolder(path); ok {
		t.Fatal("the holder is still recorded after unlock")
	}
}

func TestSameProcessExcludesAndUnlockReleases(t *testing.T) {
	path := filepath.Join(testutil.TempDir(t), "run.lock") // also under Wine (.ci/wine-unit.sh)
	old := Now
	Now = func() time.Time { return time.Date(2026, 11, 25, 2, 0, 0, 0, time.Local) }
	defer func() { Now = old }()

	unlock1, err := TryLock(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = TryLock(path)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second TryLock in the same process: want ErrLocked, got %v", err)
	}
	if !strings.Contains(err.Error(), "started 2026-11-25 02:00:00") {
		t.Errorf("message lacks the start time: %v", err)
	}
	unlock1()
	unlock1() // harmless twice
	unlock2, err := TryLock(path)
	if err != nil {
		t.Fatalf("TryLock after unlock: %v", err)
	}
	unlock2()
}

func TestUnknownHolderMessage(t *testing.T) {
	e := &LockedError{Path: "/x/run.lock"}
	if !errors.Is(e, ErrLocked) || !strings.Contains(e.Error(), "/x/run.lock") {
		t.Fatalf("unexpected: %v", e)
	}
	if _, ok := ReadHolder(filepath.Join(t.TempDir(), "missing")); ok {
		t.Fatal("ReadHolder of a missing file says ok")
	}
}

func TestUnopenableLockFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "run.lock")
	if err := os.Mkdir(path, 0o755); err != nil { // a folder where the file should be
		t.Fatal(err)
	}
	_, err := TryLock(path)
	if err == nil || errors.Is(err, ErrLocked) {
		t.Fatalf("want a plain error for an unopenable lock file, got %v", err)
	}
}

// TestDestPath: one lock file per destination, the same for another case
// of its name (a folder on Windows, a server), in the temp folder.
func TestDestPath(t *testing.T) {
	tmp := testutil.TempDir(t) // also under Wine (.ci/wine-unit.sh)
	for _, v := range []string{"TMPDIR", "TMP", "TEMP"} {
		t.Setenv(v, tmp)
	}
	a, b := destPath(t, `E:\Backup`), destPath(t, `e:\backup`)
	if a != b {
		t.Errorf("two spellings of one destination lock apart: %s and %s", a, b)
	}
	if c := destPath(t, "ftp://user@nas/backup"); c == a {
		t.Errorf("two destinations share the lock file %s", c)
	}
	if !strings.HasPrefix(a, tmp) || strings.ContainsAny(filepath.Base(a), `:\`) {
		t.Errorf("the lock file %s is not a plain file in the temp folder", a)
	}
	unlock, err := TryLock(a)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	if _, err := TryLock(b); !errors.Is(err, ErrLocked) {
		t.Errorf("a second backup to the destination got %v, want ErrLocked", err)
	}
}

func destPath(t *testing.T, key string) string {
	t.Helper()
	p, err := DestPath(key)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
