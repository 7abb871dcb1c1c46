package web

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/testutil"
)

// backedUp is a dialog with an installation backed up to a folder.
func backedUp(t *testing.T) (*testServer, *client, string, string) {
	t.Helper()
	inst := filepath.Join(t.TempDir(), "Kasse")
	if _, err := testutil.MakeInstallation(inst); err != nil {
		t.Fatal(err)
	}
	to := t.TempDir()
	ts := startServer(t, "source = '"+inst+"'\nto = '"+to+"'\nvariant = 3\nname = 'all'\n"+hashConfig(t, adminPW), nil)
	c := newClient(t, ts)
	c.login(adminPW)
	if code, body := c.postJSON("/api/backup", map[string]any{"variant": 3, "clients": "all", "name": "all"}, nil); code != http.StatusAccepted {
		t.Fatalf("backup: %d %s", code, body)
	}
	if v := waitTask(t, c); !v.OK {
		t.Fatalf("backup: %+v", v)
	}
	if code, body := c.get("/api/backups"); code != 200 || !strings.Contains(body, "all.zip") {
		t.Fatalf("list: %d %s", code, body)
	}
	return ts, c, inst, "all.zip"
}

// TestRestoreMasterDataOfOneClient: "Master data" and "Client M002"
// ticked together restore M002's master data only: not M001's master
// data, not M002's transaction data, not the shared files.
func TestRestoreMasterDataOfOneClient(t *testing.T) {
	_, c, inst, name := backedUp(t)
	target := t.TempDir()
	code, body := c.postJSON("/api/restore", map[string]any{"name": name, "target": target, "only": []string{"master", "client:2"}}, nil)
	if code != http.StatusAccepted {
		t.Fatalf("restore: %d %s", code, body)
	}
	if v := waitTask(t, c); !v.OK {
		t.Fatalf("restore: %+v", v)
	}
	got := testutil.Files(t, target)
	if len(got) == 0 {
		t.Fatal("nothing restored")
	}
	for _, f := range got {
		if !strings.HasPrefix(f, "Daten/M002/") {
			t.Errorf("restored %s, which is not client M002's", f)
		}
		if strings.Contains(f, "Journal") {
			t.Errorf("restored %s, which is transaction data", f)
		}
	}
	// Every master data file of M002 is there: those "Master data" alone
	// restores under Daten/M002/.
	all := t.TempDir()
	c.postJSON("/api/restore", map[string]any{"name": name, "target": all, "only": []string{"master"}}, nil)
	if v := waitTask(t, c); !v.OK {
		t.Fatalf("restore of all master data: %+v", v)
	}
	var want []string
	for _, f := range testutil.Files(t, all) {
		if strings.HasPrefix(f, "Daten/M002/") {
			want = append(want, f)
		}
	}
	_ = inst
	for _, w := range want {
		if _, err := os.Stat(filepath.Join(target, w)); err != nil {
			t.Errorf("M002's master data %s not restored", w)
		}
	}
	if len(want) == 0 {
		t.Fatal("the fixture has no master data of M002")
	}
}

// TestRestoreDeclinedIsCancelled: answering no to the overwrite question
// is a cancelled restore, said so, not "The restore failed" with a flag to
// type; and the installation folder itself is a target only when ticked.
func TestRestoreDeclinedIsCancelled(t *testing.T) {
	_, c, inst, name := backedUp(t)
	target := t.TempDir()
	os.MkdirAll(filepath.Join(target, "Daten", "Global"), 0o755)
	os.WriteFile(filepath.Join(target, "Daten", "Global", "system.cfg"), []byte("mine"), 0o644)
	if code, body := c.postJSON("/api/restore", map[string]any{"name": name, "target": target}, nil); code != http.StatusAccepted {
		t.Fatalf("restore: %d %s", code, body)
	}
	var id int64
	deadline := time.Now().Add(time.Minute)
	for {
		var r struct{ Task *taskView }
		_, body := c.get("/api/task")
		json.Unmarshal([]byte(body), &r)
		if r.Task != nil && r.Task.Question != nil {
			id = r.Task.ID
			break
		}
		if time.Now().After(deadline) || (r.Task != nil && !r.Task.Running) {
			t.Fatalf("no overwrite question: %s", body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.postJSON("/api/task/answer", map[string]any{"id": id, "yes": false}, nil)
	v := waitTask(t, c)
	if v.OK || !v.Cancelled || strings.Contains(v.Error, "--yes") || !strings.Contains(v.Error, "you chose not to overwrite") {
		t.Fatalf("declined restore: ok=%v cancelled=%v error=%q", v.OK, v.Cancelled, v.Error)
	}
	if b, _ := os.ReadFile(filepath.Join(target, "Daten", "Global", "system.cfg")); string(b) != "mine" {
		t.Fatal("the declined restore overwrote a file")
	}
	// The History shows it as cancelled too.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		_, body := c.get("/api/history")
		if strings.Contains(body, `"cancelled":true`) {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("history: %s", body)
			break
		}
	}
	// The installation folder itself only when said.
	code, body := c.postJSON("/api/restore", map[string]any{"name": name, "target": inst}, nil)
	if code != http.StatusBadRequest || !strings.Contains(body, "installation folder itself") {
		t.Fatalf("restore into the installation unasked: %d %s", code, body)
	}
	if code, body := c.postJSON("/api/restore", map[string]any{"name": name, "target": inst + string(filepath.Separator), "into_source": true}, nil); code != http.StatusAccepted {
		t.Fatalf("restore into the installation, ticked: %d %s", code, body)
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		var r struct{ Task *taskView }
		_, body := c.get("/api/task")
		json.Unmarshal([]byte(body), &r)
		if r.Task != nil && r.Task.Question != nil {
			c.postJSON("/api/task/answer", map[string]any{"id": r.Task.ID, "yes": false}, nil)
			break
		}
		if time.Now().After(deadline) || (r.Task != nil && !r.Task.Running) {
			t.Fatalf("restoring into the ticked installation folder: %s", body)
		}
	}
	waitTask(t, c)
}

// TestVerifyButton: "Verify" reads the chosen backup and checks every
// file; a damaged archive is said to be damaged, with the file.
func TestVerifyButton(t *testing.T) {
	ts, c, _, name := backedUp(t)
	if code, body := c.postJSON("/api/verify", map[string]any{"name": name}, nil); code != http.StatusAccepted {
		t.Fatalf("verify: %d %s", code, body)
	}
	v := waitTask(t, c)
	res, _ := json.Marshal(v.Result)
	if !v.OK || v.Kind != "verify" || !strings.Contains(string(res), `"checked":`) || v.Files == 0 || v.Files != v.TotalFiles {
		t.Fatalf("verify of an intact backup: %+v %s", v, res)
	}
	// Damage one byte in the middle of the archive.
	cfg, _ := os.ReadFile(ts.cfg)
	to := strings.Split(strings.SplitN(string(cfg), "to = '", 2)[1], "'")[0]
	p := filepath.Join(to, name)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/3] ^= 0xff
	os.WriteFile(p, b, 0o644)
	time.Sleep(50 * time.Millisecond) // the previous task is filed in the history
	c.postJSON("/api/verify", map[string]any{"name": name}, nil)
	v = waitTask(t, c)
	if v.OK || !strings.Contains(v.Error, "failed the check") {
		t.Fatalf("verify of a damaged backup: ok=%v error=%q", v.OK, v.Error)
	}
}

// TestRestoreRefusesAnUnknownTick: the Restore tab sends parts (kinds,
// client:N); anything else is refused before a task starts, naming the
// parts, in the page's language.
func TestRestoreRefusesAnUnknownTick(t *testing.T) {
	_, c, _, name := backedUp(t)
	code, body := c.postJSON("/api/restore", map[string]any{"name": name, "target": t.TempDir(), "only": []string{"master", "stammdatn"}}, nil)
	if code != http.StatusBadRequest || !strings.Contains(body, `nknown part \"stammdatn\": the parts are master, transactions, program, extra, client:N`) {
		t.Fatalf("an unknown tick: %d %s", code, body)
	}
	code, body = c.postJSON("/api/restore", map[string]any{"name": name, "target": t.TempDir(), "only": []string{"stammdatn"}}, map[string]string{"Accept-Language": "de"})
	if code != http.StatusBadRequest || !strings.Contains(body, `nbekannter Teil \"stammdatn\"`) {
		t.Fatalf("an unknown tick, in German: %d %s", code, body)
	}
	var r struct{ Task *taskView }
	if _, body := c.get("/api/task"); json.Unmarshal([]byte(body), &r) != nil || r.Task == nil || r.Task.Kind != "backup" {
		t.Errorf("a restore task was started: %s", body)
	}
}
