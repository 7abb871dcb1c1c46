package web

import (
	"sort"
	"time"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/msg"
	"github.com/posbackup/posbackup/internal/service"
)

// historyLimit is how many runs the History tab shows.
const historyLimit = 50

// Where a run in the History tab came from.
const (
	byAutomatic = "automatic" // the automatic backup (the service's history.jsonl)
	byPage      = "page"      // started on this page (kept in memory)
)

// runView is one run in the History tab: a run of the automatic backup or
// a backup or restore started on this page.
type runView struct {
	By        string    `json:"by"`   // byAutomatic or byPage
	Kind      string    `json:"kind"` // "backup" or "restore"
	Job       string    `json:"job,omitempty"`
	What      string    `json:"what"` // archive (and destination), for the page's runs
	Started   time.Time `json:"started"`
	Ended     time.Time `json:"ended,omitzero"`
	Catchup   bool      `json:"catchup,omitempty"`
	Files     int       `json:"files,omitempty"`
	Size      int64     `json:"size,omitempty"`
	Deleted   int       `json:"deleted,omitempty"`
	OK        bool      `json:"ok"`
	Cancelled bool      `json:"cancelled,omitempty"`
	Error     string    `json:"error,omitempty"`
	Warnings  []string  `json:"warnings"`
}

// automaticRun makes a run of the automatic backup a runView. The run
// started Seconds before it ended; a failed run records no duration, so
// it counts from its end.
func automaticRun(lang string, e service.Entry) runView {
	start := e.End
	if e.Seconds > 0 {
		start = e.End.Add(-time.Duration(e.Seconds * float64(time.Second)))
	}
	v := runView{By: byAutomatic, Kind: "backup", Job: e.Job, What: e.Archive, Started: start, Ended: e.End,
		Catchup: e.Catchup, Files: e.Files, Size: e.Size, Deleted: len(e.Deleted), OK: e.OK, Warnings: translated(lang, e.Warnings)}
	if !e.OK {
		v.Error = msg.Translate(lang, sentence(e.Error))
	}
	return v
}

// runs merges the automatic backup's runs (from the state folder) with the
// runs started on this page, newest first.
func (s *Server) runs(lang string, c *config.Config) []runView {
	out := []runView{}
	for _, e := range service.History(c.StateDirOf(s.opt.ConfigPath), historyLimit) {
		out = append(out, automaticRun(lang, e))
	}
	for _, t := range s.recentRuns() {
		t = t.in(lang)
		out = append(out, runView{By: byPage, Kind: t.Kind, What: t.What, Started: t.Started, Ended: t.Ended,
			Files: t.Files, OK: t.OK, Cancelled: t.Cancelled, Error: t.Error, Warnings: t.Warnings})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Started.After(out[j].Started) })
	if len(out) > historyLimit {
		out = out[:historyLimit]
	}
	return out
}
