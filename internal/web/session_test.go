package web

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strings"
	"testing"
)

// TestCookieAloneIsNotASession: another web service on this computer gets
// the dialog's cookies (browsers send cookies to every port of a host).
// With them it can fetch the page, but neither read the settings nor
// change them: every API call needs the session's key, which only the
// login's answer carried.
func TestCookieAloneIsNotASession(t *testing.T) {
	ts := startServer(t, "source = '/srv/kasse'\n"+hashConfig(t, adminPW), nil)
	owner := newClient(t, ts)
	owner.login(adminPW)
	if owner.key == "" {
		t.Fatal("the login's answer carries no session key")
	}
	// What a page on 127.0.0.1:9999 receives: the same cookies.
	u, _ := url.Parse("http://127.0.0.1:9999/")
	jar, _ := cookiejar.New(nil)
	jar.SetCookies(u, owner.http.Jar.Cookies(u))
	if len(jar.Cookies(u)) == 0 {
		t.Fatal("the jar holds no cookie for the host")
	}
	thief := &client{t: t, ts: ts, http: &http.Client{Jar: jar}}
	code, body := thief.get("/")
	if code != 200 || !strings.Contains(body, `id="panel-backup"`) {
		t.Fatalf("the stolen cookie does not even show the page (%d): the test's premise fails", code)
	}
	if strings.Contains(body, owner.key) {
		t.Fatal("the page shows the session key to anyone with the cookie")
	}
	if code, body := thief.get("/api/settings"); code != http.StatusUnauthorized || strings.Contains(body, "/srv/kasse") {
		t.Errorf("GET /api/settings with the cookie alone: %d %s", code, body)
	}
	code, _ = thief.postJSON("/api/settings", map[string]any{"section": "install", "install": map[string]any{"source": "/tmp/evil", "role": "location"}}, nil)
	if code != http.StatusUnauthorized {
		t.Errorf("POST /api/settings with the cookie and the page's token: %d, want 401", code)
	}
	if b, _ := os.ReadFile(ts.cfg); strings.Contains(string(b), "/tmp/evil") {
		t.Fatal("the cookie alone changed the config")
	}
	// A wrong key is no better.
	thief.key = owner.key[:len(owner.key)-2] + "xx"
	if code, _ := thief.get("/api/settings"); code != http.StatusUnauthorized {
		t.Errorf("a wrong key: %d", code)
	}
	// The owner's page goes on working.
	if code, body := owner.get("/api/settings"); code != 200 || !strings.Contains(body, "/srv/kasse") {
		t.Errorf("the owner's settings: %d %s", code, body)
	}
}

// TestTwoInstancesKeepTheirSessions: two dialogs on two ports of one
// computer (the service's and a 'posbackup serve') set cookies of
// different names, so logging in to one does not log out of the other.
func TestTwoInstancesKeepTheirSessions(t *testing.T) {
	a := startServer(t, hashConfig(t, adminPW), nil)
	b := startServer(t, hashConfig(t, adminPW), nil)
	if a.srv.cookieName() == b.srv.cookieName() {
		t.Fatalf("both instances use the cookie %s", a.srv.cookieName())
	}
	jar, _ := cookiejar.New(nil) // one browser
	ca := &client{t: t, ts: a, http: &http.Client{Jar: jar}}
	cb := &client{t: t, ts: b, http: &http.Client{Jar: jar}}
	ca.login(adminPW)
	cb.login(adminPW)
	if code, body := ca.get("/api/settings"); code != 200 {
		t.Fatalf("the first instance's session ended when the second logged in: %d %s", code, body)
	}
	if code, _ := cb.get("/api/settings"); code != 200 {
		t.Fatalf("the second instance's session: %d", code)
	}
}
