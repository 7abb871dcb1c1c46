package msg

import (
	"strings"
	"time"
)

// weekdayNames are the days of the week, Sunday first (time.Weekday's
// order), in the languages the faces speak: the one place of their names.
// The abbreviations come from them (English's first three letters, Mon;
// German's first two, Mo), and so do the catalogue's "Mon" -> "Mo" and
// "Mon %s" -> "Mo %s" (a weekday before a date) and the forms a schedule
// accepts.
var weekdayNames = map[string][7]string{
	EN: {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
	DE: {"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"},
}

// WeekdayName is d's full name in lang (EN or DE, any case; "" is EN), as
// a file name's {weekday} gives it; ok is false for another language.
func WeekdayName(lang string, d time.Weekday) (name string, ok bool) {
	if lang == "" {
		lang = EN
	}
	days, ok := weekdayNames[strings.ToLower(lang)]
	if !ok {
		return "", false
	}
	return days[d%7], true
}

// WeekdayShort is d's abbreviation in lang (EN or DE; another is EN): Mon,
// Mo.
func WeekdayShort(lang string, d time.Weekday) string {
	if strings.ToLower(lang) == DE {
		return weekdayNames[DE][d%7][:2]
	}
	return weekdayNames[EN][d%7][:3]
}

// ParseWeekday reads a weekday's name in any of the languages, in full or
// cut to two or three letters ("mo", "mon", "monday", "die", "Montag"),
// in any case and with a trailing dot; "Sonnabend" is Saturday too.
func ParseWeekday(s string) (time.Weekday, bool) {
	s = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(s), "."))
	if s == "sonnabend" {
		return time.Saturday, true
	}
	for _, days := range weekdayNames {
		for d, name := range days {
			name = strings.ToLower(name)
			if s == name || (len(s) == 2 || len(s) == 3) && strings.HasPrefix(name, s) {
				return time.Weekday(d), true
			}
		}
	}
	return 0, false
}

// weekdayGerman adds the weekday entries to the table.
func weekdayGerman(t map[string]string) {
	for d := time.Sunday; d <= time.Saturday; d++ {
		en, de := WeekdayShort(EN, d), WeekdayShort(DE, d)
		t[en], t[en+" %s"] = de, de+" %s"
	}
}
