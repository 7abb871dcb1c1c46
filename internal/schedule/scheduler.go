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
			st.Running = false
			st.LastFailure = st.LastStart
			st.LastError = fmt.Sprintf("the backup that started %s did not finish: the program was stopped or the computer switched off during the backup", st.LastStart.Format("2006-01-02 15:04"))
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

// pending returns the due time job j should run for now, when it may run,
// and whether anything is pending.
func (s *Scheduler) pending(j Job, st *State, now time.Time) (due, eligible time.Time, catchup, ok bool) {
	due = j.Spec.Prev(now)
	switch {
	case due.After(st.LastDue):
	case st.RetryPending:
		due = st.LastDue
	default:
		return time.Time{}, time.Time{}, false, false
	}
	eligible = due
	if st.RetryPending || due.Before(s.resumedAt) {
		catchup = true
		if e := s.resumedAt.Add(s.opt.CatchUpDelay); e.After(eligible) {
			eligible = e
		}
	}
	return due, eligible, catchup, true
}

func (s *Scheduler) updateNext(j Job, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.states[j.Name]
	var next time.Time
	if _, eligible, _, ok := s.pending(j, st, now); ok {
		next = eligible
	} else {
		from := now
		if st.LastDue.After(from) {
			from = st.LastDue.In(now.Location())
		}
		next = j.Spec.Next(from)
	}
	if next.Equal(st.NextRun) {
		return false
	}
	st.NextRun = next
	return true
}

func (s *Scheduler) waitTime() time.Duration {
	now := s.opt.Clock.Now()
	wait := s.opt.Poll
	for _, j := range s.jobs {
		// A run that is due but waits for the lock (NextRun not after
		// now) is tried again after Poll.
		if d := s.state(j.Name).NextRun.Sub(now); d > 0 && d < wait {
			wait = d
		}
	}
	return max(wait, time.Second)
}

// check runs every job that is due, one after the other, until none is.
func (s *Scheduler) check(ctx context.Context) {
	for ctx.Err() == nil && !s.stopRequested() {
		now := s.opt.Clock.Now()
		if gap := now.Sub(s.lastCheck); gap > 2*s.opt.Poll+time.Second || gap < 0 {
			// The wall clock moved on much further than we waited (the
			// computer slept, or the clock was put forward): missed runs
			// are caught up after the delay, as after a start. Or it went
			// back: what was before the start may be after it now.
			s.resumedAt = now
		}
		s.lastCheck = now

		var pick *Job
		var pickDue time.Time
		var pickCatchup bool
		for i, j := range s.jobs {
			st := s.state(j.Name)
			if st.LastDue.After(now.Add(s.opt.MaxClockBack)) {
				old := st.LastDue
				s.mu.Lock()
				st.LastDue = j.Spec.Prev(now)
				s.mu.Unlock()
				s.emit(Event{Kind: EventClock, Job: j.Name, Message: fmt.Sprintf("job %s: the clock (%s) is more than %s behind the last run's due time %s; it was probably reset. The schedule follows the clock from now on", j.Name, now.Format("2006-01-02 15:04"), s.opt.MaxClockBack, old.Format("2006-01-02 15:04"))})
				s.save(j.Name)
			}
			due, eligible, catchup, ok := s.pending(j, st, now)
			if !ok || eligible.After(now) {
				continue
			}
			if pick == nil || due.Before(pickDue) {
				pick, pickDue, pickCatchup = &s.jobs[i], due, catchup
			}
		}
		if pick == nil {
			for _, j := range s.jobs {
				if s.updateNext(j, now) {
					s.save(j.Name)
				}
			}
			return
		}
		if !s.runJob(ctx, *pick, pickDue, pickCatchup) {
			// Waiting for the lock: look again after the next wait.
			for _, j := range s.jobs {
				if s.updateNext(j, now) {
					s.save(j.Name)
				}
			}
			return
		}
		s.lastCheck = s.opt.Clock.Now()
	}
}

// runJob runs j for due. It returns false when the run could not start
// because another backup holds the lock.
func (s *Scheduler) runJob(ctx context.Context, j Job, due time.Time, catchup bool) bool {
	st := s.state(j.Name)
	now := s.opt.Clock.Now()
	unlock := func() {}
	if s.opt.LockPath != "" {
		u, err := runlock.TryLock(s.opt.LockPath)
		if errors.Is(err, runlock.ErrLocked) {
			msg := err.Error()
			s.mu.Lock()
			changed := st.Waiting != msg
			st.Waiting = msg
			s.mu.Unlock()
			if changed {
				s.save(j.Name)
			}
			if s.waiting[j.Name] != msg {
				s.waiting[j.Name] = msg
				s.emit(Event{Kind: EventWaiting, Job: j.Name, Due: due, Message: fmt.Sprintf("job %s is due (%s) but %s", j.Name, due.Format("2006-01-02 15:04"), msg), Err: err})
			}
			return false
		}
		if err != nil {
			s.mu.Lock()
			st.LastDue, st.RetryPending, st.Waiting = laterOf(st.LastDue, due), false, ""
			st.LastFailure, st.LastError = now, err.Error()
			s.mu.Unlock()
			s.save(j.Name)
			s.emit(Event{Kind: EventFailure, Job: j.Name, Due: due, Message: "job " + j.Name + " failed: " + err.Error(), Err: err})
			return true
		}
		unlock = u
	}
	defer unlock()
	delete(s.waiting, j.Name)

	// Another scheduler on this computer (a second service, or "service
	// run" started by hand beside the service) may have handled this due
	// time while we waited: with the lock held, the file is the truth.
	if disk, err := LoadState(s.opt.StateDir, j.Name, now); err == nil && !disk.Since.IsZero() &&
		(disk.LastDue.After(st.LastDue) || disk.LastEnd.After(st.LastEnd)) {
		s.mu.Lock()
		*st = disk
		if st.Running { // the other one's run was interrupted
			st.Running = false
			st.LastFailure = st.LastStart
			st.LastError = fmt.Sprintf("the backup that started %s did not finish: the program was stopped or the computer switched off during the backup", st.LastStart.Format("2006-01-02 15:04"))
		}
		handled := !due.After(st.LastDue) && !st.RetryPending
		s.mu.Unlock()
		if handled {
			s.updateNext(j, now)
			s.save(j.Name)
			return true
		}
	}

	s.mu.Lock()
	st.LastDue, st.RetryPending, st.Waiting = laterOf(st.LastDue, due), false, ""
	st.Running, st.LastStart = true, now
	s.mu.Unlock()
	s.updateNext(j, now)
	s.save(j.Name)
	msg := fmt.Sprintf("job %s: the backup due %s starts", j.Name, due.Format("Mon 2006-01-02 15:04"))
	if catchup {
		msg = fmt.Sprintf("job %s: the backup due %s did not run at its time (the computer was off or asleep, or the run was interrupted); it runs now", j.Name, due.Format("Mon 2006-01-02 15:04"))
	}
	s.emit(Event{Kind: EventRun, Job: j.Name, Due: due, Catchup: catchup, Message: msg})

	res, err := s.call(ctx, j.Name)
	end := s.opt.Clock.Now()
	s.mu.Lock()
	st.Running, st.LastEnd = false, end
	if err == nil {
		st.LastSuccess, st.LastArchive, st.LastWarnings = end, res.Archive, res.Warnings
		st.LastVerify = res.Verify
	} else {
		st.LastFailure, st.LastError = end, err.Error()
		if ctx.Err() != nil {
			st.LastError = "the backup was stopped before it finished (the service was stopped or the computer shut down): " + err.Error()
			if !st.InterruptedDue.Equal(due) {
				st.InterruptedDue, st.RetryPending = due, true
			}
		}
	}
	lastErr := st.LastError
	s.mu.Unlock()
	s.updateNext(j, end)
	s.save(j.Name)
	if err == nil {
		s.emit(Event{Kind: EventSuccess, Job: j.Name, Due: due, Catchup: catchup, Result: &res, Message: fmt.Sprintf("job %s: the backup succeeded (%s)", j.Name, res.Archive)})
	} else {
		s.emit(Event{Kind: EventFailure, Job: j.Name, Due: due, Catchup: catchup, Err: err, Message: "job " + j.Name + ": the backup failed: " + lastErr})
	}
	return true
}

// otherHoldsLock reports whether another run holds the cross-process lock.
func (s *Scheduler) otherHoldsLock() bool {
	if s.opt.LockPath == "" {
		return false
	}
	unlock, err := runlock.TryLock(s.opt.LockPath)
	if err != nil {
		return errors.Is(err, runlock.ErrLocked)
	}
	unlock()
	return false
}

// call runs the job, turning a panic into an error.
func (s *Scheduler) call(ctx context.Context, name string) (res Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error: %v", r)
		}
	}()
	return s.run(ctx, name)
}

func laterOf(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
