// Package testsrv starts real FTP (vsftpd) and SFTP (OpenSSH sshd) servers on
// 127.0.0.1 for tests. Servers run as child processes on free ports and are
// stopped by their process id in t.Cleanup.
//
// When a server binary or root rights are missing, the test is skipped with
// the reason, so `go test` works on a developer laptop; when the environment
// variable CI is "true" the test fails instead, so a broken CI setup cannot
// hide behind skipped tests. .ci/servers.sh installs what is needed.
package testsrv

import (
	"crypto/sha256"
	"encoding/base64"
	"os"
	"strings"
	"testing"
)

// User is the local system account the servers log in. Its password is
// Password; both are set up (useradd, chpasswd) on first use.
const (
	User     = "posbackup-test"
	Password = "Pb-test-9f3c!x"
)

// Unavailable skips the test with reason, or fails it under CI=true.
func Unavailable(t testing.TB, reason string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("test server not available (CI=true, so this fails instead of skipping): %s; run .ci/servers.sh as root", reason)
	}
	t.Skipf("test server not available: %s (run .ci/servers.sh as root)", reason)
}

// Fingerprint returns the OpenSSH-style fingerprint "SHA256:<base64>" of der.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
}

// ExpectErr fails t unless err is an error whose message contains every
// one of parts and not the test password; it logs the message.
func ExpectErr(t testing.TB, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Fatalf("error %q does not contain %q", err, p)
		}
	}
	if strings.Contains(err.Error(), Password) {
		t.Fatalf("error shows the password: %q", err)
	}
	t.Logf("message: %s", err)
}
