package job

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/posbackup/posbackup/internal/profile"
)

// TestVersionFileAsTheSuiteWritesIt: a version.ini with [Version] /
// Suite=10.7.1 records 10.7.1 and the file's text; one without a version
// line is not called "not found".
func TestVersionFileAsTheSuiteWritesIt(t *testing.T) {
	for _, c := range []struct {
		text, version, warning string
	}{
		{"[Version]\r\nSuite=10.7.1\r\n", "10.7.1", ""},
		{"[Kasse]\r\nName=Filiale 3\r\n", "", "names no version"},
	} {
		in := fixture(t)
		if err := os.WriteFile(filepath.Join(in.Root, "version.ini"), []byte(c.text), 0o644); err != nil {
			t.Fatal(err)
		}
		to := folder(t, t.TempDir())
		res := backup(t, BackupRequest{Source: in.Root, Variant: 1, Dest: to, NameTemplate: "v"})
		a, err := OpenPath(filepath.Join(to.Dir(), res.Archive))
		if err != nil {
			t.Fatal(err)
		}
		m := a.Manifest
		a.Close()
		if m.ProgramVersion != c.version || m.VersionText != c.text {
			t.Errorf("%q: manifest version %q, text %q", c.text, m.ProgramVersion, m.VersionText)
		}
		all := strings.Join(res.Warnings, "\n")
		if strings.Contains(all, "not found") {
			t.Errorf("%q: a version file that exists is called not found: %s", c.text, all)
		}
		if c.warning != "" && !strings.Contains(all, c.warning) {
			t.Errorf("%q: warnings lack %q: %s", c.text, c.warning, all)
		}
	}
}

// TestRenamedExtraNamedInTheManifest: two extras with one base name are both
// backed up, and the manifest says where the renamed one came from.
func TestRenamedExtraNamedInTheManifest(t *testing.T) {
	in := fixture(t)
	a, b := filepath.Join(t.TempDir(), "export.csv"), filepath.Join(t.TempDir(), "export.csv")
	os.WriteFile(a, []byte("a"), 0o644)
	os.WriteFile(b, []byte("b"), 0o644)
	to := folder(t, t.TempDir())
	res := backup(t, BackupRequest{Source: in.Root, Variant: 1, Dest: to, NameTemplate: "x", Extras: []string{a, b}})
	ar, err := OpenPath(filepath.Join(to.Dir(), res.Archive))
	if err != nil {
		t.Fatal(err)
	}
	defer ar.Close()
	names := map[string]bool{}
	for _, f := range ar.Manifest.Files {
		names[f.Name] = true
	}
	if !names["_extra/export.csv"] || !names["_extra/export-2.csv"] {
		t.Fatalf("both extras are not in the backup: %v", names)
	}
	if w := strings.Join(ar.Manifest.Warnings, "\n"); !strings.Contains(w, b) && !strings.Contains(w, a) {
		t.Errorf("the manifest does not say where the renamed extra came from: %q", w)
	}
}

// TestFailureClaimsNoOlderArchiveThatIsNotThere: a failed first backup
// does not say an older archive is unchanged; once there is one, it does.
func TestFailureClaimsNoOlderArchiveThatIsNotThere(t *testing.T) {
	in := fixture(t)
	to := folder(t, t.TempDir())
	req := BackupRequest{Profile: profile.Default(), Source: in.Root, Variant: 3, Dest: to, NameTemplate: "first",
		FileSource: failingSource{filepath.Join(in.Root, "Daten", "M001", "Stamm", "artikel.dat")}}
	_, err := Backup(context.Background(), req)
	if err == nil || strings.Contains(err.Error(), "older archive") || !strings.Contains(err.Error(), "nothing was stored") {
		t.Fatalf("first failed backup: %v", err)
	}
	req.FileSource = nil
	backup(t, req)
	req.FileSource = failingSource{filepath.Join(in.Root, "Daten", "M001", "Stamm", "artikel.dat")}
	if _, err := Backup(context.Background(), req); err == nil || !strings.Contains(err.Error(), "the older archive first.zip is unchanged") {
		t.Fatalf("failed backup over an older one: %v", err)
	}
}
