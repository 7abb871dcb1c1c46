//go:build !windows

package web

import (
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browserLogin logs the browser in to ts.
func (b *browser) login(base string) {
	b.t.Helper()
	b.run(chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#login-password")),
		chromedp.SetValue(chromedp.CSS("#login-password"), adminPW), chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitVisible(chromedp.CSS("#tab-backup")))
}

// TestBrowserCookieStaysWithItsDialog: chromium logs in to the dialog,
// then opens a page of another web service on another port of 127.0.0.1.
// That service receives the dialog's cookies (cookies ignore the port),
// but with them it can neither read nor change the settings. A second
// dialog on a third port, logged in in the same browser, does not end the
// first one's session.
func TestBrowserCookieStaysWithItsDialog(t *testing.T) {
	if testing.Short() {
		t.Skip("starts chromium")
	}
	a := startServer(t, "source = '/srv/kasse-a'\n"+hashConfig(t, adminPW), nil)
	other := startServer(t, "source = '/srv/kasse-b'\n"+hashConfig(t, adminPW), nil)
	var mu sync.Mutex
	var got []*http.Cookie
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Cookies()...)
		mu.Unlock()
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<p id=evil>another service</p>"))
	}))
	defer evil.Close()

	b := newBrowser(t, "en-US", 2*time.Minute)
	b.login(a.URL)
	b.waitText("#backup-dest", "not set yet") // the page's own API calls work
	b.run(chromedp.Navigate(evil.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#evil")))
	mu.Lock()
	stolen := append([]*http.Cookie{}, got...)
	mu.Unlock()
	if len(stolen) == 0 {
		t.Fatal("the other service received no cookie: the test's premise (cookies ignore the port) fails")
	}
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(a.URL)
	jar.SetCookies(u, stolen)
	thief := &client{t: t, ts: a, http: &http.Client{Jar: jar}}
	thief.get("/") // the page, and its form token
	if code, body := thief.get("/api/settings"); code != http.StatusUnauthorized || strings.Contains(body, "kasse-a") {
		t.Errorf("the stolen cookies read the settings: %d %s", code, body)
	}
	code, _ := thief.postJSON("/api/settings", map[string]any{"section": "install", "install": map[string]any{"source": "/tmp/evil", "role": "location"}}, nil)
	if code != http.StatusUnauthorized {
		t.Errorf("the stolen cookies and the page's token saved settings: %d", code)
	}
	if cfg, _ := os.ReadFile(a.cfg); strings.Contains(string(cfg), "/tmp/evil") {
		t.Fatal("the config was changed with the stolen cookies")
	}

	// A second dialog on another port, in the same browser.
	b.login(other.URL)
	b.waitText("#backup-dest", "not set yet")
	b.run(chromedp.Navigate(a.URL+"/#settings"), chromedp.WaitVisible(chromedp.CSS("#panel-settings")))
	b.waitValue("#set-source", "/srv/kasse-a")
	// And a reload keeps the session (the key is kept by the page).
	b.run(chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#panel-settings")))
	b.waitValue("#set-source", "/srv/kasse-a")
}
