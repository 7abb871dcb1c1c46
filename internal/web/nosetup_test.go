package web

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoSetupInService: the dialog served by the installed service (as
// SYSTEM or root) never offers the first-start setup, not even on this
// computer: any local user could claim the admin password. The page says
// how the administrator sets it, in English and German.
func TestNoSetupInService(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "pb.toml")
	s, err := New(Options{ConfigPath: cfg, Listen: "127.0.0.1:8470", NoSetup: true, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	get := func(lang string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "/?lang="+lang, nil)
		req.Host, req.RemoteAddr = "127.0.0.1:8470", "127.0.0.1:40000"
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	for _, tc := range []struct{ lang, want string }{
		{"en", "as administrator"},
		{"de", "als Administrator"},
	} {
		rec := get(tc.lang)
		body := rec.Body.String()
		if strings.Contains(body, `action="/setup"`) || strings.Contains(body, `id="setup-password"`) {
			t.Fatalf("%s: the service offers the first-start setup:\n%s", tc.lang, body)
		}
		if !strings.Contains(body, "posbackup config set-secret web.admin_password --config") || !strings.Contains(body, tc.want) {
			t.Errorf("%s: the page does not say how to set the password:\n%s", tc.lang, body)
		}
	}
	// Posting the setup form anyway is refused.
	rec := postSetup(t, h, get("en"), "127.0.0.1:8470", "127.0.0.1:40001")
	if rec.Code != http.StatusForbidden {
		t.Fatalf("setup posted to the service: %d, want 403", rec.Code)
	}
	if _, err := os.Stat(cfg); err == nil {
		t.Fatal("a local user set the admin password of the service")
	}
	// Once the administrator has set it, the login form shows.
	os.WriteFile(cfg, []byte(hashConfig(t, adminPW)), 0o600)
	if body := get("en").Body.String(); !strings.Contains(body, `action="/login"`) {
		t.Fatalf("after set-secret no login form:\n%s", body)
	}
}
