package open

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/testsrv"
)

func names(steps []Step) string {
	var b strings.Builder
	for _, s := range steps {
		mark := "ok"
		if !s.OK {
			mark = "FAIL"
		}
		b.WriteString(s.Name + ":" + mark + " ")
	}
	return strings.TrimSpace(b.String())
}

func lastStep(t *testing.T, steps []Step) Step {
	t.Helper()
	for _, s := range steps {
		t.Logf("%-16s ok=%-5v %s", s.Name, s.OK, s.Message)
	}
	return steps[len(steps)-1]
}

// expectSteps checks that the steps ran up to failName (which failed, its
// message containing parts), or all passed when failName is "".
func expectSteps(t *testing.T, steps []Step, failName string, parts ...string) {
	t.Helper()
	last := lastStep(t, steps)
	for i, s := range steps[:len(steps)-1] {
		if !s.OK {
			t.Fatalf("step %d %s failed but was not the last: %s", i, s.Name, names(steps))
		}
	}
	if failName == "" {
		if !last.OK || last.Name != StepDelete {
			t.Fatalf("want all steps OK, got %s", names(steps))
		}
		if !strings.Contains(names(steps), StepReplace+":ok") {
			t.Fatalf("no rename over an existing file was tried: %s", names(steps))
		}
		return
	}
	if last.OK || last.Name != failName {
		t.Fatalf("want %s to fail, got %s", failName, names(steps))
	}
	for _, p := range parts {
		if !strings.Contains(last.Message, p) {
			t.Fatalf("message %q does not contain %q", last.Message, p)
		}
	}
	if strings.Contains(last.Message, testsrv.Password) {
		t.Fatal("message shows the password")
	}
}

func TestAccessFolder(t *testing.T) {
	dir := t.TempDir()
	spec, _ := Parse(filepath.Join(dir, "backup"))
	expectSteps(t, TestAccess(context.Background(), spec, Options{}), "")
	if ents, err := os.ReadDir(filepath.Join(dir, "backup")); err != nil || len(ents) != 0 {
		t.Fatalf("TestAccess left %v in the folder (%v)", ents, err)
	}
	if os.Geteuid() != 0 {
		ro := filepath.Join(dir, "ro")
		os.Mkdir(ro, 0o555)
		spec, _ = Parse(ro)
		expectSteps(t, TestAccess(context.Background(), spec, Options{}), StepWrite)
	}
}

func TestAccessFTP(t *testing.T) {
	for _, mode := range []string{"ftp", "ftpes", "ftps"} {
		t.Run(mode, func(t *testing.T) {
			s := testsrv.StartFTP(t, mode)
			url := mode + "://" + s.User + "@" + s.Addr + "/betrieb1"
			spec, err := Parse(url)
			if err != nil {
				t.Fatal(err)
			}
			opts := Options{Password: s.Password, Fingerprint: s.Fingerprint}
			ctx := context.Background()
			t.Run("OK", func(t *testing.T) {
				steps := TestAccess(ctx, spec, opts)
				expectSteps(t, steps, "")
				if mode != "ftp" && steps[2].Name != StepTLS {
					t.Fatalf("no TLS step: %s", names(steps))
				}
				if mode != "ftp" && !strings.Contains(steps[2].Message, "matches the pinned fingerprint") {
					t.Fatalf("the TLS step of a pinned certificate says %q", steps[2].Message)
				}
			})
			t.Run("WrongPassword", func(t *testing.T) {
				if mode != "ftpes" && testing.Short() {
					t.Skip("slow (the server delays a refused login)")
				}
				o := opts
				o.Password = "wrong"
				expectSteps(t, TestAccess(ctx, spec, o), StepLogin, "refused the login", s.User)
			})
			t.Run("ReadOnly", func(t *testing.T) {
				ro := filepath.Join(s.Root, "ro")
				os.Mkdir(ro, 0o555)
				testsrv.Chown(t, ro)
				sp := spec
				sp.Folder = "ro"
				expectSteps(t, TestAccess(ctx, sp, opts), StepWrite, "not writable")
			})
			t.Run("FolderNotCreatable", func(t *testing.T) {
				ro := filepath.Join(s.Root, "ro3")
				os.Mkdir(ro, 0o555)
				testsrv.Chown(t, ro)
				sp := spec
				sp.Folder = "ro3/sub"
				expectSteps(t, TestAccess(ctx, sp, opts), StepFolder, "could not be created")
			})
			if mode != "ftp" {
				t.Run("SelfSigned", func(t *testing.T) {
					o := opts
					o.Fingerprint = ""
					expectSteps(t, TestAccess(ctx, spec, o), StepTLS, s.Fingerprint)
				})
			}
		})
	}
}

func TestAccessSFTP(t *testing.T) {
	s := testsrv.StartSSH(t)
	spec, err := Parse("sftp://" + s.User + "@" + s.Addr + "/betrieb1")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	opts := Options{Password: s.Password, Fingerprint: s.HostKeyFingerprint}
	t.Run("Password", func(t *testing.T) { expectSteps(t, TestAccess(ctx, spec, opts), "") })
	t.Run("Key", func(t *testing.T) {
		expectSteps(t, TestAccess(ctx, spec, Options{KeyFile: s.KeyFile, KnownHosts: s.KnownHostsFile}), "")
	})
	t.Run("UnknownHostKey", func(t *testing.T) {
		o := opts
		o.Fingerprint = ""
		o.KnownHosts = filepath.Join(t.TempDir(), "empty")
		os.WriteFile(o.KnownHosts, nil, 0o600)
		expectSteps(t, TestAccess(ctx, spec, o), StepHostKey, s.HostKeyFingerprint)
	})
	t.Run("WrongPassword", func(t *testing.T) {
		o := opts
		o.Password = "wrong"
		expectSteps(t, TestAccess(ctx, spec, o), StepLogin, "refused the login")
	})
	t.Run("PasswordFromEnv", func(t *testing.T) {
		o := opts
		o.Password = ""
		o.Getenv = func(k string) string {
			if k == PasswordEnv {
				return s.Password
			}
			return ""
		}
		expectSteps(t, TestAccess(ctx, spec, o), "")
	})
}

func TestAccessNetworkErrors(t *testing.T) {
	ctx := context.Background()
	spec, _ := Parse("ftpes://user@no-such-host.invalid/x")
	expectSteps(t, TestAccess(ctx, spec, Options{Password: "pw"}), StepLookup, "no-such-host.invalid", "not found")
	port := testsrv.FreePort(t)
	spec, _ = Parse("sftp://user@127.0.0.1:" + strconv.Itoa(port) + "/x")
	expectSteps(t, TestAccess(ctx, spec, Options{Password: "pw"}), StepConnect, "refused the connection")
}

// TestJobFlow runs the job's Put(tmp) -> Rename(tmp, final) on every server
// kind through Open, replacing an older backup.
func TestJobFlow(t *testing.T) {
	ftpS := testsrv.StartFTP(t, "ftpes")
	sshS := testsrv.StartSSH(t)
	cases := []struct {
		url  string
		opts Options
	}{
		{"ftpes://" + ftpS.User + "@" + ftpS.Addr + "/job", Options{Password: ftpS.Password, Fingerprint: ftpS.Fingerprint}},
		{"sftp://" + sshS.User + "@" + sshS.Addr + "/job", Options{KeyFile: sshS.KeyFile, Fingerprint: sshS.HostKeyFingerprint}},
		{filepath.Join(t.TempDir(), "job"), Options{}},
	}
	for _, c := range cases {
		spec, err := Parse(c.url)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		d, warns, err := Open(ctx, spec, c.opts)
		if err != nil {
			t.Fatalf("%s: %v", c.url, err)
		}
		for _, gen := range []string{"old", "new"} {
			data := bytes.Repeat([]byte(gen), 100_000)
			tmp := dest.TempPrefix + "M001_Montag.zip"
			if _, err := d.Put(ctx, tmp, bytes.NewReader(data)); err != nil {
				t.Fatal(err)
			}
			if err := d.Rename(ctx, tmp, "M001_Montag.zip"); err != nil {
				t.Fatal(err)
			}
			rc, err := d.Open(ctx, "M001_Montag.zip", 0)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(rc)
			rc.Close()
			if !bytes.Equal(got, data) {
				t.Fatalf("%s: %s generation differs", d, gen)
			}
		}
		t.Logf("%s ok (warnings %q)", d, warns)
		d.Close()
	}
}
