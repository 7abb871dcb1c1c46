//go:build windows

package testsrv

import "testing"

// FTPServer is a running vsftpd (not available on Windows).
type FTPServer struct {
	Impl, Mode, Host, Addr, User, Password, Root, Fingerprint, CertFile string
	Port, PID                                                           int
}

// SSHServer is a running sshd (not available on Windows).
type SSHServer struct {
	Impl, Host, Addr, User, Password, Root, KeyFile, KeyFileEncrypted, KeyPassphrase string
	HostKeyFingerprint, KnownHostsFile                                               string
	Port, PID                                                                        int
}

// StartFTP skips: the test servers run on Linux only.
func StartFTP(t testing.TB, mode string) *FTPServer {
	Unavailable(t, "vsftpd test servers run on Linux only")
	return nil
}

// StartSSH skips: the test servers run on Linux only.
func StartSSH(t testing.TB) *SSHServer {
	Unavailable(t, "sshd test servers run on Linux only")
	return nil
}

// FreePort is not needed on Windows.
func FreePort(t testing.TB) int { Unavailable(t, "Linux only"); return 0 }

// Chown does nothing on Windows.
func Chown(t testing.TB, path string) {}

// MailServer is a running mailpit (not available on Windows).
type MailServer struct {
	Host     string
	SMTPPort int
	API      string
	PID      int
}

// Mail is one received message.
type Mail struct {
	ID      string
	Subject string
	To      []struct{ Address string }
	Snippet string
}

// StartMailpit skips: the test servers run on Linux only.
func StartMailpit(t testing.TB) *MailServer {
	Unavailable(t, "mailpit test servers run on Linux only")
	return nil
}

// Messages is never reached on Windows.
func (s *MailServer) Messages(t testing.TB) []Mail { return nil }

// Text is never reached on Windows.
func (s *MailServer) Text(t testing.TB, id string) string { return "" }

// StartProFTPD skips: the test servers run on Linux only.
func StartProFTPD(t testing.TB, mode string, extra ...string) *FTPServer {
	Unavailable(t, "ProFTPD test servers run on Linux only")
	return nil
}

// StartProFTPDSFTP skips: the test servers run on Linux only.
func StartProFTPDSFTP(t testing.TB) *SSHServer {
	Unavailable(t, "ProFTPD test servers run on Linux only")
	return nil
}

// StartPureFTPd skips: the test servers run on Linux only.
func StartPureFTPd(t testing.TB, mode string, flags ...string) *FTPServer {
	Unavailable(t, "Pure-FTPd test servers run on Linux only")
	return nil
}

// StartFtpSrv skips: the test servers run on Linux only.
func StartFtpSrv(t testing.TB, mode string) *FTPServer {
	Unavailable(t, "ftp-srv test servers run on Linux only")
	return nil
}

// StartPyFTPd skips: the test servers run on Linux only.
func StartPyFTPd(t testing.TB, mode string) *FTPServer {
	Unavailable(t, "pyftpdlib test servers run on Linux only")
	return nil
}

// FullFolder skips: the test servers run on Linux only.
func FullFolder(t testing.TB, root, name string) {
	Unavailable(t, "the test servers run on Linux only")
}
