package schedule

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/runlock"
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

func TestDailyRunsOncePerDayAtItsTime(t *testing.T) {
	h := newHarness(t, at(2, 10, 0), daily)
	h.start()
	h.advanceTo(at(5, 12, 0))
	h.wantRuns(at(3, 2, 0), at(4, 2, 0), at(5, 2, 0))
	st := h.state("nightly")
	if !st.LastSuccess.Equal(at(5, 2, 0)) || st.LastArchive != "nightly.zip" || st.Running || st.Failed() {
		t.Errorf("state after success: %+v", st)
	}
	if !st.NextRun.Equal(at(6, 2, 0)) || !st.LastDue.Equal(at(5, 2, 0)) {
		t.Errorf("next run %v, last due %v", st.NextRun, st.LastDue)
	}
	if len(h.eventsOf(EventSuccess)) != 3 || len(h.eventsOf(EventRun)) != 3 {
		t.Errorf("events: %d success, %d run", len(h.eventsOf(EventSuccess)), len(h.eventsOf(EventRun)))
	}
	for _, e := range h.eventsOf(EventRun) {
		if e.Catchup {
			t.Errorf("a run on time is marked as catch-up: %+v", e)
		}
	}
}

func TestNewJobIsNotCaughtUpForEarlierDueTimes(t *testing.T) {
	h := newHarness(t, at(2, 10, 0), daily) // 02:00 today passed before the job existed
	h.start()
	h.advanceTo(at(3, 1, 59))
	h.wantRuns()
	if st := h.state("nightly"); !st.NextRun.Equal(at(3, 2, 0)) {
		t.Errorf("next run = %v", st.NextRun)
	}
	h.advanceTo(at(3, 2, 1))
	h.wantRuns(at(3, 2, 0))
}

func TestMissedRunIsCaughtUpOnceAfterStart(t *testing.T) {
	h := newHarness(t, at(2, 10, 0), daily)
	h.start()
	h.advanceTo(at(3, 9, 0))
	h.wantRuns(at(3, 2, 0))
	h.stop()

	// Switched off for three nights; on again at 09:00.
	h.clk.SetWall(at(6, 9, 0))
	h.start()
	if st := h.state("nightly"); !st.NextRun.Equal(at(6, 9, 2)) {
		t.Errorf("next run after start = %v, want the catch-up at 09:02", st.NextRun)
	}
	h.advance(time.Minute)
	h.wantRuns(at(3, 2, 0)) // not at once: after the catch-up delay
	h.advanceTo(at(7, 1, 0))
	h.wantRuns(at(3, 2, 0), at(6, 9, 2))
	runs := h.eventsOf(EventRun)
	if last := runs[len(runs)-1]; !last.Catchup || !last.Due.Equal(at(6, 2, 0)) || !strings.Contains(last.Message, "did not run at its time") {
		t.Errorf("catch-up event: %+v", last)
	}
	h.advanceTo(at(7, 3, 0))
	h.wantRuns(at(3, 2, 0), at(6, 9, 2), at(7, 2, 0))
}

func TestNoCatchUpWhenNothingWasMissed(t *testing.T) {
	h := newHarness(t, at(2, 10, 0), daily)
	h.start()
	h.advanceTo(at(3, 2, 30))
	h.stop()
	h.clk.SetWall(at(3, 18, 0)) // restarted the same day, after the run
	h.start()
	h.advanceTo(at(4, 1, 0))
	h.wantRuns(at(3, 2, 0))
}

func TestClockJumpForwardGivesOneRun(t *testing.T) {
	h := newHarness(t, at(2, 10, 0), daily)
	h.start()
	h.advanceTo(at(3, 10, 0))
	h.wantRuns(at(3, 2, 0))
	h.clk.JumpWall(4 * 24 * time.Hour) // now the 7th, 10:00: four due times passed
	h.advanceTo(at(8, 1, 0))
	got := h.runTimes()
	if len(got) != 2 {
		t.Fatalf("runs after a jump of four days: %v, want exactly one more", got)
	}
	if got[1].Before(at(7, 10, 2)) {
		t.Errorf("catch-up at %v, before the delay", got[1])
	}
	h.advanceTo(at(8, 3, 0))
	if n := len(h.runTimes()); n != 3 {
		t.Errorf("the next night's run: %d runs", n)
	}
}

func TestComputerSleepsOverDueTime(t *testing.T) {
	h := newHarness(t, at(2, 22, 0), daily)
	h.start()
	h.advanceTo(at(2, 23, 0))
	// Asleep from 23:00 to 07:00: the wall clock jumps; the timer set
	// before sleeping fires after waking.
	h.clk.JumpWall(8 * time.Hour)
	h.advance(poll)
	h.wantRuns()
	h.advanceTo(at(3, 7, 3))
	// Once, the catch-up delay after the wake-up was seen (07:00:30).
	h.wantRuns(at(3, 7, 2).Add(poll))
	h.advanceTo(at(3, 23, 0))
	h.wantRuns(at(3, 7, 2).Add(poll))
}

func TestClockJumpBackDoesNotRepeatARun(t *testing.T) {
	h := newHarness(t, at(2, 10, 0), daily)
	h.start()
	h.advanceTo(at(3, 2, 10))
	h.wantRuns(at(3, 2, 0))

	h.clk.JumpWall(-70 * time.Minute) // 01:00 again
	h.advance(3 * time.Hour)          // the clock passes 02:00 again
	h.wantRuns(at(3, 2, 0))

	h.clk.JumpWall(-26 * time.Hour) // now the 2nd, 02:00 (less than MaxClockBack)
	h.advance(24 * time.Hour)       // passes 02:00 on the 3rd again
	h.wantRuns(at(3, 2, 0))
	if n := len(h.eventsOf(EventClock)); n != 0 {
		t.Errorf("%d clock events for small jumps", n)
	}
	h.advanceTo(at(4, 2, 30))
	h.wantRuns(at(3, 2, 0), at(4, 2, 0))
}

func TestClockResetFarBackFollowsTheClock(t *testing.T) {
	h := newHarness(t, at(2, 10, 0), daily)
	h.start()
	h.advanceTo(at(3, 3, 0))
	h.clk.SetWall(time.Date(2025, 11, 3, 3, 0, 0, 0, zone)) // battery flat: a year back
	h.advance(poll)
	if len(h.eventsOf(EventClock)) != 1 {
		t.Fatalf("clock events: %+v", h.eventsOf(EventClock))
	}
	h.advance(24 * time.Hour)
	got := h.runTimes()
	if len(got) != 2 || !got[1].Equal(time.Date(2025, 11, 4, 2, 0, 0, 0, zone)) {
		t.Fatalf("runs %v: want the next due time by the new clock, not silence", got)
	}
}

func TestLongRunDoesNotOverlapNextAndQueuesOnce(t *testing.T) {
	h := newHarness(t, at(2, 10, 0), daily)
	calls := 0
	h.runFn = func(ctx context.Context, job string) (Result, error) {
		calls++
		if calls == 1 {
			h.clk.Advance(50 * time.Hour) // runs over the next two due times
		}
		return Result{}, nil
	}
	h.start()
	h.advanceTo(at(5, 12, 0))
	// 3rd 02:00 ran until the 5th 04:00; the 4th's and 5th's due times
	// passed meanwhile and give one run at once after it, then none until
	// the 6th.
	h.wantRuns(at(3, 2, 0), at(5, 4, 0))
	if m := h.maxInFlight.Load(); m != 1 {
		t.Errorf("%d runs at the same time", m)
	}
	if st := h.state("nightly"); !st.LastDue.Equal(at(5, 2, 0)) || !st.NextRun.Equal(at(6, 2, 0)) {
		t.Errorf("state: last due %v, next %v", st.LastDue, st.NextRun)
	}
}

func TestTwoJobsDueTogetherRunOneAfterTheOther(t *testing.T) {
	a := Job{Name: "a", Spec: Spec{Time: "02:00"}}
	b := Job{Name: "b", Spec: Spec{Time: "02:00"}}
	h := newHarness(t, at(2, 10, 0), a, b)
	h.runFn = func(ctx context.Context, job string) (Result, error) {
		h.clk.Advance(10 * time.Minute)
		return Result{}, nil
	}
	h.start()
	h.advanceTo(at(3, 3, 0))
	h.wantRuns(at(3, 2, 0), at(3, 2, 10))
	if h.runs[0].job != "a" || h.runs[1].job != "b" || h.maxInFlight.Load() != 1 {
		t.Errorf("runs %+v, max in flight %d", h.runs, h.maxInFlight.Load())
	}
}

func TestWeekdaysOnly(t *testing.T) {
	wd, _ := ParseWeekdays("mon-fri")
	h := newHarness(t, at(2, 10, 0), Job{Name: "w", Spec: Spec{Time: "02:00", Weekdays: wd}})
	h.start()
	h.advanceTo(at(10, 3, 0)) // Mon 2nd to Tue 10th
	h.wantRuns(at(3, 2, 0), at(4, 2, 0), at(5, 2, 0), at(6, 2, 0), at(9, 2, 0), at(10, 2, 0))
}

func TestLockHeldByManualRunDelaysTheRun(t *testing.T) {
	h := newHarness(t, at(2, 10, 0), daily)
	h.opt.LockPath = filepath.Join(h.dir, "run.lock")
	h.start()
	unlock, err := runlock.TryLock(h.opt.LockPath) // a backup started by hand
	if err != nil {
		t.Fatal(err)
	}
	h.advanceTo(at(3, 2, 30))
	h.wantRuns()
	if w := h.eventsOf(EventWaiting); len(w) != 1 || !errors.Is(w[0].Err, runlock.ErrLocked) {
		t.Fatalf("waiting events: %+v", w)
	}
	if st := h.state("nightly"); !strings.Contains(st.Waiting, "another backup is running") {
		t.Errorf("state does not say why it waits: %+v", st)
	}
	unlock()
	h.advance(poll)
	h.wantRuns(at(3, 2, 30).Add(poll))
	if st := h.state("nightly"); st.Waiting != "" {
		t.Errorf("waiting not cleared: %q", st.Waiting)
	}
	// While the scheduler runs a job, a manual run is refused.
	h.runFn = func(ctx context.Context, job string) (Result, error) {
		_, err := runlock.TryLock(h.opt.LockPath)
		if !errors.Is(err, runlock.ErrLocked) {
			t.Errorf("manual run during a scheduled one: %v", err)
		}
		return Result{}, nil
	}
	h.advanceTo(at(4, 2, 1))
	if n := len(h.runTimes()); n != 2 {
		t.Fatalf("%d runs", n)
	}
}

func TestFailureAndPanicAreRecorded(t *testing.T) {
	h := newHarness(t, at(2, 10, 0), daily)
	n := 0
	h.runFn = func(ctx context.Context, job string) (Result, error) {
		n++
		switch n {
		case 1:
			return Result{}, errors.New("the server refused the login")
		case 2:
			panic("boom")
		}
		return Result{Archive: "x.zip", Warnings: []string{"w"}}, nil
	}
	h.start()
	h.advanceTo(at(3, 3, 0))
	st := h.state("nightly")
	if !st.Failed() || st.LastError != "the server refused the login" || !st.LastFailure.Equal(at(3, 2, 0)) || !st.LastSuccess.IsZero() {
		t.Errorf("after a failure: %+v", st)
	}
	// A failed run is not retried before its next due time.
	h.advanceTo(at(4, 1, 0))
	h.wantRuns(at(3, 2, 0))
	h.advanceTo(at(4, 3, 0))
	if st := h.state("nightly"); !strings.Contains(st.LastError, "internal error: boom") {
		t.Errorf("panic not recorded: %+v", st)
	}
	h.advanceTo(at(5, 3, 0))
	st = h.state("nightly")
	if st.Failed() || !st.LastSuccess.Equal(at(5, 2, 0)) || st.LastError != "internal error: boom" || len(st.LastWarnings) != 1 {
		t.Errorf("after success: %+v", st)
	}
	if f := h.eventsOf(EventFailure); len(f) != 2 || f[0].Err == nil {
		t.Errorf("failure events: %+v", f)
	}
}

func TestInterruptedRunIsRetriedOnce(t *testing.T) {
	h := newHarness(t, at(2, 10, 0), daily)
	block := true
	h.runFn = func(ctx context.Context, job string) (Result, error) {
		if block {
			h.stopAsync() // the service is stopped mid-backup
			<-ctx.Done()
			return Result{}, ctx.Err()
		}
		return Result{}, nil
	}
	h.start()
	h.advanceTo(at(3, 2, 0).Add(-time.Second))
	h.clk.Advance(time.Second) // 02:00: the run starts and the service stops
	<-h.done
	h.cancel = nil
	h.clk.mu.Lock()
	h.clk.waiters = nil
	h.clk.mu.Unlock()
	st := h.state("nightly")
	if !st.RetryPending || !st.Failed() || !strings.Contains(st.LastError, "stopped before it finished") {
		t.Fatalf("state after a stop mid-run: %+v", st)
	}

	block = false
	h.clk.SetWall(at(3, 8, 0))
	h.start()
	h.advanceTo(at(3, 9, 0))
	h.wantRuns(at(3, 2, 0), at(3, 8, 2)) // the retry, once, after the delay
	if st := h.state("nightly"); st.RetryPending || st.Failed() {
		t.Errorf("after the retry: %+v", st)
	}
}

func (h *harness) stopAsync() { go h.cancel() }

func TestCrashedRunFoundAtStart(t *testing.T) {
	h := newHarness(t, at(3, 8, 0), daily)
	// The computer was switched off during the 02:00 backup.
	crashed := State{Job: "nightly", Since: at(1, 0, 0), LastDue: at(3, 2, 0), LastStart: at(3, 2, 0), Running: true, LastSuccess: at(2, 2, 5)}
	if err := SaveState(h.dir, crashed); err != nil {
		t.Fatal(err)
	}
	h.start()
	if ev := h.eventsOf(EventInterrupted); len(ev) != 1 || !strings.Contains(ev[0].Message, "tried again once") {
		t.Fatalf("interrupted events: %+v", ev)
	}
	st := h.state("nightly")
	if st.Running || !st.Failed() || !st.LastFailure.Equal(at(3, 2, 0)) || !strings.Contains(st.LastError, "switched off") {
		t.Errorf("state: %+v", st)
	}
	// The retry crashes too: write the state a retry leaves when the
	// computer is switched off during it.
	h.stop()
	st = h.state("nightly")
	st.Running, st.RetryPending, st.LastStart = true, false, at(3, 8, 2)
	if err := SaveState(h.dir, st); err != nil {
		t.Fatal(err)
	}
	h.runFn = nil
	h.start()
	if ev := h.eventsOf(EventInterrupted); len(ev) != 2 || strings.Contains(ev[1].Message, "tried again") {
		t.Fatalf("a second interruption of the same due time is retried: %+v", ev)
	}
	h.advanceTo(at(4, 1, 0))
	h.wantRuns() // no retry loop
	h.advanceTo(at(4, 2, 1))
	h.wantRuns(at(4, 2, 0))
}

func TestCorruptStateIsSetAsideAndReported(t *testing.T) {
	h := newHarness(t, at(2, 10, 0), daily)
	p := StatePath(h.dir, "nightly")
	if err := os.WriteFile(p, []byte(`{"job":"nightly","last_due":`), 0o644); err != nil {
		t.Fatal(err)
	}
	h.start()
	ev := h.eventsOf(EventState)
	var ce *CorruptStateError
	if len(ev) != 1 || !errors.As(ev[0].Err, &ce) || ce.MovedTo == "" {
		t.Fatalf("state events: %+v", ev)
	}
	if b, err := os.ReadFile(ce.MovedTo); err != nil || !strings.Contains(string(b), "last_due") {
		t.Errorf("damaged file not kept aside: %v", err)
	}
	h.advanceTo(at(3, 2, 1))
	h.wantRuns(at(3, 2, 0)) // the job carries on
}

func TestNewRejectsBadJobs(t *testing.T) {
	run := func(context.Context, string) (Result, error) { return Result{}, nil }
	for _, jobs := range [][]Job{
		{{Name: "", Spec: Spec{Time: "02:00"}}},
		{{Name: "a", Spec: Spec{Time: "25:00"}}},
		{{Name: "a", Spec: Spec{Time: "02:00"}}, {Name: "a", Spec: Spec{Time: "03:00"}}},
	} {
		if _, err := New(jobs, run, Options{StateDir: t.TempDir()}); err == nil {
			t.Errorf("accepted %+v", jobs)
		}
	}
	if _, err := New(nil, nil, Options{StateDir: "x"}); err == nil {
		t.Error("accepted no run function")
	}
	if _, err := New(nil, run, Options{}); err == nil {
		t.Error("accepted no state folder")
	}
}

// Berlin, 2026-10-25: 02:30 happens twice; the job runs once.
func TestSchedulerFallBackRunsOnce(t *testing.T) {
	loc := mustLoad(t, "Europe/Berlin")
	h := newHarness(t, time.Date(2026, 10, 24, 12, 0, 0, 0, loc), Job{Name: "n", Spec: Spec{Time: "02:30"}})
	h.start()
	h.advanceTo(time.Date(2026, 10, 26, 12, 0, 0, 0, loc))
	h.wantRuns(time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), time.Date(2026, 10, 26, 1, 30, 0, 0, time.UTC))
}

// Berlin, 2026-03-29: 02:30 does not exist; the job runs at 03:00.
func TestSchedulerSpringForwardRuns(t *testing.T) {
	loc := mustLoad(t, "Europe/Berlin")
	h := newHarness(t, time.Date(2026, 3, 28, 12, 0, 0, 0, loc), Job{Name: "n", Spec: Spec{Time: "02:30"}})
	h.start()
	h.advanceTo(time.Date(2026, 3, 30, 12, 0, 0, 0, loc))
	h.wantRuns(time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC), time.Date(2026, 3, 30, 0, 30, 0, 0, time.UTC))
}

// Two schedulers on one state folder (the service, and "service run"
// started by hand beside it) would run every job twice: the second one
// refuses to start and says which process runs the jobs.
func TestSecondSchedulerRefusesToStart(t *testing.T) {
	h := newHarness(t, at(2, 10, 0), daily)
	h.start()
	s2, err := New([]Job{daily}, func(context.Context, string) (Result, error) { return Result{}, nil }, Options{StateDir: h.dir, Clock: h.clk})
	if err != nil {
		t.Fatal(err)
	}
	err = s2.Run(context.Background())
	if !errors.Is(err, runlock.ErrLocked) || !strings.Contains(err.Error(), "already running on this computer (process "+strconv.Itoa(os.Getpid())) {
		t.Fatalf("second scheduler: %v", err)
	}
	h.advanceTo(at(3, 2, 1))
	h.wantRuns(at(3, 2, 0))
	h.stop()
	// Once the first has stopped, another may start.
	h.start()
}

// A state file written by someone else while the run lock was held (a
// newer due time handled) is taken over, not overwritten.
func TestStateHandledElsewhereIsAdopted(t *testing.T) {
	h := newHarness(t, at(2, 10, 0), daily)
	h.opt.LockPath = filepath.Join(h.dir, "run.lock")
	h.start()
	unlock, err := runlock.TryLock(h.opt.LockPath)
	if err != nil {
		t.Fatal(err)
	}
	h.advanceTo(at(3, 2, 5)) // due, waiting for the lock
	st := h.state("nightly")
	st.LastDue, st.LastStart, st.LastEnd, st.LastSuccess, st.Waiting = at(3, 2, 0), at(3, 2, 0), at(3, 2, 4), at(3, 2, 4), ""
	if err := SaveState(h.dir, st); err != nil {
		t.Fatal(err)
	}
	unlock()
	h.advanceTo(at(4, 1, 0))
	h.wantRuns()
	if got := h.state("nightly"); !got.LastSuccess.Equal(at(3, 2, 4)) || !got.NextRun.Equal(at(4, 2, 0)) {
		t.Errorf("state: %+v", got)
	}
}

// A state file saying "running" while another process holds the lock is a
// run in progress elsewhere, not an interrupted one.
func TestRunningElsewhereIsNotInterrupted(t *testing.T) {
	h := newHarness(t, at(3, 2, 5), daily)
	h.opt.LockPath = filepath.Join(h.dir, "run.lock")
	busy := State{Job: "nightly", Since: at(1, 0, 0), LastDue: at(3, 2, 0), LastStart: at(3, 2, 0), Running: true}
	if err := SaveState(h.dir, busy); err != nil {
		t.Fatal(err)
	}
	unlock, err := runlock.TryLock(h.opt.LockPath)
	if err != nil {
		t.Fatal(err)
	}
	h.start()
	if ev := h.eventsOf(EventInterrupted); len(ev) != 0 {
		t.Fatalf("a run in progress elsewhere was taken as interrupted: %+v", ev)
	}
	// The other one finishes and records its success.
	busy.Running, busy.LastEnd, busy.LastSuccess = false, at(3, 2, 30), at(3, 2, 30)
	if err := SaveState(h.dir, busy); err != nil {
		t.Fatal(err)
	}
	unlock()
	h.advanceTo(at(4, 1, 0))
	h.wantRuns() // 02:00 on the 3rd was handled by the other process
	h.advanceTo(at(4, 2, 1))
	h.wantRuns(at(4, 2, 0))
}

// TestStopWhenIdleLetsTheRunFinish: a stop requested while a backup runs
// (the service re-reading a changed config) waits for that backup, does not
// cut it short, and starts no other due job.
func TestStopWhenIdleLetsTheRunFinish(t *testing.T) {
	clk := NewFakeClock(at(2, 1, 59))
	spec, _ := Parse("02:00", "")
	started, release := make(chan struct{}), make(chan struct{})
	var ran []string
	var cutShort bool
	run := func(ctx context.Context, job string) (Result, error) {
		ran = append(ran, job)
		if job == "a" {
			close(started)
			<-release
			cutShort = ctx.Err() != nil
		}
		return Result{Archive: job + ".zip"}, nil
	}
	dir := t.TempDir()
	s, err := New([]Job{{Name: "a", Spec: spec}, {Name: "b", Spec: spec}}, run, Options{StateDir: dir, Clock: clk, Poll: poll})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Run(context.Background()) }()
	clk.BlockUntil(1)
	clk.Advance(time.Minute)
	<-started
	s.StopWhenIdle()
	select {
	case <-done:
		t.Fatal("Run returned while the backup was running")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after the backup ended")
	}
	if cutShort || strings.Join(ran, ",") != "a" {
		t.Errorf("runs %v, cut short %v: want only a, whole", ran, cutShort)
	}
	if st, _ := LoadState(dir, "a", clk.Now()); st.LastSuccess.IsZero() || st.Running {
		t.Errorf("job a's state: %+v", st)
	}
}
