package schedule

import (
	"context"
	"strings"
	"testing"
	"time"
)

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
