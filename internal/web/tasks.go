package web

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/job"
	"github.com/posbackup/posbackup/internal/msg"
	"github.com/posbackup/posbackup/internal/prepare"
)

// task is a backup or restore started from the page; the page polls it.
type task struct {
	mu       sync.Mutex
	id       int64
	kind     string // "backup" or "restore"
	what     string // archive or destination, for the history
	started  time.Time
	ended    time.Time
	running  bool
	ev       job.Event
	rateFrom time.Time // when bytes started to count
	ok       bool
	declined bool // a restore whose overwrite question was answered no: cancelled, not failed
	errMsg   string
	err      error // the failure, for its message in the page's language
	warnings []string
	result   any
	ask      *overwriteQuestion
	answer   chan bool
}

type overwriteQuestion struct {
	Count    int      `json:"count"`
	Examples []string `json:"examples"`
	Target   string   `json:"target"`
}

// taskView is a task as the page reads it.
type taskView struct {
	ID         int64              `json:"id"`
	Kind       string             `json:"kind"`
	What       string             `json:"what"`
	Running    bool               `json:"running"`
	Phase      string             `json:"phase"`
	Name       string             `json:"name"`
	Files      int                `json:"files"`
	TotalFiles int                `json:"total_files"`
	Bytes      int64              `json:"bytes"`
	TotalBytes int64              `json:"total_bytes"`
	Written    int64              `json:"written"`
	Rate       float64            `json:"rate"`                // bytes per second read, on average since the bytes started to count
	Remaining  float64            `json:"remaining,omitempty"` // seconds left at that rate, once it has settled
	Started    time.Time          `json:"started"`
	Ended      time.Time          `json:"ended,omitzero"`
	OK         bool               `json:"ok"`
	Cancelled  bool               `json:"cancelled,omitempty"` // declined by the user: nothing was done
	Error      string             `json:"error,omitempty"`
	Warnings   []string           `json:"warnings"`
	Result     any                `json:"result,omitempty"`
	Question   *overwriteQuestion `json:"question,omitempty"`

	err error // the failure, shown in the page's language by in
}

func (t *task) view(now time.Time) taskView {
	t.mu.Lock()
	defer t.mu.Unlock()
	v := taskView{ID: t.id, Kind: t.kind, What: t.what, Running: t.running, Phase: t.ev.Phase, Name: t.ev.Name,
		Files: t.ev.Files, TotalFiles: t.ev.TotalFiles, Bytes: t.ev.Bytes, TotalBytes: t.ev.TotalBytes, Written: t.ev.Written,
		Started: t.started, Ended: t.ended, OK: t.ok, Cancelled: t.declined, Error: t.errMsg, Warnings: nonNil(t.warnings), Result: t.result, Question: t.ask, err: t.err}
	end := now
	if !t.running {
		end = t.ended
	}
	if !t.rateFrom.IsZero() {
		if d := end.Sub(t.rateFrom).Seconds(); d > 0.2 {
			v.Rate = float64(t.ev.Bytes) / d
			// The average since the start settles as the run goes on; the
			// first seconds say too little to promise a time.
			if t.running && d >= 2 && v.Rate > 0 && t.ev.TotalBytes > t.ev.Bytes {
				v.Remaining = float64(t.ev.TotalBytes-t.ev.Bytes) / v.Rate
			}
		}
	}
	return v
}

func (t *task) event(now func() time.Time, hook func(job.Event)) func(job.Event) {
	return func(e job.Event) {
		t.mu.Lock()
		if t.rateFrom.IsZero() && (e.Phase == "archive" || e.Phase == "restore") {
			t.rateFrom = now()
		}
		// The bytes only grow within a phase: the reports of a large
		// file count what was read, the entry's own event what was
		// written, which is less while the workers read ahead.
		if e.Phase == t.ev.Phase && e.Bytes < t.ev.Bytes {
			e.Bytes = t.ev.Bytes
		}
		if e.Phase == t.ev.Phase && e.Written < t.ev.Written {
			e.Written = t.ev.Written
		}
		t.ev = e
		t.mu.Unlock()
		if hook != nil {
			hook(e)
		}
	}
}

func (t *task) finish(now time.Time, result any, warnings []string, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.running, t.ended, t.result = false, now, result
	t.warnings = append(t.warnings, warnings...)
	if err != nil {
		t.errMsg, t.err = sentence(err.Error()), err
	} else {
		t.ok = true
	}
	t.ev.Phase = "done"
}

// begin makes t the current task unless one is running.
func (s *Server) begin(kind, what string) (*task, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.task != nil {
		s.task.mu.Lock()
		running := s.task.running
		s.task.mu.Unlock()
		if running {
			return nil, errors.New("a backup or restore started on this page is still running: wait until it has finished")
		}
	}
	id := int64(1)
	if s.task != nil {
		id = s.task.id + 1
	}
	t := &task{id: id, kind: kind, what: what, started: s.opt.Now(), running: true, answer: make(chan bool, 1)}
	s.task = t
	return t, nil
}

// done files t into the history.
func (s *Server) done(t *task) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.history = append([]*task{t}, s.history...)
	if len(s.history) > 50 {
		s.history = s.history[:50]
	}
}

func (s *Server) getTask(w http.ResponseWriter, r *http.Request, c *config.Config) {
	s.mu.Lock()
	t := s.task
	s.mu.Unlock()
	if t == nil {
		writeJSON(w, http.StatusOK, map[string]any{"task": nil})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"task": t.view(s.opt.Now()).in(langOf(r))})
}

// in is the view with its messages in lang.
func (v taskView) in(lang string) taskView {
	if v.err != nil {
		v.Error = say(lang, v.err)
	} else {
		v.Error = msg.Translate(lang, v.Error)
	}
	v.Warnings = translated(lang, v.Warnings)
	return v
}

// answerTask answers the overwrite question of the running restore.
func (s *Server) answerTask(w http.ResponseWriter, r *http.Request, c *config.Config) {
	var req struct {
		ID  int64 `json:"id"`
		Yes bool  `json:"yes"`
	}
	if err := readJSON(r, &req); err != nil {
		writeErr(w, http.StatusBadRequest, err)
		return
	}
	s.mu.Lock()
	t := s.task
	s.mu.Unlock()
	if t == nil || t.id != req.ID {
		writeErr(w, http.StatusBadRequest, errors.New("that restore is no longer waiting for an answer"))
		return
	}
	t.mu.Lock()
	asked := t.ask != nil
	t.ask = nil
	t.mu.Unlock()
	if !asked {
		writeErr(w, http.StatusBadRequest, errors.New("that restore is no longer waiting for an answer"))
		return
	}
	t.answer <- req.Yes
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

// startBackup saves the Backup tab's choices and runs the backup.
func (s *Server) startBackup(w http.ResponseWriter, r *http.Request, c *config.Config) {
	var f backupForm
	if err := readJSON(r, &f); err != nil {
		writeErr(w, http.StatusBadRequest, err)
		return
	}
	b := c.Backup
	b.Variant, b.Clients, b.Name = f.Variant, clientsAll(f.Clients), strings.TrimSpace(f.Name)
	if strings.TrimSpace(b.Source) == "" || strings.TrimSpace(b.To) == "" {
		// A fresh setup: the guide leads to the folder and the destination.
		writeJSON(w, http.StatusBadRequest, map[string]any{"ok": false, "guide": true,
			"error": msg.T(langOf(r), "Set the installation folder and the destination first: the first-start guide leads you through it.")})
		return
	}
	if _, err := prepare.Check(b, prepare.Options{}); err != nil {
		writeErr(w, http.StatusBadRequest, err)
		return
	}
	if err := config.SetSettings(s.opt.ConfigPath, map[string]any{"variant": nilIfZero(b.Variant), "clients": nilIfEmpty(b.Clients), "name": nilIfEmpty(b.Name)}); err != nil {
		writeErr(w, http.StatusInternalServerError, err)
		return
	}
	t, err := s.begin("backup", destOf(b).Display)
	if err != nil {
		writeErr(w, http.StatusConflict, err)
		return
	}
	go s.runBackup(t, b, c)
	writeJSON(w, http.StatusAccepted, map[string]any{"ok": true, "task": t.view(s.opt.Now()).in(langOf(r))})
}

func (s *Server) runBackup(t *task, b config.Backup, c *config.Config) {
	defer s.done(t)
	unlock, err := prepare.Lock(c, s.opt.ConfigPath)
	if err != nil {
		t.finish(s.opt.Now(), nil, nil, err)
		return
	}
	defer unlock()
	pr, err := prepare.Prepare(s.ctx, b, prepare.Options{Timeout: s.opt.Timeout, OnEvent: t.event(s.opt.Now, s.eventHook)})
	if err != nil {
		t.finish(s.opt.Now(), nil, pr.Warnings, err)
		return
	}
	defer pr.Close()
	res, err := job.Backup(s.ctx, pr.Request)
	if err != nil {
		t.finish(s.opt.Now(), nil, pr.Warnings, err)
		return
	}
	t.mu.Lock()
	t.what = res.Archive + " → " + res.Location
	t.mu.Unlock()
	t.finish(s.opt.Now(), res, append(pr.Warnings, res.Warnings...), nil)
	s.mu.Lock()
	s.listed = listCache{} // the list at the destination changed
	s.mu.Unlock()
}

func limit(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// recentRuns are the finished tasks started on this page, newest first.
func (s *Server) recentRuns() []taskView {
	s.mu.Lock()
	h := append([]*task{}, s.history...)
	s.mu.Unlock()
	out := []taskView{}
	for _, t := range h {
		v := t.view(s.opt.Now())
		v.Result = nil
		out = append(out, v)
	}
	return out
}
