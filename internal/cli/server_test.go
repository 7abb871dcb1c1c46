//go:build !windows

package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/posbackup/posbackup/internal/testsrv"
	"github.com/posbackup/posbackup/internal/testutil"
)

type serverCase struct {
	name  string
	url   string   // destination folder URL
	flags []string // access flags (never the password)
	root  string   // the server folder on disk
}

func serverCases(t *testing.T) []serverCase {
	var cs []serverCase
	for _, mode := range []string{"ftp", "ftpes", "ftps"} {
		s := testsrv.StartFTP(t, mode)
		fl := []string{"--user", s.User}
		if mode != "ftp" {
			fl = append(fl, "--fingerprint", s.Fingerprint)
		}
		cs = append(cs, serverCase{mode, mode + "://" + s.Addr + "/betrieb1", fl, filepath.Join(s.Root, "betrieb1")})
	}
	ssh := testsrv.StartSSH(t)
	cs = append(cs,
		serverCase{"sftp-password", "sftp://" + ssh.Addr + "/betrieb1", []string{"--user", ssh.User, "--fingerprint", ssh.HostKeyFingerprint}, filepath.Join(ssh.Root, "betrieb1")},
		serverCase{"sftp-key", ssh.Addr + "/schluessel", []string{"--protocol", "sftp", "--user", ssh.User, "--key", ssh.KeyFile, "--known-hosts", ssh.KnownHostsFile}, filepath.Join(ssh.Root, "schluessel")},
	)
	t.Setenv("POSBACKUP_PASSWORD", testsrv.Password)
	return cs
}

// TestServersEndToEnd backs up to each kind of server, lists, checks,
// inspects and restores from it through the command line, and checks that
// the password appears in no output.
func TestServersEndToEnd(t *testing.T) {
	src := demoInstall(t)
	for _, c := range serverCases(t) {
		t.Run(c.name, func(t *testing.T) { serverEndToEnd(t, src, c) })
	}
}

// serverEndToEnd backs up src to c, lists, checks, inspects and restores.
func serverEndToEnd(t *testing.T, src string, c serverCase) {
	call, _ := caller(t, c)
	code, out := call("test-access", "--to", c.url)
	if code != 0 || !strings.Contains(out, "OK:") {
		t.Fatalf("test-access: exit %d\n%s", code, out)
	}
	serverRoundTrip(t, src, c)
}

// serverRoundTrip backs up src to c, lists, checks, inspects and restores.
func serverRoundTrip(t *testing.T, src string, c serverCase) {
	call, stdout := caller(t, c)
	code, out := call("backup", "--source", src, "--variant", "3", "--to", c.url, "--name", "{client}_{variant}", "--json")
	if code != 0 || !strings.Contains(out, `"verified": true`) {
		t.Fatalf("backup: exit %d\n%s", code, out)
	}
	onServer := filepath.Join(c.root, "M001-M002_03.zip")
	testutil.CheckWithTools(t, onServer)
	ents, _ := os.ReadDir(c.root)
	if len(ents) != 1 {
		t.Errorf("the server folder holds %d files, want only the archive", len(ents))
	}
	code, out = call("list", "--to", c.url, "--json")
	var list []map[string]any
	if code != 0 || json.Unmarshal([]byte(*stdout), &list) != nil || len(list) != 1 || list[0]["variant"] != "03" {
		t.Errorf("list: exit %d\n%s", code, out)
	}
	if code, out = call("verify", strings.TrimSuffix(withScheme(c), "/")+"/M001-M002_03.zip"); code != 0 || !strings.Contains(out, "intact") {
		t.Errorf("verify by URL: exit %d\n%s", code, out)
	}
	if code, out = call("info", "M001-M002_03.zip", "--to", c.url); code != 0 || !strings.Contains(out, "26.4.1") {
		t.Errorf("info by name at --to: exit %d\n%s", code, out)
	}
	target := t.TempDir()
	if code, out = call("restore", "M001-M002_03.zip", "--to", c.url, "--target", target, "--only", "client:2"); code != 0 {
		t.Errorf("restore: exit %d\n%s", code, out)
	}
	want, _ := os.ReadFile(filepath.Join(src, "Daten", "M002", "Stamm", "Bäckerei Grüße.txt"))
	if got, err := os.ReadFile(filepath.Join(target, "Daten", "M002", "Stamm", "Bäckerei Grüße.txt")); err != nil || string(got) != string(want) {
		t.Errorf("restored file: %v", err)
	}
}

// caller returns a function that runs posbackup with args and c's flags and
// returns its exit code and output, and where the last call's standard
// output is; at the end of the test it checks that the password appeared
// in no output.
func caller(t *testing.T, c serverCase) (func(args ...string) (int, string), *string) {
	var outputs []string
	stdout := new(string)
	t.Cleanup(func() {
		for _, o := range outputs {
			if strings.Contains(o, testsrv.Password) {
				t.Errorf("the password appears in the output:\n%s", o)
			}
		}
	})
	return func(args ...string) (int, string) {
		code, out, errOut := run(t, append(args, c.flags...)...)
		outputs = append(outputs, out, errOut)
		*stdout = out
		return code, out + errOut
	}, stdout
}

// withScheme turns the sftp-key case's "host/folder" into a URL.
func withScheme(c serverCase) string {
	if strings.Contains(c.url, "://") {
		return c.url
	}
	return "sftp://" + c.url
}

func TestServerErrorsArePlain(t *testing.T) {
	s := testsrv.StartFTP(t, "ftpes")
	t.Setenv("POSBACKUP_PASSWORD", "wrong-"+testsrv.Password)
	code, out, errOut := run(t, "test-access", "--to", "ftpes://"+s.Addr+"/x", "--user", s.User, "--fingerprint", s.Fingerprint)
	if code != 1 || !strings.Contains(strings.ToLower(out+errOut), "login") || strings.Contains(out+errOut, testsrv.Password) {
		t.Errorf("wrong password: exit %d\n%s%s", code, out, errOut)
	}
	t.Setenv("POSBACKUP_PASSWORD", testsrv.Password)
	// A self-signed certificate is refused, showing its fingerprint to pin.
	code, out, errOut = run(t, "backup", "--source", demoInstall(t), "--variant", "1", "--to", "ftpes://"+s.Addr+"/x", "--user", s.User)
	if code != 1 || !strings.Contains(errOut, s.Fingerprint) || !strings.Contains(errOut, "BACKUP FAILED") {
		t.Errorf("self-signed certificate: exit %d\n%s%s", code, out, errOut)
	}
}
