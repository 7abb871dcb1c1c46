package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/posbackup/posbackup/internal/runlock"
)

// TestManualBackupWaitsForTheService: a backup started by hand with the
// service's config does not run while the service's backup holds the run
// lock, and says so plainly; once the lock is free it runs.
func TestManualBackupWaitsForTheService(t *testing.T) {
	src := demoInstall(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "posbackup.toml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("source = %q\nvariant = 1\nto = %q\n", src, filepath.Join(dir, "out"))), 0o600)
	unlock, err := runlock.TryLock(filepath.Join(dir, "posbackup-state", runlock.FileName))
	if err != nil {
		t.Fatal(err)
	}
	code, _, errOut := run(t, "backup", "--config", cfg)
	if code != 1 || !strings.Contains(errOut, "Another backup is running on this computer") || !strings.Contains(errOut, fmt.Sprint(os.Getpid())) {
		t.Errorf("while the lock is held: exit %d\n%s", code, errOut)
	}
	if ents, _ := os.ReadDir(filepath.Join(dir, "out")); len(ents) != 0 {
		t.Errorf("the refused backup wrote %d files", len(ents))
	}
	unlock()
	if code, out, errOut := run(t, "backup", "--config", cfg); code != 0 {
		t.Errorf("after the lock is free: exit %d\n%s%s", code, out, errOut)
	}
}
