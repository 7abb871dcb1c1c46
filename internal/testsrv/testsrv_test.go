package testsrv

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"
)

func banner(t *testing.T, addr string) string {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	return line
}

func TestStartFTP(t *testing.T) {
	s := StartFTP(t, "ftp")
	if b := banner(t, s.Addr); !strings.HasPrefix(b, "220") {
		t.Fatalf("banner %q", b)
	}
}

func TestStartSSH(t *testing.T) {
	s := StartSSH(t)
	if b := banner(t, s.Addr); !strings.HasPrefix(b, "SSH-2.0") {
		t.Fatalf("banner %q", b)
	}
	if s.HostKeyFingerprint == "" || s.KnownHostsFile == "" {
		t.Fatal("no host key")
	}
}

func TestStartProFTPD(t *testing.T) {
	for _, mode := range []string{"ftp", "ftpes"} {
		s := StartProFTPD(t, mode)
		if b := banner(t, s.Addr); !strings.HasPrefix(b, "220") {
			t.Fatalf("%s banner %q", mode, b)
		}
	}
	s := StartProFTPDSFTP(t)
	if b := banner(t, s.Addr); !strings.HasPrefix(b, "SSH-2.0") {
		t.Fatalf("mod_sftp banner %q", b)
	}
}

func TestStartPureFTPd(t *testing.T) {
	for _, mode := range []string{"ftp", "ftpes"} {
		s := StartPureFTPd(t, mode)
		if b := banner(t, s.Addr); !strings.HasPrefix(b, "220") {
			t.Fatalf("%s banner %q", mode, b)
		}
	}
}
