//go:build !windows

package testsrv

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// MailServer is a running mailpit: an SMTP server that keeps what it gets
// and shows it through an HTTP API.
type MailServer struct {
	Host     string
	SMTPPort int
	API      string // http://127.0.0.1:port
	PID      int
}

// MailpitVersion is the version .ci/servers.sh installs.
const MailpitVersion = "v1.33.1"

func mailpitBinary() string { return goInstalled("mailpit") }

// StartMailpit starts mailpit on free ports of 127.0.0.1, accepting any
// login (also without TLS, for a local relay).
func StartMailpit(t testing.TB) *MailServer {
	t.Helper()
	bin := mailpitBinary()
	if bin == "" {
		Unavailable(t, "mailpit is not installed (go install github.com/axllent/mailpit@"+MailpitVersion+")")
	}
	dir := t.TempDir()
	s := &MailServer{Host: "127.0.0.1", SMTPPort: FreePort(t)}
	httpPort := FreePort(t)
	s.API = "http://127.0.0.1:" + strconv.Itoa(httpPort)
	cmd := exec.Command(bin, "--disable-version-check",
		"--smtp", net.JoinHostPort(s.Host, strconv.Itoa(s.SMTPPort)),
		"--listen", net.JoinHostPort(s.Host, strconv.Itoa(httpPort)),
		"--database", filepath.Join(dir, "mail.db"),
		"--smtp-auth-accept-any", "--smtp-auth-allow-insecure")
	s.PID = start(t, "mailpit", cmd, filepath.Join(dir, "mailpit.log"), net.JoinHostPort(s.Host, strconv.Itoa(s.SMTPPort)))
	return s
}

// Mail is one received message as the API summarises it.
type Mail struct {
	ID      string `json:"ID"`
	Subject string `json:"Subject"`
	To      []struct {
		Address string `json:"Address"`
	} `json:"To"`
	Snippet string `json:"Snippet"`
}

// Messages lists what the server received, newest first.
func (s *MailServer) Messages(t testing.TB) []Mail {
	t.Helper()
	resp, err := http.Get(s.API + "/api/v1/messages")
	if err != nil {
		t.Fatalf("mailpit API: %v", err)
	}
	defer resp.Body.Close()
	var out struct {
		Messages []Mail `json:"messages"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("mailpit API: %v", err)
	}
	return out.Messages
}

// Text returns the plain-text body of message id.
func (s *MailServer) Text(t testing.TB, id string) string {
	t.Helper()
	resp, err := http.Get(fmt.Sprintf("%s/view/%s.txt", s.API, id))
	if err != nil {
		t.Fatalf("mailpit API: %v", err)
	}
	defer resp.Body.Close()
	var b []byte
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b = append(b, buf[:n]...)
		if err != nil {
			break
		}
	}
	return string(b)
}
