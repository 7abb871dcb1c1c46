package msg

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

func TestTranslateFilledSentences(t *testing.T) {
	cases := []struct{ in, want string }{
		// A job's error as the page shows it (upper case, full stop), with a
		// destination's error inside it.
		{"The backup could not be stored: 127.0.0.1 refused the login for user kasse: check the user name and the password. The older archive M001.zip at ftpes://127.0.0.1/b is unchanged.",
			"Die Sicherung konnte nicht gespeichert werden: 127.0.0.1 hat die Anmeldung für den Benutzer kasse abgelehnt: bitte Benutzername und Passwort prüfen. Das ältere Archiv M001.zip in ftpes://127.0.0.1/b ist unverändert."},
		{"The folder /srv/backup is ready.", "Der Ordner /srv/backup ist bereit."},
		{"the finished backup could not be renamed to a.zip at /x: disk full", "die fertige Sicherung konnte in /x nicht in a.zip umbenannt werden: disk full"},
		{"The last backup of job nightly failed Mon 2026-03-02 23:30: the server is gone.", "Die letzte Sicherung des Auftrags nightly ist fehlgeschlagen (Mo 2026-03-02 23:30): the server is gone."},
		// Not in the table: stays as it came.
		{"Something nobody wrote down.", "Something nobody wrote down."},
		// Too general to be a pattern.
		{"The archive password is too short.", "The archive password is too short."},
	}
	for _, c := range cases {
		if got := Translate(DE, c.in); got != c.want {
			t.Errorf("Translate(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
	// English: the page's own words instead of flags.
	got := Translate(EN, "No installation folder: give --source DIR or 'source' in the config (the POS suite's folder, e.g. C:\\Hypers-!).")
	if strings.Contains(got, "--source") || !strings.Contains(got, "C:\\Hypers-!") || !strings.HasPrefix(got, "No installation folder: choose") {
		t.Errorf("English page text: %q", got)
	}
}

// TestEveryPatternTranslates fills every pattern with sample parameters,
// as the layers below do, and finds it again: the German text holds every
// parameter, and no page text names a flag or a command.
func TestEveryPatternTranslates(t *testing.T) {
	flag := regexp.MustCompile(`(^|\s)--[a-z]|posbackup [a-z]+`)
	for en, de := range german {
		if termsOnly[en] || !verbRe.MatchString(en) {
			if Translate(DE, en) != de && !termsOnly[en] {
				t.Errorf("%q does not translate to %q", en, de)
			}
			continue
		}
		var args []any
		n := 0
		for _, v := range verbRe.FindAllString(en, -1) {
			if v == "%%" {
				continue
			}
			n++
			if strings.HasSuffix(v, "d") {
				args = append(args, 40+n)
			} else if dated.MatchString(en) {
				args = append(args, "2026-03-0"+fmt.Sprint(n)+" 23:30")
			} else {
				args = append(args, fmt.Sprintf("ARG%d", n))
			}
		}
		sentence := fmt.Sprintf(en, args...)
		got := Translate(DE, sentence)
		if got == sentence {
			t.Errorf("%q (from %q) is not found", sentence, en)
			continue
		}
		for _, a := range args {
			if !strings.Contains(got, fmt.Sprint(a)) {
				t.Errorf("%q lost the parameter %v: %q", sentence, a, got)
			}
		}
		if flag.MatchString(de) {
			t.Errorf("the German text of %q names a flag or command: %q", en, de)
		}
		if page := Translate(EN, sentence); flag.MatchString(page) {
			t.Errorf("the page's English text of %q names a flag or command: %q", en, page)
		}
	}
}

func TestLanguage(t *testing.T) {
	for h, want := range map[string]string{"de-DE,de;q=0.9,en;q=0.8": DE, "en-US,en;q=0.9": EN, "fr-FR,de;q=0.5": DE, "": EN, "fr": EN, "de-AT": DE} {
		if got := Match(h); got != want {
			t.Errorf("Match(%q) = %s, want %s", h, got, want)
		}
	}
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	if FromEnv(env(map[string]string{"LANG": "de_DE.UTF-8"})) != DE || FromEnv(env(map[string]string{"LC_ALL": "C", "LANG": "de_AT"})) != DE || FromEnv(env(nil)) != EN {
		t.Error("FromEnv")
	}
	if T(DE, "%d minutes ago", 5) != "vor 5 Minuten" || T(EN, "%d minutes ago", 5) != "5 minutes ago" {
		t.Error("T")
	}
}
