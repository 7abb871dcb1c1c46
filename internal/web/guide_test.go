package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/service"
	"github.com/posbackup/posbackup/internal/testutil"
)

// german makes c's requests German, as the language switch does.
func (c *client) german() {
	u, _ := url.Parse(c.ts.URL)
	c.http.Jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: "de", Path: "/"}})
}

// TestInstallationFolderCheckedWhenSaved: a folder that does not exist (or
// is a file, or no full path) is refused when it is saved, with a plain
// sentence in the page's language, not "Saved." and a failure at backup
// time.
func TestInstallationFolderCheckedWhenSaved(t *testing.T) {
	ts := startServer(t, hashConfig(t, adminPW), nil)
	c := newClient(t, ts)
	c.login(adminPW)
	c.german()
	dir := t.TempDir()
	file := filepath.Join(dir, "kasse.exe")
	os.WriteFile(file, []byte("x"), 0o644)
	missing := filepath.Join(dir, "Kassenprogramm")
	for _, tc := range []struct{ source, want string }{
		{missing, "Den Ordner " + missing + " gibt es nicht"},
		{file, "ist eine Datei, kein Ordner"},
		{"Kassenprogramm", "mit vollem Pfad"},
		{"", "Installationsordner der Kassensoftware wählen"},
	} {
		code, body := c.postJSON("/api/settings", map[string]any{"section": "install", "install": map[string]any{"source": tc.source, "role": "location"}}, nil)
		if code != http.StatusBadRequest || !strings.Contains(body, tc.want) {
			t.Errorf("source %q: %d %s; want 400 and %q", tc.source, code, body, tc.want)
		}
	}
	if cfg, _ := os.ReadFile(ts.cfg); strings.Contains(string(cfg), "source") {
		t.Fatalf("a refused folder was saved: %s", cfg)
	}
	if code, body := c.postJSON("/api/settings", map[string]any{"section": "install", "install": map[string]any{"source": dir, "role": "location"}}, nil); code != 200 {
		t.Fatalf("an existing folder: %d %s", code, body)
	}
	var g guideView
	_, body := c.get("/api/guide")
	json.Unmarshal([]byte(body), &g)
	if !g.SourceOK || g.DestOK || g.BackedUp || g.Installed || g.Complete {
		t.Errorf("guide after step 1: %+v", g)
	}
}

// TestBackUpNowOnAFreshSetupLeadsToTheGuide: "Back up now" before the
// installation folder and the destination are set says so in the page's
// words and sends the page to the guide, without command-line talk.
func TestBackUpNowOnAFreshSetupLeadsToTheGuide(t *testing.T) {
	ts := startServer(t, hashConfig(t, adminPW), nil)
	c := newClient(t, ts)
	c.login(adminPW)
	for _, lang := range []string{"en", "de"} {
		if lang == "de" {
			c.german()
		}
		code, body := c.postJSON("/api/backup", map[string]any{"variant": 3, "clients": "", "name": ""}, nil)
		var r struct {
			OK    bool
			Guide bool
			Error string
		}
		json.Unmarshal([]byte(body), &r)
		if code != http.StatusBadRequest || r.OK || !r.Guide {
			t.Errorf("%s: %d %s; want 400 with guide", lang, code, body)
		}
		if strings.Contains(body, "--") || strings.Contains(body, "config") {
			t.Errorf("%s: command-line talk on the page: %s", lang, r.Error)
		}
		if lang == "de" && !strings.Contains(r.Error, "ersten Schritte") {
			t.Errorf("German: %q", r.Error)
		}
	}
}

// TestFolderPicker lists the folders (not the files) of a folder, for the
// logged-in administrator only: neither the cookie alone nor no session
// reaches it.
func TestFolderPicker(t *testing.T) {
	ts := startServer(t, hashConfig(t, adminPW), nil)
	dir := t.TempDir()
	for _, d := range []string{"Kassenprogramm", "backup", "Zahlen"} {
		os.Mkdir(filepath.Join(dir, d), 0o755)
	}
	os.WriteFile(filepath.Join(dir, "secret.txt"), []byte("x"), 0o644)
	anon := newClient(t, ts)
	anon.get("/")
	if code, body := anon.get("/api/folders?path=" + url.QueryEscape(dir)); code != http.StatusUnauthorized || strings.Contains(body, "Kassenprogramm") {
		t.Errorf("without login: %d %s", code, body)
	}
	c := newClient(t, ts)
	c.login(adminPW)
	key := c.key
	c.key = ""
	if code, _ := c.do(mustReq(t, "GET", ts.URL+"/api/folders?path="+url.QueryEscape(dir))); code != http.StatusUnauthorized {
		t.Errorf("the cookie without the key: %d", code)
	}
	c.key = key
	code, body := c.get("/api/folders?path=" + url.QueryEscape(dir))
	var r struct {
		Path, Parent string
		Folders      []folderView
	}
	json.Unmarshal([]byte(body), &r)
	var names []string
	for _, f := range r.Folders {
		names = append(names, f.Name)
	}
	if code != 200 || strings.Join(names, ",") != "backup,Kassenprogramm,Zahlen" || r.Parent != filepath.Dir(dir) {
		t.Fatalf("folders of %s: %d %v (parent %q); want backup,Kassenprogramm,Zahlen", dir, code, names, r.Parent)
	}
	if strings.Contains(body, "secret.txt") {
		t.Error("the picker lists files")
	}
	_, body = c.get("/api/folders")
	if !strings.Contains(body, `"folders":[{`) {
		t.Errorf("no roots: %s", body)
	}
}

func mustReq(t *testing.T, method, u string) *http.Request {
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// TestGermanMessagesFromBelow: a German page shows the access test's steps,
// the schedule and the status in German, "alle" backs up all clients, and
// History shows no next run while the automatic backup is not installed.
func TestGermanMessagesFromBelow(t *testing.T) {
	inst := filepath.Join(t.TempDir(), "Kasse")
	if _, err := testutil.MakeInstallation(inst); err != nil {
		t.Fatal(err)
	}
	target := t.TempDir()
	ts := startServer(t, "source = '"+inst+"'\nto = '"+target+"'\nvariant = 2\n"+hashConfig(t, adminPW)+
		"\n[jobs."+autoJob+"]\ntime = '23:30'\nweekdays = ['mon', 'fri']\n", nil)
	c := newClient(t, ts)
	c.login(adminPW)
	c.german()
	_, body := c.postJSON("/api/test-access", map[string]any{"use_ftp": false, "folder": target}, nil)
	for _, want := range []string{"Der Ordner " + target + " ist bereit", "Eine Testdatei wurde nach", "Die Testdatei wurde gelöscht"} {
		if !strings.Contains(body, want) {
			t.Errorf("test access: %q not in %s", want, body)
		}
	}
	_, body = c.get("/api/automatic")
	if !strings.Contains(body, `"schedule":"um 23:30 am Mo, Fr"`) {
		t.Errorf("schedule not German: %s", body)
	}
	_, body = c.get("/api/history")
	var h struct {
		Report struct {
			Warnings []struct{ Message string }
			Jobs     []struct {
				Schedule string
				NextRun  time.Time `json:"next_run"`
			}
		}
	}
	json.Unmarshal([]byte(body), &h)
	if len(h.Report.Jobs) != 1 || h.Report.Jobs[0].Schedule != "um 23:30 am Mo, Fr" || !h.Report.Jobs[0].NextRun.IsZero() {
		t.Errorf("history's job (no service installed): %+v", h.Report.Jobs)
	}
	for _, w := range h.Report.Warnings {
		if strings.Contains(w.Message, "posbackup") || strings.Contains(w.Message, " the ") {
			t.Errorf("an English or command-line warning on the German page: %q", w.Message)
		}
	}
	// "alle", as the German hint says.
	if code, body := c.postJSON("/api/backup", map[string]any{"variant": 2, "clients": "alle", "name": "{client}"}, nil); code != http.StatusAccepted {
		t.Fatalf("alle: %d %s", code, body)
	}
	if v := waitTask(t, c); !v.OK || !strings.Contains(v.What, "M001-M002-M003") {
		t.Fatalf("the backup of all clients: %+v", v)
	}
	if cfg, err := config.Load(ts.cfg); err != nil || cfg.Clients != "all" {
		t.Errorf("clients saved as %q, want all (%v)", cfg.Clients, err)
	}
	// The run's failure from the automatic backup, in German.
	appendEntries(t, ts.cfg, service.Entry{Job: autoJob, End: time.Now(), OK: false,
		Error: "the backup could not be stored: the folder " + target + " is ready. The older archive M001.zip at " + target + " is unchanged"})
	_, body = c.get("/api/history")
	if !strings.Contains(body, "Die Sicherung konnte nicht gespeichert werden") {
		t.Errorf("the automatic run's error is not German: %s", body)
	}
}

// TestNoCommandLineTalk: the page (its HTML and every text its script
// may show) names its own buttons, never a flag or a command of the
// command line.
func TestNoCommandLineTalk(t *testing.T) {
	inst := filepath.Join(t.TempDir(), "Kasse")
	if _, err := testutil.MakeInstallation(inst); err != nil {
		t.Fatal(err)
	}
	ts := startServer(t, "source = '"+inst+"'\nto = '"+t.TempDir()+"'\n"+hashConfig(t, adminPW), nil)
	c := newClient(t, ts)
	c.login(adminPW)
	for _, lang := range []string{"en", "de"} {
		_, body := c.get("/?lang=" + lang)
		for _, bad := range []string{"--source", "--yes", "--to ", "--variant", "service install", "Run posbackup", "posbackup job set"} {
			if strings.Contains(body, bad) {
				t.Errorf("%s page contains %q", lang, bad)
			}
		}
	}
	// The automatic backup's install without a service manager says so
	// in the page's words.
	c.get("/?lang=en")
	_, body := c.postJSON("/api/automatic/install", map[string]any{"variant": 3, "time": "23:30", "install": true}, nil)
	if strings.Contains(body, "posbackup") || !strings.Contains(body, "no service manager") {
		t.Errorf("install without a service manager: %s", body)
	}
}
