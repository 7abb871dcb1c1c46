package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/msg"
)

// testServer is a dialog on a real loopback port with its log.
type testServer struct {
	*httptest.Server
	srv  *Server
	cfg  string
	mu   sync.Mutex
	logs bytes.Buffer
}

func (ts *testServer) logf(format string, a ...any) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.logs.WriteString(strings.TrimSpace(fmt.Sprintf(format, a...)) + "\n")
}

func startServer(t *testing.T, cfgText string, auto Automatic) *testServer {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "posbackup.toml")
	if cfgText != "" {
		if err := os.WriteFile(cfg, []byte(cfgText), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ts := &testServer{cfg: cfg}
	ts.Server = httptest.NewUnstartedServer(nil)
	srv, err := New(Options{ConfigPath: cfg, Listen: ts.Listener.Addr().String(), Automatic: auto, Logf: ts.logf, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ts.srv = srv
	ts.Config.Handler = srv.Handler()
	ts.Start()
	t.Cleanup(func() { ts.Close(); srv.Close() })
	return ts
}

// client is a browser: cookies, and the page's CSRF token.
type client struct {
	t    *testing.T
	ts   *testServer
	http *http.Client
	csrf string
	key  string   // the session's API key, from the login's answer
	seen []string // every answer's headers and body, for the password scan
}

func newClient(t *testing.T, ts *testServer) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, ts: ts, http: &http.Client{Jar: jar}}
}

var csrfRe = regexp.MustCompile(`name="(?:csrf-token|csrf_token)" (?:content|value)="([^"]+)"`)

var keyRe = regexp.MustCompile(`name="session-key" content="([^"]+)"`)

func (c *client) do(req *http.Request) (int, string) {
	c.t.Helper()
	if c.key != "" && req.Header.Get(keyHeader) == "" {
		req.Header.Set(keyHeader, c.key)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var hdr strings.Builder
	res.Header.Write(&hdr)
	c.seen = append(c.seen, req.Method+" "+req.URL.Path+"\n"+hdr.String()+"\n"+string(b))
	if m := csrfRe.FindSubmatch(b); m != nil {
		c.csrf = string(m[1])
	}
	if m := keyRe.FindSubmatch(b); m != nil {
		c.key = string(m[1])
	}
	return res.StatusCode, string(b)
}

func (c *client) get(path string) (int, string) {
	req, _ := http.NewRequest("GET", c.ts.URL+path, nil)
	return c.do(req)
}

func (c *client) postJSON(path string, body any, hdr map[string]string) (int, string) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", c.ts.URL+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if c.csrf != "" {
		req.Header.Set(csrfHeader, c.csrf)
	}
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	return c.do(req)
}

func (c *client) postForm(path string, v url.Values) (int, string) {
	req, _ := http.NewRequest("POST", c.ts.URL+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

func (c *client) login(pw string) {
	c.t.Helper()
	if code, _ := c.get("/"); code != 200 {
		c.t.Fatalf("GET /: %d", code)
	}
	code, body := c.postForm("/login", url.Values{"password": {pw}, csrfField: {c.csrf}})
	if code != 200 || !strings.Contains(body, `id="panel-backup"`) {
		c.t.Fatalf("login failed: %d %s", code, body)
	}
}

func hashConfig(t *testing.T, pw string) string {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return "[web]\nadmin_password_hash = '" + string(h) + "'\n"
}

const adminPW = "Adm1n-pass-for-tests"

func TestFirstStartSetsAdminPasswordHashOnly(t *testing.T) {
	ts := startServer(t, "", nil)
	c := newClient(t, ts)
	code, body := c.get("/")
	if code != 200 || !strings.Contains(body, `action="/setup"`) {
		t.Fatalf("first start shows no setup form: %d", code)
	}
	if code, body = c.postForm("/setup", url.Values{"password": {"short"}, "password2": {"short"}, csrfField: {c.csrf}}); code != 400 || !strings.Contains(body, "too short") {
		t.Fatalf("short password accepted: %d", code)
	}
	if code, _ = c.postForm("/setup", url.Values{"password": {adminPW}, "password2": {adminPW}}); code != 403 {
		t.Fatalf("setup without CSRF token: %d, want 403", code)
	}
	code, body = c.postForm("/setup", url.Values{"password": {adminPW}, "password2": {adminPW}, csrfField: {c.csrf}})
	if code != 200 || !strings.Contains(body, `id="panel-backup"`) {
		t.Fatalf("setup did not log in: %d", code)
	}
	b, _ := os.ReadFile(ts.cfg)
	if strings.Contains(string(b), adminPW) || !strings.Contains(string(b), "admin_password_hash") {
		t.Fatalf("config after setup:\n%s", b)
	}
	cfg, err := config.Load(ts.cfg)
	if err != nil || !checkAdmin(cfg, adminPW) || checkAdmin(cfg, adminPW+"x") {
		t.Fatalf("stored hash does not check: %v", err)
	}
	// A second setup is not possible.
	c2 := newClient(t, ts)
	if _, body := c2.get("/"); !strings.Contains(body, `action="/login"`) {
		t.Fatal("after setup the page still offers setup")
	}
}

func TestLanguage(t *testing.T) {
	ts := startServer(t, hashConfig(t, adminPW), nil)
	for _, tc := range []struct{ accept, want string }{{"de-DE,de;q=0.9,en;q=0.8", "Anmelden"}, {"en-US,en;q=0.9", "Log in"}, {"fr-FR", "Log in"}} {
		req, _ := http.NewRequest("GET", ts.URL+"/", nil)
		req.Header.Set("Accept-Language", tc.accept)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(b), tc.want) {
			t.Errorf("Accept-Language %s: page lacks %q", tc.accept, tc.want)
		}
	}
	c := newClient(t, ts)
	c.get("/?lang=de")
	if _, body := c.get("/"); !strings.Contains(body, "Anmelden") {
		t.Error("?lang=de is not remembered")
	}
	// Every text of the page is in the catalogue, with its German text.
	for k, en := range texts {
		if en == "" || !msg.Has(en) || msg.Text("de", en) == "" {
			t.Errorf("text %s (%q) is not in the catalogue", k, en)
		}
	}
}

func TestListenAddresses(t *testing.T) {
	if !IsLoopback("127.0.0.1:8470") || !IsLoopback("localhost:1") || !IsLoopback("[::1]:8470") || IsLoopback("0.0.0.0:8470") || IsLoopback("192.168.1.5:80") {
		t.Fatal("IsLoopback")
	}
	h, err := allowedHosts("127.0.0.1:8470", []string{"kasse1.local"})
	if err != nil {
		t.Fatal(err)
	}
	for _, ok := range []string{"127.0.0.1:8470", "localhost:8470", "[::1]:8470", "kasse1.local:8470"} {
		if !h[ok] {
			t.Errorf("%s not allowed", ok)
		}
	}
	if h["evil.example:8470"] || h["127.0.0.1:8471"] {
		t.Error("foreign host allowed")
	}
}

func TestSetupOnlyFromThisComputer(t *testing.T) {
	dir := t.TempDir()
	s, err := New(Options{ConfigPath: filepath.Join(dir, "pb.toml"), Listen: "0.0.0.0:8470", Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	req := httptest.NewRequest("GET", "/", nil)
	req.Host, req.RemoteAddr = "localhost:8470", "192.0.2.7:40000"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if !strings.Contains(rec.Body.String(), "only be set on this computer") || strings.Contains(rec.Body.String(), `action="/setup"`) {
		t.Fatalf("a remote client is offered the first-start setup:\n%s", rec.Body.String())
	}
	rec = postSetup(t, h, rec, "localhost:8470", "192.0.2.7:40000")
	if rec.Code != http.StatusForbidden {
		t.Fatalf("remote setup: %d, want 403", rec.Code)
	}
	if _, err := os.Stat(filepath.Join(dir, "pb.toml")); err == nil {
		t.Fatal("a remote client set the admin password")
	}
}

// postSetup posts the first-start form (the admin password twice) as from
// host and remote, with the CSRF token and the cookies of the page that
// answered page.
func postSetup(t *testing.T, h http.Handler, page *httptest.ResponseRecorder, host, remote string) *httptest.ResponseRecorder {
	t.Helper()
	m := csrfRe.FindStringSubmatch(page.Body.String())
	if m == nil {
		t.Fatal("no CSRF token on the page")
	}
	post := httptest.NewRequest("POST", "/setup", strings.NewReader(url.Values{"password": {adminPW}, "password2": {adminPW}, csrfField: {m[1]}}.Encode()))
	post.Host, post.RemoteAddr = host, remote
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, ck := range page.Result().Cookies() {
		post.AddCookie(ck)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, post)
	return rec
}
