package schedule

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Skipf("time zone %s not available: %v", name, err)
	}
	return loc
}

func TestParseTime(t *testing.T) {
	for _, c := range []struct {
		in   string
		h, m int
	}{{"02:00", 2, 0}, {"2:05", 2, 5}, {"23:59", 23, 59}, {" 00:00 ", 0, 0}} {
		h, m, err := ParseTime(c.in)
		if err != nil || h != c.h || m != c.m {
			t.Errorf("ParseTime(%q) = %d, %d, %v", c.in, h, m, err)
		}
	}
	for _, in := range []string{"25:00", "24:00", "12:60", "1200", "12:5", "", "ab:cd", "-1:00", "12:00pm", "+1:00", "123:00"} {
		if _, _, err := ParseTime(in); err == nil {
			t.Errorf("ParseTime(%q) accepted", in)
		}
	}
	_, _, err := ParseTime("25:00")
	if err == nil || !strings.HasPrefix(err.Error(), "time 25:00 is not a time of day: use HH:MM") {
		t.Errorf("message: %v", err)
	}
}

func TestParseWeekdays(t *testing.T) {
	M, Tu, W, Th, F, Sa, Su := time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday
	for _, c := range []struct {
		in   string
		want []time.Weekday
	}{
		{"", nil}, {"daily", nil},
		{"mon-fri", []time.Weekday{M, Tu, W, Th, F}},
		{"Mo-Fr", []time.Weekday{M, Tu, W, Th, F}},
		{"fri-mon", []time.Weekday{Su, M, F, Sa}},
		{"mon, wed,Friday", []time.Weekday{M, W, F}},
		{"Di,Do,So", []time.Weekday{Su, Tu, Th}},
		{"sat,sat", []time.Weekday{Sa}},
		{"mon-sun", nil},
	} {
		got, err := ParseWeekdays(c.in)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseWeekdays(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{"funday", "mon-xyz", "mon-"} {
		if _, err := ParseWeekdays(in); err == nil {
			t.Errorf("ParseWeekdays(%q) accepted", in)
		}
	}
	if _, err := Parse("02:00", "mon-fri"); err != nil {
		t.Error(err)
	}
	if s, err := Parse("2:00", ""); err != nil || s.Time != "02:00" || s.String() != "daily at 02:00" {
		t.Errorf("Parse = %+v %v", s, err)
	}
	if err := (Spec{Time: "02:00", Weekdays: []time.Weekday{7}}).Validate(); err == nil {
		t.Error("weekday 7 accepted")
	}
}

func TestNextPrevDaily(t *testing.T) {
	loc := time.FixedZone("X", 3600)
	s := Spec{Time: "02:00"}
	d := func(day, h, m int) time.Time { return time.Date(2026, 11, day, h, m, 0, 0, loc) }
	cases := []struct{ after, next, prev time.Time }{
		{d(25, 1, 59), d(25, 2, 0), d(24, 2, 0)},
		{d(25, 2, 0), d(26, 2, 0), d(25, 2, 0)}, // at the due time: next is tomorrow, prev is now
		{d(25, 23, 0), d(26, 2, 0), d(25, 2, 0)},
		{time.Date(2026, 12, 31, 3, 0, 0, 0, loc), time.Date(2027, 1, 1, 2, 0, 0, 0, loc), time.Date(2026, 12, 31, 2, 0, 0, 0, loc)},
	}
	for _, c := range cases {
		if got := s.Next(c.after); !got.Equal(c.next) {
			t.Errorf("Next(%v) = %v, want %v", c.after, got, c.next)
		}
		if got := s.Prev(c.after); !got.Equal(c.prev) {
			t.Errorf("Prev(%v) = %v, want %v", c.after, got, c.prev)
		}
	}
	if !(Spec{Time: "bad"}).Next(d(25, 0, 0)).IsZero() {
		t.Error("invalid spec gives a time")
	}
}

func TestNextWeekdays(t *testing.T) {
	loc := time.UTC
	s := Spec{Time: "23:30", Weekdays: []time.Weekday{time.Monday, time.Friday}}
	// 2026-11-25 is a Wednesday.
	got := s.Next(time.Date(2026, 11, 25, 12, 0, 0, 0, loc))
	if want := time.Date(2026, 11, 27, 23, 30, 0, 0, loc); !got.Equal(want) {
		t.Errorf("Next = %v, want Friday %v", got, want)
	}
	got = s.Next(time.Date(2026, 11, 27, 23, 30, 0, 0, loc))
	if want := time.Date(2026, 11, 30, 23, 30, 0, 0, loc); !got.Equal(want) {
		t.Errorf("Next after Friday = %v, want Monday %v", got, want)
	}
	got = s.Prev(time.Date(2026, 11, 30, 12, 0, 0, 0, loc))
	if want := time.Date(2026, 11, 27, 23, 30, 0, 0, loc); !got.Equal(want) {
		t.Errorf("Prev = %v, want %v", got, want)
	}
	if p := s.Period(); p != 4*24*time.Hour {
		t.Errorf("Period = %v, want 4 days (Mon to Fri)", p)
	}
	if p := (Spec{Time: "02:00"}).Period(); p != 24*time.Hour {
		t.Errorf("daily Period = %v", p)
	}
	wd, _ := ParseWeekdays("mon-fri")
	if p := (Spec{Time: "02:00", Weekdays: wd}).Period(); p != 3*24*time.Hour {
		t.Errorf("Mon-Fri Period = %v, want 3 days", p)
	}
	if p := (Spec{Time: "02:00", Weekdays: []time.Weekday{time.Sunday}}).Period(); p != 7*24*time.Hour {
		t.Errorf("weekly Period = %v", p)
	}
}

// On 2026-03-29 Berlin's clocks go from 02:00 CET to 03:00 CEST: 02:30
// does not exist, and the job runs at the first valid moment after it.
func TestNextSpringForward(t *testing.T) {
	loc := mustLoad(t, "Europe/Berlin")
	s := Spec{Time: "02:30"}
	got := s.Next(time.Date(2026, 3, 29, 0, 0, 0, 0, loc))
	want := time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC) // 03:00 CEST
	if !got.Equal(want) {
		t.Fatalf("Next = %v, want %v (03:00 CEST)", got, want)
	}
	if h, m, _ := got.Clock(); h != 3 || m != 0 {
		t.Errorf("wall clock %02d:%02d, want 03:00", h, m)
	}
	if p := s.Prev(time.Date(2026, 3, 29, 12, 0, 0, 0, loc)); !p.Equal(want) {
		t.Errorf("Prev = %v, want %v", p, want)
	}
	next := s.Next(got)
	if w := time.Date(2026, 3, 30, 2, 30, 0, 0, loc); !next.Equal(w) {
		t.Errorf("day after = %v, want %v", next, w)
	}
	// 03:15 exists: unchanged.
	if got := (Spec{Time: "03:15"}).Next(time.Date(2026, 3, 29, 0, 0, 0, 0, loc)); !got.Equal(time.Date(2026, 3, 29, 1, 15, 0, 0, time.UTC)) {
		t.Errorf("03:15 = %v", got)
	}
}

// On 2026-10-25 Berlin's clocks go back from 03:00 CEST to 02:00 CET:
// 02:30 happens twice, and the job runs at the first only.
func TestNextFallBack(t *testing.T) {
	loc := mustLoad(t, "Europe/Berlin")
	s := Spec{Time: "02:30"}
	first := time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC) // 02:30 CEST
	second := first.Add(time.Hour)                          // 02:30 CET
	if got := s.Next(time.Date(2026, 10, 25, 0, 0, 0, 0, loc)); !got.Equal(first) {
		t.Fatalf("Next = %v, want the first 02:30 %v", got, first)
	}
	tomorrow := time.Date(2026, 10, 26, 2, 30, 0, 0, loc)
	if got := s.Next(first.In(loc)); !got.Equal(tomorrow) {
		t.Errorf("Next after the first 02:30 = %v, want %v (not the repeated hour)", got, tomorrow)
	}
	between := first.Add(40 * time.Minute).In(loc)
	if got := s.Next(between); !got.Equal(tomorrow) {
		t.Errorf("Next(%v) = %v, want %v", between, got, tomorrow)
	}
	if got := s.Prev(second.Add(10 * time.Minute).In(loc)); !got.Equal(first) {
		t.Errorf("Prev in the repeated hour = %v, want %v", got, first)
	}
}

// Where the clocks spring forward at midnight (São Paulo, 2018-11-04
// 00:00 -> 01:00), a job at 00:30 runs at 01:00 that day.
func TestNextGapAtMidnight(t *testing.T) {
	loc := mustLoad(t, "America/Sao_Paulo")
	s := Spec{Time: "00:30"}
	got := s.Next(time.Date(2018, 11, 3, 12, 0, 0, 0, loc))
	want := time.Date(2018, 11, 4, 3, 0, 0, 0, time.UTC) // 01:00 -02
	if !got.Equal(want) {
		t.Fatalf("Next = %v, want %v", got, want)
	}
	if got.In(loc).Day() != 4 {
		t.Errorf("wrong day %v", got.In(loc))
	}
}
