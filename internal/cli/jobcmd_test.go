package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func TestJobSetListStatusRemove(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "posbackup.toml")
	src := demoInstall(t)
	code, out, errOut := run(t, "job", "set", "nightly", "--config", cfg, "--source", src, "--variant", "1",
		"--to", src+"-backup", "--time", "23:30", "--weekdays", "mon,fri")
	if code != 0 || !strings.Contains(out, "on mon,fri at 23:30") {
		t.Fatalf("job set: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = run(t, "job", "list", "--config", cfg, "--json")
	var rows []struct {
		Name     string
		Time     string
		Weekdays []string
		Variant  int
	}
	if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 1 || rows[0].Time != "23:30" || len(rows[0].Weekdays) != 2 {
		t.Errorf("job list: exit %d\n%s", code, out)
	}

	// status: the service is not installed, only master data is backed up,
	// and the job never ran; exit 1.
	code, out, _ = run(t, "service", "status", "--config", cfg, "--json", "--name", "posbackup-not-here")
	var rep struct {
		Warnings []struct{ Code string }
		Jobs     []struct {
			Name     string
			Schedule string
		}
	}
	if code != 1 || json.Unmarshal([]byte(out), &rep) != nil {
		t.Fatalf("status: exit %d\n%s", code, out)
	}
	codes := map[string]bool{}
	for _, w := range rep.Warnings {
		codes[w.Code] = true
	}
	if !codes["no-automatic-backup"] || !codes["master-data-only"] || len(rep.Jobs) != 1 || !strings.Contains(rep.Jobs[0].Schedule, "23:30") {
		t.Errorf("status warnings %v, jobs %+v", codes, rep.Jobs)
	}

	if code, out, errOut = run(t, "job", "remove", "nightly", "--config", cfg); code != 0 {
		t.Errorf("job remove: exit %d\n%s%s", code, out, errOut)
	}
	// Nothing with a time: installing the service would never back up.
	if code, _, errOut = run(t, "service", "install", "--config", cfg); code != 2 || !strings.Contains(errOut, "has a time of day") {
		t.Errorf("service install without a timed job: exit %d\n%s", code, errOut)
	}
	if code, _, errOut = run(t, "service", "install", "--config", cfg, "--time", "25:00"); code != 2 {
		t.Errorf("service install --time 25:00: exit %d\n%s", code, errOut)
	}
}
