package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/posbackup/posbackup/internal/archive"
	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/job"
	"github.com/posbackup/posbackup/internal/msg"
	"github.com/posbackup/posbackup/internal/prepare"
	"github.com/posbackup/posbackup/internal/profile"
)

// listCache keeps the last list of backups (with their manifests), so that
// selecting one needs no second trip to the server.
type listCache struct {
	where string
	items []job.Listed
}

// listedView is one backup in the Restore tab's list.
type listedView struct {
	Name     string    `json:"name"`
	Size     int64     `json:"size"`
	Time     time.Time `json:"time"`
	Variant  string    `json:"variant,omitempty"`
	Clients  []string  `json:"clients"`
	Files    int       `json:"files"`
	Program  string    `json:"program_version,omitempty"`
	Host     string    `json:"host,omitempty"`
	Job      string    `json:"job,omitempty"`
	Problem  string    `json:"problem,omitempty"`
	Title    string    `json:"variant_title,omitempty"`
	DataTime time.Time `json:"data_time,omitzero"`
}

func listedOf(lang string, l job.Listed) listedView {
	v := listedView{Name: l.Name, Size: l.Size, Time: l.Time(), Problem: msg.Translate(lang, sentence(l.Problem)), Clients: []string{}}
	if l.Problem == "" {
		v.Problem = ""
	}
	if m := l.Manifest; m != nil {
		v.Variant, v.Title, v.Program, v.Host, v.Job, v.DataTime = m.VariantCode(), msg.Translate(lang, m.VariantTitle), m.ProgramVersion, m.Host, m.Job, m.DataTime
		v.Clients = append(v.Clients, m.Clients...)
		for _, f := range m.Files {
			if !f.IsDir() {
				v.Files++
			}
		}
	}
	return v
}

// openArchive opens the backup name at the configured destination, with
// the archive password, for a task; closeAll closes the archive and the
// destination.
func (s *Server) openArchive(c *config.Config, name string) (a *job.Archive, closeAll func(), err error) {
	d, _, err := prepare.OpenDest(s.ctx, c.Backup, false, s.opt.Timeout)
	if err != nil {
		return nil, nil, err
	}
	pw, err := prepare.ArchivePassword(c.Backup, os.Getenv)
	if err == nil {
		a, err = job.OpenArchiveIn(s.ctx, d, name, pw, c.Backup.TempDir)
	}
	if err != nil {
		d.Close()
		return nil, nil, err
	}
	return a, func() { a.Close(); d.Close() }, nil
}

// listBackups lists the backups at the configured destination, newest first.
func (s *Server) listBackups(w http.ResponseWriter, r *http.Request, c *config.Config) {
	where := destOf(c.Backup).Display
	if where == "" {
		writeErr(w, http.StatusBadRequest, errors.New("no destination is set: set the folder or server in Settings first"))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Minute)
	defer cancel()
	d, _, err := prepare.OpenDest(ctx, c.Backup, false, s.opt.Timeout)
	if err != nil {
		writeErr(w, http.StatusOK, err)
		return
	}
	defer d.Close()
	pw, err := prepare.ArchivePassword(c.Backup, os.Getenv)
	if err != nil {
		writeErr(w, http.StatusOK, err)
		return
	}
	items, err := job.ListPassword(ctx, d, pw)
	if err != nil {
		writeErr(w, http.StatusOK, err)
		return
	}
	s.mu.Lock()
	s.listed = listCache{where: where, items: items}
	s.mu.Unlock()
	out := []listedView{}
	for _, l := range items {
		out = append(out, listedOf(langOf(r), l))
	}
	// No target is proposed: restoring goes where the user says, and into
	// the live installation only when the user says so (startRestore).
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "where": where, "backups": out, "source": c.Source})
}

// fileView is one file of a backup's details.
type fileView struct {
	Name    string `json:"name"`
	Size    int64  `json:"size"`
	Kind    string `json:"kind,omitempty"`
	Dataset string `json:"dataset,omitempty"`
	Client  int    `json:"client,omitempty"`
}

const maxListedFiles = 5000

// backupDetails shows a listed backup's manifest, and the version warning
// for the chosen target folder.
func (s *Server) backupDetails(w http.ResponseWriter, r *http.Request, c *config.Config) {
	name, target := r.URL.Query().Get("name"), r.URL.Query().Get("target")
	s.mu.Lock()
	lc := s.listed
	s.mu.Unlock()
	var found *job.Listed
	for i := range lc.items {
		if lc.items[i].Name == name {
			found = &lc.items[i]
		}
	}
	if found == nil || lc.where != destOf(c.Backup).Display {
		writeErr(w, http.StatusNotFound, errors.New("that backup is not in the list: press Refresh"))
		return
	}
	lang := langOf(r)
	resp := map[string]any{"ok": true, "backup": listedOf(lang, *found), "files": []fileView{}, "clients": []map[string]any{}}
	m := found.Manifest
	if m != nil {
		files := []fileView{}
		for _, f := range m.Files {
			if f.IsDir() {
				continue
			}
			if len(files) == maxListedFiles {
				resp["files_cut"] = true
				break
			}
			files = append(files, fileView{Name: f.Name, Size: f.Size, Kind: f.Kind, Dataset: f.Dataset, Client: f.Client})
		}
		resp["files"] = files
		p, err := prepare.Profile(c.Profile)
		if err != nil {
			p = profile.Default()
		}
		resp["clients"] = clientsOf(m, p)
		resp["source"] = m.Source
		resp["role"] = m.Role
		resp["started"] = m.Started
		resp["finished"] = m.Finished
		resp["warnings"] = translated(lang, m.Warnings)
		if target != "" && m.ProgramVersion != "" {
			if have, _ := p.ReadVersion(target); have != "" && have != m.ProgramVersion {
				resp["installed_version"] = have
				resp["version_differs"] = true
			}
		}
	}
	writeJSON(w, http.StatusOK, resp)
}

// verifyResult is what "Verify" found.
type verifyResult struct {
	Name    string           `json:"name"`
	Checked int              `json:"checked"`
	Bytes   int64            `json:"bytes"`
	Damaged []archive.Damage `json:"damaged"`
}

// startVerify reads the chosen backup from the destination and checks
// every entry (CRC-32, and size and SHA-256 against the manifest), with
// progress, as a task of the page.
func (s *Server) startVerify(w http.ResponseWriter, r *http.Request, c *config.Config) {
	var req struct {
		Name string `json:"name"`
	}
	if err := readJSON(r, &req); err != nil {
		writeErr(w, http.StatusBadRequest, err)
		return
	}
	if req.Name == "" {
		writeErr(w, http.StatusBadRequest, errors.New("choose a backup in the list first"))
		return
	}
	t, err := s.begin("verify", req.Name)
	if err != nil {
		writeErr(w, http.StatusConflict, err)
		return
	}
	go func() {
		defer s.done(t)
		a, closeAll, err := s.openArchive(c, req.Name)
		if err != nil {
			t.finish(s.opt.Now(), nil, nil, err)
			return
		}
		defer closeAll()
		ev := job.Event{Phase: "verify"}
		if a.Manifest != nil {
			for _, f := range a.Manifest.Files {
				if !f.IsDir() {
					ev.TotalFiles++
					ev.TotalBytes += f.Size
				}
			}
		}
		onEvent := t.event(s.opt.Now, s.eventHook)
		onEvent(ev)
		var mu sync.Mutex
		rep, err := a.Verify(s.ctx, nil, func(name string, n int64) { // from the checking goroutines
			mu.Lock()
			defer mu.Unlock()
			if strings.HasSuffix(name, "/") {
				return // a folder: not a file of the count
			}
			ev.Name = name
			ev.Files++
			ev.Bytes += n
			onEvent(ev)
		})
		if err != nil {
			t.finish(s.opt.Now(), nil, nil, err)
			return
		}
		res := verifyResult{Name: req.Name, Checked: rep.Checked, Bytes: rep.Bytes, Damaged: rep.Damaged}
		if res.Damaged == nil {
			res.Damaged = []archive.Damage{}
		}
		if !rep.OK() {
			var bad []string
			for _, dm := range limit2(rep.Damaged, 5) {
				bad = append(bad, dm.Name+": "+dm.Reason)
			}
			t.finish(s.opt.Now(), res, nil, fmt.Errorf("%d of %d file(s) of %s failed the check: %s", len(rep.Damaged), rep.Checked, req.Name, strings.Join(bad, "; ")))
			return
		}
		t.finish(s.opt.Now(), res, nil, nil)
	}()
	writeJSON(w, http.StatusAccepted, map[string]any{"ok": true, "task": t.view(s.opt.Now()).in(langOf(r))})
}

func limit2[T any](s []T, n int) []T {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// clientsOf lists the clients in a backup with their numbers (for client:N).
func clientsOf(m *archive.Manifest, p *profile.Profile) []map[string]any {
	seen := map[int]bool{}
	out := []map[string]any{}
	for _, f := range m.Files {
		if f.Client > 0 && !seen[f.Client] {
			seen[f.Client] = true
			out = append(out, map[string]any{"number": f.Client, "name": p.ClientName(f.Client)})
		}
	}
	return out
}
