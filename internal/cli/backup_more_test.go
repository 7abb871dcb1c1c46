package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/posbackup/posbackup/internal/runlock"
)

// TestBackupWithoutConfigLocksTheDestination: a backup from the command
// line alone (no config, so no state folder) does not run while another
// backup to the same destination holds its lock, and says so; a backup to
// another destination runs meanwhile, and once the lock is free this one
// runs too.
func TestBackupWithoutConfigLocksTheDestination(t *testing.T) {
	t.Setenv("POSBACKUP_CONFIG", "")
	tmp := t.TempDir() // where the lock files go
	for _, v := range []string{"TMPDIR", "TMP", "TEMP"} {
		t.Setenv(v, tmp)
	}
	src := demoInstall(t)
	dir := t.TempDir()
	out, other := filepath.Join(dir, "out"), filepath.Join(dir, "other")
	path, err := runlock.DestPath(out)
	if err != nil {
		t.Fatal(err)
	}
	unlock, err := runlock.TryLock(path)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	code, _, errOut := run(t, "backup", "--source", src, "--variant", "1", "--to", out)
	if code != 1 || !strings.Contains(errOut, "Another backup is running on this computer") {
		t.Errorf("while a backup to %s holds its lock: exit %d\n%s", out, code, errOut)
	}
	if ents, _ := os.ReadDir(out); len(ents) != 0 {
		t.Errorf("the refused backup wrote %d files", len(ents))
	}
	if code, o, e := run(t, "backup", "--source", src, "--variant", "1", "--to", other); code != 0 {
		t.Errorf("a backup to another destination: exit %d\n%s%s", code, o, e)
	}
	unlock()
	if code, o, e := run(t, "backup", "--source", src, "--variant", "1", "--to", out); code != 0 {
		t.Errorf("after the lock is free: exit %d\n%s%s", code, o, e)
	}
}

// TestBackupWarnsOfTheSameDrive: a backup into a folder on the drive of
// the data says so, on the terminal and in --json (the settings' check,
// prepare.Prepare, not the job).
func TestBackupWarnsOfTheSameDrive(t *testing.T) {
	t.Setenv("POSBACKUP_CONFIG", "")
	src := demoInstall(t)
	to := filepath.Join(t.TempDir(), "out")
	const want = "the backup goes to the same drive as the data (" // t.TempDir is on the drive of the data
	code, out, errOut := run(t, "backup", "--source", src, "--variant", "2", "--to", to)
	if code != 0 || !strings.Contains(out, "warning: "+want+to+")") {
		t.Errorf("exit %d, the output does not warn of the same drive:\n%s%s", code, out, errOut)
	}
	code, out, errOut = run(t, "backup", "--source", src, "--variant", "2", "--to", to, "--json")
	var res struct {
		OK       bool     `json:"ok"`
		Warnings []string `json:"warnings"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != 0 || !res.OK {
		t.Fatalf("--json: exit %d, %v\n%s%s", code, err, out, errOut)
	}
	found := 0
	for _, w := range res.Warnings {
		if strings.HasPrefix(w, want+to+")") {
			found++
		}
	}
	if found != 1 {
		t.Errorf("--json warns of the same drive %d times, want once: %q", found, res.Warnings)
	}
}
