package job

// Issue 11, findings 5 and 6 through job.Restore: names Windows cannot
// create or tell apart, leftovers of an interrupted restore.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/posbackup/posbackup/internal/archive"
	"github.com/posbackup/posbackup/internal/profile"
	"github.com/posbackup/posbackup/internal/testutil"
)

func yes([]string) bool { return true }

// An archive made on Linux can hold names Windows cannot create. Restoring
// on Windows refuses it before anything is written, naming the file; on
// other systems these are ordinary names and restore.
func TestRestoreRefusesWindowsNames(t *testing.T) {
	for _, name := range []string{"Daten/CON", "Daten/nul.txt", "Daten/Aux.dat", "Daten/COM1.cfg", "Daten/a.dat:stream", "Daten/trailing.", "Daten/space "} {
		t.Run(name, func(t *testing.T) {
			p := writeZip(t, map[string]string{"Daten/ok.dat": "ok", name: "x"}, "")
			old := restoreOnWindows
			t.Cleanup(func() { restoreOnWindows = old })

			restoreOnWindows = true
			target := t.TempDir()
			_, err := restore(t, p, RestoreRequest{Target: target, Confirm: yes})
			want := "the backup holds a file named '" + name + "' that Windows cannot create"
			if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "Nothing was restored") {
				t.Fatalf("restore on Windows of %q: %v", name, err)
			}
			if got := testutil.Files(t, target); len(got) != 0 {
				t.Errorf("wrote %v", got)
			}
			// A dry run says the same.
			if _, err := restore(t, p, RestoreRequest{Target: target, DryRun: true}); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("dry run on Windows of %q: %v", name, err)
			}
			// Leaving it out restores the rest.
			if _, err := restore(t, p, RestoreRequest{Target: target, Only: []Part{{Pattern: "Daten/ok.dat"}}}); err != nil {
				t.Errorf("restoring the other file: %v", err)
			}

			restoreOnWindows = false
			target = t.TempDir()
			if _, err := restore(t, p, RestoreRequest{Target: target}); err != nil {
				t.Errorf("restore of %q on a system that can hold it: %v", name, err)
			}
			if b, _ := os.ReadFile(filepath.Join(target, filepath.FromSlash(name))); string(b) != "x" {
				t.Errorf("%q restored as %q", name, b)
			}
		})
	}
}

// Two names that differ only in case cannot both live in a folder that
// folds case: the restore is refused, naming both, before anything is
// written (else one would silently overwrite the other).
func TestRestoreRefusesCaseCollisions(t *testing.T) {
	p := writeZip(t, map[string]string{"Daten/Global/system.cfg": "lower", "Daten/Global/SYSTEM.CFG": "upper", "version.ini": "v"}, "")
	old := targetFoldsCase
	t.Cleanup(func() { targetFoldsCase = old })
	targetFoldsCase = func(*archive.Target) bool { return true }
	target := t.TempDir()
	_, err := restore(t, p, RestoreRequest{Target: target, Confirm: yes})
	if err == nil || !strings.Contains(err.Error(), "Daten/Global/SYSTEM.CFG") || !strings.Contains(err.Error(), "Daten/Global/system.cfg") || !strings.Contains(err.Error(), "differ only in case") {
		t.Fatalf("restore of names differing in case into a folder that folds case: %v", err)
	}
	if got := testutil.Files(t, target); len(got) != 0 {
		t.Errorf("wrote %v", got)
	}
	if _, err := restore(t, p, RestoreRequest{Target: target, Only: []Part{{Pattern: "Daten/Global/SYSTEM.CFG"}}}); err != nil {
		t.Errorf("restoring one of them: %v", err)
	}
	if got := testutil.Files(t, target); len(got) != 1 || got[0] != "Daten/Global/SYSTEM.CFG" {
		t.Errorf("--only in the exact case restored %v", got)
	}
	targetFoldsCase = func(*archive.Target) bool { return false }
	target = t.TempDir()
	if _, err := restore(t, p, RestoreRequest{Target: target}); err != nil {
		t.Fatalf("restore where case matters: %v", err)
	}
	if got := testutil.Files(t, target); len(got) != 3 {
		t.Errorf("restored %v", got)
	}
}

// The probe: a folder on this Linux file system tells case apart.
func TestFoldsCaseProbe(t *testing.T) {
	dir := t.TempDir()
	tgt, err := archive.OpenTarget(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer tgt.Close()
	os.WriteFile(filepath.Join(dir, "probe"), nil, 0o644)
	_, upperErr := os.Stat(filepath.Join(dir, "PROBE"))
	if got, want := probeFoldsCase(tgt), upperErr == nil; got != want {
		t.Errorf("probeFoldsCase = %v, want %v", got, want)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("the probe left files: %v", ents)
	}
}

// The temporary files an interrupted restore left in a folder are removed
// by the next restore into it; files of the user that merely look alike
// elsewhere are not touched.
func TestRestoreRemovesLeftovers(t *testing.T) {
	zipPath, _ := made(t)
	target := t.TempDir()
	dir := filepath.Join(target, "Daten", "Global")
	os.MkdirAll(dir, 0o755)
	left := filepath.Join(dir, archive.TempPrefix+"0123456789abcdef")
	os.WriteFile(left, []byte("half a file"), 0o600)
	other := filepath.Join(target, "unrelated", archive.TempPrefix+"mine")
	os.MkdirAll(filepath.Dir(other), 0o755)
	os.WriteFile(other, []byte("not in a folder the restore writes to"), 0o644)
	if _, err := restore(t, zipPath, RestoreRequest{Target: target, Only: []Part{{Kind: profile.KindMaster}}, Confirm: yes}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(left); !os.IsNotExist(err) {
		t.Errorf("the leftover %s is still there: %v", left, err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("a file in a folder the restore does not touch was removed: %v", err)
	}
	for _, n := range testutil.Files(t, target) {
		if strings.Contains(n, archive.TempPrefix) && !strings.HasPrefix(n, "unrelated/") {
			t.Errorf("left %s", n)
		}
	}
}
