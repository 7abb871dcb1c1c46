package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/posbackup/posbackup/internal/config"
)

// TestSetupWritesAndKeepsTheMachineConfig: what the MSI runs at install and
// at every upgrade: the given settings are written, everything else in the
// config (a job's other settings, a hand-made [mail]) is kept.
func TestSetupWritesAndKeepsTheMachineConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "posbackup", "posbackup.toml")
	t.Setenv("POSBACKUP_CONFIG", cfg)
	src := demoInstall(t)
	out := filepath.Join(dir, "Sicherung")
	code, stdout, stderr := run(t, "setup", "--source", src, "--to", out, "--time", "22:30")
	if code != 0 || !strings.Contains(stdout, cfg) {
		t.Fatalf("setup: exit %d\n%s\n%s", code, stdout, stderr)
	}
	c, err := config.Load(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c.Source != src || c.To != out || c.Variant != 2 || c.Web.Listen != "127.0.0.1:8470" || c.Jobs["nightly"] == nil || c.Jobs["nightly"].Time != "22:30" {
		t.Fatalf("the machine config: %+v %+v", c.Backup, c.Jobs["nightly"])
	}
	// The shop owner sets more in the dialog; then an upgrade runs setup
	// again without properties.
	b, _ := os.ReadFile(cfg)
	b = []byte(strings.Replace(string(b), "[jobs.nightly]\n", "[jobs.nightly]\nkeep_last = 7\n", 1))
	os.WriteFile(cfg, b, 0o600)
	if code, stdout, stderr := run(t, "setup"); code != 0 {
		t.Fatalf("setup again: exit %d\n%s\n%s", code, stdout, stderr)
	}
	c, err = config.Load(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c.Source != src || c.To != out || c.Jobs["nightly"].Time != "22:30" || c.Jobs["nightly"].KeepLast != 7 {
		t.Errorf("setup without settings changed the config: %+v %+v", c.Backup, c.Jobs["nightly"])
	}
	// Only the time changes when only the time is given.
	run(t, "setup", "--time", "23:15")
	c, _ = config.Load(cfg)
	if c.Jobs["nightly"].Time != "23:15" || c.Jobs["nightly"].KeepLast != 7 || c.To != out {
		t.Errorf("setup --time: %+v %+v", c.Backup, c.Jobs["nightly"])
	}
	// A wrong time is a usage error, and the file is left as it was.
	before, _ := os.ReadFile(cfg)
	if code, _, stderr := run(t, "setup", "--time", "25:99", "--source", "/elsewhere"); code != ExitUsage || stderr == "" {
		t.Errorf("setup --time 25:99: exit %d %s", code, stderr)
	}
	if after, _ := os.ReadFile(cfg); string(after) != string(before) {
		t.Errorf("a refused setup changed the config:\n%s", after)
	}
}

func TestSetupWithoutDestinationWarns(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "posbackup.toml")
	code, _, stderr := run(t, "setup", "--config", cfg, "--time", "22:30")
	if code != 0 || !strings.Contains(stderr, "warning") {
		t.Errorf("setup without a destination: exit %d, want 0 with a warning:\n%s", code, stderr)
	}
}

// TestSetupWithoutSettings is the double-click install: no properties. The
// config gets the defaults (variant 2, the dialog on this computer) and a
// warning says that nothing runs automatically yet.
func TestSetupWithoutSettings(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "posbackup.toml")
	code, _, stderr := run(t, "setup", "--config", cfg, "--source", " ", "--to", " ", "--variant", " ", "--time", " ", "--listen", " ")
	if code != 0 || !strings.Contains(stderr, "No job has a time of day") {
		t.Fatalf("setup with empty properties: exit %d\n%s", code, stderr)
	}
	c, err := config.Load(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c.Variant != 2 || c.Web.Listen != "127.0.0.1:8470" || c.Source != "" || c.To != "" || len(c.Jobs) != 0 {
		t.Errorf("the defaults: %+v %+v %v", c.Backup, c.Web, c.Jobs)
	}
	if code, _, stderr := run(t, "setup", "--config", cfg, "--variant", "7"); code != ExitUsage || !strings.Contains(stderr, "1 to 4") {
		t.Errorf("--variant 7: exit %d %s", code, stderr)
	}
}
