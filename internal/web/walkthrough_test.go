//go:build !windows

package web

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/chromedp/chromedp"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/msg"
	"github.com/posbackup/posbackup/internal/testutil"
)

// germanCheck tells the texts of a German page that are neither the
// catalogue's German texts nor data (paths, names, numbers, times).
type germanCheck struct {
	pats []*regexp.Regexp
	data map[string]bool
}

var placeholderRe = regexp.MustCompile(`\\\{\d+\\\}|%(\\\[\d+\\\])?[-+# 0]*\d*(\\\.\d+)?[a-zA-Z]`)

func newGermanCheck(data ...string) *germanCheck {
	var texts []string
	for _, e := range msg.Entries() {
		texts = append(texts, e[1])
	}
	sort.Slice(texts, func(i, j int) bool { return len(texts[i]) > len(texts[j]) })
	g := &germanCheck{data: map[string]bool{}}
	for _, s := range texts {
		if strings.TrimSpace(s) == "" {
			continue
		}
		p := placeholderRe.ReplaceAllString(regexp.QuoteMeta(s), `(.+?)`)
		// Case-blind: the sentences made below start lower case, and the
		// page shows them as sentences.
		g.pats = append(g.pats, regexp.MustCompile(`(?i)(^|[^\pL])`+p+`($|[^\pL])`))
	}
	// Words that are names, not language: the program, units, protocols,
	// the other language's name in the language choice.
	for _, w := range append(data, "posbackup", "B", "KiB", "MiB", "GiB", "s", "STARTTLS", "TLS", "FTP", "SFTP", "OK",
		"Deutsch", "English", "Montag", "Monday") {
		g.data[w] = true
	}
	return g
}

// leftover is what of text is neither catalogue German nor data.
func (g *germanCheck) leftover(text string) string {
	s := " " + text + " "
	for _, p := range g.pats {
		s = p.ReplaceAllString(s, "$1 $2")
	}
	var left []string
	for _, tok := range strings.Fields(s) {
		w := strings.TrimFunc(tok, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if len([]rune(w)) < 2 || g.data[w] || strings.ContainsAny(tok, `0123456789/\@_:{}`) || strings.Contains(strings.Trim(tok, ".,;!?()"), ".") {
			continue
		}
		left = append(left, w)
	}
	return strings.Join(left, " ")
}

// visibleTexts are the texts a user sees: text nodes of rendered elements,
// the options of visible lists, placeholders and button labels.
const visibleTexts = `(() => {
  const out = [];
  const seen = (e) => !!(e && (e.offsetWidth || e.offsetHeight || e.getClientRects().length));
  const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = w.nextNode(); n; n = w.nextNode()) {
    const s = n.textContent.trim();
    if (!s || !seen(n.parentElement)) continue;
    if (n.parentElement.closest("option, script, style")) continue;
    out.push(s);
  }
  document.querySelectorAll("select").forEach((sel) => { if (seen(sel)) Array.from(sel.options).forEach((o) => out.push(o.textContent.trim())); });
  document.querySelectorAll("input[placeholder]").forEach((i) => { if (seen(i) && i.placeholder) out.push(i.placeholder); });
  document.title && out.push(document.title);
  return out;
})()`

// checkGerman fails the test for each visible text of the page that is
// not German from the catalogue.
func (b *browser) checkGerman(g *germanCheck, page string) {
	b.t.Helper()
	for _, s := range b.eval(visibleTexts) {
		if left := g.leftover(s); left != "" {
			b.t.Errorf("%s: %q is not German from the catalogue (left: %q)", page, s, left)
		}
	}
}

// artifacts is the folder the walk-through's screenshots are kept in:
// $POSBACKUP_ARTIFACTS/walkthrough-de, else testdata/screens/walkthrough-de.
func artifacts(t *testing.T) string {
	base := os.Getenv("POSBACKUP_ARTIFACTS")
	if base == "" {
		base = filepath.Join("testdata", "screens")
	}
	dir, err := filepath.Abs(filepath.Join(base, "walkthrough-de"))
	if err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// keep writes a screenshot of the window into dir (and, with
// POSBACKUP_SCREENSHOTS=1, into docs/screenshots for the README).
func (b *browser) keep(dir, name string) {
	b.t.Helper()
	b.evalString("(window.scrollTo(0, 0), '')")
	time.Sleep(150 * time.Millisecond)
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	if os.Getenv("POSBACKUP_SCREENSHOTS") == "1" {
		docs := filepath.Join("..", "..", "docs", "screenshots")
		os.MkdirAll(docs, 0o755)
		os.WriteFile(filepath.Join(docs, "de-"+name+".png"), png, 0o644)
	}
}

// TestGermanWalkthrough is a shop owner's first start, in German, from an
// empty config to an installed automatic backup: the admin password, the
// installation folder (a wrong one refused, the right one chosen with the
// folder picker), the destination with "Zugangsdaten testen", a first
// backup, and "Automatische Sicherung auf diesem Computer installieren"
// (the test's service manager records the install). Every page's visible
// text is checked against the catalogue: no English sentence is left.
// The screenshots are kept (see artifacts).
func TestGermanWalkthrough(t *testing.T) {
	if testing.Short() {
		t.Skip("starts chromium")
	}
	inst := filepath.Join(t.TempDir(), "Kassenprogramm")
	if _, err := testutil.MakeInstallation(inst); err != nil {
		t.Fatal(err)
	}
	backups := filepath.Join(t.TempDir(), "USB-Sicherung")
	os.Mkdir(backups, 0o755)
	auto := TestAutomatic{Dir: t.TempDir()}
	ts := startServer(t, "", auto) // no config file yet
	dir := artifacts(t)
	host, _ := os.Hostname()
	// The data of this walk-through: folder names, the client numbers, the
	// computer's name and the automatic backup's job name (a name in the
	// config file, not a sentence).
	g := newGermanCheck("Kassenprogramm", "USB-Sicherung", "Kasse", "M001", "M002", "M003", "Daten", "Log", "Programme", "Temp", host, autoJob)
	b := newBrowser(t, "de-DE", 4*time.Minute)
	shot := 0
	page := func(name string) {
		b.t.Helper()
		shot++
		b.checkGerman(g, name)
		b.keep(dir, fmt.Sprintf("%02d-%s", shot, name))
	}

	b.run(chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#setup-password")))
	b.waitText("h2", "Admin-Passwort festlegen")
	page("passwort")
	b.run(chromedp.SetValue(chromedp.CSS("#setup-password"), adminPW), chromedp.SetValue(chromedp.CSS("#setup-password2"), adminPW),
		chromedp.Click(chromedp.CSS("#setup-submit")), chromedp.WaitVisible(chromedp.CSS("#panel-start")))
	b.waitText("#start-s1-state", "offen")
	page("erste-schritte")
	// "Jetzt sichern" before anything is set leads back to the guide, in
	// the page's words.
	b.run(chromedp.Click(chromedp.CSS("#tab-backup")), chromedp.WaitVisible(chromedp.CSS("#backup-start")),
		chromedp.Click(chromedp.CSS("#backup-start")), chromedp.WaitVisible(chromedp.CSS("#panel-start")))
	b.waitText("#start-backup-msg", "Zuerst Installationsordner und Speicherort festlegen")
	if strings.Contains(b.text("body"), "--source") {
		t.Error("the page speaks of --source")
	}

	// 1. The installation folder: a wrong one is refused at once.
	missing := filepath.Join(filepath.Dir(inst), "Hypersfot")
	b.run(chromedp.SetValue(chromedp.CSS("#start-source"), missing), chromedp.Click(chromedp.CSS("#start-source-save")))
	b.waitText("#start-source-msg", "gibt es nicht")
	if strings.Contains(b.text("#start-source-msg"), "Gespeichert") {
		t.Error("a missing folder was saved")
	}
	page("ordner-falsch")
	// The folder picker starts at the nearest existing folder and shows Kassenprogramm.
	b.run(chromedp.Click(chromedp.CSS(`#start-s1 button.browse`)), chromedp.WaitVisible(chromedp.CSS("#picker")))
	b.waitText("#picker-path", filepath.Dir(inst))
	b.run(chromedp.Click(chromedp.CSS(fmt.Sprintf(`#picker-list button[data-path=%q]`, inst))))
	b.waitText("#picker-path", inst)
	page("ordner-auswahl")
	b.run(chromedp.Click(chromedp.CSS("#picker-choose")), chromedp.WaitNotVisible(chromedp.CSS("#picker")))
	b.waitValue("#start-source", inst)
	b.run(chromedp.Click(chromedp.CSS("#start-source-save")))
	b.waitText("#start-source-msg", "geprüft und gespeichert")
	b.waitText("#start-s1-state", "erledigt")

	// 2. The destination, tested (and so kept).
	b.run(chromedp.WaitVisible(chromedp.CSS("#dest-slot-start #dest-folder-path")),
		chromedp.SetValue(chromedp.CSS("#dest-folder-path"), backups), chromedp.Click(chromedp.CSS("#test-access")))
	b.waitText("#dest-msg", "kann Sicherungen aufnehmen")
	b.waitText("#access-steps", "Die Testdatei wurde gelöscht")
	b.waitText("#start-s2-state", "erledigt")
	page("speicherort")

	// 3. A first backup, watched in the guide.
	b.run(chromedp.Click(chromedp.CSS("#start-backup")))
	b.waitText("#backup-result", "Sicherung fertig")
	if cls := b.attr("#backup-result", "class"); !strings.Contains(cls, "good") {
		t.Fatalf("the first backup failed: %s", b.text("#backup-result"))
	}
	b.waitText("#start-s3-state", "erledigt")
	page("erste-sicherung")

	// 4. The automatic backup, installed on this computer.
	b.run(chromedp.SetValue(chromedp.CSS("#start-time"), "22:15"), chromedp.Click(chromedp.CSS("#start-install")))
	b.waitText("#start-install-msg", "Die automatische Sicherung ist installiert")
	b.waitText("#start-s4-state", "erledigt")
	b.run(chromedp.WaitVisible(chromedp.CSS("#start-finished")))
	page("installiert")
	if svc, _ := auto.Status(); svc != "running" {
		t.Errorf("the automatic backup is not recorded as installed: %s", svc)
	}
	cfg, err := config.Load(ts.cfg)
	if err != nil || cfg.Source != inst || cfg.To != backups || cfg.Jobs[autoJob] == nil || cfg.Jobs[autoJob].Time != "22:15" {
		t.Fatalf("the config after the guide: %+v (%v)", cfg, err)
	}

	// The other tabs, in German too.
	for _, tab := range []struct{ id, wait, want, name string }{
		{"#tab-backup", "#backup-result", "Sicherung fertig", "sicherung"},
		{"#tab-automatic", "#auto-state", "täglich um 22:15", "automatisch"},
		{"#tab-restore", "#restore-where", "1 Sicherung(en)", "wiederherstellen"},
		{"#tab-settings", "#install-form", "Installationsordner", "einstellungen"},
		{"#tab-history", "#hist-jobs", "täglich um 22:15", "verlauf"},
	} {
		b.run(chromedp.Click(chromedp.CSS(tab.id)))
		b.waitText(tab.wait, tab.want)
		if tab.name == "verlauf" {
			// The first backup's warning itself, not only a count, and the
			// installed automatic backup's time.
			b.waitText("#hist-runs", "dasselbe Laufwerk")
			b.waitText("#hist-jobs", "22:15")
		}
		page(tab.name)
	}
	// The details of the backup: the variant's title in German.
	b.run(chromedp.Click(chromedp.CSS("#tab-restore")), chromedp.Click(chromedp.CSS(`#backup-list tbody tr`)), chromedp.WaitVisible(chromedp.CSS("#restore-details")))
	b.waitText("#detail-facts", "Stammdaten & Bewegungsdaten komplett")
	if v := b.attr("#restore-target", "value"); v != "" {
		t.Errorf("the restore target is proposed as %q: it must be asked for", v)
	}
	page("details")
}
