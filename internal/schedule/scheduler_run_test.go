package schedule

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/runlock"
)

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

// Berlin's clock changes: on 2026-10-25 02:30 happens twice and the job
// runs once; on 2026-03-29 02:30 does not exist and the job runs at 03:00.
func TestSchedulerAcrossClockChanges(t *testing.T) {
	loc := mustLoad(t, "Europe/Berlin")
	utc := func(mo time.Month, d, h, m int) time.Time { return time.Date(2026, mo, d, h, m, 0, 0, time.UTC) }
	for _, c := range []struct {
		name     string
		from, to time.Time
		want     []time.Time
	}{
		{"fall back runs once", time.Date(2026, 10, 24, 12, 0, 0, 0, loc), time.Date(2026, 10, 26, 12, 0, 0, 0, loc),
			[]time.Time{utc(10, 25, 0, 30), utc(10, 26, 1, 30)}},
		{"spring forward runs", time.Date(2026, 3, 28, 12, 0, 0, 0, loc), time.Date(2026, 3, 30, 12, 0, 0, 0, loc),
			[]time.Time{utc(3, 29, 1, 0), utc(3, 30, 0, 30)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, c.from, Job{Name: "n", Spec: Spec{Time: "02:30"}})
			h.start()
			h.advanceTo(c.to)
			h.wantRuns(c.want...)
		})
	}
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
