package ftp

import (
	"strings"
	"testing"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/desttest"
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
}

// pureRefused: Pure-FTPd stores " a.zip" as "_a.zip" (also as "./ a.zip").
var pureRefused = []string{" leading space.zip"}

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
