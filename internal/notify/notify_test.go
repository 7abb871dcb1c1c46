//go:build !windows

package notify

import (
	"context"
	"strings"
	"testing"

	"github.com/posbackup/posbackup/internal/testsrv"
)

func TestSendToRealSMTPServer(t *testing.T) {
	s := testsrv.StartMailpit(t)
	cfg := Server{Host: s.Host, Port: s.SMTPPort, Security: "none", User: "kasse", Password: "smtp-secret", From: "kasse@example.org"}
	err := Send(context.Background(), cfg, Message{To: []string{"chef@example.org"}, Subject: "Sicherung fehlgeschlagen: Bäckerei", Body: "Die Sicherung M001_Montag.zip ist fehlgeschlagen.\nBitte prüfen."})
	if err != nil {
		t.Fatal(err)
	}
	msgs := s.Messages(t)
	if len(msgs) != 1 || msgs[0].Subject != "Sicherung fehlgeschlagen: Bäckerei" || msgs[0].To[0].Address != "chef@example.org" {
		t.Fatalf("received %+v", msgs)
	}
	body := s.Text(t, msgs[0].ID)
	if !strings.Contains(body, "M001_Montag.zip") || strings.Contains(body, "smtp-secret") {
		t.Errorf("body: %q", body)
	}
	// STARTTLS asked of a server that does not offer it: a plain error.
	cfg.Security = "starttls"
	if err := Send(context.Background(), cfg, Message{To: []string{"a@b.c"}, Subject: "x", Body: "x"}); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("starttls on a plain server: %v", err)
	}
	if err := Send(context.Background(), Server{Host: "127.0.0.1", Port: testsrv.FreePort(t), Security: "none"}, Message{To: []string{"a@b.c"}}); err == nil || !strings.Contains(err.Error(), "cannot reach") {
		t.Errorf("closed port: %v", err)
	}
}
