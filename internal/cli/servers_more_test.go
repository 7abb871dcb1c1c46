//go:build !windows

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/posbackup/posbackup/internal/testsrv"
)

// otherServerCases are the servers NAS boxes ship next to vsftpd and
// OpenSSH: ProFTPD (FTP, explicit and implicit TLS, mod_sftp) and Pure-FTPd
// (FTP, explicit TLS), pyftpdlib and ftp-srv (FTP, explicit TLS).
func otherServerCases(t *testing.T) []serverCase {
	var cs []serverCase
	ftpCase := func(name string, s *testsrv.FTPServer) {
		fl := []string{"--user", s.User}
		if s.Mode != "ftp" {
			fl = append(fl, "--fingerprint", s.Fingerprint)
		}
		cs = append(cs, serverCase{name, s.Mode + "://" + s.Addr + "/betrieb1", fl, filepath.Join(s.Root, "betrieb1")})
	}
	for _, mode := range []string{"ftp", "ftpes", "ftps"} {
		ftpCase("proftpd-"+mode, testsrv.StartProFTPD(t, mode))
	}
	for _, mode := range []string{"ftp", "ftpes"} {
		ftpCase("pure-ftpd-"+mode, testsrv.StartPureFTPd(t, mode))
	}
	for _, mode := range []string{"ftp", "ftpes"} {
		ftpCase("pyftpdlib-"+mode, testsrv.StartPyFTPd(t, mode))
	}
	for _, mode := range []string{"ftp", "ftpes"} {
		ftpCase("ftp-srv-"+mode, testsrv.StartFtpSrv(t, mode))
	}
	// -x: the server refuses names beginning with a dot.
	ftpCase("pure-ftpd-ftpes-x", testsrv.StartPureFTPd(t, "ftpes", "-x"))
	ssh := testsrv.StartProFTPDSFTP(t)
	cs = append(cs,
		serverCase{"proftpd-sftp-password", "sftp://" + ssh.Addr + "/betrieb1", []string{"--user", ssh.User, "--fingerprint", ssh.HostKeyFingerprint}, filepath.Join(ssh.Root, "betrieb1")},
		serverCase{"proftpd-sftp-key", "sftp://" + ssh.Addr + "/schluessel", []string{"--user", ssh.User, "--key", ssh.KeyFile, "--known-hosts", ssh.KnownHostsFile}, filepath.Join(ssh.Root, "schluessel")},
	)
	t.Setenv("POSBACKUP_PASSWORD", testsrv.Password)
	return cs
}

// TestOtherServersEndToEnd: backup, list, verify, info and restore through
// the command line against ProFTPD and Pure-FTPd.
func TestOtherServersEndToEnd(t *testing.T) {
	src := demoInstall(t)
	for _, c := range otherServerCases(t) {
		t.Run(c.name, func(t *testing.T) { serverEndToEnd(t, src, c) })
	}
}

// TestReadingDoesNotCreateFolder: list, info, verify and restore of a folder
// that does not exist on the server say so and leave the server unchanged;
// only a backup creates the folder.
func TestReadingDoesNotCreateFolder(t *testing.T) {
	var cs []serverCase
	s := testsrv.StartFTP(t, "ftpes")
	cs = append(cs, serverCase{"vsftpd-ftpes", "ftpes://" + s.Addr + "/gibt-es-nicht", []string{"--user", s.User, "--fingerprint", s.Fingerprint}, filepath.Join(s.Root, "gibt-es-nicht")})
	ssh := testsrv.StartSSH(t)
	cs = append(cs, serverCase{"openssh", "sftp://" + ssh.Addr + "/gibt-es-nicht", []string{"--user", ssh.User, "--fingerprint", ssh.HostKeyFingerprint}, filepath.Join(ssh.Root, "gibt-es-nicht")})
	t.Setenv("POSBACKUP_PASSWORD", testsrv.Password)
	for _, c := range cs {
		t.Run(c.name, func(t *testing.T) {
			for _, args := range [][]string{
				{"list", "--to", c.url},
				{"info", "M001_03.zip", "--to", c.url},
				{"verify", c.url + "/M001_03.zip"},
				{"restore", "M001_03.zip", "--to", c.url, "--target", t.TempDir()},
				{"restore", c.url + "/M001_03.zip", "--target", t.TempDir()},
			} {
				code, out, errOut := run(t, append(args, c.flags...)...)
				if code == 0 || !strings.Contains(out+errOut, "gibt-es-nicht is missing on") {
					t.Errorf("%s: exit %d, want the missing folder named\n%s%s", args[0], code, out, errOut)
				}
				if _, err := os.Stat(c.root); err == nil {
					t.Fatalf("%s created the folder %s on the server", args[0], c.root)
				}
			}
		})
	}
}
