package schedule

import (
	"sort"
	"sync"
	"time"
)

// Clock is the source of time for the Scheduler. Now is the wall clock;
// After waits for a duration of elapsed time (which, like a real timer, is
// not moved by changes to the wall clock).
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// RealClock is the computer's clock.
type RealClock struct{}

// Now returns the wall-clock time without a monotonic reading, so that it
// compares with stored times the way a user reads them.
func (RealClock) Now() time.Time { return time.Now().Round(0) }

// After is time.After.
func (RealClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// FakeClock is a Clock for tests. Its wall clock and its elapsed time are
// separate, as on a real computer: Advance moves both (time passes),
// SetWall and JumpWall move only the wall clock (the clock is changed, or
// the computer slept and woke).
type FakeClock struct {
	mu      sync.Mutex
	cond    *sync.Cond
	wall    time.Time
	mono    time.Duration
	waiters []fakeWaiter
}

type fakeWaiter struct {
	at time.Duration
	ch chan time.Time
}

// NewFakeClock returns a FakeClock showing start.
func NewFakeClock(start time.Time) *FakeClock {
	f := &FakeClock{wall: start.Round(0)}
	f.cond = sync.NewCond(&f.mu)
	return f
}

// Now returns the fake wall clock.
func (f *FakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.wall
}

// After returns a channel that receives the wall time once d of elapsed
// time has passed through Advance. d <= 0 fires at once.
func (f *FakeClock) After(d time.Duration) <-chan time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- f.wall
		return ch
	}
	f.waiters = append(f.waiters, fakeWaiter{at: f.mono + d, ch: ch})
	f.cond.Broadcast()
	return ch
}

// Advance lets d pass: the wall clock and elapsed time move on by d, and
// every After whose time has come fires. It returns how many fired.
func (f *FakeClock) Advance(d time.Duration) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mono += d
	f.wall = f.wall.Add(d)
	sort.SliceStable(f.waiters, func(i, j int) bool { return f.waiters[i].at < f.waiters[j].at })
	fired := 0
	kept := f.waiters[:0]
	for _, w := range f.waiters {
		if w.at <= f.mono {
			w.ch <- f.wall
			fired++
		} else {
			kept = append(kept, w)
		}
	}
	f.waiters = kept
	f.cond.Broadcast()
	return fired
}

// SetWall sets the wall clock to t without elapsed time passing.
func (f *FakeClock) SetWall(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.wall = t.Round(0)
}

// JumpWall moves the wall clock by d (negative: backwards) without elapsed
// time passing.
func (f *FakeClock) JumpWall(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.wall = f.wall.Add(d)
}

// Waiters returns how many After calls have not fired yet.
func (f *FakeClock) Waiters() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.waiters)
}

// BlockUntil waits until at least n After calls are pending.
func (f *FakeClock) BlockUntil(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for len(f.waiters) < n {
		f.cond.Wait()
	}
}

// UntilNext returns the elapsed time until the earliest pending After
// fires, and false when none is pending.
func (f *FakeClock) UntilNext() (time.Duration, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.waiters) == 0 {
		return 0, false
	}
	next := f.waiters[0].at
	for _, w := range f.waiters[1:] {
		next = min(next, w.at)
	}
	return next - f.mono, true
}
