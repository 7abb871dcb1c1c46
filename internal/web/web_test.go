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

func TestRefusedWithoutSession(t *testing.T) {
	ts := startServer(t, hashConfig(t, adminPW), nil)
	c := newClient(t, ts)
	for _, p := range []string{"/api/settings", "/api/task", "/api/history", "/api/automatic", "/api/backups"} {
		if code, _ := c.get(p); code != http.StatusUnauthorized {
			t.Errorf("GET %s without session: %d, want 401", p, code)
		}
	}
	c.get("/") // an anonymous session with a CSRF token is not a login
	for _, p := range []string{"/api/settings", "/api/backup", "/api/restore", "/api/automatic/install", "/api/trust"} {
		if code, _ := c.postJSON(p, map[string]any{"section": "install", "install": map[string]any{"source": "/x"}}, nil); code != http.StatusUnauthorized {
			t.Errorf("POST %s without login: %d, want 401", p, code)
		}
	}
	if code, _ := c.postForm("/login", url.Values{"password": {"wrong-password"}, csrfField: {c.csrf}}); code != http.StatusUnauthorized {
		t.Errorf("wrong password: %d", code)
	}
}

func TestRefusedWithoutCSRFToken(t *testing.T) {
	ts := startServer(t, hashConfig(t, adminPW), nil)
	c := newClient(t, ts)
	c.login(adminPW)
	pos := filepath.Join(t.TempDir(), "pos")
	os.Mkdir(pos, 0o755)
	body := map[string]any{"section": "install", "install": map[string]any{"source": pos, "role": "location"}}
	if code, _ := c.postJSON("/api/settings", body, map[string]string{csrfHeader: ""}); code != http.StatusForbidden {
		t.Errorf("no CSRF token: %d, want 403", code)
	}
	if code, _ := c.postJSON("/api/settings", body, map[string]string{csrfHeader: c.csrf[:len(c.csrf)-2] + "xx"}); code != http.StatusForbidden {
		t.Errorf("wrong CSRF token: %d, want 403", code)
	}
	// The logout form also needs it.
	req, _ := http.NewRequest("POST", ts.URL+"/logout", nil)
	if code, _ := c.do(req); code != http.StatusForbidden {
		t.Errorf("logout without token: %d", code)
	}
	if b, _ := os.ReadFile(ts.cfg); strings.Contains(string(b), pos) {
		t.Fatal("a request without token changed the config")
	}
	if code, out := c.postJSON("/api/settings", body, nil); code != 200 {
		t.Fatalf("with token: %d %s", code, out)
	}
	if b, _ := os.ReadFile(ts.cfg); !strings.Contains(string(b), pos) {
		t.Fatal("the setting was not written")
	}
}

func TestRefusedForeignHostAndOrigin(t *testing.T) {
	ts := startServer(t, hashConfig(t, adminPW), nil)
	c := newClient(t, ts)
	c.login(adminPW)
	_, port, _ := strings.Cut(ts.Listener.Addr().String(), ":")
	for _, host := range []string{"evil.example:" + port, "evil.example", "127.0.0.1:1"} {
		req, _ := http.NewRequest("GET", ts.URL+"/api/settings", nil)
		req.Host = host
		if code, _ := c.do(req); code != http.StatusMisdirectedRequest {
			t.Errorf("Host %s: %d, want 421", host, code)
		}
	}
	u, _ := url.Parse(ts.URL)
	for _, host := range []string{"localhost:" + port, "127.0.0.1:" + port} {
		req, _ := http.NewRequest("GET", ts.URL+"/api/settings", nil)
		req.Host = host
		if host != u.Host {
			for _, ck := range c.http.Jar.Cookies(u) {
				req.AddCookie(ck)
			}
		}
		if code, _ := c.do(req); code != 200 {
			t.Errorf("Host %s: %d, want 200", host, code)
		}
	}
	other := t.TempDir()
	body := map[string]any{"section": "install", "install": map[string]any{"source": other, "role": "location"}}
	for _, o := range []string{"http://evil.example", "http://evil.example:" + port, "null", "https://127.0.0.1:" + port} {
		if code, _ := c.postJSON("/api/settings", body, map[string]string{"Origin": o}); code != http.StatusForbidden {
			t.Errorf("Origin %s: %d, want 403", o, code)
		}
	}
	if code, _ := c.postJSON("/api/settings", body, map[string]string{"Sec-Fetch-Site": "cross-site"}); code != http.StatusForbidden {
		t.Errorf("cross-site fetch: %d, want 403", code)
	}
	if code, out := c.postJSON("/api/settings", body, map[string]string{"Origin": "http://127.0.0.1:" + port}); code != 200 {
		t.Errorf("own Origin: %d %s", code, out)
	}
	// A login form posted from a foreign page is refused too.
	req, _ := http.NewRequest("POST", ts.URL+"/login", strings.NewReader("password="+adminPW))
	req.Header.Set("Origin", "http://evil.example")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if code, _ := c.do(req); code != http.StatusForbidden {
		t.Errorf("foreign login post: %d", code)
	}
}

// TestLoginRateLimited: wrong passwords make the admin account wait
// longer and longer (not the client address: on 127.0.0.1 that is every
// local user), and the right password works as soon as the wait is over:
// five wrong tries do not lock the owner out for a minute.
func TestLoginRateLimited(t *testing.T) {
	ts := startServer(t, hashConfig(t, adminPW), nil)
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	ts.srv.limiter.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	c := newClient(t, ts)
	c.get("/")
	wrong := func(i int) int {
		code, _ := c.postForm("/login", url.Values{"password": {"guess" + itoa(i)}, csrfField: {c.csrf}})
		return code
	}
	for i := 0; i < freeFails; i++ {
		if code := wrong(i); code != http.StatusUnauthorized {
			t.Fatalf("free attempt %d: %d", i, code)
		}
	}
	// From now on each wrong password costs a growing wait.
	for i, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second} {
		code, body := c.postForm("/login", url.Values{"password": {adminPW}, csrfField: {c.csrf}})
		if code != http.StatusTooManyRequests || !strings.Contains(body, "wait "+itoa(int(want/time.Second))+" seconds") {
			t.Fatalf("during the wait of %v the login got %d: %s", want, code, body)
		}
		advance(want)
		if code := wrong(100 + i); code != http.StatusUnauthorized {
			t.Fatalf("after the wait of %v a wrong password got %d, want it compared (401)", want, code)
		}
	}
	// Five wrong tries later the owner waits seconds, not a minute.
	advance(16 * time.Second)
	c.login(adminPW)
	// The count starts again after the success.
	if code := wrong(200); code != http.StatusUnauthorized {
		t.Fatalf("a wrong password after a success: %d", code)
	}
}

func TestSessionCookieFlags(t *testing.T) {
	ts := startServer(t, hashConfig(t, adminPW), nil)
	res, err := http.Get(ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var found bool
	for _, ck := range res.Cookies() {
		if ck.Name == ts.srv.cookieName() && strings.HasPrefix(ck.Name, "posbackup_"+ts.URL[strings.LastIndex(ts.URL, ":")+1:]+"_") {
			found = true
			if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || len(ck.Value) < 43 {
				t.Errorf("cookie %+v: want HttpOnly, SameSite=Strict, 32 random bytes", ck)
			}
		}
	}
	if !found {
		t.Fatal("no session cookie")
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP %q", csp)
	}
	// Under TLS the cookie is Secure.
	s, _ := New(Options{ConfigPath: "x.toml", Listen: "127.0.0.1:1", TLS: true})
	rec := httptest.NewRecorder()
	s.setCookie(rec, "tok")
	if c := rec.Result().Cookies()[0]; !c.Secure || !strings.HasPrefix(c.Name, "__Host-posbackup_1_") {
		t.Errorf("TLS cookie %+v", c)
	}
}

func TestNoStoredPasswordInAnyAnswer(t *testing.T) {
	secrets := []string{"Ftp-Secret-4711x", "Mail-Secret-0815y", "Admin-Secret-1234z", "Url-Secret-5150q", "Archive-Secret-2323w", "Archive-New-9876v"}
	inst := t.TempDir()
	os.MkdirAll(filepath.Join(inst, "Daten", "Global"), 0o755)
	cfgText := "source = '" + inst + "'\nvariant = 2\nto = 'ftpes://127.0.0.1:1/betrieb1'\nuser = 'kasse'\npassword = '" + secrets[0] + "'\n"
	cfgText += "encrypt = true\narchive_password = '" + secrets[4] + "'\n"
	cfgText += "\n[mail]\nhost = '127.0.0.1'\nport = 1\nsecurity = 'none'\nuser = 'relay'\npassword = '" + secrets[1] + "'\n" +
		"\n[web]\nadmin_password = '" + secrets[2] + "'\n" +
		"\n[jobs." + autoJob + "]\ntime = '23:30'\nmail_to = ['chef@example.org']\n" +
		"\n[jobs.other]\nto = 'ftp://kasse:" + secrets[3] + "@127.0.0.1:1/x'\ntime = '02:00'\n"
	ts := startServer(t, cfgText, TestAutomatic{Dir: t.TempDir()})
	c := newClient(t, ts)
	c.login(secrets[2])

	for _, p := range []string{"/", "/api/settings", "/api/task", "/api/history", "/api/automatic", "/api/backups", "/api/backups/details?name=x.zip", "/assets/app.js"} {
		c.get(p)
	}
	c.postJSON("/api/test-access", map[string]any{"use_ftp": true, "server": "ftpes://127.0.0.1:1/betrieb1", "user": "kasse"}, nil)
	c.postJSON("/api/test-mail", map[string]any{"host": "127.0.0.1", "port": 1, "security": "none", "user": "relay", "to": "a@example.org"}, nil)
	c.postJSON("/api/backup", map[string]any{"variant": 2, "clients": "all"}, nil)
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, body := c.get("/api/task")
		if !strings.Contains(body, `"running":true`) || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.postJSON("/api/settings", map[string]any{"section": "dest", "dest": map[string]any{"use_ftp": true, "protocol": "ftpes", "server": "ftpes://127.0.0.1:1/betrieb1", "user": "kasse"}}, nil)
	c.postJSON("/api/settings", map[string]any{"section": "mail", "mail": map[string]any{"host": "127.0.0.1", "port": 1, "security": "none", "user": "relay", "to": "chef@example.org", "on": "always"}}, nil)
	c.postJSON("/api/settings", map[string]any{"section": "keep", "keep": map[string]any{"keep_last": 7}}, nil)
	c.postJSON("/api/automatic/install", map[string]any{"variant": 2, "time": "22:15", "install": true}, nil)
	c.postJSON("/api/restore", map[string]any{"name": "x.zip", "target": t.TempDir()}, nil)
	// A new archive password typed on the Settings tab (answers after it are scanned too).
	if code, out := c.postJSON("/api/settings", map[string]any{"section": "archive", "archive": map[string]any{"encrypt": true, "password": secrets[5], "password2": secrets[5]}}, nil); code != 200 {
		t.Fatalf("saving the archive password: %d %s", code, out)
	}
	time.Sleep(200 * time.Millisecond)
	c.get("/api/task")
	c.get("/api/history")
	c.get("/api/settings")

	if os.Getenv("WEBDEBUG") != "" {
		for _, a := range c.seen {
			if len(a) > 1500 {
				a = a[:1500]
			}
			t.Log(a)
		}
	}
	if len(c.seen) < 20 {
		t.Fatalf("only %d answers scanned", len(c.seen))
	}
	ts.mu.Lock()
	logs := ts.logs.String()
	ts.mu.Unlock()
	for _, sec := range secrets {
		for _, a := range c.seen {
			if strings.Contains(a, sec) {
				t.Errorf("an answer contains the stored password %s:\n%s", sec, a)
			}
		}
		if strings.Contains(logs, sec) {
			t.Errorf("the log contains %s", sec)
		}
	}
	// The stored passwords survived the saves (shown as "set", not lost).
	cfg, err := config.Load(ts.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Password != secrets[0] || cfg.Mail.Password != secrets[1] || cfg.ArchivePassword != secrets[5] || !cfg.Encrypt {
		t.Errorf("saving the settings lost a stored password")
	}
	var v settingsView
	_, body := c.get("/api/settings")
	json.Unmarshal([]byte(body), &v)
	if !v.Dest.PasswordSet || !v.Mail.PasswordSet || !v.Archive.PasswordSet {
		t.Errorf("the page is not told that passwords are set: %+v", v)
	}
}

// TestNoPasswordOfUnparsableDestination: a destination in the config that
// does not parse (here a port beyond 65535) is shown without the password
// typed into it, on every tab.
func TestNoPasswordOfUnparsableDestination(t *testing.T) {
	const secret = "url-geheim-77"
	inst := t.TempDir()
	os.MkdirAll(filepath.Join(inst, "Daten", "Global"), 0o755)
	for _, tc := range []struct{ to, protocol string }{
		{"ftp://kasse:" + secret + "@host:99999/x", ""},
		{"kasse:" + secret + "@host:99999/x", "ftpes"},
		{"gopher://kasse:" + secret + "@host/x", ""},
	} {
		to := tc.to
		cfgText := "source = '" + inst + "'\nvariant = 2\nto = '" + to + "'\nprotocol = '" + tc.protocol + "'\n" + hashConfig(t, adminPW) +
			"\n[jobs." + autoJob + "]\ntime = '23:30'\n"
		ts := startServer(t, cfgText, TestAutomatic{Dir: t.TempDir()})
		c := newClient(t, ts)
		c.login(adminPW)
		for _, p := range []string{"/", "/api/settings", "/api/automatic", "/api/backups", "/api/backups/details?name=x.zip", "/api/history"} {
			c.get(p)
		}
		c.postJSON("/api/backup", map[string]any{"variant": 2, "clients": "all"}, nil)
		c.postJSON("/api/restore", map[string]any{"name": "x.zip", "target": t.TempDir()}, nil)
		time.Sleep(200 * time.Millisecond)
		c.get("/api/task")
		c.get("/api/history")
		for _, a := range c.seen {
			if strings.Contains(a, secret) {
				t.Errorf("to = %q: an answer contains its password:\n%s", to, a)
			}
		}
		var v settingsView
		_, body := c.get("/api/settings")
		json.Unmarshal([]byte(body), &v)
		if !strings.Contains(v.Dest.Display, "***") || !v.Dest.PasswordSet {
			t.Errorf("to = %q: shown as %+v", to, v.Dest)
		}
		// Saving the form as shown does not write the "***" into the config.
		c.postJSON("/api/settings", map[string]any{"section": "dest", "dest": map[string]any{"use_ftp": false, "folder": v.Dest.Folder}}, nil)
		if cfg, err := config.Load(ts.cfg); err != nil || cfg.To != to || cfg.Protocol != tc.protocol {
			t.Errorf("to = %q: saving the shown form changed it: %+v %v", to, cfg, err)
		}
	}
}

func TestStoredPasswordNotSentToAnotherServer(t *testing.T) {
	c := &config.Config{Backup: config.Backup{To: "nas.example/betrieb1", Protocol: "ftpes", User: "kasse", Password: "pw-1"}}
	b, err := destBackup(c, destForm{UseFTP: true, Protocol: "ftpes", Server: "nas.example/other", User: "kasse"})
	if err != nil || b.Password != "pw-1" {
		t.Fatalf("same server, other folder: password %q, %v", b.Password, err)
	}
	b, _ = destBackup(c, destForm{UseFTP: true, Protocol: "ftpes", Server: "evil.example/betrieb1", User: "kasse"})
	if b.Password != "" {
		t.Fatal("the stored password would go to another server")
	}
	b, _ = destBackup(c, destForm{UseFTP: true, Protocol: "ftpes", Server: "nas.example/betrieb1", User: "other"})
	if b.Password != "" {
		t.Fatal("the stored password would go with another user")
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
	m := csrfRe.FindStringSubmatch(rec.Body.String())
	post := httptest.NewRequest("POST", "/setup", strings.NewReader(url.Values{"password": {adminPW}, "password2": {adminPW}, csrfField: {m[1]}}.Encode()))
	post.Host, post.RemoteAddr = "localhost:8470", "192.0.2.7:40000"
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, ck := range rec.Result().Cookies() {
		post.AddCookie(ck)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, post)
	if rec.Code != http.StatusForbidden {
		t.Fatalf("remote setup: %d, want 403", rec.Code)
	}
	if _, err := os.Stat(filepath.Join(dir, "pb.toml")); err == nil {
		t.Fatal("a remote client set the admin password")
	}
}
