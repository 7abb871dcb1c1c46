package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/posbackup/posbackup/internal/archive"
	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/testutil"
)

// Encryption set on the Settings tab: refused without a password or with
// a short one (plain message, in the page's language), the password stored
// as a secret and never shown, and the next backup encrypted: unreadable
// without the password, restored through the page with it.
func TestEncryptionFromSettings(t *testing.T) {
	inst := filepath.Join(t.TempDir(), "Kasse")
	if _, err := testutil.MakeInstallation(inst); err != nil {
		t.Fatal(err)
	}
	to := t.TempDir()
	ts := startServer(t, "source = '"+inst+"'\nvariant = 2\nto = '"+to+"'\n"+hashConfig(t, adminPW), nil)
	c := newClient(t, ts)
	c.login(adminPW)
	const archivePW = "Kassen-Archiv-2026!"

	save := func(f map[string]any) (int, map[string]any) {
		t.Helper()
		code, body := c.postJSON("/api/settings", map[string]any{"section": "archive", "archive": f}, nil)
		var out map[string]any
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			t.Fatalf("answer %d: %s", code, body)
		}
		return code, out
	}
	for _, tc := range []struct {
		form map[string]any
		want string
	}{
		{map[string]any{"encrypt": true}, "Encryption needs an archive password: type one of at least 8 characters."},
		{map[string]any{"encrypt": true, "password": "kurz", "password2": "kurz"}, "The archive password is too short: use at least 8 characters."},
		{map[string]any{"encrypt": true, "password": archivePW, "password2": archivePW + "x"}, "The two passwords differ"},
	} {
		code, out := save(tc.form)
		if code != 400 || !strings.Contains(out["error"].(string), tc.want) {
			t.Errorf("%v: %d %v, want the message %q", tc.form, code, out["error"], tc.want)
		}
	}
	c.get("/?lang=de")
	if _, out := save(map[string]any{"encrypt": true}); !strings.Contains(out["error"].(string), "Archiv-Passwort nötig") {
		t.Errorf("German page, English message: %v", out["error"])
	}
	c.get("/?lang=en")
	if cfg, _ := config.Load(ts.cfg); cfg.Encrypt || cfg.ArchivePassword != "" {
		t.Fatal("a refused save changed the config")
	}

	code, out := save(map[string]any{"encrypt": true, "password": archivePW, "password2": archivePW})
	if code != 200 || out["ok"] != true {
		t.Fatalf("enable encryption: %d %v", code, out)
	}
	var v settingsView
	_, body := c.get("/api/settings")
	json.Unmarshal([]byte(body), &v)
	if !v.Archive.Encrypt || !v.Archive.PasswordSet || v.Archive.Password != "" {
		t.Errorf("the page shows %+v, want encrypt, password set, no password", v.Archive)
	}
	cfg, err := config.Load(ts.cfg)
	if err != nil || !cfg.Encrypt || cfg.ArchivePassword != archivePW {
		t.Fatalf("config after save: encrypt %v, password stored %v, %v", cfg.Encrypt, cfg.ArchivePassword == archivePW, err)
	}
	// Saving again with the field empty keeps the stored password.
	if code, out := save(map[string]any{"encrypt": true}); code != 200 {
		t.Fatalf("save with the stored password: %d %v", code, out)
	}

	// A backup from the page is encrypted.
	if code, body := c.postJSON("/api/backup", map[string]any{"variant": 2, "clients": "all", "name": "{client}_enc"}, nil); code != 202 {
		t.Fatalf("backup: %d %s", code, body)
	}
	tk := waitTask(t, c)
	if !tk.OK {
		t.Fatalf("the encrypted backup failed: %s", tk.Error)
	}
	res, _ := json.Marshal(tk.Result)
	var br struct{ Archive string }
	json.Unmarshal(res, &br)
	zipPath := filepath.Join(to, br.Archive)
	if _, err := archive.OpenFile(zipPath); !errors.Is(err, archive.ErrPasswordNeeded) {
		t.Fatalf("the archive opens without a password (err %v): it is not encrypted", err)
	}
	if _, err := archive.OpenFilePassword(zipPath, "Falsches-Passwort"); err == nil {
		t.Fatal("the archive opens with a wrong password")
	}
	if zr, err := archive.OpenFilePassword(zipPath, archivePW); err != nil || !zr.Encrypted {
		t.Fatalf("the archive does not open with its password: %v", err)
	} else {
		zr.Close()
	}

	// The page lists it and restores it completely with the stored password.
	_, body = c.get("/api/backups")
	if !strings.Contains(body, br.Archive) {
		t.Fatalf("the backup list lacks %s: %s", br.Archive, body)
	}
	if code, body := c.get("/api/backups/details?name=" + br.Archive); code != 200 || !strings.Contains(body, "M001") {
		t.Fatalf("details: %d %s", code, body)
	}
	target := t.TempDir()
	if code, body := c.postJSON("/api/restore", map[string]any{"name": br.Archive, "target": target}, nil); code != 202 {
		t.Fatalf("restore: %d %s", code, body)
	}
	if tk := waitTask(t, c); !tk.OK || tk.Kind != "restore" {
		t.Fatalf("the restore failed: %s", tk.Error)
	}
	n := 0
	filepath.WalkDir(target, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(target, p)
		got, _ := os.ReadFile(p)
		want, err := os.ReadFile(filepath.Join(inst, rel))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("restored %s differs from the installation (%v)", rel, err)
		}
		n++
		return nil
	})
	if n < 10 {
		t.Fatalf("only %d files restored", n)
	}
	for _, a := range c.seen {
		if strings.Contains(a, archivePW) {
			t.Fatalf("an answer contains the archive password:\n%s", a)
		}
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if strings.Contains(ts.logs.String(), archivePW) {
		t.Fatal("the log contains the archive password")
	}
}

// The compression level and low priority on the Backup settings card.
func TestLevelAndLowPriorityFromSettings(t *testing.T) {
	ts := startServer(t, "variant = 2\n"+hashConfig(t, adminPW), nil)
	c := newClient(t, ts)
	c.login(adminPW)
	var v settingsView
	_, body := c.get("/api/settings")
	json.Unmarshal([]byte(body), &v)
	if v.Archive.Level != "default" || v.Archive.LowPriority {
		t.Fatalf("defaults: %+v", v.Archive)
	}
	save := func(a map[string]any) (int, string) {
		return c.postJSON("/api/settings", map[string]any{"section": "archive", "archive": a}, nil)
	}
	if code, body := save(map[string]any{"level": "maximal"}); code != 400 || !strings.Contains(body, "fast, default or best") {
		t.Errorf("unknown level: %d %s", code, body)
	}
	if code, body := save(map[string]any{"level": "best", "low_priority": true}); code != 200 {
		t.Fatalf("save: %d %s", code, body)
	}
	cfg, err := config.Load(ts.cfg)
	if err != nil || cfg.Level != "best" || !cfg.LowPriority || cfg.Encrypt {
		t.Fatalf("config: level %q low_priority %v encrypt %v, %v", cfg.Level, cfg.LowPriority, cfg.Encrypt, err)
	}
	_, body = c.get("/api/settings")
	json.Unmarshal([]byte(body), &v)
	if v.Archive.Level != "best" || !v.Archive.LowPriority {
		t.Errorf("the page shows %+v", v.Archive)
	}
	if code, body := save(map[string]any{"level": "default", "low_priority": false}); code != 200 {
		t.Fatalf("save: %d %s", code, body)
	}
	if b, _ := os.ReadFile(ts.cfg); strings.Contains(string(b), "level") || strings.Contains(string(b), "low_priority") {
		t.Errorf("defaults are written into the config:\n%s", b)
	}
}
