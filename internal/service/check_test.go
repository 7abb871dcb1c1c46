package service

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/posbackup/posbackup/internal/config"
)

func TestJobSettingsResolveAgainstTheConfigFolder(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "posbackup.toml")
	cfg := &config.Config{Backup: config.Backup{Source: "Hypers", To: "Backup", KeyFile: "id_ed25519", Add: []string{"drucker.ini", "/etc/abs.ini"}},
		Jobs: map[string]*config.Job{"nightly": {Time: "23:30"}, "remote": {Time: "01:00", Backup: config.Backup{To: "sftp://nas/pos"}}}}
	b := JobSettings(cfg, cfgPath, "nightly")
	if b.Source != filepath.Join(dir, "Hypers") || b.To != filepath.Join(dir, "Backup") || b.KeyFile != filepath.Join(dir, "id_ed25519") ||
		b.Add[0] != filepath.Join(dir, "drucker.ini") || b.Add[1] != "/etc/abs.ini" {
		t.Errorf("not resolved against %s: %+v", dir, b)
	}
	if cfg.Add[0] != "drucker.ini" {
		t.Errorf("the config's own slice was changed")
	}
	if r := JobSettings(cfg, cfgPath, "remote"); r.To != "sftp://nas/pos" {
		t.Errorf("a server address was changed: %s", r.To)
	}
}

func TestCheckJobsBeforeInstall(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "posbackup.toml")
	env := func(k string) string {
		if k == "POSBACKUP_ARCHIVE_PASSWORD" || k == "POSBACKUP_PASSWORD" {
			return "aus-der-Sitzung"
		}
		return ""
	}
	t.Setenv("POSBACKUP_ARCHIVE_PASSWORD", "aus-der-Sitzung")
	cfg := &config.Config{Backup: config.Backup{Source: dir, Variant: 3, To: "sftp://nas/pos", User: "kasse", Encrypt: true},
		Jobs: map[string]*config.Job{"nightly": {Time: "23:30"}}}
	warns, err := CheckJobs(cfg, cfgPath, env)
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(warns, "\n")
	if !strings.Contains(all, "archive password from POSBACKUP_ARCHIVE_PASSWORD") || !strings.Contains(all, "server password from POSBACKUP_PASSWORD") {
		t.Errorf("warnings:\n%s", all)
	}
	cfg.Variant = 0
	if _, err := CheckJobs(cfg, cfgPath, env); err == nil || !strings.Contains(err.Error(), "job nightly") {
		t.Errorf("a job without a variant: %v", err)
	}
}

// TestJobWithOwnServerDoesNotGetTheTopPassword: the top level's password
// belongs to the top level's server; a job sending its backups to another
// server must not send it there.
func TestJobWithOwnServerDoesNotGetTheTopPassword(t *testing.T) {
	cfg := &config.Config{Backup: config.Backup{To: "ftpes://nas.local/betrieb1", User: "kasse", Password: "nas-geheim", Fingerprint: "SHA256:abc"},
		Jobs: map[string]*config.Job{
			"same":    {Time: "23:30", Backup: config.Backup{To: "ftpes://NAS.local:21/betrieb2"}},
			"other":   {Time: "23:30", Backup: config.Backup{To: "ftpes://fremd.example/x"}},
			"ownpw":   {Time: "23:30", Backup: config.Backup{To: "sftp://fremd.example/x", Password: "eigenes"}},
			"default": {Time: "23:30"},
		}}
	cases := map[string]string{"same": "nas-geheim", "other": "", "ownpw": "eigenes", "default": "nas-geheim"}
	for name, want := range cases {
		b := JobSettings(cfg, "/etc/posbackup.toml", name)
		if b.Password != want {
			t.Errorf("job %s gets password %q, want %q", name, b.Password, want)
		}
	}
	if b := JobSettings(cfg, "/etc/posbackup.toml", "other"); b.Fingerprint != "" {
		t.Errorf("another server's pin was inherited: %s", b.Fingerprint)
	}
}
