//go:build !windows

package web

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/testsrv"
	"github.com/posbackup/posbackup/internal/testutil"
)

// An SFTP destination with a key file and a known_hosts file set on the
// Settings tab: stored as key_file and known_hosts, the access test passes
// without a password or fingerprint question, and a backup from the page
// arrives on the real sshd. Paths that cannot be a key file are refused.
func TestSFTPKeyFileFromSettings(t *testing.T) {
	ssh := testsrv.StartSSH(t)
	inst := filepath.Join(t.TempDir(), "Kasse")
	if _, err := testutil.MakeInstallation(inst); err != nil {
		t.Fatal(err)
	}
	ts := startServer(t, "source = '"+inst+"'\nvariant = 2\n"+hashConfig(t, adminPW), nil)
	c := newClient(t, ts)
	c.login(adminPW)
	dest := map[string]any{"use_ftp": true, "protocol": "sftp", "server": ssh.Addr + "/schluessel", "user": ssh.User,
		"key_file": ssh.KeyFile, "known_hosts": ssh.KnownHostsFile}

	for _, tc := range []struct{ key, want string }{
		{"id_ed25519", "full paths"},
		{filepath.Join(t.TempDir(), "missing"), "does not exist"},
	} {
		bad := map[string]any{}
		for k, v := range dest {
			bad[k] = v
		}
		bad["key_file"] = tc.key
		if code, body := c.postJSON("/api/settings", map[string]any{"section": "dest", "dest": bad}, nil); code != 400 || !strings.Contains(body, tc.want) {
			t.Errorf("key file %s: %d %s, want %q", tc.key, code, body, tc.want)
		}
	}

	if code, body := c.postJSON("/api/settings", map[string]any{"section": "dest", "dest": dest}, nil); code != 200 {
		t.Fatalf("save: %d %s", code, body)
	}
	cfg, err := config.Load(ts.cfg)
	if err != nil || cfg.KeyFile != ssh.KeyFile || cfg.KnownHosts != ssh.KnownHostsFile || cfg.Protocol != "sftp" {
		t.Fatalf("config: key_file %q known_hosts %q protocol %q, %v", cfg.KeyFile, cfg.KnownHosts, cfg.Protocol, err)
	}
	var v settingsView
	_, body := c.get("/api/settings")
	json.Unmarshal([]byte(body), &v)
	if v.Dest.KeyFile != ssh.KeyFile || v.Dest.KnownHosts != ssh.KnownHostsFile {
		t.Errorf("the page is not shown the files: %+v", v.Dest)
	}

	code, body := c.postJSON("/api/test-access", dest, nil)
	if code != 200 || !strings.Contains(body, `"ok":true`) {
		t.Fatalf("test access data with the key file: %d %s", code, body)
	}
	if code, body := c.postJSON("/api/backup", map[string]any{"variant": 2, "clients": "all", "name": "{client}_key"}, nil); code != 202 {
		t.Fatalf("backup: %d %s", code, body)
	}
	if tk := waitTask(t, c); !tk.OK {
		t.Fatalf("the backup over SFTP with the key failed: %s", tk.Error)
	}
	if _, err := os.Stat(filepath.Join(ssh.Root, "schluessel", "M001-M002-M003_key.zip")); err != nil {
		t.Fatalf("the archive is not on the SFTP server: %v", err)
	}

	// Another kind of server leaves the SFTP files alone.
	ftp := map[string]any{"use_ftp": true, "protocol": "ftpes", "server": "127.0.0.1:21/betrieb1", "user": "kasse", "key_file": "", "known_hosts": ""}
	if code, body := c.postJSON("/api/settings", map[string]any{"section": "dest", "dest": ftp}, nil); code != 200 {
		t.Fatalf("save FTP: %d %s", code, body)
	}
	if cfg, _ := config.Load(ts.cfg); cfg.KeyFile != ssh.KeyFile {
		t.Errorf("saving an FTP server dropped key_file: %q", cfg.KeyFile)
	}
}
