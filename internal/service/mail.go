package service

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/posbackup/posbackup/internal/atomicfile"
	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/job"
	"github.com/posbackup/posbackup/internal/notify"
	"github.com/posbackup/posbackup/internal/schedule"
)

// recipients returns who gets job j's report for a success or a failure;
// nil when nobody does.
func recipients(j *config.Job, failed bool) []string {
	if j == nil || len(j.MailTo)+len(j.MailFailureTo) == 0 {
		return nil
	}
	on := strings.ToLower(j.MailOn)
	switch {
	case on == "never":
		return nil
	case !failed && on != "always":
		return nil
	case failed && len(j.MailFailureTo) > 0:
		return j.MailFailureTo
	}
	return j.MailTo
}

func hostname() string {
	h, _ := os.Hostname()
	if h == "" {
		return "this computer"
	}
	return h
}

// reportMail writes the report of a finished run; ok is false when the job
// mails no one for this outcome.
func reportMail(cfg *config.Config, e schedule.Event, res *job.BackupResult, next time.Time) (notify.Message, bool) {
	failed := e.Kind == schedule.EventFailure
	to := recipients(cfg.Jobs[e.Job], failed)
	if to == nil {
		return notify.Message{}, false
	}
	host := hostname()
	var b strings.Builder
	var subject string
	if failed {
		subject = fmt.Sprintf("posbackup: BACKUP FAILED - job %s on %s", e.Job, host)
		fmt.Fprintf(&b, "The automatic backup %s on %s FAILED.\n\n", e.Job, host)
		reason := e.Message
		if e.Err != nil {
			reason = e.Err.Error()
		}
		fmt.Fprintf(&b, "Reason: %s\n", reason)
		b.WriteString("\nThe older backups at the destination are unchanged. Check the reason above; 'posbackup status' shows the details.\n")
	} else {
		subject = fmt.Sprintf("posbackup: backup OK - job %s on %s", e.Job, host)
		if res != nil && len(res.Warnings) > 0 {
			subject = fmt.Sprintf("posbackup: backup OK with %d warning(s) - job %s on %s", len(res.Warnings), e.Job, host)
		}
		fmt.Fprintf(&b, "The automatic backup %s on %s succeeded.\n\n", e.Job, host)
		if res != nil {
			fmt.Fprintf(&b, "Archive:  %s\nAt:       %s\nVariant:  %s, clients %s\nFiles:    %d (%d bytes, archive %d bytes), checked at the destination\n",
				res.Archive, res.Location, res.Variant, strings.Join(res.Clients, ", "), res.Files, res.Bytes, res.Size)
			if len(res.Deleted) > 0 {
				fmt.Fprintf(&b, "Removed older generations: %s\n", strings.Join(res.Deleted, ", "))
			}
			for _, w := range res.Warnings {
				fmt.Fprintf(&b, "Warning:  %s\n", w)
			}
		}
	}
	if !next.IsZero() {
		fmt.Fprintf(&b, "\nNext run: %s\n", next.Format("Mon 2006-01-02 15:04"))
	}
	return notify.Message{To: to, Subject: subject, Body: b.String()}, true
}

// alertAfter is how long job j may go without a success before the alert.
func alertAfter(j *config.Job, spec schedule.Spec) time.Duration {
	if j.AlertDays > 0 {
		return time.Duration(j.AlertDays) * 24 * time.Hour
	}
	return 2 * spec.Period()
}

// alertRecord is kept per job in the state folder: when the last
// no-success alert went out.
type alertRecord struct {
	Sent time.Time `json:"sent"`
}

func alertPath(dir, name string) string {
	return strings.TrimSuffix(schedule.StatePath(dir, name), ".json") + ".alert.json"
}

// alerts mails the no-success alert of every scheduled job whose last
// success (or, if none, the day the scheduler first saw it) is older than
// its alert time: silence is not success. It goes out once a day at most
// while the backups stay missing.
func (r *running) alerts() {
	r.mu.Lock()
	cfg := r.cfg
	r.mu.Unlock()
	now := r.clock.Now()
	for _, name := range jobNames(cfg) {
		j := cfg.Jobs[name]
		spec, ok, err := jobSpec(cfg, name)
		if !ok || err != nil {
			continue
		}
		to := recipients(j, true)
		st, err := schedule.LoadState(r.dir, name, now)
		if err != nil || st.Since.IsZero() {
			continue
		}
		since := st.LastSuccess
		if since.IsZero() {
			since = st.Since
		}
		after := alertAfter(j, spec)
		if now.Sub(since) < after {
			continue
		}
		var rec alertRecord
		if b, err := os.ReadFile(alertPath(r.dir, name)); err == nil {
			json.Unmarshal(b, &rec)
		}
		if rec.Sent.After(since) && now.Sub(rec.Sent) < 24*time.Hour {
			continue
		}
		days := int(now.Sub(since).Hours() / 24)
		var b strings.Builder
		what := fmt.Sprintf("since %s (%d days)", since.Format("Mon 2006-01-02 15:04"), days)
		if st.LastSuccess.IsZero() {
			what = fmt.Sprintf("since the automatic backup started watching it on %s (%d days)", since.Format("Mon 2006-01-02 15:04"), days)
		}
		fmt.Fprintf(&b, "No backup of job %s on %s has succeeded %s.\n\n", name, hostname(), what)
		if st.LastError != "" {
			fmt.Fprintf(&b, "The last failure (%s): %s\n\n", st.LastFailure.Format("Mon 2006-01-02 15:04"), st.LastError)
		}
		b.WriteString("Check that the computer runs at the backup time and that the destination is reachable; 'posbackup status' shows the details.\n")
		if r.evAlerted == nil {
			r.evAlerted = map[string]time.Time{}
		}
		if last, ok := r.evAlerted[name]; !ok || now.Sub(last) >= 24*time.Hour {
			r.evAlerted[name] = now
			r.events().Warning(strings.TrimSpace(b.String()))
		}
		if to == nil {
			continue
		}
		m := notify.Message{To: to, Subject: fmt.Sprintf("posbackup: ALERT - no backup of job %s on %s for %d days", name, hostname(), days), Body: b.String()}
		path := alertPath(r.dir, name)
		r.send(cfg, m, "the no-backup alert of job "+name, func() { // only once it went out: a failed one is tried again
			if out, err := json.Marshal(alertRecord{Sent: now}); err == nil {
				atomicfile.Write(path, out, nil)
			}
		})
	}
}

// TestMail sends a test message through cfg's mail server to to (or, when
// to is empty, to every recipient of every job).
func TestMail(ctx context.Context, cfg *config.Config, to []string) ([]string, error) {
	if len(to) == 0 {
		seen := map[string]bool{}
		for _, name := range jobNames(cfg) {
			j := cfg.Jobs[name]
			for _, a := range append(append([]string{}, j.MailTo...), j.MailFailureTo...) {
				if !seen[a] {
					seen[a] = true
					to = append(to, a)
				}
			}
		}
	}
	if len(to) == 0 {
		return nil, fmt.Errorf("no recipient: give --to ADDRESS, or set mail_to in a job of the config")
	}
	host := hostname()
	err := notify.Send(ctx, notify.Server(cfg.Mail), notify.Message{
		To:      to,
		Subject: "posbackup: test mail from " + host,
		Body:    fmt.Sprintf("This is a test mail from posbackup on %s, sent %s.\nReports of the automatic backup will reach you this way.\n", host, time.Now().Format("Mon 2006-01-02 15:04")),
	})
	return to, err
}
