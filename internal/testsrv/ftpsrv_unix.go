//go:build !windows

package testsrv

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// ftpSrvScript runs ftp-srv (npm): node srv.js PORT PASVMIN ROOT [CERT KEY];
// the login is FTP_USER/FTP_PASS from the environment (not the command
// line, which other users of the machine can read).
const ftpSrvScript = `const FtpSrv = require('ftp-srv');
const fs = require('fs');
const [port, pasv, root, cert, key] = process.argv.slice(2);
const opts = { url: 'ftp://127.0.0.1:' + port, pasv_url: '127.0.0.1', pasv_min: +pasv, pasv_max: +pasv + 29, anonymous: false, greeting: 'ftp-srv' };
if (cert) opts.tls = { cert: fs.readFileSync(cert), key: fs.readFileSync(key) };
const srv = new FtpSrv(opts);
srv.on('login', ({ username, password }, resolve, reject) => {
  if (username === process.env.FTP_USER && password === process.env.FTP_PASS) resolve({ root });
  else reject(new Error('bad login'));
});
srv.listen();
`

// StartFtpSrv starts ftp-srv, a Node.js FTP server that, unlike ProFTPD
// and Pure-FTPd, waits for the data connection's TLS handshake before it
// answers 150. mode is "ftp" or "ftpes". .ci/ftpservers.sh installs it
// with npm under FTPServers()/../ftp-srv.
func StartFtpSrv(t testing.TB, mode string) *FTPServer {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		Unavailable(t, "node is not installed")
	}
	mods := filepath.Join(filepath.Dir(FTPServers()), "ftp-srv", "node_modules")
	if _, err := os.Stat(filepath.Join(mods, "ftp-srv")); err != nil {
		Unavailable(t, "ftp-srv is not installed in "+mods+" (run .ci/ftpservers.sh as root)")
	}
	s, dir, args := scripted(t, "ftp-srv", mode, "srv.js", ftpSrvScript)
	cmd := exec.Command(node, args...)
	cmd.Env = append(os.Environ(), "NODE_PATH="+mods, "FTP_USER="+User, "FTP_PASS="+Password)
	s.PID = start(t, "ftp-srv", cmd, filepath.Join(dir, "ftp-srv.log"), s.Addr)
	return s
}
