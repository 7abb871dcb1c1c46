//go:build !windows

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/posbackup/posbackup/internal/testsrv"
)

// TestServerArchiveDownloadsIntoTempDir: verify, info and restore download
// a server's archive into the config's temp_dir, not the system's temp
// folder (which here does not exist); a temp_dir that does not exist is
// named in a plain error.
func TestServerArchiveDownloadsIntoTempDir(t *testing.T) {
	ssh := testsrv.StartSSH(t)
	src := demoInstall(t)
	tempDir, target, cfgDir := t.TempDir(), t.TempDir(), t.TempDir()
	cfg := filepath.Join(cfgDir, "posbackup.toml")
	if err := os.WriteFile(cfg, []byte("temp_dir = '"+tempDir+"'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	to := "sftp://" + ssh.Addr + "/temp"
	access := []string{"--config", cfg, "--user", ssh.User, "--key", ssh.KeyFile, "--known-hosts", ssh.KnownHostsFile}
	call := func(args ...string) (int, string) {
		code, out, errOut := run(t, append(args, access...)...)
		return code, out + errOut
	}
	if code, out := call("backup", "--source", src, "--variant", "2", "--to", to, "--name", "tmp"); code != 0 {
		t.Fatalf("backup: exit %d\n%s", code, out)
	}
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "no-such-folder")) // os.TempDir()
	if code, out := call("verify", "tmp.zip", "--to", to); code != 0 || !strings.Contains(out, "intact") {
		t.Errorf("verify with temp_dir set: exit %d\n%s", code, out)
	}
	if code, out := call("info", to+"/tmp.zip"); code != 0 || !strings.Contains(out, "26.4.1") {
		t.Errorf("info by URL with temp_dir set: exit %d\n%s", code, out)
	}
	if code, out := call("restore", "tmp.zip", "--to", to, "--target", target, "--only", "master"); code != 0 {
		t.Errorf("restore with temp_dir set: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(target, "Daten", "Global", "system.cfg")); err != nil {
		t.Errorf("not restored: %v", err)
	}
	if ents, _ := os.ReadDir(tempDir); len(ents) != 0 {
		t.Errorf("the downloads were left in temp_dir: %v", ents)
	}

	missing := filepath.Join(tempDir, "gone")
	os.WriteFile(cfg, []byte("temp_dir = '"+missing+"'\n"), 0o644)
	code, out := call("verify", "tmp.zip", "--to", to)
	if code == 0 || !strings.Contains(out, "temporary folder "+missing+" cannot be used for the download of tmp.zip") || !strings.Contains(out, "temp_dir") {
		t.Errorf("verify with a missing temp_dir: exit %d\n%s", code, out)
	}
}
