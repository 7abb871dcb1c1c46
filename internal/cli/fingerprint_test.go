//go:build !windows

package cli

import (
	"regexp"
	"strings"
	"testing"

	"github.com/posbackup/posbackup/internal/testsrv"
)

// A fingerprint copied from the refusal message with the punctuation after
// it is accepted, not reported as a changed certificate; the message puts
// no punctuation against the fingerprint; test-access says its failure once.
func TestFingerprintAsCopied(t *testing.T) {
	s := testsrv.StartFTP(t, "ftpes")
	t.Setenv("POSBACKUP_PASSWORD", testsrv.Password)
	to := "ftpes://" + s.Addr + "/x"
	code, out, errOut := run(t, "test-access", "--to", to, "--user", s.User)
	if code != 1 || !strings.Contains(out+errOut, s.Fingerprint) {
		t.Fatalf("unpinned self-signed certificate: exit %d\n%s%s", code, out, errOut)
	}
	if n := strings.Count(out+errOut, s.Fingerprint); n != 1 && n != 2 {
		t.Errorf("the fingerprint appears %d times:\n%s%s", n, out, errOut)
	}
	if glued := regexp.MustCompile(regexp.QuoteMeta(s.Fingerprint) + `[^\s]`).FindString(out + errOut); glued != "" {
		t.Errorf("punctuation glued onto the fingerprint (%q):\n%s%s", glued, out, errOut)
	}
	if strings.Count(out+errOut, "not trusted") != 1 {
		t.Errorf("test-access prints its failure more than once:\nstdout:\n%s\nstderr:\n%s", out, errOut)
	}
	for _, pin := range []string{s.Fingerprint + ":", s.Fingerprint + ".", " " + s.Fingerprint + ". "} {
		code, out, errOut = run(t, "test-access", "--to", to, "--user", s.User, "--fingerprint", pin)
		if code != 0 || strings.Contains(out+errOut, "CHANGED") {
			t.Errorf("--fingerprint %q: exit %d\n%s%s", pin, code, out, errOut)
		}
	}
	code, out, errOut = run(t, "test-access", "--to", to, "--user", s.User, "--fingerprint", "SHA256:abc")
	if code == 0 || !strings.Contains(out+errOut, "not a fingerprint") || strings.Contains(out+errOut, "CHANGED") {
		t.Errorf("--fingerprint SHA256:abc: exit %d\n%s%s", code, out, errOut)
	}
}

func TestHostKeyFingerprintAsCopied(t *testing.T) {
	s := testsrv.StartSSH(t)
	t.Setenv("POSBACKUP_PASSWORD", testsrv.Password)
	t.Setenv("HOME", t.TempDir()) // no known_hosts of the user running the tests
	to := "sftp://" + s.Addr + "/x"
	code, out, errOut := run(t, "test-access", "--to", to, "--user", s.User)
	if code != 1 || !strings.Contains(out+errOut, s.HostKeyFingerprint) {
		t.Fatalf("unknown host key: exit %d\n%s%s", code, out, errOut)
	}
	if glued := regexp.MustCompile(regexp.QuoteMeta(s.HostKeyFingerprint) + `[^\s]`).FindString(out + errOut); glued != "" {
		t.Errorf("punctuation glued onto the fingerprint (%q):\n%s%s", glued, out, errOut)
	}
	code, out, errOut = run(t, "test-access", "--to", to, "--user", s.User, "--fingerprint", s.HostKeyFingerprint+":")
	if code != 0 {
		t.Errorf("--fingerprint with ':': exit %d\n%s%s", code, out, errOut)
	}
}
