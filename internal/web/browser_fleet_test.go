//go:build !windows

package web

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/posbackup/posbackup/internal/dest/local"
	"github.com/posbackup/posbackup/internal/fleet"
)

// TestBrowserFleetTab is the head office's Locations tab in German, on a
// chain folder whose sites wrote their status records with fleet.Write: a
// stale site (its last record five days old), a failing one, one with
// master data only and another program version, two that are well, and
// an expected site that never wrote. The rows come worst first with their
// state and flags, and no English is left on the page.
func TestBrowserFleetTab(t *testing.T) {
	if testing.Short() {
		t.Skip("starts chromium")
	}
	ctx := context.Background()
	root := filepath.Join(t.TempDir(), "Kette")
	now := time.Now()
	write := func(site string, run fleet.Run) {
		t.Helper()
		d, err := local.Open(filepath.Join(root, site), true)
		if err != nil {
			t.Fatal(err)
		}
		run.Site = site
		if _, err := fleet.Write(ctx, d, run); err != nil {
			t.Fatal(err)
		}
	}
	ok := func(at time.Time, variant, program string) fleet.Run {
		return fleet.Run{Started: at, Archive: "M001_Montag.zip", Size: 3 << 20, Variant: variant, Clients: []string{"M001"}, Program: program,
			Schedule: "daily 02:00", Period: 24 * time.Hour}
	}
	write("hamburg", ok(now.Add(-3*time.Hour), "03", "26.4.1"))
	write("muenchen", ok(now.Add(-5*time.Hour), "03", "26.4.1"))
	write("berlin", ok(now.Add(-5*24*time.Hour), "03", "26.4.1")) // stale: nothing since
	write("koeln", ok(now.Add(-20*time.Hour), "03", "26.4.1"))
	failed := ok(now.Add(-time.Hour), "03", "26.4.1")
	failed.Err = errors.New(`the backup was cancelled before it was complete. The older archive M001_Montag.zip at D:\Sicherung is unchanged`)
	write("koeln", failed)
	write("bremen", ok(now.Add(-2*time.Hour), "01", "26.3.0"))

	ts := startServer(t, "to = '"+root+"'\nexpected_sites = ['hamburg', 'leipzig']\n"+hashConfig(t, adminPW), nil)
	b := newBrowser(t, "de-DE", 2*time.Minute)
	b.login(ts.URL)
	b.waitText("#tab-fleet", "Standorte")
	b.run(chromedp.Click(chromedp.CSS("#tab-fleet")), chromedp.WaitVisible(chromedp.CSS("#fleet-sites tbody tr[data-site]")))
	b.waitText("#fleet-msg", "6 Standort(e)")

	rows := b.eval(`Array.from(document.querySelectorAll("#fleet-sites tbody tr")).map((r) => r.dataset.site + "|" + r.className + "|" + r.innerText.replace(/\s+/g, " "))`)
	var order []string
	row := map[string]string{}
	for _, r := range rows {
		p := strings.SplitN(r, "|", 3)
		order = append(order, p[0])
		row[p[0]] = p[1] + " " + p[2]
	}
	if got := strings.Join(order, ","); got != "leipzig,berlin,koeln,bremen,muenchen,hamburg" {
		t.Errorf("rows %s, want the worst first (the older success first among the well): leipzig,berlin,koeln,bremen,muenchen,hamburg", got)
	}
	for site, want := range map[string][]string{
		"leipzig":  {"missing", "FEHLT", "nie", "erwartet, hat aber noch nie einen Statusbericht geschrieben", `site = "leipzig"`},
		"berlin":   {"stale", "VERALTET", "5 Tg. 0 Std.", "Veraltet: seit 5d keine gelungene Sicherung (erwartet innerhalb von 1d 2h)", "26.4.1", "3.0 MiB"},
		"koeln":    {"failing", "FEHLERHAFT", "fehlgeschlagen", "Fehlerhaft: der letzte Lauf am", "Die Sicherung wurde abgebrochen, bevor sie vollständig war"},
		"bremen":   {"state-warning", "HINWEIS", "Nur Stammdaten (Variante 01)", "Die Programmversion 26.3.0 weicht von der der Kette ab (26.4.1)"},
		"hamburg":  {"state-ok", "OK", "3 Std. 0 Min.", "03"},
		"muenchen": {"state-ok", "OK"},
	} {
		for _, w := range want {
			if !strings.Contains(strings.ToLower(row[site]), strings.ToLower(w)) {
				t.Errorf("the row of %s lacks %q: %s", site, w, row[site])
			}
		}
	}
	if strings.Contains(row["hamburg"], "VERALTET") || strings.Contains(row["koeln"], "VERALTET") {
		t.Errorf("a fresh site is shown as stale: %s / %s", row["hamburg"], row["koeln"])
	}
	g := newGermanCheck("Kette", "hamburg", "muenchen", "berlin", "koeln", "bremen", "leipzig", fleet.Version())
	b.checkGerman(g, "standorte")
	b.shot("fleet-de")

	// The same tab in English.
	b.run(chromedp.Navigate(ts.URL+"/?lang=en#fleet"), chromedp.WaitVisible(chromedp.CSS("#fleet-sites tbody tr[data-site]")))
	b.waitText("#tab-fleet", "Locations")
	b.waitText("#fleet-msg", "6 site(s)")
	for _, want := range []string{"MISSING", "Expected but has never written a status record", "STALE", "Stale: no successful backup for 5d",
		"FAILING", "the backup was cancelled before it was complete", "Master data only (variant 01)", "Program version 26.3.0 differs from the chain's 26.4.1"} {
		b.waitText("#fleet-sites", want)
	}
}
