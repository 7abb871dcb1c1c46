package web

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

func TestNoStoredPasswordInAnyAnswer(t *testing.T) {
	secrets := []string{"Ftp-Secret-4711x", "Mail-Secret-0815y", "Admin-Secret-1234z", "Url-Secret-5150q", "Archive-Secret-2323w", "Archive-New-9876v"}
	inst := t.TempDir()
	os.MkdirAll(filepath.Join(inst, "Daten", "Global"), 0o755)
	cfgText := "source = '" + inst + "'\nvariant = 2\nto = 'ftpes://127.0.0.1:1/betrieb1'\nuser = 'kasse'\npassword = '" + secrets[0] + "'\n"
	cfgText += "encrypt = true\narchive_password = '" + secrets[4] + "'\n"
	cfgText += "\n[mail]\nhost = '127.0.0.1'\nport = 1\nsecurity = 'none'\nuser = 'relay'\npassword = '" + secrets[1] + "'\n" +
		"\n[web]\nadmin_password = '" + secrets[2] + "'\n" +
		"\n[jobs." + autoJob + "]\ntime = '23:30'\nmail_to = ['chef@example.org']\n" +
		"\n[jobs.other]\nto = 'ftp://kasse:" + secrets[3] + "@127.0.0.1:1/x'\ntime = '02:00'\n"
	ts := startServer(t, cfgText, TestAutomatic{Dir: t.TempDir()})
	c := newClient(t, ts)
	c.login(secrets[2])

	for _, p := range []string{"/", "/api/settings", "/api/task", "/api/history", "/api/automatic", "/api/backups", "/api/backups/details?name=x.zip", "/assets/app.js"} {
		c.get(p)
	}
	c.postJSON("/api/test-access", map[string]any{"use_ftp": true, "server": "ftpes://127.0.0.1:1/betrieb1", "user": "kasse"}, nil)
	c.postJSON("/api/test-mail", map[string]any{"host": "127.0.0.1", "port": 1, "security": "none", "user": "relay", "to": "a@example.org"}, nil)
	c.postJSON("/api/backup", map[string]any{"variant": 2, "clients": "all"}, nil)
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, body := c.get("/api/task")
		if !strings.Contains(body, `"running":true`) || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.postJSON("/api/settings", map[string]any{"section": "dest", "dest": map[string]any{"use_ftp": true, "protocol": "ftpes", "server": "ftpes://127.0.0.1:1/betrieb1", "user": "kasse"}}, nil)
	c.postJSON("/api/settings", map[string]any{"section": "mail", "mail": map[string]any{"host": "127.0.0.1", "port": 1, "security": "none", "user": "relay", "to": "chef@example.org", "on": "always"}}, nil)
	c.postJSON("/api/settings", map[string]any{"section": "keep", "keep": map[string]any{"keep_last": 7}}, nil)
	c.postJSON("/api/automatic/install", map[string]any{"variant": 2, "time": "22:15", "install": true}, nil)
	c.postJSON("/api/restore", map[string]any{"name": "x.zip", "target": t.TempDir()}, nil)
	// A new archive password typed on the Settings tab (answers after it are scanned too).
	if code, out := c.postJSON("/api/settings", map[string]any{"section": "archive", "archive": map[string]any{"encrypt": true, "password": secrets[5], "password2": secrets[5]}}, nil); code != 200 {
		t.Fatalf("saving the archive password: %d %s", code, out)
	}
	time.Sleep(200 * time.Millisecond)
	c.get("/api/task")
	c.get("/api/history")
	c.get("/api/settings")

	if os.Getenv("WEBDEBUG") != "" {
		for _, a := range c.seen {
			if len(a) > 1500 {
				a = a[:1500]
			}
			t.Log(a)
		}
	}
	if len(c.seen) < 20 {
		t.Fatalf("only %d answers scanned", len(c.seen))
	}
	ts.mu.Lock()
	logs := ts.logs.String()
	ts.mu.Unlock()
	for _, sec := range secrets {
		for _, a := range c.seen {
			if strings.Contains(a, sec) {
				t.Errorf("an answer contains the stored password %s:\n%s", sec, a)
			}
		}
		if strings.Contains(logs, sec) {
			t.Errorf("the log contains %s", sec)
		}
	}
	// The stored passwords survived the saves (shown as "set", not lost).
	cfg, err := config.Load(ts.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Password != secrets[0] || cfg.Mail.Password != secrets[1] || cfg.ArchivePassword != secrets[5] || !cfg.Encrypt {
		t.Errorf("saving the settings lost a stored password")
	}
	var v settingsView
	_, body := c.get("/api/settings")
	json.Unmarshal([]byte(body), &v)
	if !v.Dest.PasswordSet || !v.Mail.PasswordSet || !v.Archive.PasswordSet {
		t.Errorf("the page is not told that passwords are set: %+v", v)
	}
}

// TestNoPasswordOfUnparsableDestination: a destination in the config that
// does not parse (here a port beyond 65535) is shown without the password
// typed into it, on every tab.
func TestNoPasswordOfUnparsableDestination(t *testing.T) {
	const secret = "url-geheim-77"
	inst := t.TempDir()
	os.MkdirAll(filepath.Join(inst, "Daten", "Global"), 0o755)
	for _, tc := range []struct{ to, protocol string }{
		{"ftp://kasse:" + secret + "@host:99999/x", ""},
		{"kasse:" + secret + "@host:99999/x", "ftpes"},
		{"gopher://kasse:" + secret + "@host/x", ""},
	} {
		to := tc.to
		cfgText := "source = '" + inst + "'\nvariant = 2\nto = '" + to + "'\nprotocol = '" + tc.protocol + "'\n" + hashConfig(t, adminPW) +
			"\n[jobs." + autoJob + "]\ntime = '23:30'\n"
		ts := startServer(t, cfgText, TestAutomatic{Dir: t.TempDir()})
		c := newClient(t, ts)
		c.login(adminPW)
		for _, p := range []string{"/", "/api/settings", "/api/automatic", "/api/backups", "/api/backups/details?name=x.zip", "/api/history"} {
			c.get(p)
		}
		c.postJSON("/api/backup", map[string]any{"variant": 2, "clients": "all"}, nil)
		c.postJSON("/api/restore", map[string]any{"name": "x.zip", "target": t.TempDir()}, nil)
		time.Sleep(200 * time.Millisecond)
		c.get("/api/task")
		c.get("/api/history")
		for _, a := range c.seen {
			if strings.Contains(a, secret) {
				t.Errorf("to = %q: an answer contains its password:\n%s", to, a)
			}
		}
		var v settingsView
		_, body := c.get("/api/settings")
		json.Unmarshal([]byte(body), &v)
		if !strings.Contains(v.Dest.Display, "***") || !v.Dest.PasswordSet {
			t.Errorf("to = %q: shown as %+v", to, v.Dest)
		}
		// Saving the form as shown does not write the "***" into the config.
		c.postJSON("/api/settings", map[string]any{"section": "dest", "dest": map[string]any{"use_ftp": false, "folder": v.Dest.Folder}}, nil)
		if cfg, err := config.Load(ts.cfg); err != nil || cfg.To != to || cfg.Protocol != tc.protocol {
			t.Errorf("to = %q: saving the shown form changed it: %+v %v", to, cfg, err)
		}
	}
}

func TestStoredPasswordNotSentToAnotherServer(t *testing.T) {
	c := &config.Config{Backup: config.Backup{To: "nas.example/betrieb1", Protocol: "ftpes", User: "kasse", Password: "pw-1"}}
	b, err := destBackup(c, destForm{UseFTP: true, Protocol: "ftpes", Server: "nas.example/other", User: "kasse"})
	if err != nil || b.Password != "pw-1" {
		t.Fatalf("same server, other folder: password %q, %v", b.Password, err)
	}
	b, _ = destBackup(c, destForm{UseFTP: true, Protocol: "ftpes", Server: "evil.example/betrieb1", User: "kasse"})
	if b.Password != "" {
		t.Fatal("the stored password would go to another server")
	}
	b, _ = destBackup(c, destForm{UseFTP: true, Protocol: "ftpes", Server: "nas.example/betrieb1", User: "other"})
	if b.Password != "" {
		t.Fatal("the stored password would go with another user")
	}
}
