//go:build windows

package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Windows only (built in CI, run on Windows): secrets written by set-secret
// and by SetJob are protected with DPAPI, the file is readable by its
// owner, SYSTEM and Administrators only, and Load gives the secrets back.
func TestSecretsProtectedOnWindows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "posbackup.toml")
	if err := SetSecret(path, "password", "Geheim-1"); err != nil {
		t.Fatal(err)
	}
	if err := SetJob(path, "nightly", &Job{Backup: Backup{ArchivePassword: "Archiv-Geheim-2"}, Time: "23:30"}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if strings.Contains(string(b), "Geheim-1") || strings.Contains(string(b), "Archiv-Geheim-2") || strings.Count(string(b), dpapiPrefix) != 2 {
		t.Errorf("secrets stored in the clear:\n%s", b)
	}
	if othersCanRead(path) {
		t.Errorf("other users can read %s", path)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.Password != "Geheim-1" || c.Jobs["nightly"].ArchivePassword != "Archiv-Geheim-2" || len(c.Warnings()) != 0 {
		t.Errorf("loaded %q %q, warnings %v", c.Password, c.Jobs["nightly"].ArchivePassword, c.Warnings())
	}
}
