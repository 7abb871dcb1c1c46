package schedule

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/posbackup/posbackup/internal/atomicfile"
)

// State is what the scheduler keeps on disk for one job, one JSON file per
// job in the state folder. Times are wall-clock times; zero means never.
type State struct {
	Job string `json:"job"`
	// Since is when the scheduler first saw the job. A job is not caught up
	// for due times before it existed.
	Since time.Time `json:"since,omitzero"`
	// LastDue is the latest due time that has been handled: its run was
	// started (whatever its outcome), or it passed before the job existed.
	// A due time at or before LastDue never runs again.
	LastDue time.Time `json:"last_due,omitzero"`
	// LastStart and LastEnd are when the last run started and ended.
	LastStart time.Time `json:"last_start,omitzero"`
	LastEnd   time.Time `json:"last_end,omitzero"`
	// Running is true while a run is in progress. Found true when the
	// scheduler starts, the run was interrupted (the program was stopped or
	// the computer switched off during the backup).
	Running bool `json:"running"`
	// LastSuccess is when the last successful run ended, with what it made.
	LastSuccess  time.Time `json:"last_success,omitzero"`
	LastArchive  string    `json:"last_archive,omitempty"`
	LastVerify   string    `json:"last_verify,omitempty"` // the check it passed: "full" or "quick"
	LastWarnings []string  `json:"last_warnings,omitempty"`
	// LastFailure is when the last failed run ended, and why it failed.
	LastFailure time.Time `json:"last_failure,omitzero"`
	LastError   string    `json:"last_error,omitempty"`
	// NextRun is when the scheduler means to run the job next.
	NextRun time.Time `json:"next_run,omitzero"`
	// Waiting says why a due run has not started yet (another backup holds
	// the lock); empty otherwise.
	Waiting string `json:"waiting,omitempty"`
	// InterruptedDue is the due time of the last interrupted run; it gets
	// one more attempt (RetryPending), not more.
	InterruptedDue time.Time `json:"interrupted_due,omitzero"`
	RetryPending   bool      `json:"retry_pending,omitempty"`
}

// Failed reports whether the last run failed (its failure is later than
// the last success).
func (s State) Failed() bool { return !s.LastFailure.IsZero() && s.LastFailure.After(s.LastSuccess) }

// StatePath is the state file of job in dir. Names that are not plain file
// names are made safe, with a short hash so that different names never
// share a file.
func StatePath(dir, job string) string {
	safe := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, job)
	if safe != job || safe == "" || strings.HasPrefix(safe, ".") {
		sum := sha256.Sum256([]byte(job))
		safe = strings.TrimLeft(safe, ".") + "-" + hex.EncodeToString(sum[:4])
	}
	return filepath.Join(dir, "job-"+safe+".json")
}

// CorruptStateError reports a state file that could not be read. The file
// was renamed to MovedTo (empty if that failed too) and the job starts
// afresh.
type CorruptStateError struct {
	Path    string
	MovedTo string
	Err     error
}

func (e *CorruptStateError) Error() string {
	if e.MovedTo == "" {
		return fmt.Sprintf("the state file %s is damaged (%v) and was ignored", e.Path, e.Err)
	}
	return fmt.Sprintf("the state file %s is damaged (%v); it was renamed to %s and the job's history starts afresh", e.Path, e.Err, filepath.Base(e.MovedTo))
}

func (e *CorruptStateError) Unwrap() error { return e.Err }

// LoadState reads job's state from dir. A missing file gives an empty State
// (Job set) and no error. A damaged file is renamed aside (…json.corrupt-
// <time>) and reported as a *CorruptStateError alongside an empty State:
// the caller reports it and carries on. Other errors (the folder cannot be
// read) are returned as they are, also with an empty State.
func LoadState(dir, job string, now time.Time) (State, error) {
	p := StatePath(dir, job)
	empty := State{Job: job}
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return empty, nil
	}
	if err != nil {
		return empty, fmt.Errorf("the state file %s cannot be read: %w", p, err)
	}
	var st State
	dec := json.NewDecoder(strings.NewReader(string(b)))
	err = dec.Decode(&st)
	if err == nil && dec.More() {
		err = errors.New("extra data after the JSON object")
	}
	if err == nil && st.Job != job {
		err = fmt.Errorf("it belongs to job %q", st.Job)
	}
	if err != nil {
		ce := &CorruptStateError{Path: p, Err: err}
		aside := p + ".corrupt-" + now.UTC().Format("20060102T150405Z")
		if rerr := os.Rename(p, aside); rerr == nil {
			ce.MovedTo = aside
		}
		return empty, ce
	}
	return st, nil
}

// SaveState writes st to its file in dir atomically (atomicfile.Write), so
// a crash leaves either the old or the new state, never a torn one.
func SaveState(dir string, st State) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("the state folder %s cannot be created: %w", dir, err)
	}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if err := atomicfile.Write(StatePath(dir, st.Job), b, nil); err != nil {
		return fmt.Errorf("the state of job %s cannot be saved in %s: %w", st.Job, dir, err)
	}
	return nil
}
