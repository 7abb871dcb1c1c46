package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	sessionIdle     = time.Hour      // a session unused this long ends
	sessionLifetime = 12 * time.Hour // and any session after this long
	maxSessions     = 1000           // anonymous sessions beyond this push out the oldest
	csrfHeader      = "X-CSRF-Token"
	csrfField       = "csrf_token"
	// keyHeader carries the session's key on every API call. The key is
	// handed to the page once, in the answer to the login (or the first
	// setup), and kept by the page's script in this origin's storage
	// (scheme, host and port), so another web service on this computer
	// that receives the cookie (cookies ignore the port) cannot use it:
	// it can neither read the storage nor get the key from any page.
	keyHeader = "X-Posbackup-Key"
)

var fsStat = os.Stat

// token returns 32 random bytes, base64url.
func token() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func tokenKey(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

// session is one browser's session. Before login it only carries the CSRF
// token of the login or setup form.
type session struct {
	id       string // sha256 of the cookie's token
	csrf     string // the forms' token (login, setup, logout): shown in every page of the session
	key      string // the API key of a logged-in session: shown only in the login's answer
	authed   bool
	created  time.Time
	seen     time.Time
	pendingF string // a fingerprint the user was asked to trust
}

type sessionStore struct {
	mu  sync.Mutex
	now func() time.Time
	m   map[string]*session
}

func newSessionStore(now func() time.Time) *sessionStore {
	return &sessionStore{now: now, m: map[string]*session{}}
}

// create makes a session and returns it with its cookie token.
func (st *sessionStore) create(authed bool) (*session, string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	now := st.now()
	st.pruneLocked(now)
	if len(st.m) >= maxSessions {
		var oldest *session
		for _, s := range st.m {
			if !s.authed && (oldest == nil || s.seen.Before(oldest.seen)) {
				oldest = s
			}
		}
		if oldest != nil {
			delete(st.m, oldest.id)
		}
	}
	tok := token()
	s := &session{id: tokenKey(tok), csrf: token(), authed: authed, created: now, seen: now}
	if authed {
		s.key = token()
	}
	st.m[s.id] = s
	return s, tok
}

func (st *sessionStore) pruneLocked(now time.Time) {
	for k, s := range st.m {
		if now.Sub(s.seen) > sessionIdle || now.Sub(s.created) > sessionLifetime {
			delete(st.m, k)
		}
	}
}

// get returns the live session of the cookie token, or nil.
func (st *sessionStore) get(tok string) *session {
	if tok == "" {
		return nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	s := st.m[tokenKey(tok)]
	if s == nil {
		return nil
	}
	now := st.now()
	if now.Sub(s.seen) > sessionIdle || now.Sub(s.created) > sessionLifetime {
		delete(st.m, s.id)
		return nil
	}
	s.seen = now
	return s
}

func (st *sessionStore) remove(s *session) {
	st.mu.Lock()
	delete(st.m, s.id)
	st.mu.Unlock()
}

// removeAll ends every session (the admin password changed).
func (st *sessionStore) removeAll() {
	st.mu.Lock()
	st.m = map[string]*session{}
	st.mu.Unlock()
}

func (st *sessionStore) setPending(s *session, fp string) {
	st.mu.Lock()
	s.pendingF = fp
	st.mu.Unlock()
}

func (st *sessionStore) pending(s *session) string {
	st.mu.Lock()
	defer st.mu.Unlock()
	return s.pendingF
}

// cookieName is this instance's session cookie: browsers send a cookie to
// every port of a host, so the name carries the port and a hash of the
// config file, and two dialogs on one computer keep their own sessions.
func (s *Server) cookieName() string {
	return s.cookie
}

func cookieNameOf(listen, configPath string, tls bool) string {
	_, port, _ := net.SplitHostPort(listen)
	abs, err := filepath.Abs(configPath)
	if err != nil {
		abs = configPath
	}
	sum := sha256.Sum256([]byte(strings.ToLower(abs) + "\x00" + listen))
	name := "posbackup_" + port + "_" + hex.EncodeToString(sum[:4])
	if tls {
		return "__Host-" + name
	}
	return name
}

func (s *Server) setCookie(w http.ResponseWriter, tok string) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: tok, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.opt.TLS})
}

func (s *Server) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.opt.TLS})
}

// sessionOf returns the request's session, or nil.
func (s *Server) sessionOf(r *http.Request) *session {
	c, err := r.Cookie(s.cookieName())
	if err != nil {
		return nil
	}
	return s.sessions.get(c.Value)
}

// csrfOK checks the request's CSRF token (header or form field) against
// the session's, in constant time.
func csrfOK(r *http.Request, sess *session) bool {
	got := r.Header.Get(csrfHeader)
	if got == "" && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		got = r.PostFormValue(csrfField)
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(sess.csrf)) == 1
}

// keyOK checks the request's session key header, in constant time.
func keyOK(r *http.Request, sess *session) bool {
	got := r.Header.Get(keyHeader)
	return got != "" && sess.key != "" && subtle.ConstantTimeCompare([]byte(got), []byte(sess.key)) == 1
}

type ctxKey struct{}

func sessionFrom(r *http.Request) *session {
	s, _ := r.Context().Value(ctxKey{}).(*session)
	return s
}

// authed lets through requests of a logged-in session; state-changing
// requests must also carry its CSRF token.
func (s *Server) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess := s.sessionOf(r)
		if sess == nil || !sess.authed {
			s.refuse(w, r, http.StatusUnauthorized, "You are not logged in (or the session has ended): reload the page and log in.")
			return
		}
		if strings.HasPrefix(r.URL.Path, "/api/") && !keyOK(r, sess) {
			// The cookie alone: another page of this computer that got
			// it, or a browser tab that lost the key. The page logs in again.
			s.opt.Logf("refused %s %s from %s: the session cookie came without the session's key", r.Method, r.URL.Path, r.RemoteAddr)
			writeJSON(w, http.StatusUnauthorized, map[string]any{"ok": false, "relogin": true, "error": "You are not logged in on this page: log in again."})
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !csrfOK(r, sess) {
			s.refuse(w, r, http.StatusForbidden, "The request lacks the page's security token: reload the page and try again.")
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, sess)))
	}
}

func (s *Server) refuse(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.opt.Logf("refused %s %s from %s: %d", r.Method, r.URL.Path, r.RemoteAddr, status)
	if strings.HasPrefix(r.URL.Path, "/api/") || r.Header.Get(csrfHeader) != "" {
		writeJSON(w, status, map[string]any{"ok": false, "error": msg})
		return
	}
	http.Error(w, msg, status)
}

// guard sets the security headers and refuses requests whose Host or
// Origin header names another server.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin") // not no-referrer: that makes browsers send "Origin: null" on form posts
		h.Set("Cache-Control", "no-store")
		w = &langWriter{ResponseWriter: w, lang: langOf(r)}
		if !s.hosts[strings.ToLower(r.Host)] {
			s.refuse(w, r, http.StatusMisdirectedRequest, "This page is served for another address: open it as http://"+s.opt.Listen+"/.")
			return
		}
		if o := r.Header.Get("Origin"); o != "" && !s.originOK(o) {
			s.refuse(w, r, http.StatusForbidden, "The request comes from another web page and is refused.")
			return
		}
		if sf := r.Header.Get("Sec-Fetch-Site"); sf == "cross-site" && r.Method != http.MethodGet {
			s.refuse(w, r, http.StatusForbidden, "The request comes from another web page and is refused.")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) originOK(o string) bool {
	u, err := url.Parse(o)
	if err != nil || u.Host == "" || u.Path != "" {
		return false
	}
	want := "http"
	if s.opt.TLS {
		want = "https"
	}
	return u.Scheme == want && s.hosts[strings.ToLower(u.Host)]
}

// allowedHosts lists the Host header values that name this server: the
// listen address, localhost and the loopback addresses with its port, and
// for a server listening on all addresses this computer's addresses and
// name, plus extra names.
func allowedHosts(listen string, extra []string) (map[string]bool, error) {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return nil, errors.New("the listen address " + listen + " is not host:port, e.g. 127.0.0.1:8470")
	}
	if _, err := strconv.Atoi(port); err != nil {
		return nil, errors.New("the listen address " + listen + " has no valid port")
	}
	m := map[string]bool{}
	add := func(h string) {
		if h == "" {
			return
		}
		m[strings.ToLower(net.JoinHostPort(strings.Trim(h, "[]"), port))] = true
		if port == "80" || port == "443" {
			m[strings.ToLower(h)] = true
		}
	}
	for _, h := range []string{host, "localhost", "127.0.0.1", "::1"} {
		add(h)
	}
	for _, h := range extra {
		add(h)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		if name, err := os.Hostname(); err == nil {
			add(name)
		}
		if addrs, err := net.InterfaceAddrs(); err == nil {
			for _, a := range addrs {
				if ipn, ok := a.(*net.IPNet); ok {
					add(ipn.IP.String())
				}
			}
		}
	}
	return m, nil
}

// limiter slows down password guessing per account (the dialog has one:
// the admin), not per client address: on 127.0.0.1 every local user is
// the same client, and a lockout there would lock out the owner. The
// first freeFails wrong passwords cost nothing; after that each wrong
// one makes the account wait longer before the next password is
// compared (1 s, 2 s, 4 s ... up to maxDelay). Attempts during the wait
// are refused without comparing the password, and without counting, so
// the right password works as soon as the wait is over. An attempt is
// counted (reserved) before the password is compared, so that parallel
// requests cannot pass the check together; a successful login clears the
// count, and so do forgetAfter without attempts.
type limiter struct {
	mu       sync.Mutex
	now      func() time.Time
	accounts map[string]*attempts
}

type attempts struct {
	fails int       // wrong (or reserved) attempts in a row
	next  time.Time // no password is compared before this
	last  time.Time
}

const (
	freeFails   = 3
	maxDelay    = time.Minute
	forgetAfter = 15 * time.Minute
	// adminAccount is the dialog's one account.
	adminAccount = "admin"
)

// delayAfter is the wait after fails wrong passwords in a row.
func delayAfter(fails int) time.Duration {
	if fails < freeFails {
		return 0
	}
	if fails-freeFails >= 6 {
		return maxDelay
	}
	return min(time.Second<<(fails-freeFails), maxDelay)
}

func newLimiter(now func() time.Time) *limiter {
	return &limiter{now: now, accounts: map[string]*attempts{}}
}

func clientOf(r *http.Request) string {
	h, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return h
}

// try reserves a login attempt for account: when the account must still
// wait, false and how long (nothing counted).
func (l *limiter) try(account string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	a := l.accounts[account]
	if a == nil || now.Sub(a.last) > forgetAfter {
		a = &attempts{}
		l.accounts[account] = a
	}
	if now.Before(a.next) {
		return false, a.next.Sub(now)
	}
	a.fails++
	a.last = now
	a.next = now.Add(delayAfter(a.fails))
	return true, 0
}

// succeeded clears account's count after a successful login.
func (l *limiter) succeeded(account string) {
	l.mu.Lock()
	delete(l.accounts, account)
	l.mu.Unlock()
}
