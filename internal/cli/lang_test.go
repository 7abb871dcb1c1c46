package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBackupFailsInGerman: a failed backup's sentence, made by the job
// with the destination's error inside it, is shown in German with --lang de
// and on a computer set to German (LANG), in English otherwise, and
// --lang names the weekday's language only when given.
func TestBackupFailsInGerman(t *testing.T) {
	src := demoInstall(t)
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	to := filepath.Join(file, "backups") // a folder below a file: the destination cannot be reached
	args := []string{"backup", "--source", src, "--variant", "1", "--to", to}

	const de = "posbackup: SICHERUNG FEHLGESCHLAGEN: Der Zielordner " // + to + " ist nicht erreichbar: ..."
	const en = "posbackup: BACKUP FAILED: Cannot reach the destination folder "
	code, _, errOut := run(t, append(args, "--lang", "de")...)
	if code != 1 || !strings.Contains(errOut, de+to+" ist nicht erreichbar: ") {
		t.Errorf("--lang de: exit %d, stderr:\n%s", code, errOut)
	}
	code, _, errOut = run(t, append(args, "--lang", "en")...)
	if code != 1 || !strings.Contains(errOut, en+to+": ") {
		t.Errorf("--lang en: exit %d, stderr:\n%s", code, errOut)
	}
	t.Setenv("LANG", "de_DE.UTF-8")
	code, _, errOut = run(t, args...)
	if code != 1 || !strings.Contains(errOut, de+to+" ist nicht erreichbar: ") {
		t.Errorf("LANG=de_DE.UTF-8: exit %d, stderr:\n%s", code, errOut)
	}
	// The job's own sentence: an empty installation folder.
	empty := t.TempDir()
	code, _, errOut = run(t, "backup", "--source", empty, "--variant", "1", "--to", t.TempDir())
	if want := "SICHERUNG FEHLGESCHLAGEN: Nichts zu sichern: Variante 01 fand keine Dateien in " + empty + ". Bitte --source und die Variante prüfen."; code != 1 || !strings.Contains(errOut, want) {
		t.Errorf("LANG=de_DE.UTF-8, empty source: exit %d, stderr:\n%s\nwant %q", code, errOut, want)
	}
	code, _, errOut = run(t, "backup", "--source", empty, "--variant", "1", "--to", t.TempDir(), "--lang", "en")
	if want := "BACKUP FAILED: Nothing to back up: variant 01 found no files in " + empty + ". Check --source and the variant."; code != 1 || !strings.Contains(errOut, want) {
		t.Errorf("LANG=de_DE.UTF-8 --lang en: exit %d, stderr:\n%s", code, errOut)
	}
	// The archive's name does not follow the locale, only --lang.
	out := t.TempDir()
	if code, _, errOut := run(t, "backup", "--source", src, "--variant", "1", "--to", out, "--name", "{weekday}"); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	outDE := t.TempDir()
	code, stdout, errOut := run(t, "backup", "--source", src, "--variant", "1", "--to", outDE, "--name", "{weekday}", "--lang", "de")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if want := "  Warnung: Variante 01 sichert nur Stammdaten: das Kassenjournal (Bewegungsdaten) ist nicht in dieser Sicherung\n"; !strings.Contains(stdout, want) {
		t.Errorf("the job's warning is not German:\n%s", stdout)
	}
	en1, de1 := zips(t, out), zips(t, outDE)
	if len(en1) != 1 || len(de1) != 1 || !englishDays[strings.TrimSuffix(en1[0], ".zip")] || englishDays[strings.TrimSuffix(de1[0], ".zip")] {
		t.Errorf("{weekday}: %v without --lang (want English), %v with --lang de (want German)", en1, de1)
	}
	if code, _, errOut := run(t, append(args, "--lang", "fr")...); code != 2 || !strings.Contains(errOut, "--lang fr: use de or en") {
		t.Errorf("--lang fr: exit %d, %s", code, errOut)
	}
}

var englishDays = map[string]bool{"Monday": true, "Tuesday": true, "Wednesday": true, "Thursday": true, "Friday": true, "Saturday": true, "Sunday": true}

func zips(t *testing.T, dir string) []string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, "*.zip"))
	for i := range m {
		m[i] = filepath.Base(m[i])
	}
	return m
}

// TestStatusAndTestAccessInGerman: the status warnings and a failing step
// of test-access come from the catalogue with --lang de, and are the
// English sentences without it.
func TestStatusAndTestAccessInGerman(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "posbackup.toml")
	src := demoInstall(t)
	if code, out, errOut := run(t, "job", "set", "nightly", "--config", cfg, "--source", src, "--variant", "1", "--to", src+"-backup", "--time", "23:30"); code != 0 {
		t.Fatalf("job set: exit %d\n%s%s", code, out, errOut)
	}
	_, out, _ := run(t, "service", "status", "--config", cfg, "--name", "posbackup-not-here", "--lang", "de")
	if want := "WARNING: Der Auftrag nightly sichert nur Stammdaten (Variante 01): das Kassenjournal (Bewegungsdaten) wird nicht gesichert."; !strings.Contains(out, want) {
		t.Errorf("status --lang de lacks %q:\n%s", want, out)
	}
	// The command line's German names commands, not the dialog's tabs.
	if want := "ALERT: Auf diesem Computer ist keine automatische Sicherung installiert: der Sicherungsdienst fehlt, daher läuft keine Sicherung zu ihrer Uhrzeit. Führen Sie posbackup service install aus."; !strings.Contains(out, want) || strings.Contains(out, "Reiter") {
		t.Errorf("status --lang de lacks %q:\n%s", want, out)
	}
	_, out, _ = run(t, "service", "status", "--config", cfg, "--name", "posbackup-not-here", "--lang", "en")
	if want := "WARNING: Job nightly backs up master data only (variant 01): the cash journal (transaction data) is not saved. Choose variant 02 or higher to keep it.\n"; !strings.Contains(out, want) {
		t.Errorf("status --lang en lacks %q:\n%s", want, out)
	}

	file := filepath.Join(t.TempDir(), "a-file")
	os.WriteFile(file, []byte("x"), 0o600)
	code, _, errOut := run(t, "test-access", "--to", filepath.Join(file, "b"), "--lang", "de")
	if want := "FAIL"; code != 1 || !strings.Contains(errOut, want) || !strings.Contains(errOut, "ist nicht erreichbar") {
		t.Errorf("test-access --lang de: exit %d\n%s", code, errOut)
	}
}
