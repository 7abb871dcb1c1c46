// Package status turns the configured jobs, their scheduler state and a few
// facts about this computer into the status a user or service partner
// reads: per job the last success, the last failure and its reason and the
// next run, and the warnings the product gives, in plain sentences.
// Evaluate reads and writes nothing; Gather collects its inputs from the
// config file and the state folder.
package status

import (
	"fmt"
	"sort"
	"time"

	"github.com/posbackup/posbackup/internal/msg"
	"github.com/posbackup/posbackup/internal/schedule"
)

// DefaultMargin is how long after a due time a missing success is reported.
const DefaultMargin = 6 * time.Hour

// Service is what is known of the automatic backup service on this computer.
type Service string

const (
	ServiceUnknown      Service = ""
	ServiceRunning      Service = "running"
	ServiceStopped      Service = "stopped"
	ServiceNotInstalled Service = "not-installed"
)

// Job is one configured job as status needs it.
type Job struct {
	Name        string `json:"name"`
	Variant     int    `json:"variant"`     // 1..4
	Destination string `json:"destination"` // as shown to users, never with a password
	// Schedule is nil for a job that only runs when started by hand.
	Schedule *schedule.Spec `json:"schedule,omitempty"`
	// SameDrive is true when the destination is a folder on the same drive
	// as the data (local.SameDrive of the source and the folder).
	SameDrive bool `json:"same_drive"`
}

// Input is everything Evaluate looks at.
type Input struct {
	Jobs []Job
	// States holds the scheduler state of each job by name (schedule.LoadState);
	// a job without an entry has never been seen by the scheduler.
	States  map[string]schedule.State
	Service Service
	// Now is the current time in the computer's zone.
	Now time.Time
	// Margin is how long after a due time a missing success is reported
	// (0: DefaultMargin).
	Margin time.Duration
}

// Severity orders warnings: an alert means backups are not happening.
type Severity string

const (
	Alert Severity = "alert"
	Warn  Severity = "warning"
	Info  Severity = "info"
)

// Warning codes, stable for scripts reading --json.
const (
	CodeNoAutomatic    = "no-automatic-backup" // no job has a time, or the service is not installed
	CodeServiceStopped = "service-stopped"     // the service is installed but not running
	CodeSameDrive      = "same-drive"          // the backup goes to the same drive as the data
	CodeMasterOnly     = "master-data-only"    // variant 01: no transaction data
	CodeOverdue        = "overdue"             // the last success is older than the period plus the margin
	CodeNeverSucceeded = "never-succeeded"     // due times have passed and none succeeded
	CodeNotRun         = "not-run-yet"         // the scheduler has never seen the job
	CodeLastFailed     = "last-failed"         // the last run failed (not yet overdue)
	CodeWaiting        = "waiting"             // a due run waits for another backup
)

// Warning is one thing the user should know.
type Warning struct {
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	Job      string   `json:"job,omitempty"`
	Message  string   `json:"message"`

	// Key is Message as a key of the faces' catalogue and its parameters
	// (internal/msg), for the faces; not kept in JSON (a face that reads
	// a report back finds Message by its pattern).
	Key *msg.Message `json:"-"`
}

// warning is a Warning with the message format and a.
func warning(code string, sev Severity, job, format string, a ...any) Warning {
	m := msg.New(format, a...)
	return Warning{Code: code, Severity: sev, Job: job, Message: m.String(), Key: m}
}

// JobStatus is the status of one job.
type JobStatus struct {
	Name        string    `json:"name"`
	Variant     string    `json:"variant"` // "03"
	Destination string    `json:"destination"`
	Schedule    string    `json:"schedule"` // "daily at 02:00", or "manual only"
	LastSuccess time.Time `json:"last_success,omitzero"`
	LastArchive string    `json:"last_archive,omitempty"`
	LastVerify  string    `json:"last_verify,omitempty"` // the check the last archive passed: "full" (read back) or "quick"
	LastFailure time.Time `json:"last_failure,omitzero"`
	LastError   string    `json:"last_error,omitempty"`
	LastFailed  bool      `json:"last_failed"` // the last run failed
	Running     bool      `json:"running"`
	NextRun     time.Time `json:"next_run,omitzero"`
	Stale       bool      `json:"stale"` // overdue or never succeeded
	Warnings    []Warning `json:"warnings"`
}

// Report is the whole status.
type Report struct {
	Time    time.Time   `json:"time"`
	Service Service     `json:"service,omitempty"`
	OK      bool        `json:"ok"`    // no alerts and no warnings
	Stale   bool        `json:"stale"` // some job's backup is overdue or never succeeded
	Jobs    []JobStatus `json:"jobs"`
	// Warnings holds every warning: those about the whole computer and
	// those of each job, alerts first.
	Warnings []Warning `json:"warnings"`
}

// Evaluate builds the report.
func Evaluate(in Input) Report {
	now := in.Now
	margin := in.Margin
	if margin <= 0 {
		margin = DefaultMargin
	}
	r := Report{Time: now, Service: in.Service, Jobs: []JobStatus{}, Warnings: []Warning{}}

	scheduled := 0
	for _, j := range in.Jobs {
		if j.Schedule != nil {
			scheduled++
		}
	}
	switch {
	case len(in.Jobs) == 0:
		r.Warnings = append(r.Warnings, warning(CodeNoAutomatic, Alert, "", "No backup is set up on this computer. Set one up with posbackup job set, with a time of day, and posbackup service install."))
	case scheduled == 0:
		r.Warnings = append(r.Warnings, warning(CodeNoAutomatic, Alert, "", "No automatic backup is set up: backups happen only when someone starts one. Give a job a time of day (posbackup job set NAME --time HH:MM) and run posbackup service install."))
	case in.Service == ServiceNotInstalled:
		r.Warnings = append(r.Warnings, warning(CodeNoAutomatic, Alert, "", "No automatic backup is set up on this computer: the backup service is not installed, so no backup runs at its time. Run posbackup service install."))
	case in.Service == ServiceStopped:
		r.Warnings = append(r.Warnings, warning(CodeServiceStopped, Alert, "", "The automatic backup service is installed but not running, so no backup runs at its time. Start it with posbackup service start."))
	}

	for _, j := range in.Jobs {
		js := evaluateJob(j, in, now, margin)
		r.Jobs = append(r.Jobs, js)
		r.Warnings = append(r.Warnings, js.Warnings...)
		r.Stale = r.Stale || js.Stale
	}
	rank := map[Severity]int{Alert: 0, Warn: 1, Info: 2}
	sort.SliceStable(r.Warnings, func(a, b int) bool { return rank[r.Warnings[a].Severity] < rank[r.Warnings[b].Severity] })
	r.OK = true
	for _, w := range r.Warnings {
		if w.Severity != Info {
			r.OK = false
		}
	}
	return r
}

func evaluateJob(j Job, in Input, now time.Time, margin time.Duration) JobStatus {
	loc := now.Location()
	js := JobStatus{Name: j.Name, Variant: fmt.Sprintf("%02d", j.Variant), Destination: j.Destination, Schedule: "manual only", Warnings: []Warning{}}
	add := func(code string, sev Severity, format string, a ...any) {
		js.Warnings = append(js.Warnings, warning(code, sev, j.Name, format, a...))
	}
	if j.Schedule != nil {
		js.Schedule = j.Schedule.String()
	}
	st, seen := in.States[j.Name]
	if seen {
		js.LastSuccess, js.LastArchive = st.LastSuccess.In(loc), st.LastArchive
		js.LastVerify = st.LastVerify
		js.LastFailure, js.LastError = st.LastFailure.In(loc), st.LastError
		js.LastFailed, js.Running = st.Failed(), st.Running
		if j.Schedule != nil {
			js.NextRun = st.NextRun.In(loc)
		}
		if st.LastSuccess.IsZero() {
			js.LastSuccess = time.Time{}
		}
		if st.LastFailure.IsZero() {
			js.LastFailure = time.Time{}
		}
		if st.NextRun.IsZero() {
			js.NextRun = time.Time{}
		}
	}
	if j.Schedule != nil && js.NextRun.IsZero() {
		js.NextRun = j.Schedule.Next(now)
	}

	if j.Schedule != nil {
		// The latest due time that is more than the margin ago: a success
		// must have followed it.
		due := j.Schedule.Prev(now.Add(-margin))
		switch {
		case seen && st.Running && !st.LastStart.Before(due):
			// The run for that due time is still going.
		case !seen:
			add(CodeNotRun, Warn, "Job %s has not been run by the automatic backup yet: check that the backup service is running (posbackup service status).", j.Name)
		case st.LastSuccess.IsZero():
			if !due.IsZero() && due.After(st.Since) {
				js.Stale = true
				if st.LastError != "" {
					add(CodeNeverSucceeded, Alert, "Job %s has never made a successful backup; it should run %s. The last attempt failed: %s", j.Name, j.Schedule, msg.Sentence(st.LastError))
				} else {
					add(CodeNeverSucceeded, Alert, "Job %s has never made a successful backup; it should run %s.", j.Name, j.Schedule)
				}
			}
		case !due.IsZero() && st.LastSuccess.Before(due):
			js.Stale = true
			if st.Failed() {
				add(CodeOverdue, Alert, "The last successful backup of job %s was %s (%s); it should run %s. The last attempt failed: %s", j.Name, msg.Sentence(when(st.LastSuccess.In(loc))), msg.Sentence(ago(now.Sub(st.LastSuccess))), j.Schedule, msg.Sentence(st.LastError))
			} else {
				add(CodeOverdue, Alert, "The last successful backup of job %s was %s (%s); it should run %s.", j.Name, msg.Sentence(when(st.LastSuccess.In(loc))), msg.Sentence(ago(now.Sub(st.LastSuccess))), j.Schedule)
			}
		}
	}
	if seen && st.Failed() && !js.Stale {
		add(CodeLastFailed, Warn, "The last backup of job %s failed %s: %s", j.Name, msg.Sentence(when(st.LastFailure.In(loc))), msg.Sentence(st.LastError))
	}
	if seen && st.Waiting != "" {
		add(CodeWaiting, Info, "Job %s is due and waits: %s", j.Name, msg.Sentence(st.Waiting))
	}
	if j.SameDrive {
		add(CodeSameDrive, Warn, "Job %s writes its backup to the same drive as the data (%s): one disk failure loses both. Use a USB disk, a network drive or a server.", j.Name, j.Destination)
	}
	if j.Variant == 1 {
		add(CodeMasterOnly, Warn, "Job %s backs up master data only (variant 01): the cash journal (transaction data) is not saved. Choose variant 02 or higher to keep it.", j.Name)
	}
	return js
}

func when(t time.Time) string { return t.Format("Mon 2006-01-02 15:04") }

// ago says how long ago, in plain words.
func ago(d time.Duration) string {
	switch {
	case d < 0:
		return "in the future: check this computer's clock"
	case d < 2*time.Hour:
		return fmt.Sprintf("%d minutes ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d hours ago", int(d.Hours()))
	default:
		return fmt.Sprintf("%d days ago", int(d.Hours()/24))
	}
}
