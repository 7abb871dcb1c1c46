//go:build windows

package snapshot

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/windows"
)

// holdOpen opens path as a POS program does that shares nothing.
func holdOpen(t *testing.T, path string) {
	t.Helper()
	p, _ := windows.UTF16PtrFromString(path)
	h, err := windows.CreateFile(p, windows.GENERIC_READ|windows.GENERIC_WRITE, 0, nil, windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		t.Fatalf("cannot hold %s open: %v", path, err)
	}
	t.Cleanup(func() { windows.CloseHandle(h) })
}

// lockRange locks the whole of path as a database engine locks its records.
func lockRange(t *testing.T, path string) {
	t.Helper()
	p, _ := windows.UTF16PtrFromString(path)
	h, err := windows.CreateFile(p, windows.GENERIC_READ|windows.GENERIC_WRITE, windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE, nil, windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		t.Fatal(err)
	}
	ol := new(windows.Overlapped)
	if err := windows.LockFileEx(h, windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1<<20, 0, ol); err != nil {
		windows.CloseHandle(h)
		t.Fatalf("LockFileEx: %v", err)
	}
	t.Cleanup(func() { windows.UnlockFileEx(h, 0, 1<<20, 0, ol); windows.CloseHandle(h) })
}

func TestHeldOpenOnWindows(t *testing.T) {
	// Not t.TempDir: under Wine 8, Go's RemoveAll fails ("Invalid function").
	dir, err := os.MkdirTemp("", "posbackup-held")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	noShare := filepath.Join(dir, "Journal.dat")
	locked := filepath.Join(dir, "Arthist.dat")
	os.WriteFile(noShare, []byte("journal"), 0o644)
	os.WriteFile(locked, []byte("arthist"), 0o644)
	holdOpen(t, noShare)
	lockRange(t, locked)

	src := New(Off)
	defer src.Close()
	_, err = src.Open(noShare)
	var he *HeldOpenError
	if !errors.As(err, &he) || !strings.Contains(he.ReadReason(), "held open by another program (probably the POS software)") {
		t.Fatalf("a file opened without sharing: %v", err)
	}
	if !errors.Is(err, windows.ERROR_SHARING_VIOLATION) {
		t.Errorf("the cause is not ERROR_SHARING_VIOLATION: %v", he.Err)
	}
	rc, err := src.Open(locked)
	if err != nil {
		t.Fatalf("a locked file does not fail to open: %v", err)
	}
	_, err = io.ReadAll(rc)
	rc.Close()
	switch {
	case err == nil && underWine():
		t.Logf("Wine does not enforce byte-range locks: the locked case is checked on Windows only")
	case !errors.As(err, &he) || !errors.Is(err, windows.ERROR_LOCK_VIOLATION):
		t.Fatalf("reading a locked file: %v", err)
	}

	// With snapshots on: read from the snapshot (Windows as administrator),
	// or the sentence says why not (Wine, no rights, FAT).
	on := New(On)
	rc, err = on.Open(noShare)
	switch {
	case err == nil:
		b, _ := io.ReadAll(rc)
		rc.Close()
		if string(b) != "journal" {
			t.Errorf("from the snapshot: %q", b)
		}
		t.Logf("read from a Volume Shadow Copy")
	case errors.As(err, &he) && strings.Contains(he.Why, "snapshot"):
		t.Logf("no snapshot here, as it says: %v", err)
	default:
		t.Errorf("snapshot = on: %v", err)
	}
	if err := on.Close(); err != nil {
		t.Errorf("releasing the snapshot: %v", err)
	}
}

// underWine reports whether the test runs under Wine (its ntdll exports
// wine_get_version).
func underWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}
