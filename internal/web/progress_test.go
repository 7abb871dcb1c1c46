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

// TestProgressDuringALargeFile: during a 600 MiB file the page's task
// names that file and its bytes grow while it is read (not 0 until it is
// done, naming a file done before), and a remaining time appears once the
// rate has settled.
func TestProgressDuringALargeFile(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 600 MiB")
	}
	inst := filepath.Join(t.TempDir(), "Kasse")
	if _, err := testutil.MakeInstallation(inst); err != nil {
		t.Fatal(err)
	}
	const size = 600 << 20
	big := filepath.Join(inst, "Daten", "M001", "Stamm", "zzz-bilder.bin")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil { // sparse: no disk space
		t.Fatal(err)
	}
	f.Close()
	to := t.TempDir()
	ts := startServer(t, "source = '"+inst+"'\nto = '"+to+"'\nvariant = 1\nlevel = 'best'\n"+hashConfig(t, adminPW), nil)
	c := newClient(t, ts)
	c.login(adminPW)
	if code, body := c.postJSON("/api/backup", map[string]any{"variant": 1, "clients": "all", "name": "gross"}, nil); code != http.StatusAccepted {
		t.Fatalf("backup: %d %s", code, body)
	}
	var during []taskView
	var remaining bool
	deadline := time.Now().Add(3 * time.Minute)
	for {
		var r struct{ Task taskView }
		_, body := c.get("/api/task")
		json.Unmarshal([]byte(body), &r)
		v := r.Task
		if !v.Running {
			if !v.OK {
				t.Fatalf("backup failed: %s", v.Error)
			}
			break
		}
		if v.Phase == "archive" && strings.HasSuffix(v.Name, "zzz-bilder.bin") && v.Bytes > 0 && v.Bytes < v.TotalBytes {
			during = append(during, v)
		}
		remaining = remaining || v.Remaining > 0
		if time.Now().After(deadline) {
			t.Fatal("the backup did not finish")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(during) < 2 {
		t.Fatalf("%d looks at the task showed the large file in progress with its bytes growing", len(during))
	}
	first, last := during[0], during[len(during)-1]
	if last.Bytes <= first.Bytes {
		t.Errorf("the bytes did not grow during the large file: %d then %d", first.Bytes, last.Bytes)
	}
	if !remaining && len(during) > 25 {
		t.Error("no remaining time was shown during a run of several seconds")
	}
	t.Logf("%d looks during the large file, bytes %d .. %d of %d, remaining shown: %v", len(during), first.Bytes, last.Bytes, last.TotalBytes, remaining)
}
