package web

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/posbackup/posbackup/internal/config"
)

// TestChangedServerDropsStoredPassword: saving another server, port,
// protocol or user without typing a password removes the stored password
// (and password file) from the config, so the new server never gets the
// old one; the page then says no password is set.
func TestChangedServerDropsStoredPassword(t *testing.T) {
	const oldPW = "Old-Server-Secret-31x"
	pwFile := filepath.Join(t.TempDir(), "ftp-password")
	os.WriteFile(pwFile, []byte(oldPW+"\n"), 0o600)
	base := "to = 'ftpes://nas.example/betrieb1'\nuser = 'kasse'\n"
	for _, tc := range []struct {
		name, stored string
		dest         map[string]any
	}{
		{"other host", "password = '" + oldPW + "'\n", map[string]any{"protocol": "ftpes", "server": "evil.example/betrieb1", "user": "kasse"}},
		{"other port", "password = '" + oldPW + "'\n", map[string]any{"protocol": "ftpes", "server": "nas.example:2121/betrieb1", "user": "kasse"}},
		{"other protocol", "password = '" + oldPW + "'\n", map[string]any{"protocol": "ftp", "server": "ftp://nas.example/betrieb1", "user": "kasse"}},
		{"other user", "password = '" + oldPW + "'\n", map[string]any{"protocol": "ftpes", "server": "ftpes://nas.example/betrieb1", "user": "chef"}},
		{"password file", "password_file = '" + pwFile + "'\n", map[string]any{"protocol": "ftpes", "server": "evil.example/betrieb1", "user": "kasse"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := startServer(t, base+tc.stored+hashConfig(t, adminPW), nil)
			c := newClient(t, ts)
			c.login(adminPW)
			tc.dest["use_ftp"] = true
			code, body := c.postJSON("/api/settings", map[string]any{"section": "dest", "dest": tc.dest}, nil)
			if code != 200 {
				t.Fatalf("save: %d %s", code, body)
			}
			cfg, err := config.Load(ts.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Password != "" || cfg.PasswordFile != "" {
				t.Errorf("after changing the server the config still holds the old password (%q, file %q)", cfg.Password, cfg.PasswordFile)
			}
			if b, _ := os.ReadFile(ts.cfg); strings.Contains(string(b), oldPW) || strings.Contains(string(b), "password_file") {
				t.Errorf("config file:\n%s", b)
			}
			var v settingsView
			_, body = c.get("/api/settings")
			json.Unmarshal([]byte(body), &v)
			if v.Dest.PasswordSet {
				t.Error("the page says a password is set for the new server")
			}
		})
	}
	// The same server, another folder: the password stays.
	ts := startServer(t, base+"password = '"+oldPW+"'\n"+hashConfig(t, adminPW), nil)
	c := newClient(t, ts)
	c.login(adminPW)
	if code, body := c.postJSON("/api/settings", map[string]any{"section": "dest", "dest": map[string]any{"use_ftp": true, "protocol": "ftpes", "server": "nas.example/other", "user": "kasse"}}, nil); code != 200 {
		t.Fatalf("save: %d %s", code, body)
	}
	if cfg, err := config.Load(ts.cfg); err != nil || cfg.Password != oldPW {
		t.Fatalf("the same server lost its password: %v", err)
	}
	// A new password typed with the new server is stored.
	if code, body := c.postJSON("/api/settings", map[string]any{"section": "dest", "dest": map[string]any{"use_ftp": true, "protocol": "ftpes", "server": "other.example/x", "user": "kasse", "password": "New-Pass-42"}}, nil); code != 200 {
		t.Fatalf("save: %d %s", code, body)
	}
	if cfg, err := config.Load(ts.cfg); err != nil || cfg.Password != "New-Pass-42" {
		t.Fatalf("the typed password was not stored: %v", err)
	}
}
