package schedule

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/posbackup/posbackup/internal/runlock"
)

// Result is what a successful run reports to the scheduler.
type Result struct {
	Archive  string   `json:"archive,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
	Verify   string   `json:"verify,omitempty"` // the check made: "full" or "quick" (job.BackupResult.Verify)
}

// RunFunc runs the job named job once. ctx is cancelled when the scheduler
// is stopped; the run should then stop soon and return an error.
type RunFunc func(ctx context.Context, job string) (Result, error)

// Job is one scheduled job.
type Job struct {
	Name string
	Spec Spec
}

// EventKind names what an Event reports.
type EventKind string

const (
	EventStarted     EventKind = "started"     // the scheduler started; Message lists the next runs
	EventRun         EventKind = "run"         // a run starts (Catchup: a missed run caught up)
	EventSuccess     EventKind = "success"     // a run succeeded; Result is set
	EventFailure     EventKind = "failure"     // a run failed; Err is set
	EventWaiting     EventKind = "waiting"     // a due run waits for another backup to finish
	EventInterrupted EventKind = "interrupted" // a run was found interrupted at start
	EventClock       EventKind = "clock"       // the clock went far back; the schedule follows it
	EventState       EventKind = "state"       // a state file was damaged or could not be saved
)

// Event reports something the scheduler did, for the log and reports.
type Event struct {
	Time    time.Time `json:"time"`
	Kind    EventKind `json:"kind"`
	Job     string    `json:"job,omitempty"`
	Due     time.Time `json:"due,omitzero"`
	Catchup bool      `json:"catchup,omitempty"`
	Message string    `json:"message"`
	Result  *Result   `json:"result,omitempty"`
	Err     error     `json:"-"`
}

// Options configure a Scheduler. Only StateDir is required.
type Options struct {
	// StateDir holds one state file per job.
	StateDir string
	// LockPath is the cross-process run lock (runlock) shared with backups
	// started by hand; empty: no lock.
	LockPath string
	// Clock defaults to RealClock.
	Clock Clock
	// Poll is the longest time between two looks at the wall clock
	// (default 30 s).
	Poll time.Duration
	// CatchUpDelay is how long after the scheduler starts, or the computer
	// wakes, a missed run waits before it is caught up, so that the system
	// and network are up (default 2 minutes).
	CatchUpDelay time.Duration
	// MaxClockBack: when the wall clock is further behind the last handled
	// due time than this, the clock is taken to have been reset and the
	// schedule follows it from now on; a smaller step back is waited out,
	// so no due time runs twice (default 48 hours).
	MaxClockBack time.Duration
	// OnEvent receives every event, in the scheduler's goroutine.
	OnEvent func(Event)
}

// Scheduler runs jobs at their due times. See Run.
type Scheduler struct {
	jobs []Job
	run  RunFunc
	opt  Options

	mu     sync.Mutex
	states map[string]*State

	resumedAt time.Time // start, or when a wake-up from sleep was seen
	lastCheck time.Time
	waiting   map[string]string // last lock message reported per job

	stopIdle     chan struct{} // closed by StopWhenIdle
	stopIdleOnce sync.Once
}

// StopWhenIdle makes Run return nil as soon as no run is in progress
// (at once when idle, else when the current run has ended), without
// starting another one. It may be called from any goroutine, more than
// once. The service uses it to re-read a changed config without cutting
// a backup short.
func (s *Scheduler) StopWhenIdle() {
	s.stopIdleOnce.Do(func() { close(s.stopIdle) })
}

func (s *Scheduler) stopRequested() bool {
	select {
	case <-s.stopIdle:
		return true
	default:
		return false
	}
}

// New checks the jobs and options and returns a Scheduler.
func New(jobs []Job, run RunFunc, opt Options) (*Scheduler, error) {
	if run == nil {
		return nil, errors.New("schedule: no run function")
	}
	if opt.StateDir == "" {
		return nil, errors.New("schedule: no state folder")
	}
	seen := map[string]bool{}
	for _, j := range jobs {
		if j.Name == "" {
			return nil, errors.New("a job has no name")
		}
		if seen[j.Name] {
			return nil, fmt.Errorf("job %s is listed twice", j.Name)
		}
		seen[j.Name] = true
		if err := j.Spec.Validate(); err != nil {
			return nil, fmt.Errorf("job %s: %w", j.Name, err)
		}
	}
	if opt.Clock == nil {
		opt.Clock = RealClock{}
	}
	if opt.Poll <= 0 {
		opt.Poll = 30 * time.Second
	}
	if opt.CatchUpDelay < 0 {
		opt.CatchUpDelay = 0
	} else if opt.CatchUpDelay == 0 {
		opt.CatchUpDelay = 2 * time.Minute
	}
	if opt.MaxClockBack <= 0 {
		opt.MaxClockBack = 48 * time.Hour
	}
	return &Scheduler{jobs: append([]Job(nil), jobs...), run: run, opt: opt, states: map[string]*State{}, waiting: map[string]string{}, stopIdle: make(chan struct{})}, nil
}

// States returns a copy of every job's current state, in job order. It may
// be called from any goroutine while Run runs.
func (s *Scheduler) States() []State {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]State, 0, len(s.jobs))
	for _, j := range s.jobs {
		if st := s.states[j.Name]; st != nil {
			out = append(out, *st)
		}
	}
	return out
}

// InstanceLockName is the lock file in the state folder that Run holds
// while it runs, so that only one scheduler runs a state folder's jobs.
const InstanceLockName = "scheduler.lock"

// Run runs the jobs until ctx is cancelled, then returns nil. It returns an
// error at once, matching runlock.ErrLocked, when another scheduler
// already runs with the same state folder (in this or another process).
//
// Every Poll (or sooner, when a run is due sooner) it reads the wall clock
// and runs each job whose latest due time (Spec.Prev of now) is later than
// the due time it last handled (State.LastDue). From that rule:
//   - a day's run happens once: its due time is handled when the run starts;
//   - runs missed while the computer was off or asleep collapse into one
//     catch-up run of the latest missed due time, CatchUpDelay after the
//     start or the wake-up;
//   - a clock jump forwards gives at most that one catch-up run; a jump
//     backwards runs nothing until the clock passes the last handled due
//     time again (unless it is more than MaxClockBack behind, see Options);
//   - a new job (no state) is not caught up for due times before it existed.
//
// Runs never overlap: jobs run one at a time in Run's goroutine, and with
// LockPath set a run first takes the cross-process lock. A due time that
// passes while a run is in progress is queued, once: it runs right after
// the run ends (several passing collapse into one). A due run that finds
// the lock held by another process (a backup started by hand) waits and is
// retried every Poll until the lock is free; it is not skipped.
//
// A run found interrupted when Run starts (State.Running: the program was
// stopped or the computer switched off mid-backup), or stopped by ctx, is
// recorded as a failure and retried once, as a catch-up.
func (s *Scheduler) Run(ctx context.Context) error {
	// One scheduler per state folder: a second one (a second service, or
	// "service run" beside the service) would run every job twice.
	unlockInstance, err := runlock.TryLock(filepath.Join(s.opt.StateDir, InstanceLockName))
	if err != nil {
		var le *runlock.LockedError
		if errors.As(err, &le) && le.Known {
			return fmt.Errorf("the automatic backup is already running on this computer (process %d on %s, started %s): %w",
				le.Holder.PID, le.Holder.Host, le.Holder.Started.Local().Format("2006-01-02 15:04"), runlock.ErrLocked)
		}
		if errors.Is(err, runlock.ErrLocked) {
			return fmt.Errorf("the automatic backup is already running on this computer: %w", runlock.ErrLocked)
		}
		return fmt.Errorf("the automatic backup cannot start: %w", err)
	}
	defer unlockInstance()

	now := s.opt.Clock.Now()
	s.resumedAt, s.lastCheck = now, now
	for _, j := range s.jobs {
		st, err := LoadState(s.opt.StateDir, j.Name, now)
		if err != nil {
			s.emit(Event{Kind: EventState, Job: j.Name, Message: err.Error(), Err: err})
		}
		if st.Since.IsZero() {
			st.Since = now
			st.LastDue = j.Spec.Prev(now)
		}
		if st.Running && s.otherHoldsLock() {
			// Another scheduler or a manual run is busy right now; it
			// may be this very run. Leave it to the holder.
		} else if st.Running {
			st.markInterrupted()
			retry := !st.InterruptedDue.Equal(st.LastDue)
			if retry {
				st.InterruptedDue, st.RetryPending = st.LastDue, true
			}
			msg := "job " + j.Name + ": " + st.LastError
			if retry {
				msg += "; it is tried again once"
			}
			s.emit(Event{Kind: EventInterrupted, Job: j.Name, Due: st.LastDue, Message: msg})
		}
		s.mu.Lock()
		s.states[j.Name] = &st
		s.mu.Unlock()
		s.updateNext(j, now)
		s.save(j.Name)
	}
	s.emit(Event{Kind: EventStarted, Message: s.describeNext()})
	for {
		if s.stopRequested() { // first: a due run must not start after the request
			return nil
		}
		s.check(ctx)
		if ctx.Err() != nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.stopIdle:
			return nil
		case <-s.opt.Clock.After(s.waitTime()):
		}
	}
}

func (s *Scheduler) describeNext() string {
	if len(s.jobs) == 0 {
		return "no jobs are scheduled"
	}
	msg := ""
	for i, j := range s.jobs {
		if i > 0 {
			msg += "; "
		}
		msg += fmt.Sprintf("job %s (%s): next run %s", j.Name, j.Spec, s.state(j.Name).NextRun.Format("Mon 2006-01-02 15:04"))
	}
	return msg
}

func (s *Scheduler) state(name string) *State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.states[name]
}

func (s *Scheduler) emit(e Event) {
	if e.Time.IsZero() {
		e.Time = s.opt.Clock.Now()
	}
	if s.opt.OnEvent != nil {
		s.opt.OnEvent(e)
	}
}

func (s *Scheduler) save(name string) {
	s.mu.Lock()
	st := *s.states[name]
	s.mu.Unlock()
	if err := SaveState(s.opt.StateDir, st); err != nil {
		s.emit(Event{Kind: EventState, Job: name, Message: err.Error(), Err: err})
	}
}
