package cli

import (
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
	src := demoInstall(t)
	dir := t.TempDir()
	out, other := filepath.Join(dir, "out"), filepath.Join(dir, "other")
	unlock, err := runlock.TryLock(runlock.DestPath(out))
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
