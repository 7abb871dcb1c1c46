//go:build !windows

package testsrv

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jlaffaye/ftp"
)

// TestFTPBehindToxiproxy checks that file transfers, not only commands, pass
// through the proxies, after an EPSV (port only) and a PASV (address and
// port) reply, the announced address trusted as other clients do: with the data proxies disabled a store fails while the
// control connection still answers; enabled again, it works.
func TestFTPBehindToxiproxy(t *testing.T) {
	tp := StartToxiproxy(t)
	s := StartFTPBehind(t, tp, "ftp")
	for _, pasv := range []bool{false, true} {
		c, err := ftp.Dial(s.Addr, ftp.DialWithTimeout(5*time.Second), ftp.DialWithDisabledEPSV(pasv), ftp.DialWithTrustPasvIP(pasv))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Quit()
		if err := c.Login(s.User, s.Password); err != nil {
			t.Fatal(err)
		}
		s.Data.Enable(t, false)
		if err := c.Stor("a.txt", strings.NewReader("hello")); err == nil {
			t.Fatalf("PASV %v: a store succeeded with every data proxy disabled: the transfer does not go through them", pasv)
		}
		if err := c.NoOp(); err != nil {
			t.Fatalf("PASV %v: the control connection broke with the data proxies: %v", pasv, err)
		}
		s.Data.Enable(t, true)
		if err := c.Stor("b.txt", strings.NewReader("hello")); err != nil {
			t.Fatalf("PASV %v: store through the proxies: %v", pasv, err)
		}
		if b, err := os.ReadFile(filepath.Join(s.Root, "b.txt")); err != nil || string(b) != "hello" {
			t.Fatalf("PASV %v: stored file: %q %v", pasv, b, err)
		}
	}
}

// TestSSHBehindToxiproxy: sshd answers through its proxy, and a disabled
// proxy refuses connections.
func TestSSHBehindToxiproxy(t *testing.T) {
	tp := StartToxiproxy(t)
	s := StartSSHBehind(t, tp)
	if b := banner(t, s.Addr); !strings.HasPrefix(b, "SSH-2.0") {
		t.Fatalf("banner through the proxy %q", b)
	}
	s.Proxy.Enable(t, false)
	if c, err := net.DialTimeout("tcp", s.Addr, time.Second); err == nil {
		c.Close()
		t.Fatal("the disabled proxy still accepts connections")
	}
}
