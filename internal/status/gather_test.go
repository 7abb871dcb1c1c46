package status

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/schedule"
)

// TestGather reads what Evaluate needs from the config and the state
// folder: each job's schedule (a job without a time is manual only), its
// destination without the password, the same-drive fact of a folder beside
// the data, and the scheduler's last success.
func TestGather(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "posbackup.toml")
	src := filepath.Join(dir, "Hypers-!")
	cfg := &config.Config{Jobs: map[string]*config.Job{
		"nightly": {Time: "02:00", Weekdays: []string{"mon-fri"}},
		"byhand":  {},
		"offsite": {Time: "03:30"},
	}}
	cfg.Source, cfg.Variant, cfg.To = src, 3, filepath.Join(dir, "Sicherung")
	cfg.Jobs["offsite"].To = "sftp://kasse:Geheim-123@nas.example/backup"
	if err := os.Mkdir(src, 0o755); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.Local)
	state := cfg.StateDirOf(cfgPath)
	if err := schedule.SaveState(state, schedule.State{Job: "nightly", Since: now.AddDate(0, 0, -7), LastSuccess: now.Add(-8 * time.Hour), LastArchive: "M001_Wednesday.zip"}); err != nil {
		t.Fatal(err)
	}
	r := Gather(cfg, cfgPath, ServiceRunning, now)
	if len(r.Jobs) != 3 || r.Jobs[0].Name != "byhand" || r.Jobs[1].Name != "nightly" || r.Jobs[2].Name != "offsite" {
		t.Fatalf("jobs by name: %+v", r.Jobs)
	}
	byhand, nightly, offsite := r.Jobs[0], r.Jobs[1], r.Jobs[2]
	if !strings.Contains(byhand.Schedule, "manual") || !strings.Contains(nightly.Schedule, "02:00") || !strings.Contains(offsite.Schedule, "03:30") {
		t.Errorf("schedules: %q %q %q", byhand.Schedule, nightly.Schedule, offsite.Schedule)
	}
	if nightly.LastArchive != "M001_Wednesday.zip" || !nightly.LastSuccess.Equal(now.Add(-8*time.Hour)) {
		t.Errorf("the state folder's last success was not read: %+v", nightly)
	}
	if strings.Contains(offsite.Destination, "Geheim-123") || !strings.Contains(offsite.Destination, "nas.example") {
		t.Errorf("the server's destination: %q", offsite.Destination)
	}
	if !hasCode(nightly.Warnings, CodeSameDrive) || hasCode(offsite.Warnings, CodeSameDrive) {
		t.Errorf("same drive: folder %v, server %v", nightly.Warnings, offsite.Warnings)
	}
}

func hasCode(ws []Warning, code string) bool {
	for _, w := range ws {
		if w.Code == code {
			return true
		}
	}
	return false
}
