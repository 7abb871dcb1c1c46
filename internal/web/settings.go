package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/dest/open"
	"github.com/posbackup/posbackup/internal/msg"
	"github.com/posbackup/posbackup/internal/notify"
	"github.com/posbackup/posbackup/internal/prepare"
	"github.com/posbackup/posbackup/internal/profile"
	"github.com/posbackup/posbackup/internal/service"
)

// autoJob is the automatic backup the dialog sets up: one per computer, as
// in the original dialog, the same job 'posbackup service install --time'
// sets.
const autoJob = service.DefaultJob

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

type keepForm struct {
	KeepLast    int `json:"keep_last"`
	KeepDaily   int `json:"keep_daily"`
	KeepWeekly  int `json:"keep_weekly"`
	KeepMonthly int `json:"keep_monthly"`
}

// archiveForm is the Backup settings card: encryption, compression level
// and priority. Password and
// Password2 are only ever sent by the browser, never to it.
type archiveForm struct {
	Encrypt     bool   `json:"encrypt"`
	Password    string `json:"password,omitempty"`  // typed anew; "" keeps the stored one
	Password2   string `json:"password2,omitempty"` // the same again
	PasswordSet bool   `json:"password_set"`
	Level       string `json:"level"` // fast, default, best
	LowPriority bool   `json:"low_priority"`
}

type installForm struct {
	Source string `json:"source"`
	Role   string `json:"role"`
	Lang   string `json:"lang"`
}

type backupForm struct {
	Variant int    `json:"variant"`
	Clients string `json:"clients"`
	Name    string `json:"name"`
}

type variantInfo struct {
	Number int    `json:"number"`
	Code   string `json:"code"`
	Title  string `json:"title"`
}

// settingsView is everything the page shows of the config. It holds no
// password: only whether one is set.
type settingsView struct {
	Dest     destForm      `json:"dest"`
	Mail     mailForm      `json:"mail"`
	Keep     keepForm      `json:"keep"`
	Install  installForm   `json:"install"`
	Archive  archiveForm   `json:"archive"`
	Backup   backupForm    `json:"backup"`
	Variants []variantInfo `json:"variants"`
	Warnings []string      `json:"warnings"`
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

func (s *Server) view(lang string, c *config.Config) settingsView {
	v := settingsView{Dest: destOf(c.Backup), Warnings: translated(lang, c.Warnings())}
	v.Mail = mailForm{Host: c.Mail.Host, Port: c.Mail.Port, Security: c.Mail.Security, User: c.Mail.User,
		PasswordSet: c.Mail.Password != "", From: c.Mail.From, On: "failure"}
	if j := c.Jobs[autoJob]; j != nil {
		v.Mail.To = strings.Join(j.MailTo, ", ")
		if j.MailOn != "" {
			v.Mail.On = j.MailOn
		}
		v.Keep = keepForm{j.KeepLast, j.KeepDaily, j.KeepWeekly, j.KeepMonthly}
	}
	v.Install = installForm{Source: c.Source, Role: c.Role, Lang: c.Lang}
	if v.Install.Role == "" {
		v.Install.Role = "location"
	}
	v.Backup = backupForm{Variant: c.Variant, Clients: c.Clients, Name: c.Name}
	v.Archive = archiveForm{Encrypt: c.Encrypt, Level: c.Level, LowPriority: c.LowPriority}
	if v.Archive.Level == "" {
		v.Archive.Level = "default"
	}
	if pw, err := prepare.ArchivePassword(c.Backup, os.Getenv); err != nil || pw != "" {
		v.Archive.PasswordSet = true // a password file that cannot be read is still a password set
	}
	if p, err := prepare.Profile(c.Profile); err == nil {
		for _, vr := range p.Variants {
			v.Variants = append(v.Variants, variantInfo{vr.Number, vr.Code(), msg.Translate(lang, vr.Title)})
		}
	}
	return v
}

func (s *Server) getSettings(w http.ResponseWriter, r *http.Request, c *config.Config) {
	writeJSON(w, http.StatusOK, s.view(langOf(r), c))
}

// saveSettings writes one section of the Settings tab.
func (s *Server) saveSettings(w http.ResponseWriter, r *http.Request, c *config.Config) {
	var req struct {
		Section string      `json:"section"`
		Dest    destForm    `json:"dest"`
		Mail    mailForm    `json:"mail"`
		Keep    keepForm    `json:"keep"`
		Install installForm `json:"install"`
		Archive archiveForm `json:"archive"`
	}
	if err := readJSON(r, &req); err != nil {
		writeErr(w, http.StatusBadRequest, err)
		return
	}
	var err error
	switch req.Section {
	case "dest":
		err = s.saveDest(s.lang(w, r), c, req.Dest)
	case "mail":
		err = s.saveMail(c, req.Mail)
	case "keep":
		err = s.saveKeep(c, req.Keep)
	case "install":
		err = s.saveInstall(langOf(r), req.Install)
	case "archive":
		err = s.saveArchive(s.lang(w, r), c, req.Archive)
	default:
		err = errors.New("unknown section")
	}
	if err != nil {
		writeErr(w, http.StatusBadRequest, err)
		return
	}
	c, err = s.loadConfig()
	if err != nil {
		writeErr(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "settings": s.view(langOf(r), c)})
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

func nilIfEmpty(v string) any {
	if v == "" {
		return nil
	}
	return v
}

func nilIfZero(v int) any {
	if v == 0 {
		return nil
	}
	return v
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

func (s *Server) saveKeep(c *config.Config, f keepForm) error {
	if f.KeepLast < 0 || f.KeepDaily < 0 || f.KeepWeekly < 0 || f.KeepMonthly < 0 {
		return errors.New("the numbers of backups to keep cannot be negative")
	}
	j := autoJobOf(c)
	j.KeepLast, j.KeepDaily, j.KeepWeekly, j.KeepMonthly = f.KeepLast, f.KeepDaily, f.KeepWeekly, f.KeepMonthly
	return config.SetJob(s.opt.ConfigPath, autoJob, j)
}

func (s *Server) saveInstall(lang string, f installForm) error {
	f.Source = strings.TrimSpace(f.Source)
	if err := checkSource(lang, f.Source); err != nil {
		return err
	}
	if f.Role == "" {
		f.Role = "location"
	}
	if _, err := profile.ParseRole(f.Role); err != nil {
		return err
	}
	if f.Lang != "" && f.Lang != "de" && f.Lang != "en" {
		return errors.New("choose German or English for the weekday names")
	}
	return config.SetSettings(s.opt.ConfigPath, map[string]any{"source": nilIfEmpty(f.Source),
		"role": nilIfEmpty(f.Role), "lang": nilIfEmpty(f.Lang)})
}

// saveArchive writes the Backup settings card. Encryption is refused
// without a password of at least prepare.MinPasswordLen characters: an
// archive nobody can open is worse than none. A typed password is stored
// as a protected secret.
func (s *Server) saveArchive(lang string, c *config.Config, f archiveForm) error {
	if f.Password != "" || f.Password2 != "" {
		if len([]rune(f.Password)) < prepare.MinPasswordLen {
			return errors.New(tr(lang, "err.archpwshort"))
		}
		if f.Password != f.Password2 {
			return errors.New(tr(lang, "err.pwdiffer"))
		}
	}
	if f.Encrypt && f.Password == "" {
		pw, err := prepare.ArchivePassword(c.Backup, os.Getenv)
		if err != nil {
			return err
		}
		if pw == "" {
			return errors.New(tr(lang, "err.archpwnone"))
		}
		if len([]rune(pw)) < prepare.MinPasswordLen {
			return errors.New(tr(lang, "err.archpwshort"))
		}
	}
	if f.Password != "" {
		if err := config.SetSecret(s.opt.ConfigPath, "archive_password", f.Password); err != nil {
			return err
		}
	}
	level := strings.ToLower(f.Level)
	if _, err := prepare.Level(level); err != nil {
		return errors.New(tr(lang, "err.level"))
	}
	if level == "default" {
		level = ""
	}
	low := any(nil)
	if f.LowPriority {
		low = true
	}
	return config.SetSettings(s.opt.ConfigPath, map[string]any{"encrypt": f.Encrypt, "level": nilIfEmpty(level), "low_priority": low})
}

// autoJobOf returns a copy of [jobs.auto], or an empty job.
func autoJobOf(c *config.Config) *config.Job {
	if j := c.Jobs[autoJob]; j != nil {
		cp := *j
		return &cp
	}
	return &config.Job{}
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
func (s *Server) testAccess(w http.ResponseWriter, r *http.Request, c *config.Config) {
	var f destForm
	if err := readJSON(r, &f); err != nil {
		writeErr(w, http.StatusBadRequest, err)
		return
	}
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

// trust pins the fingerprint the user was just asked about.
func (s *Server) trust(w http.ResponseWriter, r *http.Request, c *config.Config) {
	var req struct {
		Fingerprint string `json:"fingerprint"`
	}
	if err := readJSON(r, &req); err != nil {
		writeErr(w, http.StatusBadRequest, err)
		return
	}
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

// testMail sends a test mail with the mail form's settings.
func (s *Server) testMail(w http.ResponseWriter, r *http.Request, c *config.Config) {
	var f mailForm
	if err := readJSON(r, &f); err != nil {
		writeErr(w, http.StatusBadRequest, err)
		return
	}
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

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func itoa(n int) string { return strconv.Itoa(n) }
