//go:build !windows

package testsrv

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// FTPServers is where .ci/ftpservers.sh unpacks ProFTPD and Pure-FTPd
// (their Debian packages conflict with vsftpd, so they are not installed).
func FTPServers() string {
	if d := os.Getenv("POSBACKUP_FTPSERVERS"); d != "" {
		return d
	}
	return "/opt/posbackup-test/ftpservers"
}

// unpacked returns the command for a binary under FTPServers, with the
// unpacked libraries on LD_LIBRARY_PATH, or skips (fails under CI=true).
func unpacked(t testing.TB, rel string, args ...string) *exec.Cmd {
	t.Helper()
	dir := FTPServers()
	bin := filepath.Join(dir, rel)
	if _, err := os.Stat(filepath.Join(dir, ".complete")); err != nil {
		Unavailable(t, bin+" is not unpacked (run .ci/ftpservers.sh as root)")
	}
	needBinary(t, bin)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "LD_LIBRARY_PATH="+filepath.Join(dir, "usr/lib/x86_64-linux-gnu"))
	return cmd
}

// makeCert writes a self-signed certificate for 127.0.0.1 and localhost
// into dir and returns the PEM files and the certificate's fingerprint.
func makeCert(t testing.TB, dir string) (cert, key, fingerprint string) {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		Unavailable(t, "openssl is not installed")
	}
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	out, err := exec.Command("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
		"-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost").CombinedOutput()
	if err != nil {
		t.Fatalf("openssl: %v: %s", err, out)
	}
	pemBytes, _ := os.ReadFile(cert)
	blk, _ := pem.Decode(pemBytes)
	if blk == nil {
		t.Fatal("openssl wrote no certificate")
	}
	if _, err := x509.ParseCertificate(blk.Bytes); err != nil {
		t.Fatal(err)
	}
	return cert, key, Fingerprint(blk.Bytes)
}

// proftpdBase is the part of a ProFTPD config every mode shares: a
// standalone server on 127.0.0.1:port that logs the test user in with its
// system password, chrooted to root.
func proftpdBase(dir, root string, port, pasv int) string {
	mods := filepath.Join(FTPServers(), "usr/lib/proftpd")
	return fmt.Sprintf(`ServerType standalone
ServerName "posbackup test ProFTPD"
UseIPv6 off
DefaultAddress 127.0.0.1
SocketBindTight on
Port %d
User nobody
Group nogroup
PidFile %[2]s/proftpd.pid
ScoreboardFile %[2]s/proftpd.scoreboard
DelayTable none
WtmpLog off
UseReverseDNS off
AuthOrder mod_auth_unix.c
RequireValidShell off
ModulePath %[3]s
LoadModule mod_tls.c
LoadModule mod_sftp.c
DefaultRoot %[4]s
PassivePorts %[5]d %[6]d
Umask 022
MaxInstances 200
TransferLog none
SystemLog %[2]s/proftpd.log
<Limit LOGIN>
  AllowUser %[7]s
  DenyAll
</Limit>
`, port, dir, mods, root, pasv, pasv+29, User)
}

// StartProFTPD starts ProFTPD in mode "ftp", "ftpes" (explicit TLS,
// TLSRequired on) or "ftps" (implicit TLS). extra lines are appended to its
// config, so a test can set what NAS boxes ship ("AllowOverwrite off",
// "HiddenStores on", "TLSProtocol TLSv1 TLSv1.1" inside <IfModule mod_tls.c>).
func StartProFTPD(t testing.TB, mode string, extra ...string) *FTPServer {
	t.Helper()
	uid, gid := needRoot(t)
	dir, root := workDir(t, uid, gid)
	unpacked(t, "usr/sbin/proftpd") // skips (fails under CI=true) when ProFTPD is not unpacked
	port := FreePort(t)
	s := &FTPServer{Impl: "proftpd", Mode: mode, Host: "127.0.0.1", Port: port,
		Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), User: User, Password: Password, Root: root}
	cfg := proftpdBase(dir, root, port, freeRange(t, 30))
	if mode != "ftp" {
		cert, key, fp := makeCert(t, dir)
		s.CertFile, s.Fingerprint = cert, fp
		opts := "NoSessionReuseRequired"
		if mode == "ftps" {
			opts += " UseImplicitSSL"
		}
		cfg += fmt.Sprintf(`<IfModule mod_tls.c>
TLSEngine on
TLSRSACertificateFile %s
TLSRSACertificateKeyFile %s
TLSRequired on
TLSOptions %s
TLSLog %s
</IfModule>
`, cert, key, opts, filepath.Join(dir, "tls.log"))
	}
	if !slices.ContainsFunc(extra, func(l string) bool { return strings.HasPrefix(l, "AllowOverwrite ") }) {
		cfg += "AllowOverwrite on\n" // ProFTPD's default is off; most NAS boxes turn it on
	}
	cfg += strings.Join(extra, "\n") + "\n"
	s.PID = runProFTPD(t, "proftpd", dir, cfg, s.Addr)
	return s
}

// runProFTPD writes cfg as ProFTPD's config in dir, starts it in the
// foreground and returns its PID once it accepts connections on addr.
func runProFTPD(t testing.TB, name, dir, cfg, addr string) int {
	t.Helper()
	conf := filepath.Join(dir, "proftpd.conf")
	if err := os.WriteFile(conf, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := unpacked(t, "usr/sbin/proftpd", "-n", "-q", "-c", conf)
	return start(t, name, cmd, filepath.Join(dir, "proftpd.out"), addr)
}

// StartProFTPDSFTP starts ProFTPD's own SFTP implementation (mod_sftp), a
// second one next to OpenSSH, with password and public key login (the keys
// of StartSSH); its start folder is Root (chrooted).
func StartProFTPDSFTP(t testing.TB) *SSHServer {
	t.Helper()
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		Unavailable(t, "ssh-keygen is not installed")
	}
	uid, gid := needRoot(t)
	dir, root := workDir(t, uid, gid)
	unpacked(t, "usr/sbin/proftpd") // skips (fails under CI=true) when ProFTPD is not unpacked
	keygen := func(path, pass string, args ...string) {
		a := append([]string{"-q", "-N", pass, "-C", "posbackup-test", "-f", path}, args...)
		out, err := exec.Command("ssh-keygen", a...).CombinedOutput()
		if err != nil {
			t.Fatalf("ssh-keygen: %v: %s", err, out)
		}
	}
	hostKey := filepath.Join(dir, "host_rsa")
	keygen(hostKey, "", "-t", "rsa", "-b", "2048", "-m", "PEM")
	clientKey := filepath.Join(dir, "client_ed25519")
	keygen(clientKey, "", "-t", "ed25519")
	encKey := filepath.Join(dir, "client_enc_ed25519")
	keygen(encKey, "secret passphrase", "-t", "ed25519")
	// mod_sftp reads authorized keys in RFC 4716 form.
	var auth strings.Builder
	for _, k := range []string{clientKey, encKey} {
		out, err := exec.Command("ssh-keygen", "-e", "-f", k+".pub").Output()
		if err != nil {
			t.Fatalf("ssh-keygen -e: %v", err)
		}
		auth.Write(out)
	}
	authFile := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(authFile, []byte(auth.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	s := newSSHServer(t, "proftpd", dir, root, hostKey, clientKey, encKey)
	port := s.Port
	cfg := proftpdBase(dir, root, port, freeRange(t, 30)) + fmt.Sprintf(`AllowOverwrite on
<IfModule mod_sftp.c>
SFTPEngine on
SFTPHostKey %s
SFTPLog %s
SFTPAuthMethods publickey password
SFTPAuthorizedUserKeys file:%s
</IfModule>
`, hostKey, filepath.Join(dir, "sftp.log"), authFile)
	s.PID = runProFTPD(t, "proftpd (mod_sftp)", dir, cfg, s.Addr)
	return s
}

// StartPureFTPd starts Pure-FTPd in mode "ftp" or "ftpes" (explicit TLS
// required, -Y 2) with the test user as a virtual user chrooted to Root.
// flags are added to its command line, so a test can set what NAS boxes
// ship: "-x" (no dot files written), "-G" (no renames), "-K" (no deletes).
func StartPureFTPd(t testing.TB, mode string, flags ...string) *FTPServer {
	t.Helper()
	if mode == "ftps" {
		t.Fatal("Pure-FTPd offers no implicit TLS")
	}
	uid, gid := needRoot(t)
	dir, root := workDir(t, uid, gid)
	// pure-pw hashes with argon2 at about 4 s per login here; a SHA-512
	// crypt hash (which Pure-FTPd accepts too) keeps the tests fast.
	hash, err := exec.Command("openssl", "passwd", "-6", Password).Output()
	if err != nil {
		Unavailable(t, "openssl passwd: "+err.Error())
	}
	passwd := filepath.Join(dir, "pureftpd.passwd")
	line := fmt.Sprintf("%s:%s:%d:%d::%s/./::::::::::::\n", User, strings.TrimSpace(string(hash)), uid, gid, root)
	if err := os.WriteFile(passwd, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	pw := unpacked(t, "usr/bin/pure-pw", "mkdb", filepath.Join(dir, "pureftpd.pdb"), "-f", passwd)
	if out, err := pw.CombinedOutput(); err != nil {
		t.Fatalf("pure-pw mkdb: %v: %s", err, out)
	}
	port := FreePort(t)
	pasv := freeRange(t, 30)
	s := &FTPServer{Impl: "pure-ftpd", Mode: mode, Host: "127.0.0.1", Port: port,
		Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), User: User, Password: Password, Root: root}
	args := []string{"-S", "127.0.0.1," + strconv.Itoa(port), "-4", "-E", "-D", "-H",
		"-l", "puredb:" + filepath.Join(dir, "pureftpd.pdb"),
		"-p", fmt.Sprintf("%d:%d", pasv, pasv+29), "-P", "127.0.0.1", "-c", "200", "-C", "200"}
	if mode == "ftpes" {
		cert, key, fp := makeCert(t, dir)
		s.CertFile, s.Fingerprint = cert, fp
		args = append(args, "-Y", "2", "-2", cert+","+key)
	}
	args = append(args, flags...)
	cmd := unpacked(t, "usr/sbin/pure-ftpd", args...)
	s.PID = start(t, "pure-ftpd", cmd, filepath.Join(dir, "pure-ftpd.out"), s.Addr)
	return s
}
