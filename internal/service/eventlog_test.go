package service

import (
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/schedule"
)

// recordedEvents is an osservice.EventLog that keeps what the service writes.
type recordedEvents struct {
	mu                      sync.Mutex
	errors, warnings, infos []string
}

func (r *recordedEvents) Info(m string) { r.mu.Lock(); r.infos = append(r.infos, m); r.mu.Unlock() }
func (r *recordedEvents) Warning(m string) {
	r.mu.Lock()
	r.warnings = append(r.warnings, m)
	r.mu.Unlock()
}
func (r *recordedEvents) Error(m string) { r.mu.Lock(); r.errors = append(r.errors, m); r.mu.Unlock() }
func (r *recordedEvents) Close()         {}

// TestFailuresAndAlertsGoToTheEventLog: a failed run is an error event, a
// success an information, and the no-success alert a warning, once a
// day, also for a job that mails no one (the Windows administrator looks
// at the event log, not at a mailbox).
func TestFailuresAndAlertsGoToTheEventLog(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.Local)
	clock := schedule.NewFakeClock(now)
	cfg := &config.Config{Jobs: map[string]*config.Job{"nightly": {Time: "02:00", AlertDays: 2}}}
	if err := schedule.SaveState(dir, schedule.State{Job: "nightly", Since: now.AddDate(0, 0, -30), LastSuccess: now.AddDate(0, 0, -3)}); err != nil {
		t.Fatal(err)
	}
	ev := &recordedEvents{}
	r := &running{dir: dir, clock: clock, cfg: cfg, ev: ev, log: newLog(filepath.Join(dir, LogName), nil)}
	defer r.log.close()

	r.alerts()
	r.alerts()
	if len(ev.warnings) != 1 || !strings.Contains(ev.warnings[0], "No backup of job nightly") || !strings.Contains(ev.warnings[0], "3 days") {
		t.Fatalf("want one no-success warning, got %q", ev.warnings)
	}
	clock.Advance(25 * time.Hour)
	r.alerts()
	if len(ev.warnings) != 2 {
		t.Errorf("no daily reminder in the event log: %q", ev.warnings)
	}

	r.event(schedule.Event{Kind: schedule.EventFailure, Job: "nightly", Message: "job nightly: the backup failed", Err: errors.New("Drive E: is not present")})
	if len(ev.errors) != 1 || !strings.Contains(ev.errors[0], "nightly") || !strings.Contains(ev.errors[0], "FAILED: Drive E: is not present") {
		t.Errorf("the failure in the event log: %q", ev.errors)
	}
	r.event(schedule.Event{Kind: schedule.EventSuccess, Job: "nightly", Message: "job nightly: the backup succeeded (all_Tuesday.zip)", Result: &schedule.Result{Archive: "all_Tuesday.zip"}})
	if len(ev.infos) != 1 || !strings.Contains(ev.infos[0], "all_Tuesday.zip") {
		t.Errorf("the success in the event log: %q", ev.infos)
	}
	r.event(schedule.Event{Kind: schedule.EventRun, Job: "nightly", Message: "job nightly: the backup starts"})
	if len(ev.infos)+len(ev.errors) != 2 {
		t.Errorf("a start is no event of its own: %q %q", ev.infos, ev.errors)
	}
}
