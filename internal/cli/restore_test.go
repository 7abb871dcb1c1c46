package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestRestoreOnlyWords: --only takes the words it always took (the kinds
// and their other spellings, client:N by number or name, data sets, paths,
// a folder's bare name); a misspelt part is a usage error naming the
// known parts, a path that matches nothing says so.
func TestRestoreOnlyWords(t *testing.T) {
	src := demoInstall(t)
	to := t.TempDir()
	if code, _, e := run(t, "backup", "--source", src, "--variant", "4", "--to", to, "--name", "full"); code != 0 {
		t.Fatal(e)
	}
	zipPath := filepath.Join(to, "full.zip")
	for word, want := range map[string]func(string) bool{
		"stammdaten":   func(n string) bool { return strings.HasPrefix(n, "Daten/Global/") || strings.Contains(n, "/Stamm/") },
		"journal-data": func(n string) bool { return strings.Contains(n, "/Journal/") || strings.HasSuffix(n, "Arthist.dat") },
		"client:M002":  func(n string) bool { return strings.HasPrefix(n, "Daten/M002/") },
		"arthist":      func(n string) bool { return strings.HasSuffix(n, "Arthist.dat") },
		"Programme":    func(n string) bool { return strings.HasPrefix(n, "Programme/") },
		"*.ini":        func(n string) bool { return !strings.Contains(n, "/") && strings.HasSuffix(n, ".ini") },
	} {
		code, out, errOut := run(t, "restore", zipPath, "--target", t.TempDir(), "--only", word, "--dry-run")
		if code != 0 {
			t.Errorf("--only %s: exit %d %s", word, code, errOut)
			continue
		}
		var names []string
		for _, line := range strings.Split(out, "\n") {
			if n, ok := strings.CutPrefix(line, "  add      "); ok {
				names = append(names, n)
			}
		}
		if len(names) == 0 {
			t.Errorf("--only %s selected nothing:\n%s", word, out)
		}
		for _, n := range names {
			if !want(n) {
				t.Errorf("--only %s selected %s", word, n)
			}
		}
	}
	for _, c := range []struct {
		word string
		code int
		says []string
	}{
		{"stammdatn", 2, []string{"--only stammdatn is neither a part nor a file or folder in the archive", "master, transactions, program, extra, client:N", "arthist"}},
		{"client:x", 2, []string{"--only client:x: give a client number, like client:2"}},
		{"Daten/[M", 2, []string{"--only Daten/[M is not a valid path pattern"}},
		{"Daten/M009", 1, []string{"nothing in the archive matches Daten/M009"}},
	} {
		code, _, errOut := run(t, "restore", zipPath, "--target", t.TempDir(), "--only", c.word, "--dry-run")
		if code != c.code {
			t.Errorf("--only %s: exit %d, want %d: %s", c.word, code, c.code, errOut)
		}
		for _, s := range c.says {
			if !strings.Contains(strings.ToLower(errOut), strings.ToLower(s)) {
				t.Errorf("--only %s: %q does not say %q", c.word, errOut, s)
			}
		}
	}
}
