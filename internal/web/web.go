// Package web is the backup dialog in the browser ('posbackup serve'): the
// tabs Backup, Automatic backup, Restore, Settings and History of the
// original dialog, served by net/http and html/template with the assets
// embedded. It is a face like the command line: it reads and edits the
// config file, and calls prepare, job, open, notify and status.
//
// Security: the first start asks for an admin password (only its bcrypt
// hash is stored; not when served by the installed service, Options.NoSetup),
// or takes web.admin_password from the config; every
// request after needs a session (random 32-byte token, server-side, with
// expiry) in an HttpOnly, SameSite=Strict cookie; every state-changing
// request carries the session's CSRF token; the Host header must name this
// server and an Origin header must match it (no DNS rebinding); the
// cookie's name carries the port and instance, and every API call also
// needs the session's key, which only the login's answer gave the page
// (another web service on this computer gets the cookie, never the key);
// wrong passwords make the admin account wait longer and longer. Stored passwords never leave the
// server: the page only learns whether one is set.
package web

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/job"
	"github.com/posbackup/posbackup/internal/msg"
)

//go:embed assets
var assetFS embed.FS

// Options configure a Server.
type Options struct {
	// ConfigPath is the config file the dialog reads and edits. It is
	// created when missing.
	ConfigPath string
	// Listen is the address the server listens on (host:port, as bound);
	// the Host header must name it, localhost or 127.0.0.1 with its port.
	Listen string
	// TLS is true when the server is reached over HTTPS (cookies get Secure).
	TLS bool
	// AllowHosts are more host names (without port) the page may be reached
	// by, for a server listening beyond localhost.
	AllowHosts []string
	// NoSetup refuses the first-start setup (choosing the admin password
	// on the page). The installed service sets it: it runs as SYSTEM or
	// root, and any user of the computer could otherwise claim it over
	// loopback. The page then says to set web.admin_password with
	// 'posbackup config set-secret' as administrator.
	NoSetup bool
	// Automatic installs the automatic backup on this computer; nil when
	// this build cannot.
	Automatic Automatic
	// Timeout is the destinations' connect and inactivity timeout (0: default).
	Timeout time.Duration
	// Now is the clock (tests); nil: time.Now.
	Now func() time.Time
	// Logf logs server events (never a password); nil: discard.
	Logf func(format string, a ...any)
}

// Server is the dialog.
type Server struct {
	opt      Options
	ctx      context.Context // ends when the server shuts down: running tasks stop
	cancel   context.CancelFunc
	sessions *sessionStore
	limiter  *limiter
	tmpl     *template.Template
	hosts    map[string]bool // allowed Host header values (lower case, with port)
	cookie   string          // the session cookie's name (cookieNameOf)

	mu      sync.Mutex
	task    *task   // the current or last backup or restore
	history []*task // finished tasks, newest first
	listed  listCache

	eventHook func(job.Event) // tests: slows a run down to watch its progress
}

// New makes the dialog's server.
func New(opt Options) (*Server, error) {
	if opt.ConfigPath == "" {
		return nil, errors.New("the web dialog needs a config file (--config FILE): it keeps its settings there")
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logf == nil {
		opt.Logf = func(string, ...any) {}
	}
	t, err := template.New("").Funcs(template.FuncMap{"t": func(lang, key string) string { return tr(lang, key) }}).ParseFS(assetFS, "assets/*.html")
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{opt: opt, ctx: ctx, cancel: cancel, sessions: newSessionStore(opt.Now), limiter: newLimiter(opt.Now), tmpl: t}
	s.cookie = cookieNameOf(opt.Listen, opt.ConfigPath, opt.TLS)
	s.hosts, err = allowedHosts(opt.Listen, opt.AllowHosts)
	if err != nil {
		cancel()
		return nil, err
	}
	return s, nil
}

// Close stops running tasks.
func (s *Server) Close() { s.cancel() }

// Handler is the whole dialog with its security checks.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(assetFS, "assets")
	mux.Handle("GET /assets/", http.StripPrefix("/assets/", http.FileServerFS(static)))
	mux.HandleFunc("GET /{$}", s.page)
	mux.HandleFunc("POST /setup", s.setup)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.authed(s.logout))

	api := func(pattern string, h func(w http.ResponseWriter, r *http.Request, c *config.Config)) {
		mux.HandleFunc(pattern, s.authed(func(w http.ResponseWriter, r *http.Request) {
			c, err := s.loadConfig()
			if err != nil {
				writeErr(w, http.StatusInternalServerError, err)
				return
			}
			h(w, r, c)
		}))
	}
	api("GET /api/settings", viewOf(s.view))
	api("POST /api/settings", withBody(s.saveSettings))
	api("POST /api/test-access", withBody(s.testAccess))
	api("POST /api/trust", withBody(s.trust))
	api("POST /api/test-mail", withBody(s.testMail))
	api("POST /api/backup", s.startBackup)
	api("GET /api/task", s.getTask)
	api("POST /api/task/answer", s.answerTask)
	api("GET /api/backups", s.listBackups)
	api("GET /api/backups/details", s.backupDetails)
	api("POST /api/restore", s.startRestore)
	api("POST /api/verify", s.startVerify)
	api("GET /api/automatic", viewOf(s.automatic))
	api("POST /api/automatic/install", withBody(s.installAutomatic))
	api("POST /api/automatic/uninstall", s.uninstallAutomatic)
	api("GET /api/history", s.getHistory)
	api("GET /api/guide", s.getGuide)
	api("POST /api/password", withBody(s.changePassword))
	api("GET /api/folders", s.listFolders)
	api("GET /api/fleet", s.getFleet)
	return s.guard(mux)
}

func (s *Server) loadConfig() (*config.Config, error) {
	c, err := config.Load(s.opt.ConfigPath)
	if err != nil {
		if _, serr := fsStat(s.opt.ConfigPath); serr != nil {
			return &config.Config{}, nil // a new config: the dialog creates it
		}
		return nil, err
	}
	return c, nil
}

// writeJSON answers v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// writeErr answers a plain message: one or two sentences, in the page's
// language (the catalogue translates the messages of the layers below).
func writeErr(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]any{"ok": false, "error": say(langOfWriter(w), err)})
}

// langWriter carries the request's language to writeErr.
type langWriter struct {
	http.ResponseWriter
	lang string
}

func langOfWriter(w http.ResponseWriter) string {
	if lw, ok := w.(*langWriter); ok {
		return lw.lang
	}
	return msg.EN
}

// withBody reads the request's JSON into a T before h runs: what every
// handler of a form does first. A body that is not one is answered 400.
func withBody[T any](h func(w http.ResponseWriter, r *http.Request, c *config.Config, req T)) func(http.ResponseWriter, *http.Request, *config.Config) {
	return func(w http.ResponseWriter, r *http.Request, c *config.Config) {
		var req T
		if err := readJSON(r, &req); err != nil {
			writeErr(w, http.StatusBadRequest, err)
			return
		}
		h(w, r, c, req)
	}
}

// viewOf answers a GET with what view makes of the config in the page's
// language.
func viewOf[V any](view func(lang string, c *config.Config) V) func(http.ResponseWriter, *http.Request, *config.Config) {
	return func(w http.ResponseWriter, r *http.Request, c *config.Config) {
		writeJSON(w, http.StatusOK, view(langOf(r), c))
	}
}

func readJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("the request could not be read: reload the page and try again")
	}
	return nil
}

// sentence: see job.Sentence.
var sentence = job.Sentence

// IsLoopback reports whether the listen address host is a loopback address
// or localhost.
func IsLoopback(listen string) bool {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		host = listen
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
