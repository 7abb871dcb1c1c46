package web

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/msg"
	"github.com/posbackup/posbackup/internal/prepare"
	"github.com/posbackup/posbackup/internal/schedule"
	"github.com/posbackup/posbackup/internal/status"
)

// Automatic installs the automatic backup service on this computer.
type Automatic interface {
	Install() error
	Uninstall() error
	Status() (status.Service, error)
}

// TestAutomatic is an Automatic for tests and demonstrations: it records
// "installed" as a file in Dir and never touches the host's init system.
type TestAutomatic struct{ Dir string }

func (a TestAutomatic) marker() string { return filepath.Join(a.Dir, "automatic-installed") }

// Install records the service as installed (and running).
func (a TestAutomatic) Install() error {
	if err := os.MkdirAll(a.Dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(a.marker(), []byte("installed\n"), 0o644)
}

// Uninstall removes the record.
func (a TestAutomatic) Uninstall() error {
	err := os.Remove(a.marker())
	if os.IsNotExist(err) {
		return nil
	}
	return err
}

// Status says running when the record exists.
func (a TestAutomatic) Status() (status.Service, error) {
	if _, err := os.Stat(a.marker()); err == nil {
		return status.ServiceRunning, nil
	}
	return status.ServiceNotInstalled, nil
}

// report evaluates the status of the configured jobs.
func report(cfg *config.Config, cfgPath string, svc status.Service, now time.Time) status.Report {
	return status.Gather(cfg, cfgPath, svc, now)
}

func (s *Server) serviceStatus() (status.Service, string) {
	if s.opt.Automatic == nil {
		return status.ServiceUnknown, ""
	}
	svc, err := s.opt.Automatic.Status()
	if err != nil {
		return status.ServiceUnknown, sentence(err.Error())
	}
	return svc, ""
}

// automaticView is the Automatic backup tab's state.
type automaticView struct {
	Available bool              `json:"available"` // this build can install the service
	Service   status.Service    `json:"service"`
	Installed bool              `json:"installed"`
	Problem   string            `json:"problem,omitempty"`
	Job       *jobView          `json:"job,omitempty"`
	Status    *status.JobStatus `json:"status,omitempty"`
	Warnings  []status.Warning  `json:"warnings"`
}

type jobView struct {
	Variant  int      `json:"variant"`
	Name     string   `json:"name"`
	Time     string   `json:"time"`
	Weekdays []string `json:"weekdays"`
	Schedule string   `json:"schedule"`
}

func (s *Server) automatic(lang string, c *config.Config) automaticView {
	svc, problem := s.serviceStatus()
	v := automaticView{Available: s.opt.Automatic != nil, Service: svc, Installed: svc == status.ServiceRunning || svc == status.ServiceStopped, Problem: msg.Translate(lang, problem)}
	rep := s.report(lang, c, svc)
	v.Warnings = rep.Warnings
	if j := c.Jobs[autoJob]; j != nil {
		b, _ := c.JobBackup(autoJob)
		jv := &jobView{Variant: b.Variant, Name: b.Name, Time: j.Time, Weekdays: nonNil(j.Weekdays)}
		if j.Time != "" {
			jv.Schedule = scheduleText(lang, j.Time, j.Weekdays)
		}
		v.Job = jv
		for i := range rep.Jobs {
			if rep.Jobs[i].Name == autoJob {
				v.Status = &rep.Jobs[i]
			}
		}
	}
	return v
}

// automaticRequest is the automatic backup the page sets up.
type automaticRequest struct {
	Variant  int      `json:"variant"`
	Name     string   `json:"name"`
	Time     string   `json:"time"`
	Weekdays []string `json:"weekdays"`
	Install  bool     `json:"install"`
}

// installAutomatic writes the job autoJob with the chosen variant, name and
// time, then installs the service ("Install automatic backup on this
// computer").
func (s *Server) installAutomatic(w http.ResponseWriter, r *http.Request, c *config.Config, req automaticRequest) {
	if _, err := schedule.Parse(req.Time, strings.Join(req.Weekdays, ",")); err != nil {
		writeErr(w, http.StatusBadRequest, err)
		return
	}
	j := autoJobOf(c)
	j.Variant, j.Name, j.Time, j.Weekdays = req.Variant, strings.TrimSpace(req.Name), req.Time, req.Weekdays
	if len(j.Weekdays) == 7 {
		j.Weekdays = nil
	}
	check := *c
	check.Jobs = map[string]*config.Job{autoJob: j}
	b, _ := check.JobBackup(autoJob)
	if _, err := prepare.Check(b, prepare.Options{}); err != nil {
		writeErr(w, http.StatusBadRequest, err)
		return
	}
	if err := config.SetJob(s.opt.ConfigPath, autoJob, j); err != nil {
		writeErr(w, http.StatusInternalServerError, err)
		return
	}
	if req.Install && s.opt.Automatic == nil {
		writeErr(w, http.StatusBadRequest, errors.New("this program cannot install the automatic backup on this computer: no service manager was found. The settings are saved; ask your service partner to set up the backup service"))
		return
	}
	if req.Install {
		if err := s.opt.Automatic.Install(); err != nil {
			writeErr(w, http.StatusOK, fmt.Errorf("the settings are saved, but the automatic backup could not be installed: %s", err.Error()))
			return
		}
	}
	c, err := s.loadConfig()
	if err != nil {
		writeErr(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "automatic": s.automatic(langOf(r), c)})
}

// uninstallAutomatic removes the service; [jobs.auto] stays in the config.
func (s *Server) uninstallAutomatic(w http.ResponseWriter, r *http.Request, c *config.Config) {
	if s.opt.Automatic == nil {
		writeErr(w, http.StatusBadRequest, errors.New("this program cannot remove the automatic backup on this computer: no service manager was found"))
		return
	}
	if err := s.opt.Automatic.Uninstall(); err != nil {
		writeErr(w, http.StatusOK, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "automatic": s.automatic(langOf(r), c)})
}

// getHistory is the History tab: the status with its warnings, and the
// runs of the automatic backup and those started on this page, newest first.
func (s *Server) getHistory(w http.ResponseWriter, r *http.Request, c *config.Config) {
	svc, _ := s.serviceStatus()
	lang := langOf(r)
	writeJSON(w, http.StatusOK, map[string]any{"report": s.report(lang, c, svc), "runs": s.runs(lang, c)})
}

// report is the status in lang: the warnings' and the last errors'
// sentences translated, the schedules in words of lang, and no next run
// while the automatic backup is not installed (nothing would run then).
func (s *Server) report(lang string, c *config.Config, svc status.Service) status.Report {
	rep := report(c, s.opt.ConfigPath, svc, s.opt.Now())
	installed := svc == status.ServiceRunning
	tw := func(ws []status.Warning) []status.Warning {
		out := make([]status.Warning, 0, len(ws))
		for _, w := range ws {
			if w.Key != nil && w.Key.String() == w.Message {
				w.Message = sentence(msg.Of(lang, w.Key))
			} else {
				w.Message = msg.Translate(lang, sentence(w.Message))
			}
			out = append(out, w)
		}
		return out
	}
	rep.Warnings = tw(rep.Warnings)
	for i := range rep.Jobs {
		j := &rep.Jobs[i]
		j.Warnings = tw(j.Warnings)
		if j.LastError != "" {
			j.LastError = msg.Translate(lang, sentence(j.LastError))
		}
		if cj := c.Jobs[j.Name]; cj != nil {
			j.Schedule = scheduleText(lang, cj.Time, cj.Weekdays)
		} else {
			j.Schedule = msg.Translate(lang, j.Schedule)
		}
		if !installed {
			j.NextRun = time.Time{}
		}
	}
	return rep
}
