package web

import (
	"errors"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/msg"
	"github.com/posbackup/posbackup/internal/prepare"
	"github.com/posbackup/posbackup/internal/profile"
	"github.com/posbackup/posbackup/internal/service"
)

// autoJob is the automatic backup the dialog sets up: one per computer, as
// in the original dialog, the same job 'posbackup service install --time'
// sets.
const autoJob = service.DefaultJob

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

// saveRequest is one section of the Settings tab to save.
type saveRequest struct {
	Section string      `json:"section"`
	Dest    destForm    `json:"dest"`
	Mail    mailForm    `json:"mail"`
	Keep    keepForm    `json:"keep"`
	Install installForm `json:"install"`
	Archive archiveForm `json:"archive"`
}

// saveSettings writes one section of the Settings tab.
func (s *Server) saveSettings(w http.ResponseWriter, r *http.Request, c *config.Config, req saveRequest) {
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

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func itoa(n int) string { return strconv.Itoa(n) }
