package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// The command line's own summary lines come from the message catalogue:
// German with --lang de or a German system locale, English otherwise.
func TestSummaryLinesInGerman(t *testing.T) {
	src := demoInstall(t)
	to := t.TempDir()
	code, out, errOut := run(t, "backup", "--source", src, "--variant", "2", "--to", to, "--name", "M", "--lang", "de")
	if code != 0 {
		t.Fatalf("backup --lang de: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"Sicherung fertig: M.zip in " + to + "\n", "  Variante 02, Mandanten ", " Dateien, ", "(Archiv ", "geprüft (vom Speicherort zurückgelesen)\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("backup --lang de does not say %q:\n%s", want, out)
		}
	}
	code, out, _ = run(t, "backup", "--source", src, "--variant", "2", "--to", to, "--name", "M", "--lang", "en")
	if code != 0 || !strings.Contains(out, "Backup done: M.zip at "+to+"\n") || !strings.Contains(out, "  variant 02, clients ") || !strings.Contains(out, "checked (read back from where it is kept)\n") {
		t.Errorf("backup --lang en: exit %d\n%s", code, out)
	}
	if code, out, _ = run(t, "verify", filepath.Join(to, "M.zip"), "--lang", "de"); code != 0 || !strings.Contains(out, "M.zip ist in Ordnung: ") || !strings.Contains(out, " Einträge, ") || !strings.HasSuffix(out, " geprüft.\n") {
		t.Errorf("verify --lang de: exit %d\n%s", code, out)
	}
	empty := t.TempDir()
	if code, out, _ = run(t, "list", "--to", empty, "--lang", "de"); code != 0 || !strings.HasPrefix(out, "Keine Sicherungen in ") {
		t.Errorf("list --lang de of an empty folder: exit %d\n%s", code, out)
	}
	if code, out, _ = run(t, "test-access", "--to", empty, "--lang", "de"); code != 0 || !strings.Contains(out, "OK: "+empty+" kann Sicherungen aufnehmen.\n") {
		t.Errorf("test-access --lang de: exit %d\n%s", code, out)
	}

	// job set has a --lang of its own (the job's weekday names): the
	// system's language speaks.
	t.Setenv("LANG", "de_DE.UTF-8")
	cfg := filepath.Join(t.TempDir(), "posbackup.toml")
	if code, out, _ = run(t, "job", "set", "nightly", "--config", cfg, "--source", src, "--variant", "1", "--to", to, "--time", "23:30", "--weekdays", "mon,fri"); code != 0 ||
		out != "Auftrag nightly in "+cfg+" geschrieben: an den Tagen mon,fri um 23:30.\n" {
		t.Errorf("job set with LANG=de: exit %d\n%q", code, out)
	}
	if code, out, _ = run(t, "job", "remove", "nightly", "--config", cfg); code != 0 || out != "Auftrag nightly aus "+cfg+" entfernt.\n" {
		t.Errorf("job remove with LANG=de: exit %d\n%q", code, out)
	}
	if code, out, _ = run(t, "job", "list", "--config", cfg); code != 0 || !strings.HasPrefix(out, "In "+cfg+" ist keine automatische Sicherung eingerichtet") {
		t.Errorf("job list with LANG=de: exit %d\n%q", code, out)
	}
}
