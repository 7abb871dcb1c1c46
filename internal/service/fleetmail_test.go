package service

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/dest/local"
	"github.com/posbackup/posbackup/internal/fleet"
	"github.com/posbackup/posbackup/internal/schedule"
	"github.com/posbackup/posbackup/internal/testsrv"
)

// TestFleetDailyMail: a head office's service (fleet_mail_to set) mails
// one report of the chain's stale, failing and missing sites a day, from
// 07:00 on: none before, none a second time the same day, not after a
// restart either (the day is kept in the state folder), and the next one
// the next morning.
func TestFleetDailyMail(t *testing.T) {
	mail := testsrv.StartMailpit(t)
	ctx := context.Background()
	dir := t.TempDir()
	root := filepath.Join(t.TempDir(), "chain")
	now := time.Date(2026, 12, 1, 6, 30, 0, 0, time.Local)
	write := func(site string, run fleet.Run) {
		t.Helper()
		d, err := local.Open(filepath.Join(root, site), true)
		if err != nil {
			t.Fatal(err)
		}
		run.Site = site
		if _, err := fleet.Write(ctx, d, run); err != nil {
			t.Fatal(err)
		}
	}
	ok := func(at time.Time) fleet.Run {
		return fleet.Run{Started: at, Archive: "M001_Tuesday.zip", Size: 1 << 20, Variant: "03", Program: "26.4.1", Period: 24 * time.Hour}
	}
	write("hamburg", ok(now.Add(-4*time.Hour)))
	write("berlin", ok(now.Add(-3*24*time.Hour)))
	write("koeln", ok(now.Add(-20*time.Hour)))
	failed := ok(now.Add(-4 * time.Hour))
	failed.Err = errors.New("the server nas.koeln cannot be reached")
	write("koeln", failed)

	clock := schedule.NewFakeClock(now)
	cfg := &config.Config{
		Backup:        config.Backup{To: root},
		Mail:          config.Mail{Host: "127.0.0.1", Port: mail.SMTPPort, Security: "none", From: "posbackup@example.org"},
		ExpectedSites: []string{"hamburg", "leipzig"},
		FleetMailTo:   []string{"zentrale@example.org"},
	}
	start := func() *running {
		r := &running{dir: dir, cfgPath: filepath.Join(dir, "posbackup.toml"), clock: clock, cfg: cfg, log: newLog(filepath.Join(dir, LogName), nil)}
		t.Cleanup(r.log.close)
		return r
	}
	r := start()
	check := func(r *running, want int, when string) []testsrv.Mail {
		t.Helper()
		r.fleetMail(ctx)
		r.mails.Wait()
		msgs := mail.Messages(t)
		if len(msgs) != want {
			t.Fatalf("%s: %d mails, want %d: %+v", when, len(msgs), want, msgs)
		}
		return msgs
	}
	check(r, 0, "06:30, before the report's time")

	clock.Advance(35 * time.Minute) // 07:05
	msgs := check(r, 1, "07:05")
	if m := msgs[0]; m.To[0].Address != "zentrale@example.org" || !strings.Contains(m.Subject, "3 of 4 sites need attention (1 stale, 1 failing, 1 missing)") {
		t.Errorf("the report: to %v, subject %q", m.To, m.Subject)
	}
	body := mail.Text(t, msgs[0].ID)
	for _, want := range []string{"leipzig: MISSING", "berlin: STALE", "koeln: FAILING", "nas.koeln cannot be reached", "no successful backup for 3d"} {
		if !strings.Contains(body, want) {
			t.Errorf("the report lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "hamburg") {
		t.Errorf("the report names the site that is well:\n%s", body)
	}
	if _, err := os.Stat(filepath.Join(dir, FleetMailName)); err != nil {
		t.Errorf("the day of the report is not kept: %v", err)
	}

	clock.Advance(2 * time.Hour)
	check(r, 1, "09:05 the same day")
	check(start(), 1, "after a restart the same day")

	clock.Advance(22 * time.Hour) // 07:05 the next day
	check(start(), 2, "the next morning")
}

// TestFleetMailFromRun: the service itself (Run, on a config file of a
// head office without jobs of its own) sends the day's report from its
// regular checks, and a restart the same day does not send it again.
func TestFleetMailFromRun(t *testing.T) {
	mail := testsrv.StartMailpit(t)
	dir := t.TempDir()
	root := filepath.Join(dir, "chain")
	now := time.Date(2026, 12, 2, 8, 0, 0, 0, time.Local)
	d, err := local.Open(filepath.Join(root, "berlin"), true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fleet.Write(context.Background(), d, fleet.Run{Site: "berlin", Started: now.Add(-50 * time.Hour), Variant: "03"}); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "posbackup.toml")
	cfgText := "to = 'chain'\nfleet_mail_to = ['zentrale@example.org']\n[mail]\nhost = '127.0.0.1'\nport = " +
		strconv.Itoa(mail.SMTPPort) + "\nsecurity = 'none'\nfrom = 'posbackup@example.org'\n"
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o600); err != nil {
		t.Fatal(err)
	}
	// start waits for mailpit's SMTP port; its API may come a moment later.
	for i := 0; i < 100; i++ {
		if resp, err := http.Get(mail.API + "/api/v1/messages"); err == nil {
			resp.Body.Close()
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	clock := schedule.NewFakeClock(now)
	run := func(want int) {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- Run(ctx, cfgPath, RunOptions{Clock: clock, NormalPriority: true, Poll: time.Second, Reload: time.Second, CatchUpDelay: -1})
		}()
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) && len(mail.Messages(t)) < want {
			clock.Advance(time.Second)
			time.Sleep(20 * time.Millisecond)
		}
		for i := 0; i < 20; i++ { // some more checks: no second mail
			clock.Advance(time.Second)
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("Run: %v", err)
		}
		if msgs := mail.Messages(t); len(msgs) != want || !strings.Contains(msgs[0].Subject, "1 of 1 sites need attention (1 stale)") {
			log, _ := os.ReadFile(filepath.Join(dir, "posbackup-state", LogName))
			t.Fatalf("%d mails, want %d: %+v\nlog:\n%s", len(msgs), want, msgs, log)
		}
	}
	run(1)
	run(1) // restarted the same day
}
