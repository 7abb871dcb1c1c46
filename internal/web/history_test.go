package web

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/service"
	"github.com/posbackup/posbackup/internal/testutil"
)

// appendEntries writes runs of the automatic backup into the state
// folder's history as the service does: one JSON line each, oldest first.
func appendEntries(t *testing.T, cfgPath string, entries ...service.Entry) {
	t.Helper()
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	dir := cfg.StateDirOf(cfgPath)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(dir, service.HistoryName), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, e := range entries {
		line, _ := json.Marshal(e)
		f.Write(append(line, '\n'))
	}
}

// waitTask waits until the page's current task has finished and returns it.
func waitTask(t *testing.T, c *client) taskView {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		var r struct{ Task *taskView }
		_, body := c.get("/api/task")
		json.Unmarshal([]byte(body), &r)
		if r.Task != nil && !r.Task.Running {
			return *r.Task
		}
		if time.Now().After(deadline) {
			t.Fatalf("the task did not finish: %s", body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The History tab shows the automatic backup's runs (the service's
// history.jsonl) together with the runs started on the page, newest first,
// each marked with where it came from.
func TestHistoryMergesAutomaticAndPageRuns(t *testing.T) {
	inst := filepath.Join(t.TempDir(), "Kasse")
	if _, err := testutil.MakeInstallation(inst); err != nil {
		t.Fatal(err)
	}
	to := t.TempDir()
	ts := startServer(t, "source = '"+inst+"'\nvariant = 2\nto = '"+to+"'\nname = '{client}_page'\n"+hashConfig(t, adminPW), nil)
	c := newClient(t, ts)
	c.login(adminPW)

	now := time.Now()
	appendEntries(t, ts.cfg,
		service.Entry{Job: "nightly", Due: now.Add(-24 * time.Hour), End: now.Add(-24*time.Hour + time.Minute), OK: false, Error: "the destination folder /mnt/usb is missing: plug in the USB medium"},
		service.Entry{Job: "nightly", Due: now.Add(-2 * time.Hour), End: now.Add(-2*time.Hour + 30*time.Second), OK: true, Catchup: true,
			Archive: "M001_Montag.zip", Files: 42, Size: 123456, Seconds: 30, Warnings: []string{"client M004 has no data"}},
	)
	// Before any page run: the automatic runs alone.
	var h struct {
		Runs []runView `json:"runs"`
	}
	_, body := c.get("/api/history")
	if err := json.Unmarshal([]byte(body), &h); err != nil || len(h.Runs) != 2 {
		t.Fatalf("history before a page run: %v %s", err, body)
	}

	if code, body := c.postJSON("/api/backup", map[string]any{"variant": 2, "clients": "all", "name": "{client}_page"}, nil); code != 202 {
		t.Fatalf("backup: %d %s", code, body)
	}
	if tk := waitTask(t, c); !tk.OK {
		t.Fatalf("the page's backup failed: %s", tk.Error)
	}
	time.Sleep(10 * time.Millisecond)
	later := time.Now()
	appendEntries(t, ts.cfg, service.Entry{Job: "nightly", End: later, OK: true, Archive: "M001_Dienstag.zip", Files: 43, Size: 2000, Seconds: 0.001})

	_, body = c.get("/api/history")
	h.Runs = nil
	if err := json.Unmarshal([]byte(body), &h); err != nil {
		t.Fatal(err)
	}
	if len(h.Runs) != 4 {
		t.Fatalf("want 4 runs (3 automatic, 1 from the page), got %d: %s", len(h.Runs), body)
	}
	want := []struct {
		by, what string
		ok       bool
	}{{byAutomatic, "M001_Dienstag.zip", true}, {byPage, "_page.zip", true}, {byAutomatic, "M001_Montag.zip", true}, {byAutomatic, "", false}}
	for i, w := range want {
		r := h.Runs[i]
		if r.By != w.by || !strings.Contains(r.What, w.what) || r.OK != w.ok || r.Kind != "backup" {
			t.Errorf("run %d: %+v, want by %s, what %q, ok %v", i, r, w.by, w.what, w.ok)
		}
		if i > 0 && r.Started.After(h.Runs[i-1].Started) {
			t.Errorf("run %d is newer than run %d", i, i-1)
		}
	}
	if r := h.Runs[2]; r.Job != "nightly" || !r.Catchup || r.Files != 42 || r.Size != 123456 || len(r.Warnings) != 1 ||
		!r.Started.Equal(now.Add(-2*time.Hour)) {
		t.Errorf("the automatic run's details: %+v", r)
	}
	if r := h.Runs[3]; !strings.Contains(r.Error, "plug in the USB medium.") {
		t.Errorf("the failed automatic run's error: %q", r.Error)
	}
	// The page's labels exist in both languages.
	for _, k := range []string{"by." + byAutomatic, "by." + byPage, "col.by"} {
		if _, ok := texts[k]; !ok {
			t.Errorf("no text %s", k)
		}
	}
}
