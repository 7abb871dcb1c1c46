package schedule

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/posbackup/posbackup/internal/runlock"
)

// runJob runs j for due. It returns false when the run could not start
// because another backup holds the lock.
func (s *Scheduler) runJob(ctx context.Context, j Job, due time.Time, catchup bool) bool {
	st := s.state(j.Name)
	now := s.opt.Clock.Now()
	unlock, ran := s.lock(j, st, due, now)
	if unlock == nil {
		return ran
	}
	defer unlock()
	delete(s.waiting, j.Name)
	if s.handledElsewhere(j, st, due, now) {
		return true
	}
	s.start(j, st, due, catchup, now)
	res, err := s.call(ctx, j.Name)
	s.finish(ctx, j, st, due, catchup, res, err)
	return true
}

// lock takes the cross-process run lock for j's run (with LockPath set).
// unlock is nil when the run cannot start: ran is false while another
// backup holds the lock (the wait is recorded and reported once), true
// when taking it failed otherwise (recorded as the run's failure).
func (s *Scheduler) lock(j Job, st *State, due, now time.Time) (unlock func(), ran bool) {
	if s.opt.LockPath == "" {
		return func() {}, true
	}
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
		return nil, false
	}
	if err != nil {
		s.mu.Lock()
		st.LastDue, st.RetryPending, st.Waiting = laterOf(st.LastDue, due), false, ""
		st.LastFailure, st.LastError = now, err.Error()
		s.mu.Unlock()
		s.save(j.Name)
		s.emit(Event{Kind: EventFailure, Job: j.Name, Due: due, Message: "job " + j.Name + " failed: " + err.Error(), Err: err})
		return nil, true
	}
	return u, true
}

// handledElsewhere takes the state file over when another scheduler on
// this computer (a second service, or "service run" started by hand beside
// the service) has moved on while we waited: with the lock held, the file
// is the truth. It reports whether that one has handled due already.
func (s *Scheduler) handledElsewhere(j Job, st *State, due, now time.Time) bool {
	disk, err := LoadState(s.opt.StateDir, j.Name, now)
	if err != nil || disk.Since.IsZero() || !(disk.LastDue.After(st.LastDue) || disk.LastEnd.After(st.LastEnd)) {
		return false
	}
	s.mu.Lock()
	*st = disk
	if st.Running { // the other one's run was interrupted
		st.markInterrupted()
	}
	handled := !due.After(st.LastDue) && !st.RetryPending
	s.mu.Unlock()
	if handled {
		s.updateNext(j, now)
		s.save(j.Name)
	}
	return handled
}

// start records that j's run for due starts (before it runs: a crash
// during the run is then seen as an interrupted run) and reports it.
func (s *Scheduler) start(j Job, st *State, due time.Time, catchup bool, now time.Time) {
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
}

// finish records the run's result and reports it. A run stopped by ctx is
// retried once, as a catch-up.
func (s *Scheduler) finish(ctx context.Context, j Job, st *State, due time.Time, catchup bool, res Result, err error) {
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
}

// markInterrupted records that the run st shows as running did not finish.
func (st *State) markInterrupted() {
	st.Running = false
	st.LastFailure = st.LastStart
	st.LastError = fmt.Sprintf("the backup that started %s did not finish: the program was stopped or the computer switched off during the backup", st.LastStart.Format("2006-01-02 15:04"))
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
