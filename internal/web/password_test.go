package web

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
)

// TestChangeAdminPassword: the admin password is changed on the page with
// the current one; the new one logs in, the old one no longer does, other
// browsers are logged out, and this one goes on with its new key.
func TestChangeAdminPassword(t *testing.T) {
	ts := startServer(t, "[web]\nadmin_password = '"+adminPW+"'\n", nil)
	c := newClient(t, ts)
	c.login(adminPW)
	other := newClient(t, ts)
	other.login(adminPW)
	const newPW = "Neues-Kassen-Passwort-7"
	if code, body := c.postJSON("/api/password", map[string]any{"current": "wrong-password", "new": newPW, "new2": newPW}, nil); code != http.StatusForbidden || !strings.Contains(body, "current admin password is wrong") {
		t.Fatalf("wrong current password: %d %s", code, body)
	}
	if code, body := c.postJSON("/api/password", map[string]any{"current": adminPW, "new": "kurz", "new2": "kurz"}, nil); code != http.StatusBadRequest || !strings.Contains(body, "too short") {
		t.Fatalf("short password: %d %s", code, body)
	}
	code, body := c.postJSON("/api/password", map[string]any{"current": adminPW, "new": newPW, "new2": newPW}, nil)
	var r struct {
		OK        bool
		Key, CSRF string
	}
	json.Unmarshal([]byte(body), &r)
	if code != 200 || !r.OK || r.Key == "" {
		t.Fatalf("change: %d %s", code, body)
	}
	c.key, c.csrf = r.Key, r.CSRF
	if code, _ := c.get("/api/settings"); code != 200 {
		t.Errorf("this browser after the change: %d", code)
	}
	if code, _ := other.get("/api/settings"); code != http.StatusUnauthorized {
		t.Errorf("another browser after the change: %d, want logged out", code)
	}
	cfg, _ := os.ReadFile(ts.cfg)
	if strings.Contains(string(cfg), adminPW) || strings.Contains(string(cfg), newPW) || !strings.Contains(string(cfg), "admin_password_hash") {
		t.Errorf("the config after the change: %s", cfg)
	}
	fresh := newClient(t, ts)
	fresh.get("/")
	if code, _ := fresh.postForm("/login", map[string][]string{"password": {adminPW}, csrfField: {fresh.csrf}}); code != http.StatusUnauthorized {
		t.Errorf("the old password still logs in: %d", code)
	}
	fresh.login(newPW)
}
