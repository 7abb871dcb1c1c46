package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/dest/open"
	"github.com/posbackup/posbackup/internal/prepare"
)

// destForm is the destination as the page shows and sends it. Password is
// only ever sent by the browser, never to it.
type destForm struct {
	UseFTP      bool   `json:"use_ftp"`
	Folder      string `json:"folder"`
	Protocol    string `json:"protocol"`
	Server      string `json:"server"`
	User        string `json:"user"`
	Password    string `json:"password,omitempty"` // typed anew; "" keeps the stored one
	PasswordSet bool   `json:"password_set"`
	Fingerprint string `json:"fingerprint"`
	KeyFile     string `json:"key_file"`    // SFTP private key file
	KnownHosts  string `json:"known_hosts"` // SFTP known_hosts file
	Display     string `json:"display"`     // the destination as users read it, never with a password
}

// urlPassword finds a password typed into a server URL (user:pw@host).
var urlPassword = regexp.MustCompile(`^[a-zA-Z]+://[^/@]*:[^/@]*@`)

func destOf(b config.Backup) destForm {
	d := destForm{Protocol: "ftpes", User: b.User, Fingerprint: b.Fingerprint, KeyFile: b.KeyFile, KnownHosts: b.KnownHosts,
		PasswordSet: b.Password != "" || b.PasswordFile != ""}
	if strings.TrimSpace(b.To) == "" {
		return d
	}
	spec, err := open.ParseDefault(b.To, b.Protocol)
	if err != nil {
		// Not readable as a destination: shown (and left to be corrected)
		// without a password typed into it.
		d.Folder = open.RedactAny(b.To)
		d.Display = d.Folder
		if d.Folder != b.To {
			d.PasswordSet = true
		}
		return d
	}
	d.Display = spec.Redacted()
	if !spec.IsServer() {
		d.Folder = b.To
		return d
	}
	d.UseFTP = true
	d.Protocol = spec.Kind
	d.Server = b.To
	if spec.Password != "" || urlPassword.MatchString(b.To) {
		d.Server = spec.Redacted() // never send a password typed into the URL back
		d.PasswordSet = true
	}
	return d
}

// destBackup returns the backup settings with the destination form put in:
// what a test or a save uses. The stored password is kept only for the
// server and user it was stored for, so a changed server never gets it.
func destBackup(c *config.Config, f destForm) (config.Backup, error) {
	b := c.Backup
	old := destOf(c.Backup)
	if f.UseFTP {
		server := strings.TrimSpace(f.Server)
		if server == "" {
			return b, errors.New("type the server, e.g. meinesicherung.meinftp.de/betrieb1")
		}
		if server != old.Server || !old.UseFTP {
			b.To = server
		}
		b.Protocol = f.Protocol
		spec, err := open.ParseDefault(b.To, b.Protocol)
		if err != nil {
			return b, err
		}
		if !spec.IsServer() {
			return b, errors.New("the server field holds a folder: switch off \"Use FTP settings\" for a folder")
		}
		b.User = strings.TrimSpace(f.User)
		if !sameLogin(c.Backup, b) {
			b.Password, b.PasswordFile = "", "" // never send a stored password to another server or user
		}
		if f.Password != "" {
			b.Password, b.PasswordFile = f.Password, ""
		}
		b.Fingerprint = strings.TrimSpace(f.Fingerprint)
		if spec.Kind == "sftp" {
			b.KeyFile, b.KnownHosts = strings.TrimSpace(f.KeyFile), strings.TrimSpace(f.KnownHosts)
		}
		return b, nil
	}
	folder := strings.TrimSpace(f.Folder)
	if folder == "" {
		return b, errors.New("type the folder for the backups, e.g. E:\\Backup or \\\\nas\\backup")
	}
	if folder != old.Folder || old.UseFTP {
		b.To, b.Protocol = folder, ""
	} // else unchanged: the page shows a destination that does not parse without its password
	if spec, err := open.ParseDefault(folder, ""); err == nil && spec.IsServer() {
		return b, errors.New("the folder field holds a server: switch on \"Use FTP settings\" for a server")
	}
	return b, nil
}

// sameLogin reports whether b logs in where old did: a server (not a
// folder or an unreadable destination) of the same kind, host, port and
// user. Only then may old's stored password go with b.
func sameLogin(old, b config.Backup) bool {
	o, err := open.ParseDefault(old.To, old.Protocol)
	if err != nil || !o.IsServer() {
		return false
	}
	n, err := open.ParseDefault(b.To, b.Protocol)
	if err != nil || !n.IsServer() {
		return false
	}
	port := func(s open.Spec) int {
		if s.Port == 0 {
			return open.DefaultPort(s.Kind)
		}
		return s.Port
	}
	user := func(s open.Spec, u string) string {
		if u != "" {
			return u
		}
		return s.User
	}
	return o.Kind == n.Kind && o.Host == n.Host && port(o) == port(n) && user(o, old.User) == user(n, b.User)
}

func (s *Server) saveDest(lang string, c *config.Config, f destForm) error {
	b, err := destBackup(c, f)
	if err != nil {
		return err
	}
	vals := map[string]any{"to": b.To, "protocol": nilIfEmpty(b.Protocol), "user": nilIfEmpty(b.User), "fingerprint": nilIfEmpty(b.Fingerprint)}
	if b.PasswordFile == "" {
		vals["password_file"] = nil // replaced by a typed password, or it belonged to another server or user
	}
	if c.Password != "" && b.Password == "" {
		// The stored password belonged to another server or user: remove
		// it first, so that the new server can never be sent it.
		if err := config.RemoveSecret(s.opt.ConfigPath, "password"); err != nil {
			return err
		}
	}
	if spec, err := open.ParseDefault(b.To, b.Protocol); err == nil && spec.Kind == "sftp" {
		// The key and known_hosts files belong to SFTP; other kinds leave them alone.
		for _, p := range []struct{ key, path string }{{"key_file", b.KeyFile}, {"known_hosts", b.KnownHosts}} {
			if p.path != "" && !filepath.IsAbs(p.path) {
				return errors.New(tr(lang, "err.fullpath"))
			}
			vals[p.key] = nilIfEmpty(p.path)
		}
		if b.KeyFile != "" {
			if fi, err := os.Stat(b.KeyFile); err != nil || fi.IsDir() {
				return fmt.Errorf(tr(lang, "err.nokeyfile"), b.KeyFile)
			}
		}
	}
	if err := config.SetSettings(s.opt.ConfigPath, vals); err != nil {
		return err
	}
	if f.UseFTP && f.Password != "" {
		return config.SetSecret(s.opt.ConfigPath, "password", f.Password)
	}
	return nil
}

// fingerprintRe finds the fingerprint a refused certificate or host key
// shows in its step's message.
var fingerprintRe = regexp.MustCompile(`SHA256:[A-Za-z0-9+/]+=*`)

// question is a fingerprint the user is asked to trust.
type question struct {
	Host        string `json:"host"`
	Fingerprint string `json:"fingerprint"`
}

// testAccess runs "Test access data" on the destination form (saved or
// not) and says in one message what is wrong, or that all is OK. An
// unknown certificate or host key comes back as a question.
func (s *Server) testAccess(w http.ResponseWriter, r *http.Request, c *config.Config, f destForm) {
	b, err := destBackup(c, f)
	if err != nil {
		writeErr(w, http.StatusBadRequest, err)
		return
	}
	spec, opts, err := prepare.DestSpec(b, s.opt.Timeout)
	if err != nil {
		writeErr(w, http.StatusBadRequest, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Minute)
	defer cancel()
	steps := open.TestAccess(ctx, spec, opts)
	ok := len(steps) > 0 && steps[len(steps)-1].OK
	resp := map[string]any{"ok": ok, "steps": steps, "warnings": translated(langOf(r), spec.Warnings), "destination": spec.Redacted()}
	lang := langOf(r)
	for i := range steps {
		steps[i].Message = stepMessage(lang, steps[i])
	}
	if !ok && len(steps) > 0 {
		last := steps[len(steps)-1]
		resp["message"] = last.Message
		if (last.Name == open.StepTLS || last.Name == open.StepHostKey) && !strings.Contains(last.Message, "CHANGED") && !strings.Contains(last.Message, "GEÄNDERT") {
			if fp := fingerprintRe.FindString(last.Message); fp != "" {
				s.sessions.setPending(sessionFrom(r), fp)
				resp["question"] = question{Host: spec.Host, Fingerprint: fp}
			}
		}
	}
	writeJSON(w, http.StatusOK, resp)
}

// trustRequest confirms the fingerprint asked about.
type trustRequest struct {
	Fingerprint string `json:"fingerprint"`
}

// trust pins the fingerprint the user was just asked about.
func (s *Server) trust(w http.ResponseWriter, r *http.Request, c *config.Config, req trustRequest) {
	sess := sessionFrom(r)
	fp := s.sessions.pending(sess)
	if fp == "" || fp != req.Fingerprint {
		writeErr(w, http.StatusBadRequest, errors.New("there is no fingerprint to confirm: press Test access data again"))
		return
	}
	if err := config.SetSettings(s.opt.ConfigPath, map[string]any{"fingerprint": fp}); err != nil {
		writeErr(w, http.StatusInternalServerError, err)
		return
	}
	s.sessions.setPending(sess, "")
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "fingerprint": fp})
}
