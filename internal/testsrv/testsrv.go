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
