package web

import (
	"regexp"
	"strings"

	"github.com/posbackup/posbackup/internal/dest/open"
	"github.com/posbackup/posbackup/internal/msg"
	"github.com/posbackup/posbackup/internal/schedule"
)

// translated is each message of ss in lang (never nil).
func translated(lang string, ss []string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		out = append(out, msg.Translate(lang, sentence(s)))
	}
	return out
}

// lookupOK is the name lookup step's "HOST is ADDRESS": too general a
// sentence for a pattern of the catalogue, so only this step reads it.
var lookupOK = regexp.MustCompile(`^(\S+) is (\S+)$`)

// stepMessage is a step of "Test access data" in lang.
func stepMessage(lang string, st open.Step) string {
	if st.OK && st.Name == open.StepLookup {
		if m := lookupOK.FindStringSubmatch(st.Message); m != nil {
			return sentence(msg.T(lang, "%s is %s", m[1], m[2]))
		}
	}
	if st.Err != nil && st.Err.Error() == st.Message {
		return say(lang, st.Err)
	}
	return msg.Translate(lang, sentence(st.Message))
}

// say is err in lang: by the message it carries (a job's or a
// destination's, msg.Of), else by its English sentence's pattern.
func say(lang string, err error) string {
	if msg.KeyOf(err) != nil {
		return sentence(msg.Of(lang, err))
	}
	return msg.Translate(lang, sentence(err.Error()))
}

// dayKeys are the catalogue's short weekday names, by schedule's names.
var dayKeys = map[string]string{"mon": "Mon", "tue": "Tue", "wed": "Wed", "thu": "Thu", "fri": "Fri", "sat": "Sat", "sun": "Sun"}

// scheduleText says when a job runs, in lang: "daily at 23:30", "at 23:30
// on Mon, Fri", or "" when the time is not valid.
func scheduleText(lang, at string, weekdays []string) string {
	if at == "" {
		return msg.T(lang, "manual only")
	}
	sp, err := schedule.Parse(at, strings.Join(weekdays, ","))
	if err != nil {
		return ""
	}
	if len(sp.Weekdays) == 0 || len(sp.Weekdays) >= 7 {
		return msg.T(lang, "daily at %s", sp.Time)
	}
	names := make([]string, len(sp.Weekdays))
	for i, d := range sp.Weekdays {
		names[i] = msg.T(lang, dayKeys[strings.ToLower(d.String()[:3])])
	}
	return msg.T(lang, "at %s on %s", sp.Time, strings.Join(names, ", "))
}

// clientsAll takes the German "alle" (the hint says "all (alle)") as all.
func clientsAll(s string) string {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "alle") {
		return "all"
	}
	return s
}
