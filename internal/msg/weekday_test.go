package msg

import (
	"testing"
	"time"
)

// TestWeekdays: the names a schedule accepts, the file names' {weekday},
// and the dialog's and the status's abbreviations all come from the one
// table, in both languages.
func TestWeekdays(t *testing.T) {
	for in, want := range map[string]time.Weekday{
		"mo": time.Monday, "Mon": time.Monday, "monday": time.Monday, "Montag": time.Monday, "mon.": time.Monday,
		"di": time.Tuesday, "tue": time.Tuesday, "Dienstag": time.Tuesday, "mi": time.Wednesday, "wed": time.Wednesday,
		"do": time.Thursday, "thu": time.Thursday, "th": time.Thursday, "fr": time.Friday, "Freitag": time.Friday,
		"sa": time.Saturday, "samstag": time.Saturday, "Sonnabend": time.Saturday, "so": time.Sunday, "su": time.Sunday, "SUNDAY": time.Sunday,
	} {
		if got, ok := ParseWeekday(in); !ok || got != want {
			t.Errorf("ParseWeekday(%q) = %v %v, want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "m", "mond", "montags", "x", "weekday"} {
		if d, ok := ParseWeekday(in); ok {
			t.Errorf("ParseWeekday(%q) = %v, want not a weekday", in, d)
		}
	}
	if n, ok := WeekdayName("DE", time.Monday); !ok || n != "Montag" {
		t.Errorf("German Monday: %q %v", n, ok)
	}
	if n, ok := WeekdayName("", time.Sunday); !ok || n != "Sunday" {
		t.Errorf("the default language's Sunday: %q %v", n, ok)
	}
	if _, ok := WeekdayName("fr", time.Monday); ok {
		t.Errorf("French weekday names are not in the table")
	}
	if WeekdayShort(EN, time.Thursday) != "Thu" || WeekdayShort(DE, time.Thursday) != "Do" {
		t.Errorf("abbreviations: %q %q", WeekdayShort(EN, time.Thursday), WeekdayShort(DE, time.Thursday))
	}
	if got := Text(DE, "Wed"); got != "Mi" {
		t.Errorf("the catalogue's Wed in German: %q", got)
	}
	if got := T(DE, "Sun %s", "2026-03-01 23:30"); got != "So 2026-03-01 23:30" {
		t.Errorf("a date's weekday in German: %q", got)
	}
}
