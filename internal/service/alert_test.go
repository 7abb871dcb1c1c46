package service

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/schedule"
	"github.com/posbackup/posbackup/internal/testsrv"
)

// TestNoSuccessAlert: silence is not success. A daily job whose last
// success is three days old (alert_days = 2) raises one alert mail; looking
// again the same day sends no second one; after a new success, none.
func TestNoSuccessAlert(t *testing.T) {
	mail := testsrv.StartMailpit(t)
	dir := t.TempDir()
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.Local)
	clock := schedule.NewFakeClock(now)
	cfg := &config.Config{
		Mail: config.Mail{Host: "127.0.0.1", Port: mail.SMTPPort, Security: "none"},
		Jobs: map[string]*config.Job{
			"nightly": {Time: "02:00", MailTo: []string{"chef@example.org"}, AlertDays: 2},
			"quiet":   {Time: "02:00"}, // no recipients: no alert
		},
	}
	st := schedule.State{Job: "nightly", Since: now.AddDate(0, 0, -30), LastSuccess: now.AddDate(0, 0, -3),
		LastFailure: now.Add(-8 * time.Hour), LastError: "the server nas.local cannot be reached"}
	if err := schedule.SaveState(dir, st); err != nil {
		t.Fatal(err)
	}
	r := &running{dir: dir, clock: clock, cfg: cfg, log: newLog(filepath.Join(dir, LogName), nil)}
	defer r.log.close()
	r.alerts()
	r.mails.Wait()
	msgs := mail.Messages(t)
	if len(msgs) != 1 || !strings.Contains(msgs[0].Subject, "ALERT - no backup of job nightly") || msgs[0].To[0].Address != "chef@example.org" {
		t.Fatalf("want one alert to chef@example.org, got %+v", msgs)
	}
	if body := mail.Text(t, msgs[0].ID); !strings.Contains(body, "3 days") || !strings.Contains(body, "nas.local cannot be reached") {
		t.Errorf("the alert does not say how long and why:\n%s", body)
	}

	clock.Advance(3 * time.Hour)
	r.alerts()
	r.mails.Wait()
	if n := len(mail.Messages(t)); n != 1 {
		t.Errorf("a second alert the same day: %d mails", n)
	}

	clock.Advance(24 * time.Hour) // still no success: remind once a day
	r.alerts()
	r.mails.Wait()
	if n := len(mail.Messages(t)); n != 2 {
		t.Errorf("no daily reminder: %d mails", n)
	}

	st.LastSuccess = clock.Now().Add(-time.Hour)
	schedule.SaveState(dir, st)
	clock.Advance(25 * time.Hour)
	r.alerts()
	r.mails.Wait()
	if n := len(mail.Messages(t)); n != 2 {
		t.Errorf("an alert although the backup succeeded 26 hours ago: %d mails", n)
	}
}

func TestRecipients(t *testing.T) {
	j := &config.Job{MailTo: []string{"a@x"}, MailFailureTo: []string{"f@x"}}
	if got := recipients(j, false); got != nil {
		t.Errorf("success mailed by default: %v", got)
	}
	if got := recipients(j, true); len(got) != 1 || got[0] != "f@x" {
		t.Errorf("failure: %v", got)
	}
	j.MailOn = "always"
	if got := recipients(j, false); len(got) != 1 || got[0] != "a@x" {
		t.Errorf("always, success: %v", got)
	}
	j.MailOn = "never"
	if got := recipients(j, true); got != nil {
		t.Errorf("never: %v", got)
	}
	if got := recipients(&config.Job{MailOn: "always"}, true); got != nil {
		t.Errorf("no addresses: %v", got)
	}
}

func TestLogRotates(t *testing.T) {
	p := filepath.Join(t.TempDir(), LogName)
	l := newLog(p, nil)
	line := strings.Repeat("x", 1000)
	for i := 0; i < 5000; i++ { // about 5 MiB
		l.printf("%d %s", i, line)
	}
	l.close()
	var total int64
	for _, suffix := range []string{"", ".1", ".2", ".3"} {
		fi, err := os.Stat(p + suffix)
		if err != nil {
			t.Fatalf("%s%s: %v", LogName, suffix, err)
		}
		if fi.Size() > logMaxSize {
			t.Errorf("%s%s is %d bytes, more than %d", LogName, suffix, fi.Size(), logMaxSize)
		}
		total += fi.Size()
	}
	if total < 3*logMaxSize { // 5 MiB written: the current log and three full old ones
		t.Errorf("only %d bytes of log kept", total)
	}
	if _, err := os.Stat(p + ".4"); err == nil {
		t.Errorf("more than %d old logs kept", logKeep)
	}
	b, _ := os.ReadFile(p)
	if !strings.Contains(string(b), "4999 xxx") {
		t.Errorf("the newest line is not in the current log")
	}
}

// TestBadJobDoesNotStopTheService: a job whose time is wrong (a hand edit)
// is reported in the log and by mail, and the service keeps running the
// other jobs instead of exiting (which would leave no backup at all).
func TestBadJobDoesNotStopTheService(t *testing.T) {
	mail := testsrv.StartMailpit(t)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "posbackup.toml")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(`source = %q
variant = 1
to = %q
[mail]
host = "127.0.0.1"
port = %d
security = "none"
[jobs.typo]
time = "25:00"
mail_to = ["partner@example.org"]
[jobs.good]
time = "03:00"
`, dir, filepath.Join(dir, "out"), mail.SMTPPort)), 0o600)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	var out strings.Builder
	err := Run(ctx, cfgPath, RunOptions{Out: &syncWriter{w: &out}, NormalPriority: true, Poll: 100 * time.Millisecond})
	if err != nil {
		t.Fatalf("Run returned %v; it should run until stopped", err)
	}
	text := out.String()
	if !strings.Contains(text, "job typo") || !strings.Contains(text, "does not run until the config is corrected") ||
		!strings.Contains(text, "job good (daily at 03:00): next run") {
		t.Errorf("log:\n%s", text)
	}
	msgs := mail.Messages(t)
	if len(msgs) != 1 || !strings.Contains(msgs[0].Subject, "job typo") || !strings.Contains(msgs[0].Subject, "CANNOT RUN") {
		t.Errorf("want one notice about job typo, got %+v", msgs)
	}
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// TestConfigChangeIsReadAgain: the running service notices a changed
// config and schedules the new times without a restart.
func TestConfigChangeIsReadAgain(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "posbackup.toml")
	write := func(at string) {
		os.WriteFile(cfgPath, []byte(fmt.Sprintf("source = %q\nvariant = 1\nto = %q\n[jobs.nightly]\ntime = %q\n", dir, filepath.Join(dir, "out"), at)), 0o600)
	}
	write("03:00")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncWriter{w: &strings.Builder{}}
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, cfgPath, RunOptions{Out: out, NormalPriority: true, Poll: 50 * time.Millisecond, Reload: 50 * time.Millisecond})
	}()
	text := func() string { out.mu.Lock(); defer out.mu.Unlock(); return out.w.(*strings.Builder).String() }
	waitFor := func(s string) {
		t.Helper()
		for i := 0; i < 100 && !strings.Contains(text(), s); i++ {
			time.Sleep(50 * time.Millisecond)
		}
		if !strings.Contains(text(), s) {
			t.Fatalf("the log lacks %q:\n%s", s, text())
		}
	}
	waitFor("job nightly (daily at 03:00): next run")
	write("04:15")
	waitFor("changed: the jobs are read again")
	waitFor("job nightly (daily at 04:15): next run")
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
}
