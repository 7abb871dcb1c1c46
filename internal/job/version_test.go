package job

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
