package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/fleet"
	"github.com/posbackup/posbackup/internal/job"
)

const minPasswordLen = 8

// pageData is what the HTML templates get. It never holds a password.
type pageData struct {
	Lang, Other string
	CSRF        string
	Key         string // the session's API key: only in the answer to the login or setup
	Error       string
	Version     string
	Dict        map[string]string // the page's texts for the script
	Remote      bool              // setup refused: not on this computer
	NoSetup     bool              // setup refused: served by the service; set the password as administrator
	Fleet       bool              // a chain's head office: the Locations tab is shown (fleet.HeadOffice)
}

func (s *Server) render(w http.ResponseWriter, name string, status int, d pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := s.tmpl.ExecuteTemplate(w, name, d); err != nil {
		s.opt.Logf("template %s: %v", name, err)
	}
}

// anonSession returns the request's session or starts an anonymous one
// (it carries the login form's CSRF token).
func (s *Server) anonSession(w http.ResponseWriter, r *http.Request) *session {
	if sess := s.sessionOf(r); sess != nil {
		return sess
	}
	sess, tok := s.sessions.create(false)
	s.setCookie(w, tok)
	return sess
}

func hasAdmin(c *config.Config) bool {
	return c.Web.AdminPassword != "" || c.Web.AdminPasswordHash != ""
}

// checkAdmin compares pw with the configured admin password.
func checkAdmin(c *config.Config, pw string) bool {
	if c.Web.AdminPassword != "" {
		a, b := sha256.Sum256([]byte(pw)), sha256.Sum256([]byte(c.Web.AdminPassword))
		return subtle.ConstantTimeCompare(a[:], b[:]) == 1
	}
	if c.Web.AdminPasswordHash != "" {
		return bcrypt.CompareHashAndPassword([]byte(c.Web.AdminPasswordHash), []byte(pw)) == nil
	}
	return false
}

func isLoopbackClient(r *http.Request) bool {
	ip := net.ParseIP(clientOf(r))
	return ip != nil && ip.IsLoopback()
}

// page serves the dialog, or the setup or login form.
func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	lang := s.lang(w, r)
	d := pageData{Lang: lang, Other: otherLang(lang), Version: job.Version}
	c, err := s.loadConfig()
	if err != nil {
		d.Error = sentence(err.Error())
		s.render(w, "error.html", http.StatusInternalServerError, d)
		return
	}
	sess := s.anonSession(w, r)
	d.CSRF = sess.csrf
	switch {
	case !hasAdmin(c):
		d.NoSetup = s.opt.NoSetup
		d.Remote = !isLoopbackClient(r)
		s.render(w, "setup.html", http.StatusOK, d)
	case !sess.authed:
		s.render(w, "login.html", http.StatusOK, d)
	default:
		d.Dict = dict(lang)
		d.Fleet = fleet.HeadOffice(c)
		s.render(w, "app.html", http.StatusOK, d)
	}
}

// setup sets the first admin password.
func (s *Server) setup(w http.ResponseWriter, r *http.Request) {
	lang := s.lang(w, r)
	d := pageData{Lang: lang, Other: otherLang(lang), Version: job.Version}
	sess := s.sessionOf(r)
	if sess == nil || !csrfOK(r, sess) {
		s.refuse(w, r, http.StatusForbidden, tr(lang, "err.token"))
		return
	}
	d.CSRF = sess.csrf
	c, err := s.loadConfig()
	if err != nil {
		d.Error = sentence(err.Error())
		s.render(w, "setup.html", http.StatusInternalServerError, d)
		return
	}
	if hasAdmin(c) {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	if s.opt.NoSetup {
		d.NoSetup = true
		s.opt.Logf("setup refused from %s: the service's admin password is set with 'posbackup config set-secret'", clientOf(r))
		s.render(w, "setup.html", http.StatusForbidden, d)
		return
	}
	if !isLoopbackClient(r) {
		d.Remote = true
		s.render(w, "setup.html", http.StatusForbidden, d)
		return
	}
	pw, pw2 := r.PostFormValue("password"), r.PostFormValue("password2")
	switch {
	case len([]rune(pw)) < minPasswordLen:
		d.Error = tr(lang, "err.pwshort")
	case pw != pw2:
		d.Error = tr(lang, "err.pwdiffer")
	}
	if d.Error != "" {
		s.render(w, "setup.html", http.StatusBadRequest, d)
		return
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	if err != nil {
		d.Error = sentence(err.Error())
		s.render(w, "setup.html", http.StatusInternalServerError, d)
		return
	}
	if err := config.SetSettings(s.opt.ConfigPath, map[string]any{"web.admin_password_hash": string(hash)}); err != nil {
		d.Error = sentence(err.Error())
		s.render(w, "setup.html", http.StatusInternalServerError, d)
		return
	}
	s.opt.Logf("admin password set from %s", clientOf(r))
	s.renderApp(w, lang, s.startSession(w, sess))
}

// renderApp answers a login (or the setup) with the dialog itself and the
// new session's key, which the page's script keeps in its origin's
// storage: no later page shows it again.
func (s *Server) renderApp(w http.ResponseWriter, lang string, sess *session) {
	d := pageData{Lang: lang, Other: otherLang(lang), Version: job.Version, CSRF: sess.csrf, Key: sess.key, Dict: dict(lang)}
	if c, err := s.loadConfig(); err == nil {
		d.Fleet = fleet.HeadOffice(c)
	}
	s.render(w, "app.html", http.StatusOK, d)
}

// startSession replaces the anonymous session by a new, logged-in one (a
// new token, so a token known before login is worth nothing after it).
func (s *Server) startSession(w http.ResponseWriter, old *session) *session {
	if old != nil {
		s.sessions.remove(old)
	}
	sess, tok := s.sessions.create(true)
	s.setCookie(w, tok)
	return sess
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	lang := s.lang(w, r)
	d := pageData{Lang: lang, Other: otherLang(lang), Version: job.Version}
	client := clientOf(r)
	sess := s.sessionOf(r)
	if sess == nil || !csrfOK(r, sess) {
		s.refuse(w, r, http.StatusForbidden, tr(lang, "err.token"))
		return
	}
	d.CSRF = sess.csrf
	if ok, wait := s.limiter.try(adminAccount); !ok { // counts this attempt before the password is compared
		secs := int((wait + time.Second - 1) / time.Second)
		d.Error = fmt.Sprintf(tr(lang, "err.toomany"), secs)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		s.render(w, "login.html", http.StatusTooManyRequests, d)
		return
	}
	c, err := s.loadConfig()
	if err != nil {
		d.Error = sentence(err.Error())
		s.render(w, "login.html", http.StatusInternalServerError, d)
		return
	}
	if !checkAdmin(c, r.PostFormValue("password")) {
		s.opt.Logf("failed login from %s", client)
		d.Error = tr(lang, "err.badlogin")
		s.render(w, "login.html", http.StatusUnauthorized, d)
		return
	}
	s.limiter.succeeded(adminAccount)
	s.renderApp(w, lang, s.startSession(w, sess))
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if sess := sessionFrom(r); sess != nil {
		s.sessions.remove(sess)
	}
	s.clearCookie(w)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// lang is the page's language: ?lang= (remembered in a cookie), the
// cookie, or the browser's Accept-Language.
func (s *Server) lang(w http.ResponseWriter, r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == "de" || l == "en" {
		http.SetCookie(w, &http.Cookie{Name: "lang", Value: l, Path: "/", SameSite: http.SameSiteStrictMode, Secure: s.opt.TLS, MaxAge: 365 * 24 * 3600})
		return l
	}
	return langOf(r)
}

// langOf is the request's language without remembering it: ?lang=, the
// cookie, or the browser's Accept-Language.
func langOf(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == "de" || l == "en" {
		return l
	}
	if c, err := r.Cookie("lang"); err == nil && (c.Value == "de" || c.Value == "en") {
		return c.Value
	}
	return fromAcceptLanguage(r.Header.Get("Accept-Language"))
}

// fromAcceptLanguage picks de or en, whichever the browser names first
// (English when it names neither).
func fromAcceptLanguage(h string) string {
	for _, part := range strings.Split(h, ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case tag == "de" || strings.HasPrefix(tag, "de-"):
			return "de"
		case tag == "en" || strings.HasPrefix(tag, "en-"):
			return "en"
		}
	}
	return "en"
}

func otherLang(l string) string {
	if l == "de" {
		return "en"
	}
	return "de"
}

// passwordRequest changes the admin password.
type passwordRequest struct {
	Current string `json:"current"`
	New     string `json:"new"`
	New2    string `json:"new2"`
}

// changePassword changes the admin password on the page: the current one
// is asked (and counted like a login attempt), the new one stored as a
// hash only (a password kept in the config as web.admin_password is
// removed), every other session ends, and this browser gets a new
// session and key.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request, c *config.Config, req passwordRequest) {
	lang := langOf(r)
	if ok, wait := s.limiter.try(adminAccount); !ok {
		writeErr(w, http.StatusTooManyRequests, fmt.Errorf(tr(lang, "err.toomany"), int((wait+time.Second-1)/time.Second)))
		return
	}
	if !checkAdmin(c, req.Current) {
		s.opt.Logf("wrong current password for a password change from %s", clientOf(r))
		writeErr(w, http.StatusForbidden, errors.New("the current admin password is wrong"))
		return
	}
	s.limiter.succeeded(adminAccount)
	switch {
	case len([]rune(req.New)) < minPasswordLen:
		writeErr(w, http.StatusBadRequest, errors.New(tr(lang, "err.pwshort")))
		return
	case req.New != req.New2:
		writeErr(w, http.StatusBadRequest, errors.New(tr(lang, "err.pwdiffer")))
		return
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(req.New), bcrypt.DefaultCost)
	if err != nil {
		writeErr(w, http.StatusInternalServerError, err)
		return
	}
	if err := config.SetSettings(s.opt.ConfigPath, map[string]any{"web.admin_password_hash": string(hash)}); err != nil {
		writeErr(w, http.StatusInternalServerError, err)
		return
	}
	if c.Web.AdminPassword != "" { // it would win over the hash
		if err := config.RemoveSecret(s.opt.ConfigPath, "web.admin_password"); err != nil {
			writeErr(w, http.StatusInternalServerError, err)
			return
		}
	}
	s.opt.Logf("admin password changed from %s", clientOf(r))
	s.sessions.removeAll()
	sess, tok := s.sessions.create(true)
	s.setCookie(w, tok)
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "key": sess.key, "csrf": sess.csrf})
}
