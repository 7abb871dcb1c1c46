//go:build !windows

package testsrv

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

// pyftpdScript runs pyftpdlib: python3 srv.py PORT PASVMIN ROOT [CERT KEY];
// the login is FTP_USER/FTP_PASS from the environment (not the command
// line, which other users of the machine can read). With CERT and KEY it
// requires explicit TLS on the control and the data connections.
const pyftpdScript = `import os, sys
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.servers import FTPServer
args = sys.argv[1:]
port, pasv, root = int(args[0]), int(args[1]), args[2]
auth = DummyAuthorizer()
auth.add_user(os.environ["FTP_USER"], os.environ["FTP_PASS"], root, perm="elradfmwMT")
if len(args) > 3:
    from pyftpdlib.handlers import TLS_FTPHandler as Handler
    Handler.certfile, Handler.keyfile = args[3], args[4]
    Handler.tls_control_required = True
    Handler.tls_data_required = True
else:
    from pyftpdlib.handlers import FTPHandler as Handler
Handler.authorizer = auth
Handler.passive_ports = range(pasv, pasv + 30)
Handler.masquerade_address = "127.0.0.1"
Handler.banner = "pyftpdlib"
if os.environ.get("PYFTPD_DEBUG"):
    import logging
    logging.basicConfig(level=logging.DEBUG)
srv = FTPServer(("127.0.0.1", port), Handler)
srv.max_cons = 256
srv.serve_forever(handle_exit=True)
`

// StartPyFTPd starts pyftpdlib (Debian's python3-pyftpdlib, which
// .ci/ftpservers.sh installs), a Python FTP server used on small embedded
// boxes, in mode "ftp" or "ftpes" (explicit TLS required; it has no
// implicit TLS). It runs as the test user, its login folder is Root.
// PYFTPD_DEBUG=1 in the environment logs every command and TLS step to
// pyftpdlib.log in its work folder.
func StartPyFTPd(t testing.TB, mode string) *FTPServer {
	t.Helper()
	if mode == "ftps" {
		t.Fatal("pyftpdlib offers no implicit TLS")
	}
	py := "/usr/bin/python3" // Debian's, where python3-pyftpdlib is
	needBinary(t, py)
	if out, err := exec.Command(py, "-c", "import pyftpdlib, OpenSSL").CombinedOutput(); err != nil {
		Unavailable(t, "pyftpdlib is not installed (python3-pyftpdlib, python3-openssl): "+string(out))
	}
	s, dir, args := scripted(t, "pyftpdlib", mode, "srv.py", pyftpdScript)
	uid, gid := needRoot(t)
	cmd := exec.Command(py, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "FTP_USER="+User, "FTP_PASS="+Password)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	s.PID = start(t, "pyftpdlib", cmd, filepath.Join(dir, "pyftpdlib.log"), s.Addr)
	return s
}

// scripted prepares a server that is a script (ftp-srv, pyftpdlib): a work
// folder with the login folder Root and the script in it, a free port, and
// the script's arguments PORT PASVMIN ROOT [CERT KEY] (with the certificate
// in mode ftpes, owned by the test user, whom a server may run as).
func scripted(t testing.TB, impl, mode, name, script string) (s *FTPServer, dir string, args []string) {
	t.Helper()
	uid, gid := needRoot(t)
	dir, root := workDir(t, uid, gid)
	file := filepath.Join(dir, name)
	if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	port := FreePort(t)
	s = &FTPServer{Impl: impl, Mode: mode, Host: "127.0.0.1", Port: port,
		Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), User: User, Password: Password, Root: root}
	args = []string{file, strconv.Itoa(port), strconv.Itoa(freeRange(t, 30)), root}
	if mode == "ftpes" {
		cert, key, fp := makeCert(t, dir)
		s.CertFile, s.Fingerprint = cert, fp
		for _, f := range []string{cert, key} {
			if err := os.Chown(f, uid, gid); err != nil {
				t.Fatal(err)
			}
		}
		args = append(args, cert, key)
	}
	return s, dir, args
}
