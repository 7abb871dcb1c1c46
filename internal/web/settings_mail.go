package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/notify"
)

type mailForm struct {
	Host        string `json:"host"`
	Port        int    `json:"port"`
	Security    string `json:"security"`
	User        string `json:"user"`
	Password    string `json:"password,omitempty"`
	PasswordSet bool   `json:"password_set"`
	From        string `json:"from"`
	To          string `json:"to"` // comma-separated recipients
	On          string `json:"on"`
}

func (s *Server) saveMail(c *config.Config, f mailForm) error {
	if f.Port < 0 || f.Port > 65535 {
		return errors.New("the port must be a number from 1 to 65535, or empty for the default")
	}
	switch f.Security {
	case "", "starttls", "tls", "none":
	default:
		return errors.New("choose STARTTLS, TLS or none for the mail server's security")
	}
	vals := map[string]any{"mail.host": nilIfEmpty(strings.TrimSpace(f.Host)), "mail.port": nilIfZero(f.Port),
		"mail.security": nilIfEmpty(f.Security), "mail.user": nilIfEmpty(strings.TrimSpace(f.User)),
		"mail.from": nilIfEmpty(strings.TrimSpace(f.From))}
	if err := config.SetSettings(s.opt.ConfigPath, vals); err != nil {
		return err
	}
	if f.Password != "" {
		if err := config.SetSecret(s.opt.ConfigPath, "mail.password", f.Password); err != nil {
			return err
		}
	}
	j := autoJobOf(c)
	j.MailTo = splitList(f.To)
	j.MailOn = f.On
	if len(j.MailTo) == 0 {
		j.MailOn = ""
	}
	return config.SetJob(s.opt.ConfigPath, autoJob, j)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// testMail sends a test mail with the mail form's settings.
func (s *Server) testMail(w http.ResponseWriter, r *http.Request, c *config.Config, f mailForm) {
	m := config.Mail{Host: strings.TrimSpace(f.Host), Port: f.Port, Security: f.Security, User: strings.TrimSpace(f.User), From: strings.TrimSpace(f.From), CAFile: c.Mail.CAFile}
	if f.Password != "" {
		m.Password = f.Password
	} else if m.Host == c.Mail.Host && m.User == c.Mail.User {
		m.Password = c.Mail.Password // the stored one, for the server it was stored for only
	}
	to := splitList(f.To)
	ctx, cancel := context.WithTimeout(r.Context(), time.Minute)
	defer cancel()
	err := notify.Send(ctx, notify.Server(m), notify.Message{To: to, Subject: "posbackup: test mail",
		Body: "This is a test mail from posbackup's backup dialog. Reports about backups will come the same way.\n\nDies ist eine Testmail aus dem Sicherungsdialog von posbackup."})
	if err != nil {
		writeErr(w, http.StatusOK, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "to": to})
}
