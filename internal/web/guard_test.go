package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

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
