//go:build !windows

package web

import (
	"strings"
	"testing"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/testsrv"
)

// "Send test mail" reaches a real SMTP server with the stored password
// (the field left empty), and the mail settings are saved.
func TestSendTestMail(t *testing.T) {
	ms := testsrv.StartMailpit(t)
	ts := startServer(t, hashConfig(t, adminPW)+"\n[mail]\npassword = 'Relay-pw-77'\n", nil)
	c := newClient(t, ts)
	c.login(adminPW)
	form := map[string]any{"host": ms.Host, "port": ms.SMTPPort, "security": "none", "user": "relay", "from": "kasse@example.org", "to": "chef@example.org", "on": "always"}
	if code, body := c.postJSON("/api/settings", map[string]any{"section": "mail", "mail": form}, nil); code != 200 {
		t.Fatalf("save: %d %s", code, body)
	}
	code, body := c.postJSON("/api/test-mail", form, nil)
	if code != 200 || !strings.Contains(body, `"ok":true`) {
		t.Fatalf("test mail: %d %s", code, body)
	}
	msgs := ms.Messages(t)
	if len(msgs) != 1 || msgs[0].To[0].Address != "chef@example.org" || !strings.Contains(msgs[0].Subject, "test mail") {
		t.Fatalf("mailpit got %+v", msgs)
	}
	cfg, err := config.Load(ts.cfg)
	if err != nil || cfg.Mail.Host != ms.Host || cfg.Mail.Password != "Relay-pw-77" || cfg.Jobs[autoJob] == nil || cfg.Jobs[autoJob].MailOn != "always" {
		t.Fatalf("mail settings not saved: %v %+v", err, cfg.Mail.Host)
	}
}
