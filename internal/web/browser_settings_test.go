//go:build !windows

package web

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/posbackup/posbackup/internal/config"
)

// TestBrowserSettingsOneSave: the Settings page has one Save; typing in
// two cards marks the page unsaved, the warning follows to another tab,
// and one press of "Save settings" writes both. The admin password is
// changed on the page, and the page goes on working with the new session.
func TestBrowserSettingsOneSave(t *testing.T) {
	if testing.Short() {
		t.Skip("starts chromium")
	}
	inst := t.TempDir()
	ts := startServer(t, "source = '"+inst+"'\nto = '"+t.TempDir()+"'\n"+hashConfig(t, adminPW), nil)
	b := newBrowser(t, "en-US", 2*time.Minute)
	b.login(ts.URL)
	b.run(chromedp.Click(chromedp.CSS("#tab-settings")), chromedp.WaitVisible(chromedp.CSS("#mail-host")))
	if n := b.evalString(`String(Array.from(document.querySelectorAll("#panel-settings button")).filter((b) => b.offsetParent && /Save/.test(b.textContent)).length)`); n != "1" {
		t.Errorf("the Settings page shows %s Save buttons, want 1", n)
	}
	b.run(chromedp.SendKeys(chromedp.CSS("#mail-host"), "mail.example.org"), chromedp.SendKeys(chromedp.CSS("#keep-last"), "7"))
	b.waitText("#settings-unsaved", "unsaved changes")
	// Another tab: the warning stays in sight.
	b.run(chromedp.Click(chromedp.CSS("#tab-history")))
	b.waitText("#global-unsaved", "unsaved changes")
	if b.evalString(`String(document.querySelector("#global-unsaved").hidden)`) != "false" {
		t.Error("the unsaved warning is hidden on another tab")
	}
	b.run(chromedp.Click(chromedp.CSS("#tab-settings")), chromedp.Click(chromedp.CSS("#settings-save")))
	b.waitText("#settings-msg", "Saved")
	if b.evalString(`String(document.querySelector("#settings-unsaved").hidden)`) != "true" {
		t.Error("the unsaved warning stays after saving")
	}
	cfg, err := config.Load(ts.cfg)
	if err != nil || cfg.Mail.Host != "mail.example.org" || cfg.Jobs[autoJob] == nil || cfg.Jobs[autoJob].KeepLast != 7 {
		t.Fatalf("one Save did not write both cards: %+v %v", cfg, err)
	}
	// A typed ftp:// sets the protocol list to it.
	b.run(chromedp.Click(chromedp.CSS("#use-ftp")), chromedp.SendKeys(chromedp.CSS("#dest-server-addr"), "ftp://nas.local/kasse"))
	if p := b.evalString(`document.querySelector("#dest-protocol").value`); p != "ftp" {
		t.Errorf("typed ftp://, the protocol list says %q", p)
	}
	b.run(chromedp.Click(chromedp.CSS("#use-ftp")), chromedp.Click(chromedp.CSS("#settings-save")))
	b.waitText("#settings-msg", "Saved")

	// The admin password, changed on the page.
	const newPW = "Neues-Kassen-Passwort-7"
	b.run(chromedp.SendKeys(chromedp.CSS("#pw-current"), adminPW), chromedp.SendKeys(chromedp.CSS("#pw-new"), newPW),
		chromedp.SendKeys(chromedp.CSS("#pw-new2"), newPW), chromedp.Click(chromedp.CSS("#pw-change")))
	b.waitText("#pw-msg", "The admin password is changed")
	b.run(chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#panel-settings")))
	b.waitValue("#set-source", inst) // the page still works: the new key is kept
	b.run(chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#login-password")),
		chromedp.SetValue(chromedp.CSS("#login-password"), newPW), chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitVisible(chromedp.CSS("#tab-backup")))
	if strings.Contains(b.text("body"), "wrong") {
		t.Fatal("the new password does not log in")
	}
}
