package schedule

import (
	"context"
	"fmt"
	"time"
)

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

// updateNext sets j's next run from now; it reports whether it changed.
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

// waitTime is how long Run sleeps before it looks at the clock again.
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
