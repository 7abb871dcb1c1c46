package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/demo"
	"github.com/posbackup/posbackup/internal/profile"
)

// TestMain keeps the tests off a machine-wide config of the computer they
// run on: commands without --config find none.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "posbackup-cli-test")
	if err != nil {
		panic(err)
	}
	os.Setenv(config.EnvConfig, filepath.Join(dir, "absent", "posbackup.toml"))
	// English, as the tests expect, on a computer set to German too.
	os.Unsetenv("LC_ALL")
	os.Unsetenv("LC_MESSAGES")
	os.Setenv("LANG", "C.UTF-8")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func TestStatusNothingSetUp(t *testing.T) {
	t.Setenv(config.EnvConfig, filepath.Join(t.TempDir(), "posbackup.toml"))
	code, out, errOut := run(t, "status")
	if code != ExitFailed || strings.Count(out, "\n") != 1 || !strings.Contains(out, "No automatic backup is set up on this computer") ||
		!strings.Contains(out, "posbackup job set") || errOut != "" {
		t.Errorf("status with nothing set up: exit %d\nstdout %q\nstderr %q", code, out, errOut)
	}
	code, out, _ = run(t, "status", "--json")
	var rep struct {
		OK       bool
		Warnings []struct{ Code string }
	}
	if code != ExitFailed || json.Unmarshal([]byte(out), &rep) != nil || rep.OK || len(rep.Warnings) != 1 || rep.Warnings[0].Code != "no-automatic-backup" {
		t.Errorf("status --json with nothing set up: exit %d\n%s", code, out)
	}
}

func TestMachineWideConfig(t *testing.T) {
	src := demoInstall(t)
	cfg := filepath.Join(t.TempDir(), "ProgramData", "posbackup", "posbackup.toml") // its folder does not exist yet
	t.Setenv(config.EnvConfig, cfg)
	backups := filepath.Join(t.TempDir(), "backup")
	os.MkdirAll(backups, 0o755)

	// job set without --config writes the machine-wide file, creating its folder.
	code, out, errOut := run(t, "job", "set", "nightly", "--source", src, "--variant", "2", "--to", backups, "--time", "23:30")
	if code != 0 || !strings.Contains(out, cfg) {
		t.Fatalf("job set without --config: exit %d\n%s%s", code, out, errOut)
	}
	// Every other command reads it.
	code, out, errOut = run(t, "job", "list", "--json")
	if code != 0 || !strings.Contains(out, `"nightly"`) {
		t.Fatalf("job list without --config: exit %d\n%s%s", code, out, errOut)
	}
	os.WriteFile(cfg, []byte("source = '"+src+"'\nvariant = 1\nto = '"+backups+"'\n"), 0o600)
	code, out, errOut = run(t, "backup")
	if code != 0 || !strings.Contains(out, "Backup done") {
		t.Fatalf("backup with the machine-wide config: exit %d\n%s%s", code, out, errOut)
	}
	// The state the manual run's lock keeps lives beside the config.
	if _, err := os.Stat(filepath.Join(filepath.Dir(cfg), "posbackup-state")); err != nil {
		t.Errorf("no state folder beside the machine-wide config: %v", err)
	}
	code, out, _ = run(t, "list")
	if code != 0 || !strings.Contains(out, ".zip") {
		t.Errorf("list with the machine-wide config: exit %d\n%s", code, out)
	}
	// A config with no automatic backup: status reports it as before (not the one-liner).
	code, out, _ = run(t, "status")
	if code != ExitFailed || strings.Contains(out, "on this computer: set one up") {
		t.Errorf("status with a config: exit %d\n%s", code, out)
	}
}

func TestSourceDefaultsToProfileRoot(t *testing.T) {
	src := demoInstall(t)
	prof := filepath.Join(t.TempDir(), "profile.toml")
	text := strings.Replace(string(profile.DefaultTOML()), `default_root = 'C:\Hypers-!'`, "default_root = '"+src+"'", 1)
	if text == string(profile.DefaultTOML()) {
		t.Fatal("the built-in profile has no default_root line to replace")
	}
	os.WriteFile(prof, []byte(text), 0o600)
	to := t.TempDir()
	code, out, errOut := run(t, "backup", "--profile", prof, "--variant", "1", "--to", to, "--json")
	if code != 0 || !strings.Contains(out, `"ok": true`) {
		t.Fatalf("backup without --source, the profile's folder existing: exit %d\n%s%s", code, out, errOut)
	}
	// The folder missing: the usual usage error naming it.
	os.RemoveAll(src)
	code, _, errOut = run(t, "backup", "--profile", prof, "--variant", "1", "--to", to)
	if code != ExitUsage || !strings.Contains(strings.ToLower(errOut), "no installation folder") {
		t.Errorf("backup without --source, the profile's folder missing: exit %d\n%s", code, errOut)
	}
}

func TestSnapshotSetting(t *testing.T) {
	src := demoInstall(t)
	to := t.TempDir()
	code, _, errOut := run(t, "backup", "--source", src, "--variant", "1", "--to", to, "--snapshot", "sometimes")
	if code != ExitUsage || !strings.Contains(errOut, "auto, on or off") {
		t.Errorf("--snapshot sometimes: exit %d\n%s", code, errOut)
	}
	cfg := filepath.Join(t.TempDir(), "posbackup.toml")
	os.WriteFile(cfg, []byte("source = '"+src+"'\nvariant = 1\nto = '"+to+"'\nsnapshot = \"off\"\n"), 0o600)
	if code, out, errOut := run(t, "backup", "--config", cfg); code != 0 {
		t.Errorf("snapshot = off: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := run(t, "backup", "--config", cfg, "--snapshot", "on"); code != 0 {
		t.Errorf("--snapshot on (nothing held): exit %d\n%s%s", code, out, errOut)
	}
}

// On Windows the machine-wide config is %ProgramData%\posbackup\posbackup.toml
// (the Wine run of .ci/wine-unit.sh sets a fake ProgramData).
func TestProgramDataConfig(t *testing.T) {
	if runtime.GOOS != "windows" {
		t.Skip("the ProgramData folder is Windows's")
	}
	pd, err := os.MkdirTemp("", "posbackup-programdata")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(pd)
	t.Setenv(config.EnvConfig, "")
	t.Setenv("ProgramData", pd)
	src := filepath.Join(pd, "Hypers-!")
	if _, err := demo.Make(src); err != nil {
		t.Fatal(err)
	}
	to := filepath.Join(pd, "backup")
	code, out, errOut := run(t, "job", "set", "nightly", "--source", src, "--variant", "2", "--to", to, "--time", "23:30")
	want := filepath.Join(pd, "posbackup", "posbackup.toml")
	if code != 0 || !strings.Contains(out, want) || !config.FileExists(want) {
		t.Fatalf("job set without --config: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = run(t, "job", "list")
	if code != 0 || !strings.Contains(out, "nightly") {
		t.Errorf("job list reads %s: exit %d\n%s%s", want, code, out, errOut)
	}
}
