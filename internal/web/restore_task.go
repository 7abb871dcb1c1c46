package web

import (
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/posbackup/posbackup/internal/archive"
	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/job"
	"github.com/posbackup/posbackup/internal/job/only"
	"github.com/posbackup/posbackup/internal/prepare"
	"github.com/posbackup/posbackup/internal/profile"
)

// restoreAsk is what the Restore tab asks for.
type restoreAsk struct {
	Name   string   `json:"name"`
	Target string   `json:"target"`
	Only   []string `json:"only"`  // the ticked parts: master, transactions, program, extra, client:N
	Files  []string `json:"files"` // files chosen by name
	// IntoSource says that the target may be the installation
	// folder itself (the live data of the till): never assumed.
	IntoSource bool `json:"into_source"`
}

// startRestore restores the chosen backup, completely or in parts. Before
// anything is overwritten the page is asked (the task's question).
func (s *Server) startRestore(w http.ResponseWriter, r *http.Request, c *config.Config) {
	var req restoreAsk
	if err := readJSON(r, &req); err != nil {
		writeErr(w, http.StatusBadRequest, err)
		return
	}
	req.Target = strings.TrimSpace(req.Target)
	if err := req.check(c.Source); err != nil {
		writeErr(w, http.StatusBadRequest, err)
		return
	}
	p, err := prepare.Profile(c.Profile)
	if err != nil {
		writeErr(w, http.StatusBadRequest, err)
		return
	}
	ticks := make([]job.Part, len(req.Only))
	for i, word := range req.Only {
		if ticks[i], err = only.Choice(word, p); err != nil {
			writeErr(w, http.StatusBadRequest, err)
			return
		}
	}
	t, err := s.begin("restore", req.Name+" → "+req.Target)
	if err != nil {
		writeErr(w, http.StatusConflict, err)
		return
	}
	go s.runRestore(t, c, req, p, ticks)
	writeJSON(w, http.StatusAccepted, map[string]any{"ok": true, "task": t.view(s.opt.Now()).in(langOf(r))})
}

// check refuses a restore without a backup or a full target path, and
// one into the installation folder source unless that was ticked.
func (req restoreAsk) check(source string) error {
	switch {
	case req.Name == "":
		return errors.New("choose a backup in the list first")
	case req.Target == "":
		return errors.New("choose the target folder to restore into")
	case !filepath.IsAbs(req.Target):
		return errors.New("type the target folder as a full path, e.g. C:\\Hypers-! or /srv/pos")
	case source != "" && samePath(req.Target, source) && !req.IntoSource:
		return fmt.Errorf("%s is the installation folder itself: restoring there replaces the till's current data. Tick \"Restore into the installation folder itself\" to do that, or choose another folder", req.Target)
	}
	return nil
}

// runRestore is the restore task: no backup runs meanwhile.
func (s *Server) runRestore(t *task, c *config.Config, req restoreAsk, p *profile.Profile, ticks []job.Part) {
	defer s.done(t)
	unlock, err := prepare.Lock(c, s.opt.ConfigPath) // no backup reads the installation while it is restored
	if err != nil {
		t.finish(s.opt.Now(), nil, nil, err)
		return
	}
	defer unlock()
	a, closeAll, err := s.openArchive(c, req.Name)
	if err != nil {
		t.finish(s.opt.Now(), nil, nil, err)
		return
	}
	defer closeAll()
	files := filePatterns(req.Files)
	parts := append(append([]job.Part{}, ticks...), files...)
	if a.Manifest != nil {
		if sel, ok := combine(ticks, a.Manifest.Files); ok {
			parts = append(sel, files...)
			if len(parts) == 0 {
				t.finish(s.opt.Now(), nil, nil, errors.New("no file of this backup is of the ticked kind and client: tick other choices"))
				return
			}
		}
	}
	res, err := job.Restore(s.ctx, job.RestoreRequest{Archive: a, Profile: p, Target: req.Target, Only: parts, Confirm: s.askOverwrite(t, req.Target), OnEvent: t.event(s.opt.Now, s.eventHook)})
	t.mu.Lock()
	declined := t.declined
	t.mu.Unlock()
	if declined || (err == nil && res != nil && res.Cancelled) {
		// Not a failure: the user chose not to overwrite.
		t.mu.Lock()
		t.declined = true
		t.mu.Unlock()
		t.finish(s.opt.Now(), nil, nil, errors.New("nothing was restored: you chose not to overwrite the existing files"))
		return
	}
	var warns []string
	if res != nil {
		warns = res.Warnings
	}
	t.finish(s.opt.Now(), res, warns, err)
}

// askOverwrite is the restore's Confirm: it puts the question to the page
// and waits for the answer (no answer in 15 minutes is no).
func (s *Server) askOverwrite(t *task, target string) func(over []string) bool {
	return func(over []string) bool {
		t.mu.Lock()
		t.ask = &overwriteQuestion{Count: len(over), Examples: limit(over, 10), Target: target}
		t.mu.Unlock()
		select {
		case yes := <-t.answer:
			if !yes {
				t.mu.Lock()
				t.declined = true
				t.mu.Unlock()
			}
			return yes
		case <-time.After(15 * time.Minute):
		case <-s.ctx.Done():
		}
		t.mu.Lock()
		t.ask = nil
		t.mu.Unlock()
		return false
	}
}

// filePatterns are the parts that select exactly the named files.
func filePatterns(names []string) []job.Part {
	var out []job.Part
	for _, f := range names {
		out = append(out, job.Part{Pattern: literalPattern(f)})
	}
	return out
}

// combine reads the restore's ticks the way a person does: "Master data"
// and "Client M002" together mean M002's master data, not all master data
// and all of M002 (the job adds its parts up). When kinds and clients are
// both ticked it returns the files of the backup's manifest that have a
// ticked kind and a ticked client, as parts that select exactly them
// (shared files of no client are left out: they belong to every client);
// otherwise false, and the ticks go to the job as they are.
func combine(ticks []job.Part, files []archive.FileRecord) ([]job.Part, bool) {
	kinds, clients := map[string]bool{}, map[int]bool{}
	for _, p := range ticks {
		switch {
		case p.Kind != "":
			kinds[p.Kind] = true
		case p.Client != 0:
			clients[p.Client] = true
		default:
			return nil, false // a data set: the job's own reading
		}
	}
	if len(kinds) == 0 || len(clients) == 0 {
		return nil, false
	}
	sel := []job.Part{}
	for _, f := range files {
		if !f.IsDir() && kinds[f.Kind] && clients[f.Client] {
			sel = append(sel, job.Part{Pattern: literalPattern(f.Name)})
		}
	}
	return sel, true
}

// samePath reports whether a and b name the same folder (case-blind on
// Windows, where names are).
func samePath(a, b string) bool {
	a, b = filepath.Clean(a), filepath.Clean(b)
	if runtime.GOOS == "windows" {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// literalPattern makes a file name a pattern that matches only that name:
// the pattern characters are put into brackets.
func literalPattern(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch r {
		case '*', '?', '[':
			b.WriteString("[" + string(r) + "]")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
