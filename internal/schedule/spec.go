// Package schedule runs backup jobs at a time of day. It is built for the
// PCs posbackup runs on: they are switched off at night, sleep, and have
// clocks that jump. The Scheduler therefore wakes every few seconds and
// compares the wall clock with each job's due time, keeps what it has done
// in a state file per job, catches up a missed run once, and never runs the
// same due time twice.
package schedule

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/posbackup/posbackup/internal/msg"
)

// Spec is when a job runs: at Time ("HH:MM", 24-hour, local time) on the
// given weekdays, or every day when Weekdays is empty.
type Spec struct {
	Time     string         `json:"time" toml:"time"`
	Weekdays []time.Weekday `json:"weekdays,omitempty" toml:"weekdays,omitempty"`
}

// Parse builds a Spec from what a user types: a time of day "HH:MM" (also
// "H:MM") and a weekday list such as "" (every day), "mon,wed,fri",
// "mon-fri", "Mo-Fr" or "monday, tuesday". English and German names and
// their two- and three-letter abbreviations are understood (msg.ParseWeekday).
func Parse(timeOfDay, weekdays string) (Spec, error) {
	h, m, err := ParseTime(timeOfDay)
	if err != nil {
		return Spec{}, err
	}
	days, err := ParseWeekdays(weekdays)
	if err != nil {
		return Spec{}, err
	}
	return Spec{Time: fmt.Sprintf("%02d:%02d", h, m), Weekdays: days}, nil
}

// JobSpec is the schedule of the configured job name from its time and
// weekdays as the config file gives them; ok is false for a job without a
// time (it runs only by hand). A bad time or weekday is an error naming
// the job.
func JobSpec(name, timeOfDay string, weekdays []string) (spec Spec, ok bool, err error) {
	if strings.TrimSpace(timeOfDay) == "" {
		return Spec{}, false, nil
	}
	spec, err = Parse(timeOfDay, strings.Join(weekdays, ","))
	if err != nil {
		return Spec{}, false, fmt.Errorf("job %s in the config: %v", name, err)
	}
	return spec, true, nil
}

// ParseTime reads "HH:MM" (24-hour clock; a one-digit hour is accepted).
func ParseTime(s string) (hour, minute int, err error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("time %s is not a time of day: use HH:MM, for example 23:30", quoteIfOdd(s))
	hs, ms, ok := strings.Cut(s, ":")
	if !ok || len(hs) < 1 || len(hs) > 2 || len(ms) != 2 {
		return 0, 0, bad
	}
	h, err1 := strconv.Atoi(hs)
	m, err2 := strconv.Atoi(ms)
	if err1 != nil || err2 != nil || strings.ContainsAny(s, "+- ") || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, 0, bad
	}
	return h, m, nil
}

func quoteIfOdd(s string) string {
	if s == "" || strings.ContainsAny(s, " \t") {
		return strconv.Quote(s)
	}
	return s
}

// ParseWeekdays reads a comma-separated list of weekdays and ranges
// ("mon-fri"; a range may wrap: "fri-mon"). "", "daily" and "every day"
// mean every day and give nil. The result is sorted Sunday first, without
// duplicates; all seven days also give nil.
func ParseWeekdays(s string) ([]time.Weekday, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "", "daily", "every day", "everyday", "all", "täglich":
		return nil, nil
	}
	var set [7]bool
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
		from, to, isRange := strings.Cut(part, "-")
		a, ok := msg.ParseWeekday(from)
		if !ok {
			return nil, fmt.Errorf("%q is not a weekday: use names such as mon,tue or a range such as mon-fri", from)
		}
		if !isRange {
			set[a] = true
			continue
		}
		b, ok := msg.ParseWeekday(to)
		if !ok {
			return nil, fmt.Errorf("%q is not a weekday: use names such as mon,tue or a range such as mon-fri", to)
		}
		for d := a; ; d = (d + 1) % 7 {
			set[d] = true
			if d == b {
				break
			}
		}
	}
	var out []time.Weekday
	for d, on := range set {
		if on {
			out = append(out, time.Weekday(d))
		}
	}
	if len(out) == 7 {
		return nil, nil
	}
	return out, nil
}

// Validate checks the time of day and the weekdays.
func (s Spec) Validate() error {
	if _, _, err := ParseTime(s.Time); err != nil {
		return err
	}
	for _, d := range s.Weekdays {
		if d < time.Sunday || d > time.Saturday {
			return fmt.Errorf("weekday %d is not a day of the week (0 is Sunday, 6 is Saturday)", int(d))
		}
	}
	return nil
}

// String describes the schedule, e.g. "daily at 02:00" or "at 23:30 on Mon, Wed, Fri".
func (s Spec) String() string {
	if len(s.Weekdays) == 0 || len(s.Weekdays) >= 7 {
		return "daily at " + s.Time
	}
	names := make([]string, len(s.Weekdays))
	for i, d := range s.Weekdays {
		names[i] = msg.WeekdayShort(msg.EN, d)
	}
	return "at " + s.Time + " on " + strings.Join(names, ", ")
}

func (s Spec) runsOn(d time.Weekday) bool {
	if len(s.Weekdays) == 0 {
		return true
	}
	for _, w := range s.Weekdays {
		if w == d {
			return true
		}
	}
	return false
}

// at is the instant the job is due on the calendar day y-m-d in loc, or
// false when it does not run that day. When the time of day does not exist
// that day (clocks spring forward over it), the job is due at the first
// moment after the gap; when it exists twice (clocks fall back), it is due
// at the first of the two.
func (s Spec) at(y int, mo time.Month, d int, loc *time.Location, h, mi int) (time.Time, bool) {
	day := time.Date(y, mo, d, 12, 0, 0, 0, loc)
	if !s.runsOn(day.Weekday()) {
		return time.Time{}, false
	}
	t := time.Date(y, mo, d, h, mi, 0, 0, loc)
	if t.Hour() != h || t.Minute() != mi || t.Day() != d {
		// In a gap: Go picked one side of the transition. The first valid
		// moment after the wanted wall time is the transition itself.
		start, end := t.ZoneBounds()
		want := h*60 + mi
		got := t.Hour()*60 + t.Minute()
		if t.Day() != d {
			got += 24 * 60 * sign(t.YearDay()-day.YearDay(), t.Year()-day.Year())
		}
		if got > want && !start.IsZero() {
			return start, true
		}
		if !end.IsZero() {
			return end, true
		}
		return t, true
	}
	return firstOccurrence(t), true
}

func sign(yd, y int) int {
	if y != 0 {
		if y > 0 {
			return 1
		}
		return -1
	}
	if yd > 0 {
		return 1
	}
	if yd < 0 {
		return -1
	}
	return 0
}

// firstOccurrence returns the earlier instant with t's wall clock when the
// clocks fell back shortly before t and that wall time exists twice.
func firstOccurrence(t time.Time) time.Time {
	start, _ := t.ZoneBounds()
	if start.IsZero() {
		return t
	}
	_, cur := t.Zone()
	_, prev := start.Add(-time.Nanosecond).Zone()
	if prev <= cur {
		return t
	}
	e := t.Add(-time.Duration(prev-cur) * time.Second)
	if e.Before(start) && e.Hour() == t.Hour() && e.Minute() == t.Minute() && e.Day() == t.Day() {
		return e
	}
	return t
}

// Next returns the first due time strictly after after, in after's
// location: pass times in the computer's zone (time.Local), not times read
// back from JSON, which carry a fixed offset and know nothing of daylight
// saving. It returns the zero time only for an invalid Spec.
func (s Spec) Next(after time.Time) time.Time {
	h, mi, err := ParseTime(s.Time)
	if err != nil {
		return time.Time{}
	}
	loc := after.Location()
	y, mo, d := after.Date()
	for i := -1; i <= 8; i++ {
		t, ok := s.at(y, mo, d+i, loc, h, mi)
		if ok && t.After(after) {
			return t
		}
	}
	return time.Time{}
}

// Prev returns the latest due time at or before at, in at's location. It
// returns the zero time only for an invalid Spec.
func (s Spec) Prev(at time.Time) time.Time {
	h, mi, err := ParseTime(s.Time)
	if err != nil {
		return time.Time{}
	}
	loc := at.Location()
	y, mo, d := at.Date()
	for i := 1; i >= -8; i-- {
		t, ok := s.at(y, mo, d+i, loc, h, mi)
		if ok && !t.After(at) {
			return t
		}
	}
	return time.Time{}
}

// Period is the longest regular gap between two due times: 24 hours for a
// daily job, 7 days for a weekly one, 3 days for Monday to Friday. (Days on
// which the clocks change are not counted: they are an hour off.)
func (s Spec) Period() time.Duration {
	if len(s.Weekdays) == 0 {
		return 24 * time.Hour
	}
	var on [7]bool
	for _, d := range s.Weekdays {
		if d >= 0 && d < 7 {
			on[d] = true
		}
	}
	longest := 0
	for d := 0; d < 7; d++ {
		if !on[d] {
			continue
		}
		gap := 1
		for !on[(d+gap)%7] {
			gap++
		}
		longest = max(longest, gap)
	}
	if longest == 0 {
		return 24 * time.Hour
	}
	return time.Duration(longest) * 24 * time.Hour
}
