package cli

import (
	"archive/zip"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/posbackup/posbackup/internal/demo"
	"github.com/posbackup/posbackup/internal/testutil"
)

// looseTempDir is t.TempDir whose removal may fail: under Wine 8, Go's
// RemoveAll fails with "Invalid function", which is no fault of the test.
func looseTempDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "posbackup-longpath")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// Paths longer than 260 characters (a deep Journal/Archiv) and names with
// umlauts and the euro sign are backed up, named exactly, and checked. On
// Windows this runs the \\?\ handling of the os package (the Wine suite
// runs it: -test.run TestLongAndOddPaths).
func TestLongAndOddPaths(t *testing.T) {
	root := filepath.Join(looseTempDir(t), "Hypers-!")
	if _, err := demo.Make(root); err != nil {
		t.Fatal(err)
	}
	deep := "Daten/M001/Journal/Archiv"
	for i := 0; i < 8; i++ {
		deep += "/Kassenabschluss-Jänner-2026-€-Übersicht-" + string(rune('A'+i))
	}
	files := map[string]string{
		deep + "/Journal-März-€.dat":           "tief im Archiv",
		"Daten/M001/Stamm/Artikel-Größe-€.dat": "Größe in €",
		"Daten/Global/Straße ß Œ.ini":          "[Kasse]\r\nName=Café\r\n",
	}
	for name, body := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatalf("cannot make the test tree (%d characters): %v", len(p), err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if long := filepath.Join(root, filepath.FromSlash(deep)); len(long) <= 300 {
		t.Fatalf("the deep path has only %d characters", len(long))
	}
	to := looseTempDir(t)
	code, out, errOut := run(t, "backup", "--source", root, "--variant", "3", "--to", to, "--name", "long", "--snapshot", "off")
	if code != 0 {
		t.Fatalf("backup: exit %d\n%s%s", code, out, errOut)
	}
	zipPath := filepath.Join(to, "long.zip")
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	got := map[string]string{}
	for _, f := range zr.File {
		if f.NonUTF8 {
			t.Errorf("%s is not flagged UTF-8", f.Name)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		got[f.Name] = string(b)
	}
	for name, body := range files {
		if got[name] != body {
			t.Errorf("%s: %q in the archive, want %q", name, got[name], body)
		}
	}
	if code, out, errOut := run(t, "verify", zipPath); code != 0 || !strings.Contains(out, "intact") {
		t.Errorf("verify: exit %d\n%s%s", code, out, errOut)
	}
	if runtime.GOOS != "windows" {
		testutil.CheckWithTools(t, zipPath)
	}
}
