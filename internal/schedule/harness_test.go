package schedule

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const poll = 30 * time.Second

var zone = time.FixedZone("POS", 3600)

func at(day, h, m int) time.Time { return time.Date(2026, 11, day, h, m, 0, 0, zone) } // 2026-11-02 is a Monday

type runRec struct {
	job string
	at  time.Time
}

type harness struct {
	t      *testing.T
	clk    *FakeClock
	dir    string
	jobs   []Job
	opt    Options
	runFn  func(ctx context.Context, job string) (Result, error)
	cancel context.CancelFunc
	done   chan error

	mu          sync.Mutex
	runs        []runRec
	events      []Event
	inFlight    atomic.Int32
	maxInFlight atomic.Int32
}

func newHarness(t *testing.T, start time.Time, jobs ...Job) *harness {
	h := &harness{t: t, clk: NewFakeClock(start), dir: t.TempDir(), jobs: jobs}
	h.opt = Options{Poll: poll, CatchUpDelay: 2 * time.Minute}
	return h
}

func (h *harness) start() {
	h.t.Helper()
	opt := h.opt
	opt.StateDir, opt.Clock = h.dir, h.clk
	opt.OnEvent = func(e Event) {
		h.mu.Lock()
		h.events = append(h.events, e)
		h.mu.Unlock()
	}
	run := func(ctx context.Context, job string) (Result, error) {
		n := h.inFlight.Add(1)
		defer h.inFlight.Add(-1)
		if n > h.maxInFlight.Load() {
			h.maxInFlight.Store(n)
		}
		h.mu.Lock()
		h.runs = append(h.runs, runRec{job, h.clk.Now()})
		h.mu.Unlock()
		if h.runFn != nil {
			return h.runFn(ctx, job)
		}
		return Result{Archive: job + ".zip"}, nil
	}
	s, err := New(h.jobs, run, opt)
	if err != nil {
		h.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel, h.done = cancel, make(chan error, 1)
	go func() { h.done <- s.Run(ctx) }()
	h.waitIdle()
	h.t.Cleanup(h.stop)
}

// waitIdle waits until the scheduler waits on its timer again. If Run
// returns instead, the test fails rather than hangs.
func (h *harness) waitIdle() {
	h.t.Helper()
	idle := make(chan struct{})
	go func() { h.clk.BlockUntil(1); close(idle) }()
	select {
	case <-idle:
	case err := <-h.done:
		h.done <- err
		h.t.Fatalf("the scheduler stopped: %v", err)
	}
}

// stop stops the scheduler, as when the computer is switched off.
func (h *harness) stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	<-h.done
	h.cancel = nil
	// The stopped scheduler's timer stays registered with the fake clock;
	// drop it so the next start can be waited for.
	h.clk.mu.Lock()
	h.clk.waiters = nil
	h.clk.mu.Unlock()
}

// advanceTo lets time pass until the wall clock shows t, waking the
// scheduler whenever its timer fires and waiting until it is idle again.
// No real time is involved.
func (h *harness) advanceTo(t time.Time) {
	h.t.Helper()
	for {
		now := h.clk.Now()
		if !now.Before(t) {
			return
		}
		until, ok := h.clk.UntilNext()
		if !ok {
			h.t.Fatal("the scheduler is not waiting")
		}
		if h.clk.Advance(min(until, t.Sub(now))) > 0 {
			h.waitIdle()
		}
	}
}

func (h *harness) advance(d time.Duration) { h.advanceTo(h.clk.Now().Add(d)) }

func (h *harness) runTimes() []time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []time.Time
	for _, r := range h.runs {
		out = append(out, r.at)
	}
	return out
}

func (h *harness) eventsOf(k EventKind) []Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []Event
	for _, e := range h.events {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

func (h *harness) state(job string) State {
	h.t.Helper()
	st, err := LoadState(h.dir, job, h.clk.Now())
	if err != nil {
		h.t.Fatal(err)
	}
	return st
}

func (h *harness) wantRuns(want ...time.Time) {
	h.t.Helper()
	got := h.runTimes()
	if len(got) != len(want) {
		h.t.Fatalf("runs at %v, want %v", got, want)
	}
	for i := range want {
		if !got[i].Equal(want[i]) {
			h.t.Fatalf("run %d at %v, want %v (all: %v)", i, got[i], want[i], got)
		}
	}
}

var daily = Job{Name: "nightly", Spec: Spec{Time: "02:00"}}
