package ftp

import (
	"context"
	"crypto/tls"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/desttest"
	"github.com/posbackup/posbackup/internal/dest/retry"
	"github.com/posbackup/posbackup/internal/testsrv"
)

// otherServers are the FTP servers next to vsftpd that NAS boxes and
// providers run, each in the modes it offers.
var otherServers = []struct {
	name    string
	start   func(t *testing.T) *testsrv.FTPServer
	refused []string // OddNames the server changes
}{
	{"proftpd/ftp", func(t *testing.T) *testsrv.FTPServer { return testsrv.StartProFTPD(t, "ftp") }, nil},
	{"proftpd/ftpes", func(t *testing.T) *testsrv.FTPServer { return testsrv.StartProFTPD(t, "ftpes") }, nil},
	{"proftpd/ftps", func(t *testing.T) *testsrv.FTPServer { return testsrv.StartProFTPD(t, "ftps") }, nil},
	{"pure-ftpd/ftp", func(t *testing.T) *testsrv.FTPServer { return testsrv.StartPureFTPd(t, "ftp") }, pureRefused},
	{"pure-ftpd/ftpes", func(t *testing.T) *testsrv.FTPServer { return testsrv.StartPureFTPd(t, "ftpes") }, pureRefused},
	// ftp-srv waits for the data connection's TLS handshake before 150.
	{"ftp-srv/ftp", func(t *testing.T) *testsrv.FTPServer { return testsrv.StartFtpSrv(t, "ftp") }, nil},
	{"ftp-srv/ftpes", func(t *testing.T) *testsrv.FTPServer { return testsrv.StartFtpSrv(t, "ftpes") }, nil},
	// pyftpdlib (Python): small embedded boxes; explicit TLS only.
	{"pyftpdlib/ftp", func(t *testing.T) *testsrv.FTPServer { return testsrv.StartPyFTPd(t, "ftp") }, nil},
	{"pyftpdlib/ftpes", func(t *testing.T) *testsrv.FTPServer { return testsrv.StartPyFTPd(t, "ftpes") }, nil},
	// Settings NAS boxes ship: no STOR or rename over an existing name
	// (ProFTPD's default), uploads under ".in.NAME." renamed at the end.
	{"proftpd/ftp-nooverwrite", func(t *testing.T) *testsrv.FTPServer { return testsrv.StartProFTPD(t, "ftp", "AllowOverwrite off") }, nil},
	{"proftpd/ftpes-hiddenstores", func(t *testing.T) *testsrv.FTPServer { return testsrv.StartProFTPD(t, "ftpes", "HiddenStores on") }, nil},
	{"proftpd/ftp-hiddenstores-nooverwrite", func(t *testing.T) *testsrv.FTPServer {
		return testsrv.StartProFTPD(t, "ftp", "HiddenStores on", "AllowOverwrite off")
	}, nil},
	// -x: no names beginning with a dot may be written; -X: nor read.
	{"pure-ftpd/ftp-x", func(t *testing.T) *testsrv.FTPServer { return testsrv.StartPureFTPd(t, "ftp", "-x") }, pureDotRefused},
	{"pure-ftpd/ftpes-X", func(t *testing.T) *testsrv.FTPServer { return testsrv.StartPureFTPd(t, "ftpes", "-X") }, pureDotRefused},
}

// pureRefused: Pure-FTPd stores " a.zip" as "_a.zip" (also as "./ a.zip").
var pureRefused = []string{" leading space.zip"}

// pureDotRefused: with -x/-X Pure-FTPd also refuses ".leading-dot.zip"
// (TestDotNamesRefused checks the sentence); posbackup's own names that
// begin with a dot, the temporary ones, go without it there.
var pureDotRefused = append([]string{".leading-dot.zip"}, pureRefused...)

func TestConformanceServers(t *testing.T) {
	for _, srv := range otherServers {
		t.Run(srv.name, func(t *testing.T) {
			s := srv.start(t)
			n := 0
			desttest.RunRefusing(t, func(t *testing.T) dest.Destination {
				n++
				return open(t, config(s, "run/"+strings.Repeat("d", n)))
			}, srv.refused...)
		})
	}
}

// TestDotNamesRefused: on Pure-FTPd -x a temporary name (which begins with
// a dot) is stored without its dot, still counts as temporary, and is
// found, renamed and removed under the name the caller knows.
func TestDotNamesRefused(t *testing.T) {
	s := testsrv.StartPureFTPd(t, "ftp", "-x")
	d := open(t, config(s, "dots"))
	tmp := dest.TempName("M001_Montag.zip", "kasse-1", time.Now(), "t0k3n")
	desttest.Put(t, d, tmp, []byte("partial"))
	if _, err := os.Stat(filepath.Join(s.Root, "dots", dest.TempNoDot(tmp))); err != nil {
		t.Fatalf("the upload is not on the server under its dot-less name: %v", err)
	}
	if got := desttest.Names(t, d); len(got) != 1 || got[0] != tmp || !dest.IsTemp(got[0]) {
		t.Fatalf("List = %q, want [%q]", got, tmp)
	}
	if err := d.Rename(context.Background(), tmp, "M001_Montag.zip"); err != nil {
		t.Fatal(err)
	}
	if got := desttest.Get(t, d, "M001_Montag.zip", 0); string(got) != "partial" {
		t.Fatalf("renamed archive holds %q", got)
	}
	// A name of the caller's own that begins with a dot: the sentence says
	// what the server refuses (not "check the folder's permissions").
	_, err := d.Put(context.Background(), ".hidden.zip", strings.NewReader("x"))
	if err == nil || !strings.Contains(err.Error(), `refuses the file name ".hidden.zip"`) || strings.Contains(err.Error(), "permissions") {
		t.Fatalf("Put(.hidden.zip) = %v, want the refused name", err)
	}
}

// TestOldTLSExplicit: a server that speaks only TLS 1.0/1.1 (an old NAS)
// fails at the TLS step with the TLS sentence over explicit TLS too, not
// as a refused login or a broken connection.
func TestOldTLSExplicit(t *testing.T) {
	for _, mode := range []string{"ftpes", "ftps"} {
		t.Run(mode, func(t *testing.T) {
			s := testsrv.StartProFTPD(t, mode, "TLSProtocol TLSv1 TLSv1.1")
			_, err := Open(context.Background(), config(s, "x"))
			if err == nil || !strings.Contains(err.Error(), "secure (TLS) connection") || retry.StageOf(err) != retry.StageTLS {
				t.Fatalf("Open = %v (stage %q), want the TLS sentence at the TLS step", err, retry.StageOf(err))
			}
			t.Logf("message: %v", err)
		})
	}
}

// TestOneLogin: on servers that offer MLSD (ProFTPD, Pure-FTPd) opening
// the destination logs in once, not twice (argon2 hashes on a NAS take
// seconds per login).
func TestOneLogin(t *testing.T) {
	for _, srv := range []struct {
		name  string
		start func(t *testing.T) *testsrv.FTPServer
	}{
		{"proftpd", func(t *testing.T) *testsrv.FTPServer { return testsrv.StartProFTPD(t, "ftpes") }},
		{"pure-ftpd", func(t *testing.T) *testsrv.FTPServer { return testsrv.StartPureFTPd(t, "ftp") }},
		{"vsftpd", func(t *testing.T) *testsrv.FTPServer { return testsrv.StartFTP(t, "ftpes") }},
		{"pyftpdlib", func(t *testing.T) *testsrv.FTPServer { return testsrv.StartPyFTPd(t, "ftpes") }},
	} {
		t.Run(srv.name, func(t *testing.T) {
			s := srv.start(t)
			var logins atomic.Int32
			cfg := config(s, "one")
			cfg.DialContext = controlConn(s, func(c net.Conn) net.Conn { logins.Add(1); return c })
			d := open(t, cfg)
			desttest.Put(t, d, "a.zip", []byte("a"))
			if got := desttest.Names(t, d); len(got) != 1 {
				t.Fatalf("List = %q", got)
			}
			if n := logins.Load(); n != 1 {
				t.Fatalf("%d control connections (logins) for one Open, Put and List, want 1", n)
			}
		})
	}
}

// TestOldTLSAllowed: with TLSMin TLS 1.0 (tls_min = "1.0") a server that
// speaks only TLS 1.0/1.1 takes backups.
func TestOldTLSAllowed(t *testing.T) {
	s := testsrv.StartProFTPD(t, "ftpes", "TLSProtocol TLSv1 TLSv1.1", "TLSCipherSuite DEFAULT:@SECLEVEL=0")
	cfg := config(s, "old")
	cfg.TLSMin = tls.VersionTLS10
	d := open(t, cfg)
	desttest.Put(t, d, "a.zip", []byte("over TLS 1.1"))
	if got := desttest.Get(t, d, "a.zip", 0); string(got) != "over TLS 1.1" {
		t.Fatalf("read back %q", got)
	}
}

// TestRenameForbidden: Pure-FTPd -G forbids renaming. The message says so,
// and that the older archive is not touched; not a bare "could not rename".
func TestRenameForbidden(t *testing.T) {
	s := testsrv.StartPureFTPd(t, "ftp", "-G")
	d := open(t, config(s, "norename"))
	tmp := dest.TempName("M001_Montag.zip", "kasse-1", time.Now(), "t0k3n")
	desttest.Put(t, d, tmp, []byte("new"))
	err := d.Rename(context.Background(), tmp, "M001_Montag.zip")
	if err == nil || !strings.Contains(err.Error(), "does not allow renaming") {
		t.Fatalf("Rename on a server that forbids it = %v, want the plain reason", err)
	}
}

// TestCutOtherServers: the connection drops once during an upload to a
// server next to vsftpd (ProFTPD with the settings NAS boxes ship,
// pyftpdlib, Pure-FTPd); Put connects again and the stored file is whole:
// resumed, or (where the server refuses REST or to overwrite the partial
// file) started over.
func TestCutOtherServers(t *testing.T) {
	for _, srv := range []struct {
		name  string
		start func(t *testing.T) *testsrv.FTPServer
	}{
		{"proftpd-nooverwrite", func(t *testing.T) *testsrv.FTPServer { return testsrv.StartProFTPD(t, "ftp", "AllowOverwrite off") }},
		{"proftpd-hiddenstores", func(t *testing.T) *testsrv.FTPServer { return testsrv.StartProFTPD(t, "ftp", "HiddenStores on") }},
		{"proftpd-nooverwrite-restart", func(t *testing.T) *testsrv.FTPServer {
			return testsrv.StartProFTPD(t, "ftp", "AllowOverwrite off", "AllowStoreRestart on")
		}},
		{"pyftpdlib", func(t *testing.T) *testsrv.FTPServer { return testsrv.StartPyFTPd(t, "ftp") }},
		{"pure-ftpd", func(t *testing.T) *testsrv.FTPServer { return testsrv.StartPureFTPd(t, "ftp") }},
	} {
		t.Run(srv.name, func(t *testing.T) {
			s := srv.start(t)
			c := putCutOnce(t, s, "cut", "cut.zip")
			t.Logf("REST sent %d times", c.rest.Load())
			if names := desttest.Names(t, open(t, config(s, "cut"))); len(names) != 1 {
				t.Fatalf("List = %q, want only cut.zip", names)
			}
		})
	}
}

// TestFolderShownAsTyped: on a chrooted server (ProFTPD DefaultRoot, whose
// login folder is "/") a folder typed "nurlesen/neu" that cannot be
// created is named as typed, not as "/nurlesen/neu".
func TestFolderShownAsTyped(t *testing.T) {
	s := testsrv.StartProFTPD(t, "ftp")
	ro := filepath.Join(s.Root, "nurlesen")
	os.Mkdir(ro, 0o555)
	testsrv.Chown(t, ro)
	_, err := Open(context.Background(), config(s, "nurlesen/neu"))
	if err == nil || !strings.Contains(err.Error(), "the folder nurlesen/neu is missing") {
		t.Fatalf("Open = %v, want the folder named as typed", err)
	}
}
