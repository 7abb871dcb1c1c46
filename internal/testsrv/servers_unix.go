//go:build !windows

package testsrv

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/posbackup/posbackup/internal/testutil"
)

// FTPServer is a running FTP server: vsftpd, ProFTPD, Pure-FTPd, pyftpdlib
// or ftp-srv.
type FTPServer struct {
	Impl        string // "vsftpd", "proftpd", "pure-ftpd", "pyftpdlib" or "ftp-srv"
	Mode        string // "ftp", "ftpes" (explicit TLS) or "ftps" (implicit TLS)
	Host        string // 127.0.0.1
	Port        int
	Addr        string // host:port
	User        string
	Password    string
	Root        string // the login folder on disk, owned by User
	Fingerprint string // SHA256:... of the server certificate (TLS modes)
	CertFile    string // PEM certificate (TLS modes)
	PID         int
}

// SSHServer is a running SFTP server: OpenSSH sshd or ProFTPD's mod_sftp.
type SSHServer struct {
	Impl               string // "openssh" or "proftpd"
	Host               string
	Port               int
	Addr               string
	User               string
	Password           string
	Root               string // the SFTP start folder on disk, owned by User
	KeyFile            string // the client's private key (no passphrase), authorized
	KeyFileEncrypted   string // the same kind of key protected by KeyPassphrase, authorized
	KeyPassphrase      string
	HostKeyFingerprint string // SHA256:... of the server's host key
	KnownHostsFile     string // a known_hosts file holding the server's host key
	PID                int
}

var setupOnce sync.Once
var setupErr string

// needRoot checks root, creates the test user and sets its password once per
// process. It returns the uid/gid of the user.
func needRoot(t testing.TB) (uid, gid int) {
	t.Helper()
	if os.Geteuid() != 0 {
		Unavailable(t, "the test servers need root (to run vsftpd/sshd and log in a local user)")
	}
	setupOnce.Do(func() { setupErr = setupUser() })
	if setupErr != "" {
		Unavailable(t, setupErr)
	}
	u, err := user.Lookup(User)
	if err != nil {
		Unavailable(t, "user "+User+" missing: "+err.Error())
	}
	uid, _ = strconv.Atoi(u.Uid)
	gid, _ = strconv.Atoi(u.Gid)
	return uid, gid
}

func setupUser() string {
	// Test packages run in parallel processes: serialize with a file lock.
	lock, err := os.OpenFile(filepath.Join(os.TempDir(), "posbackup-testsrv.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return err.Error()
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return err.Error()
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	home := "/var/lib/" + User
	if _, err := user.Lookup(User); err != nil {
		if _, err := exec.LookPath("useradd"); err != nil {
			return "useradd not found"
		}
		out, err := exec.Command("useradd", "-M", "-d", home, "-s", "/bin/bash", User).CombinedOutput()
		if err != nil {
			return "useradd failed: " + strings.TrimSpace(string(out))
		}
	}
	u, err := user.Lookup(User)
	if err != nil {
		return err.Error()
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	os.MkdirAll(home, 0o755)
	os.Chown(home, uid, gid)
	cmd := exec.Command("chpasswd")
	cmd.Stdin = strings.NewReader(User + ":" + Password + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "chpasswd failed: " + strings.TrimSpace(string(out))
	}
	return ""
}

func needBinary(t testing.TB, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		Unavailable(t, path+" is not installed")
	}
}

// workDir makes a world-traversable temp folder removed at cleanup, and in
// it "root", the login folder owned by the test user.
func workDir(t testing.TB, uid, gid int) (dir, root string) {
	t.Helper()
	dir, err := os.MkdirTemp("", "posbackup-srv-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	root = filepath.Join(dir, "root")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(root, uid, gid); err != nil {
		t.Fatal(err)
	}
	return dir, root
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	return freePortOn(t, "127.0.0.1")
}

func freePortOn(t testing.TB, host string) int {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// freeRange finds n consecutive ports free on every one of hosts
// (127.0.0.1 when none is given).
func freeRange(t testing.TB, n int, hosts ...string) int {
	if len(hosts) == 0 {
		hosts = []string{"127.0.0.1"}
	}
	for try := 0; try < 200; try++ {
		base := 20000 + rand.IntN(30000)
		ok := true
		for p := base; p < base+n && ok; p++ {
			for _, h := range hosts {
				l, err := net.Listen("tcp", net.JoinHostPort(h, strconv.Itoa(p)))
				if err != nil {
					ok = false
					break
				}
				l.Close()
			}
		}
		if ok {
			return base
		}
	}
	t.Fatal("no free port range for passive FTP")
	return 0
}

// start runs cmd with stdin/stdout/stderr on logFile and stops it by PID at
// cleanup. It waits until addr accepts connections.
func start(t testing.TB, name string, cmd *exec.Cmd, logFile, addr string) int {
	t.Helper()
	lf, err := os.OpenFile(logFile, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = lf, lf, lf
	if err := cmd.Start(); err != nil {
		lf.Close()
		t.Fatalf("starting %s: %v", name, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	pid := cmd.Process.Pid
	t.Cleanup(func() {
		cmd.Process.Kill() // by PID, only the process we started
		<-exited
		lf.Close()
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case <-exited:
			b, _ := os.ReadFile(logFile)
			t.Fatalf("%s exited at start: %s", name, strings.TrimSpace(string(b)))
		default:
		}
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return pid
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(logFile)
			t.Fatalf("%s does not accept connections on %s: %s", name, addr, strings.TrimSpace(string(b)))
		}
		time.Sleep(30 * time.Millisecond)
	}
}

// StartFTP starts vsftpd in mode "ftp", "ftpes" or "ftps".
func StartFTP(t testing.TB, mode string) *FTPServer {
	t.Helper()
	return startFTP(t, mode, ftpNet{host: "127.0.0.1", pasvPorts: 30})
}

// ftpNet is where vsftpd listens: host for control and passive data
// connections, pasvAddress (when set) the address its PASV replies announce
// instead, and pasvBase (when set) the first of pasvPorts passive ports.
type ftpNet struct {
	host        string
	pasvAddress string
	pasvBase    int
	pasvPorts   int
}

func startFTP(t testing.TB, mode string, nw ftpNet) *FTPServer {
	t.Helper()
	needBinary(t, "/usr/sbin/vsftpd")
	if mode != "ftp" {
		if _, err := exec.LookPath("openssl"); err != nil {
			Unavailable(t, "openssl is not installed")
		}
	}
	uid, gid := needRoot(t)
	dir, root := workDir(t, uid, gid)
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	port := freePortOn(t, nw.host)
	pasv := nw.pasvBase
	if pasv == 0 {
		pasv = freeRange(t, nw.pasvPorts)
	}
	pasvAddress := nw.pasvAddress
	if pasvAddress == "" {
		pasvAddress = nw.host
	}
	s := &FTPServer{Impl: "vsftpd", Mode: mode, Host: nw.host, Port: port, Addr: net.JoinHostPort(nw.host, strconv.Itoa(port)),
		User: User, Password: Password, Root: root}
	cfg := fmt.Sprintf(`listen=YES
listen_ipv6=NO
listen_address=%s
listen_port=%d
background=NO
seccomp_sandbox=NO
anonymous_enable=NO
local_enable=YES
write_enable=YES
local_umask=022
pasv_enable=YES
pasv_address=%s
pasv_min_port=%d
pasv_max_port=%d
connect_from_port_20=NO
secure_chroot_dir=%s
local_root=%s
pam_service_name=vsftpd
xferlog_enable=NO
dirmessage_enable=NO
use_localtime=NO
max_clients=0
max_per_ip=0
`, nw.host, port, pasvAddress, pasv, pasv+nw.pasvPorts-1, empty, root)
	if mode != "ftp" {
		cert, key, fp := makeCert(t, dir)
		s.CertFile = cert
		s.Fingerprint = fp
		cfg += fmt.Sprintf(`ssl_enable=YES
rsa_cert_file=%s
rsa_private_key_file=%s
allow_anon_ssl=NO
force_local_logins_ssl=YES
force_local_data_ssl=YES
require_ssl_reuse=YES
ssl_ciphers=HIGH
`, cert, key)
		if mode == "ftps" {
			cfg += "implicit_ssl=YES\n"
		}
	}
	conf := filepath.Join(dir, "vsftpd.conf")
	if err := os.WriteFile(conf, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	// vsftpd writes its "500 OOPS" reason to fd 0: stdin is the log file.
	s.PID = start(t, "vsftpd", exec.Command("/usr/sbin/vsftpd", conf), filepath.Join(dir, "vsftpd.log"), s.Addr)
	return s
}

// StartSSH starts OpenSSH sshd with password and public key login; its SFTP
// subsystem starts in Root.
func StartSSH(t testing.TB) *SSHServer {
	t.Helper()
	needBinary(t, "/usr/sbin/sshd")
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		Unavailable(t, "ssh-keygen is not installed")
	}
	uid, gid := needRoot(t)
	dir, root := workDir(t, uid, gid)
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
		Unavailable(t, "cannot create /run/sshd: "+err.Error())
	}
	os.Chmod("/run/sshd", 0o755)
	keygen := func(path, pass string) {
		out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", pass, "-C", "posbackup-test", "-f", path).CombinedOutput()
		if err != nil {
			t.Fatalf("ssh-keygen: %v: %s", err, out)
		}
	}
	hostKey := filepath.Join(dir, "host_ed25519")
	keygen(hostKey, "")
	clientKey := filepath.Join(dir, "client_ed25519")
	keygen(clientKey, "")
	encKey := filepath.Join(dir, "client_enc_ed25519")
	keygen(encKey, "secret passphrase")
	var auth bytes.Buffer
	for _, k := range []string{clientKey, encKey} {
		b, err := os.ReadFile(k + ".pub")
		if err != nil {
			t.Fatal(err)
		}
		auth.Write(b)
	}
	authFile := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(authFile, auth.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	s := newSSHServer(t, "openssh", dir, root, hostKey, clientKey, encKey)
	port := s.Port
	cfg := fmt.Sprintf(`Port %d
ListenAddress 127.0.0.1
HostKey %s
PidFile %s
AuthorizedKeysFile %s
StrictModes no
UsePAM no
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin no
AllowUsers %s
MaxStartups 100
MaxSessions 50
Subsystem sftp internal-sftp -d %s
LogLevel VERBOSE
`, port, hostKey, filepath.Join(dir, "sshd.pid"), authFile, User, root)
	conf := filepath.Join(dir, "sshd_config")
	if err := os.WriteFile(conf, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	s.PID = start(t, "sshd", exec.Command("/usr/sbin/sshd", "-D", "-e", "-f", conf), filepath.Join(dir, "sshd.log"), s.Addr)
	return s
}

// Chown gives path (a file or folder created by the test under a server's
// root) to the test user, so the server can write it.
func Chown(t testing.TB, path string) {
	t.Helper()
	u, err := user.Lookup(User)
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(path, uid, gid); err != nil {
		t.Fatal(err)
	}
}

// newSSHServer describes an SSH server of impl about to listen on a free
// port of 127.0.0.1 with the host key hostKey (its .pub beside it): the
// test user, the client keys, the host key's fingerprint and a
// known_hosts file in dir that names it.
func newSSHServer(t testing.TB, impl, dir, root, hostKey, clientKey, encKey string) *SSHServer {
	t.Helper()
	pubBytes, err := os.ReadFile(hostKey + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	hostPub, _, _, _, err := ssh.ParseAuthorizedKey(pubBytes)
	if err != nil {
		t.Fatal(err)
	}
	port := FreePort(t)
	s := &SSHServer{Impl: impl, Host: "127.0.0.1", Port: port, Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		User: User, Password: Password, Root: root, KeyFile: clientKey, KeyFileEncrypted: encKey,
		KeyPassphrase: "secret passphrase", HostKeyFingerprint: ssh.FingerprintSHA256(hostPub)}
	kh := filepath.Join(dir, "known_hosts")
	line := fmt.Sprintf("[127.0.0.1]:%d %s", port, strings.TrimSpace(string(pubBytes)))
	if err := os.WriteFile(kh, []byte(line+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s.KnownHostsFile = kh
	return s
}

// FullFolder mounts a 1 MiB tmpfs at root/name, owned by the test user and
// unmounted at cleanup: a server folder whose disk is full after 1 MiB. It
// skips (fails under CI=true) when the mount is not possible.
func FullFolder(t testing.TB, root, name string) {
	t.Helper()
	full := filepath.Join(root, name)
	os.Mkdir(full, 0o755)
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", full).CombinedOutput(); err != nil {
		testutil.Unavailable(t, "cannot mount a small tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", full).Run() })
	Chown(t, full)
}
