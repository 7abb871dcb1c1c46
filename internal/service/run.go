package service

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/fleet"
	"github.com/posbackup/posbackup/internal/job"
	"github.com/posbackup/posbackup/internal/notify"
	"github.com/posbackup/posbackup/internal/osservice"
	"github.com/posbackup/posbackup/internal/prepare"
	"github.com/posbackup/posbackup/internal/runlock"
	"github.com/posbackup/posbackup/internal/schedule"
	"github.com/posbackup/posbackup/internal/sysprio"
)

// RunOptions tune Run; the zero value is what the installed service uses.
type RunOptions struct {
	Clock        schedule.Clock // nil: the real clock
	Poll         time.Duration  // how often the clock is looked at; 0: 30 s
	CatchUpDelay time.Duration  // wait after start before a missed run is caught up; 0: 2 min, negative: none
	Reload       time.Duration  // how often the config file is checked for changes; 0: 30 s
	Out          io.Writer      // log lines are also written here (the console of 'service run'); nil: only the log file
	// NormalPriority keeps the process at normal priority; scheduled runs
	// otherwise run at low CPU and I/O priority so the tills stay responsive.
	NormalPriority bool
	// EventSource is the Windows Application event log source failures
	// and alerts are also written under ("" none; ignored elsewhere).
	EventSource string
}

// Run runs the automatic backups of the config at cfgPath until ctx ends.
// It reloads the config when the file changes (between backups, never
// during one). Only one Run per state folder runs at a time; a second one
// returns an error at once.
func Run(ctx context.Context, cfgPath string, o RunOptions) error {
	abs, err := filepath.Abs(cfgPath)
	if err == nil {
		cfgPath = abs
	}
	seen := fileStamp(cfgPath)
	cfg, err := config.Load(cfgPath)
	if err != nil {
		// No state folder is known yet: note it in the default one, so a
		// service that cannot start leaves a trace besides its exit code.
		lg := newLog(filepath.Join((&config.Config{}).StateDirOf(cfgPath), LogName), o.Out)
		lg.printf("the automatic backup cannot start: %v", err)
		lg.close()
		ev := osservice.OpenEventLog(o.EventSource)
		ev.Error(fmt.Sprintf("The automatic backup cannot start: %v", err))
		ev.Close()
		return err
	}
	dir := cfg.StateDirOf(cfgPath)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("the state folder %s cannot be created: %v. Set state_dir in the config to a folder this service may write", dir, err)
	}
	lg := newLog(filepath.Join(dir, LogName), o.Out)
	defer lg.close()
	ev := osservice.OpenEventLog(o.EventSource)
	defer ev.Close()
	if !o.NormalPriority {
		if err := sysprio.Lower(); err != nil {
			lg.printf("could not lower the priority (%v); backups run at normal priority", err)
		}
	}
	if o.Reload <= 0 {
		o.Reload = 30 * time.Second
	}
	clock := o.Clock
	if clock == nil {
		clock = schedule.RealClock{}
	}
	r := &running{cfgPath: cfgPath, dir: dir, log: lg, ev: ev, clock: clock, results: map[string]*job.BackupResult{}, seen: seen, evAlerted: map[string]time.Time{}}
	defer r.mails.Wait()
	for {
		reload, err := r.runOnce(ctx, cfg, o)
		if ctx.Err() != nil {
			lg.printf("the automatic backup stops")
			return nil
		}
		if !reload {
			lg.printf("the automatic backup stops: %v", err)
			ev.Error(fmt.Sprintf("The automatic backup stops: %v", err))
			return err
		}
		r.seen = fileStamp(cfgPath) // before reading: a change during the read is seen next time
		next, err := config.Load(cfgPath)
		if err != nil {
			lg.printf("the changed config cannot be used, the jobs run as before until it is corrected: %v", err)
			continue
		}
		cfg = next
	}
}

// running is one Run: what its event handler and mails share.
type running struct {
	cfgPath, dir string
	log          *rotatingLog
	ev           osservice.EventLog   // the Windows event log (failures and alerts)
	evAlerted    map[string]time.Time // when a job's no-success alert last went to the event log
	clock        schedule.Clock
	seen         stamp // the config file as last loaded

	mu      sync.Mutex
	cfg     *config.Config
	results map[string]*job.BackupResult // the last result of each job, for its report
	mails   sync.WaitGroup

	fleetTried time.Time // the last try of the chain's daily report (fleetMail)
}

// runOnce runs the scheduler for cfg until ctx ends or the config file
// changes while no backup runs (reload true).
func (r *running) runOnce(ctx context.Context, cfg *config.Config, o RunOptions) (reload bool, err error) {
	r.mu.Lock()
	r.cfg = cfg
	r.mu.Unlock()
	jobs, bad := schedulesSkipping(cfg)
	for _, name := range jobNames(cfg) {
		if err, ok := bad[name]; ok {
			r.log.printf("%v: this job does not run until the config is corrected", err)
			r.events().Error(fmt.Sprintf("The automatic backup %s cannot run: %v. Correct the job in %s; the service reads the file again by itself.", name, err, r.cfgPath))
			if to := recipients(cfg.Jobs[name], true); to != nil {
				r.send(cfg, notify.Message{To: to,
					Subject: fmt.Sprintf("posbackup: job %s on %s CANNOT RUN", name, hostname()),
					Body:    fmt.Sprintf("The automatic backup %s on %s cannot run: %v.\n\nCorrect the job in %s; the service reads the file again by itself.\n", name, hostname(), err, r.cfgPath),
				}, "the notice that job "+name+" cannot run")
			}
		}
	}
	if len(jobs) == 0 {
		r.log.printf("no job of %s has a time of day: nothing runs until one is set (posbackup job set NAME --time HH:MM)", r.cfgPath)
	}
	sched, err := schedule.New(jobs, r.runJob, schedule.Options{
		StateDir:     r.dir,
		LockPath:     filepath.Join(r.dir, runlock.FileName),
		Clock:        r.clock,
		Poll:         o.Poll,
		CatchUpDelay: o.CatchUpDelay,
		OnEvent:      r.event,
	})
	if err != nil {
		return false, err
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var changed bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-runCtx.Done():
				return
			case <-r.clock.After(o.Reload):
			}
			r.alerts()
			r.fleetMail(runCtx)
			if fileStamp(r.cfgPath) == r.seen {
				continue
			}
			r.log.printf("the config file %s changed: the jobs are read again (after the backup in progress, if any)", r.cfgPath)
			changed = true
			sched.StopWhenIdle()
			return
		}
	}()
	err = sched.Run(runCtx)
	cancel()
	<-done
	if changed && ctx.Err() == nil {
		return true, nil
	}
	return false, err
}

// runJob is the scheduler's run function.
func (r *running) runJob(ctx context.Context, name string) (schedule.Result, error) {
	r.mu.Lock()
	cfg := r.cfg
	r.mu.Unlock()
	res, err := RunJob(ctx, cfg, r.cfgPath, name)
	if res != nil {
		r.mu.Lock()
		r.results[name] = res
		r.mu.Unlock()
		return schedule.Result{Archive: res.Archive, Warnings: res.Warnings, Verify: res.Verify}, err
	}
	return schedule.Result{}, err
}

// RunJob makes one backup of the configured job name, as the service does
// at the job's time: generations pruned after the new archive is checked,
// and a newer backup at the destination never overwritten by older data.
// The caller holds the run lock.
func RunJob(ctx context.Context, cfg *config.Config, cfgPath, name string) (*job.BackupResult, error) {
	j, ok := cfg.Jobs[name]
	if !ok {
		return nil, fmt.Errorf("there is no job %q in the config", name)
	}
	b := JobSettings(cfg, cfgPath, name)
	pr, err := prepare.Prepare(ctx, b, prepare.Options{})
	if err != nil {
		return nil, err // a failed Prepare holds nothing to close
	}
	defer pr.Close()
	req := pr.Request
	req.Job = name
	req.Keep = Policy(j)
	req.GuardStale = true
	started := time.Now()
	res, err := job.Backup(ctx, req)
	if res != nil {
		res.Warnings = append(append([]string{}, pr.Warnings...), res.Warnings...)
	}
	// The site's status record, after a failure too: a failing site is then
	// seen as failing at the head office, not only as quiet.
	days, _ := schedule.ParseWeekdays(strings.Join(j.Weekdays, ","))
	sched := "daily " + j.Time
	if len(days) > 0 && len(days) < 7 {
		sched = strings.Join(j.Weekdays, ",") + " " + j.Time
	}
	if w := fleet.After(ctx, b, req.Dest, started, res, err, sched, fleet.Period(days)); w != "" && res != nil {
		res.Warnings = append(res.Warnings, w)
	}
	return res, err
}

// event logs a scheduler event and mails the report it calls for.
func (r *running) event(e schedule.Event) {
	r.log.printf("%s", e.Message)
	r.eventLog(e)
	if e.Kind != schedule.EventSuccess && e.Kind != schedule.EventFailure {
		return
	}
	r.mu.Lock()
	cfg := r.cfg
	res := r.results[e.Job]
	delete(r.results, e.Job)
	r.mu.Unlock()
	if err := appendHistory(r.dir, entryOf(e, res)); err != nil {
		r.log.printf("the run could not be added to the history in %s: %v", r.dir, err)
	}
	m, ok := reportMail(cfg, e, res, r.nextRun(e.Job))
	if !ok {
		return
	}
	r.send(cfg, m, "the report of job "+e.Job)
}

func (r *running) events() osservice.EventLog {
	if r.ev == nil {
		return osservice.NoEvents{}
	}
	return r.ev
}

// eventLog writes what an administrator must see into the Windows event
// log: a failed run as an error, a damaged state or an interrupted run as
// a warning, a success (with its warnings) as information.
func (r *running) eventLog(e schedule.Event) {
	switch e.Kind {
	case schedule.EventFailure:
		reason := e.Message
		if e.Err != nil {
			reason = e.Err.Error()
		}
		r.events().Error(fmt.Sprintf("The automatic backup %s on %s FAILED: %s", e.Job, hostname(), reason))
	case schedule.EventState, schedule.EventInterrupted:
		r.events().Warning(e.Message)
	case schedule.EventSuccess:
		if e.Result != nil && len(e.Result.Warnings) > 0 {
			r.events().Warning(fmt.Sprintf("%s (warnings: %s)", e.Message, strings.Join(e.Result.Warnings, "; ")))
			return
		}
		r.events().Info(e.Message)
	}
}

func (r *running) nextRun(name string) time.Time {
	st, err := schedule.LoadState(r.dir, name, r.clock.Now())
	if err != nil {
		return time.Time{}
	}
	return st.NextRun
}

// send mails m in the background; Run waits for it before it returns.
func (r *running) send(cfg *config.Config, m notify.Message, what string, onSent ...func()) {
	r.mails.Add(1)
	go func() {
		defer r.mails.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := notify.Send(ctx, notify.Server(cfg.Mail), m); err != nil {
			r.log.printf("%s could not be mailed: %v", what, err)
			return
		}
		r.log.printf("%s was mailed to %s", what, strings.Join(m.To, ", "))
		for _, f := range onSent {
			f()
		}
	}()
}

// stamp identifies a version of the config file by its content (a
// same-size edit within the file system's time resolution still counts).
type stamp [sha256.Size]byte

func fileStamp(p string) stamp {
	b, err := os.ReadFile(p)
	if err != nil {
		return stamp{}
	}
	return sha256.Sum256(b)
}
