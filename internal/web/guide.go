package web

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/msg"
	"github.com/posbackup/posbackup/internal/prepare"
	"github.com/posbackup/posbackup/internal/service"
	"github.com/posbackup/posbackup/internal/status"
)

// guideView is where the first-start guide stands: the seed's setup
// steps in order (installation folder, destination, a first backup, the
// automatic backup installed on this computer).
type guideView struct {
	Source    string `json:"source"`
	SourceOK  bool   `json:"source_ok"` // set, and an existing folder
	Dest      string `json:"dest"`      // as users read it, never with a password
	DestOK    bool   `json:"dest_ok"`
	BackedUp  bool   `json:"backed_up"` // a backup succeeded (from this page or automatically)
	Installed bool   `json:"installed"` // the automatic backup is installed
	Available bool   `json:"available"` // this program can install it from the page
	Complete  bool   `json:"complete"`
}

func (s *Server) guide(c *config.Config) guideView {
	g := guideView{Source: c.Source, Dest: destOf(c.Backup).Display, Available: s.opt.Automatic != nil}
	g.SourceOK = c.Source != "" && checkSource(msg.EN, c.Source) == nil
	g.DestOK = strings.TrimSpace(c.To) != ""
	s.mu.Lock()
	for _, t := range s.history {
		if v := t.view(s.opt.Now()); v.Kind == "backup" && v.OK {
			g.BackedUp = true
		}
	}
	s.mu.Unlock()
	if !g.BackedUp {
		for _, e := range service.History(c.StateDirOf(s.opt.ConfigPath), historyLimit) {
			if e.OK {
				g.BackedUp = true
			}
		}
	}
	svc, _ := s.serviceStatus()
	g.Installed = svc == status.ServiceRunning || svc == status.ServiceStopped
	g.Complete = g.SourceOK && g.DestOK && g.BackedUp && g.Installed
	return g
}

func (s *Server) getGuide(w http.ResponseWriter, r *http.Request, c *config.Config) {
	writeJSON(w, http.StatusOK, s.guide(c))
}

// checkSource refuses an installation folder that is not a full path of
// an existing folder: found when it is typed, not at backup time.
func checkSource(lang, dir string) error {
	if dir == "" {
		return errors.New(msg.T(lang, "choose the installation folder of the POS suite"))
	}
	if !filepath.IsAbs(dir) {
		example := "/srv/kasse"
		if runtime.GOOS == "windows" {
			example = `C:\Hypers-!`
		}
		if p, err := prepare.Profile(""); err == nil && p.DefaultRoot != "" {
			example = p.DefaultRoot
		}
		return errors.New(msg.T(lang, "type the installation folder as a full path, e.g. %s", example))
	}
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		return errors.New(msg.T(lang, "the folder %s does not exist: choose the installation folder of the POS suite", dir))
	case !fi.IsDir():
		return errors.New(msg.T(lang, "%s is a file, not a folder: choose the installation folder of the POS suite", dir))
	}
	return nil
}

// folderView is one folder of the folder picker.
type folderView struct {
	Name string `json:"name"`
	Path string `json:"path"`
}

const maxFolders = 2000

// listFolders is the folder picker: the subfolders of ?path= (the drives,
// or /, when empty). Only a logged-in administrator reaches it (it is an
// API call), and it shows names only, never a file's content.
func (s *Server) listFolders(w http.ResponseWriter, r *http.Request, c *config.Config) {
	lang := langOf(r)
	dir := strings.TrimSpace(r.URL.Query().Get("path"))
	resp := map[string]any{"ok": true, "path": dir, "parent": "", "folders": []folderView{}}
	if dir == "" {
		resp["folders"] = roots()
		writeJSON(w, http.StatusOK, resp)
		return
	}
	if !filepath.IsAbs(dir) {
		writeErr(w, http.StatusBadRequest, errors.New(msg.T(lang, "the folder %s cannot be listed: check that it exists and that this program may read it", dir)))
		return
	}
	dir = filepath.Clean(dir)
	// A folder typed that does not exist: show the nearest one that does.
	for i := 0; i < 64; i++ {
		if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		writeErr(w, http.StatusOK, errors.New(msg.T(lang, "the folder %s cannot be listed: check that it exists and that this program may read it", dir)))
		return
	}
	var out []folderView
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		isDir := e.IsDir()
		if e.Type()&os.ModeSymlink != 0 {
			if fi, err := os.Stat(p); err == nil && fi.IsDir() {
				isDir = true
			}
		}
		if isDir {
			out = append(out, folderView{Name: e.Name(), Path: p})
		}
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	if len(out) > maxFolders {
		out = out[:maxFolders]
		resp["cut"] = true
	}
	if out == nil {
		out = []folderView{}
	}
	resp["path"] = dir
	if parent := filepath.Dir(dir); parent != dir {
		resp["parent"] = parent
	}
	resp["folders"] = out
	writeJSON(w, http.StatusOK, resp)
}

// roots are the drives (Windows) or the root folder.
func roots() []folderView {
	if runtime.GOOS != "windows" {
		return []folderView{{Name: "/", Path: "/"}}
	}
	var out []folderView
	for d := 'A'; d <= 'Z'; d++ {
		p := fmt.Sprintf("%c:\\", d)
		if _, err := os.Stat(p); err == nil {
			out = append(out, folderView{Name: p, Path: p})
		}
	}
	return out
}
