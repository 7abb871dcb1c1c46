package service

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	"github.com/posbackup/posbackup/internal/atomicfile"
	"github.com/posbackup/posbackup/internal/job"
	"github.com/posbackup/posbackup/internal/schedule"
)

// HistoryName is the file in the state folder that lists the runs, one
// JSON object a line, oldest first.
const HistoryName = "history.jsonl"

const historyMax = 512 << 10 // trimmed to its newer half past 512 KiB

// Entry is one finished run of a job, as the history keeps it.
type Entry struct {
	Job      string    `json:"job"`
	Due      time.Time `json:"due,omitzero"`
	End      time.Time `json:"end"`
	OK       bool      `json:"ok"`
	Catchup  bool      `json:"catchup,omitempty"`
	Archive  string    `json:"archive,omitempty"`
	Files    int       `json:"files,omitempty"`
	Size     int64     `json:"size,omitempty"`
	Seconds  float64   `json:"seconds,omitempty"`
	Deleted  []string  `json:"deleted,omitempty"`
	Warnings []string  `json:"warnings,omitempty"`
	Error    string    `json:"error,omitempty"`
}

func entryOf(e schedule.Event, res *job.BackupResult) Entry {
	r := Entry{Job: e.Job, Due: e.Due, End: e.Time, OK: e.Kind == schedule.EventSuccess, Catchup: e.Catchup}
	if res != nil {
		r.Archive, r.Files, r.Size, r.Seconds, r.Deleted, r.Warnings = res.Archive, res.Files, res.Size, res.Seconds, res.Deleted, res.Warnings
	}
	if !r.OK {
		r.Error = e.Message
		if e.Err != nil {
			r.Error = e.Err.Error()
		}
	}
	return r
}

// appendHistory adds r to the history file in dir.
func appendHistory(dir string, r Entry) error {
	p := filepath.Join(dir, HistoryName)
	line, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(p); err == nil && fi.Size() > historyMax {
		if b, err := os.ReadFile(p); err == nil {
			half := b[len(b)/2:]
			if i := bytes.IndexByte(half, '\n'); i >= 0 {
				atomicfile.Write(p, half[i+1:], nil) // failing, the file stays whole and grows
			}
		}
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.Write(append(line, '\n'))
	return err
}

// History returns the last n runs recorded in the state folder dir,
// newest first (all when n <= 0). Damaged lines are skipped.
func History(dir string, n int) []Entry {
	f, err := os.Open(filepath.Join(dir, HistoryName))
	if err != nil {
		return nil
	}
	defer f.Close()
	var runs []Entry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var r Entry
		if json.Unmarshal(sc.Bytes(), &r) == nil && r.Job != "" {
			runs = append(runs, r)
		}
	}
	for i, j := 0, len(runs)-1; i < j; i, j = i+1, j-1 {
		runs[i], runs[j] = runs[j], runs[i]
	}
	if n > 0 && len(runs) > n {
		runs = runs[:n]
	}
	return runs
}
