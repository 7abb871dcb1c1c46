package cli

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/osservice"
	"github.com/posbackup/posbackup/internal/schedule"
	"github.com/posbackup/posbackup/internal/service"
	"github.com/posbackup/posbackup/internal/status"
)

func (a *app) serviceCmd() *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "service",
		Short: "Install and run the automatic backup (install, uninstall, start, stop, status, run)",
		Long: `The automatic backup is a system service (a Windows service, a systemd unit,
a launchd job or an init script) that runs 'posbackup service run --config F':
it starts at boot, is restarted after a crash, and runs the jobs of the config
file ([jobs.NAME], see 'posbackup job set') at their times, at low priority.`,
		Example: `  posbackup service install --config C:\posbackup\posbackup.toml --time 23:30
  posbackup service status --config C:\posbackup\posbackup.toml
  posbackup service run --config posbackup.toml      (in the foreground, e.g. without an init system)`,
	}
	cmd.PersistentFlags().StringVar(&name, "name", osservice.DefaultName, "the system service's name (several configs on one computer need different names)")
	mgr := func() *osservice.Manager { return &osservice.Manager{ConfigPath: a.configPath, Name: name} }
	simple := func(use, short, done string, f func(*osservice.Manager) error) *cobra.Command {
		return &cobra.Command{
			Use: use + " --config FILE", Short: short, Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				if err := a.needConfigPath(); err != nil {
					return err
				}
				m := mgr()
				err := f(m)
				a.warn(m.Warnings)
				if err != nil {
					return err
				}
				fmt.Fprintln(a.stdout, done)
				return nil
			},
		}
	}
	cmd.AddCommand(a.serviceInstallCmd(mgr),
		simple("uninstall", "Stop and remove the system service", "The automatic backup service was removed; backups now run only when started by hand.", (*osservice.Manager).Uninstall),
		simple("start", "Start the installed service", "The automatic backup service was started.", (*osservice.Manager).Start),
		simple("stop", "Stop the service (a running backup is stopped and tried again at the next start)", "The automatic backup service was stopped: no backup runs at its time until it is started again.", (*osservice.Manager).Stop),
		a.statusCmd("status", mgr),
		a.serviceRunCmd(&name))
	return cmd
}

func (a *app) serviceInstallCmd(mgr func() *osservice.Manager) *cobra.Command {
	var at, weekdays, runAs string
	var noStart bool
	cmd := &cobra.Command{
		Use:   "install --config FILE [--time HH:MM]",
		Short: "Register the automatic backup as a system service and start it",
		Long: `Registers 'posbackup service run --config FILE' with the system's service
manager, to start at boot and restart after a crash, and starts it. With
--time, the config's job "` + service.DefaultJob + `" is set to run at that time (it takes the
config's top-level backup settings), so one command sets up the usual one
automatic backup per PC. Run it as administrator (Windows) or root.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.needConfigPath(); err != nil {
				return err
			}
			if at != "" {
				if _, err := schedule.Parse(at, weekdays); err != nil {
					return &usageErr{err.Error()}
				}
				j := &config.Job{}
				if old := a.cfg.Jobs[service.DefaultJob]; old != nil {
					*j = *old
				}
				j.Time, j.Weekdays = at, nil
				for _, w := range strings.Split(weekdays, ",") {
					if w = strings.TrimSpace(w); w != "" {
						j.Weekdays = append(j.Weekdays, w)
					}
				}
				if err := config.SetJob(a.configPath, service.DefaultJob, j); err != nil {
					return err
				}
				c, err := config.Load(a.configPath)
				if err != nil {
					return err
				}
				a.cfg = c
			}
			jobs, err := service.Schedules(a.cfg)
			if err != nil {
				return &usageErr{err.Error()}
			}
			if len(jobs) == 0 && len(a.cfg.FleetMailTo) == 0 { // a head office's service may only mail the chain's daily report
				return usagef("no job in %s has a time of day, so the service would never back up: give --time HH:MM, or set a job with 'posbackup job set NAME --time HH:MM'", a.configPath)
			}
			warns, err := service.CheckJobs(a.cfg, a.configPath, os.Getenv)
			if err != nil {
				return usagef("%s: correct it in %s first, or the automatic backup fails every time", err.Error(), a.configPath)
			}
			a.warn(warns)
			m := mgr()
			defer func() { a.warn(m.Warnings) }()
			if runAs != "" {
				m.RunAs = runAs
				if runtime.GOOS == "windows" {
					pw, err := a.readSecret("password of " + runAs)
					if err != nil {
						return err
					}
					m.RunAsPassword = pw
				}
			}
			before, _ := m.Status()
			if err := m.Install(); err != nil {
				return err
			}
			if before == status.ServiceRunning || before == status.ServiceStopped {
				fmt.Fprintf(a.stdout, "The automatic backup service %s was already installed; it reads the changed config by itself. (To register it anew, e.g. after moving the program, run 'posbackup service uninstall' first.)\n", m.Name)
			} else {
				fmt.Fprintf(a.stdout, "The automatic backup is installed as a system service (%s, name %s).\n", osservice.Platform(), m.Name)
			}
			if !noStart {
				if err := m.Ensure(); err != nil {
					return err
				}
				fmt.Fprintln(a.stdout, "It runs.")
			}
			now := time.Now()
			for _, j := range jobs {
				fmt.Fprintf(a.stdout, "  job %s: %s, next run %s\n", j.Name, j.Spec, j.Spec.Next(now).Format("Mon 2006-01-02 15:04"))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&at, "time", "", "set job \""+service.DefaultJob+"\" to run at this time of day, HH:MM")
	f.StringVar(&weekdays, "weekdays", "", "with --time: only on these days, e.g. mon,tue,wed,thu,fri")
	f.BoolVar(&noStart, "no-start", false, "install only; start at the next boot or with 'posbackup service start'")
	f.StringVar(&runAs, "run-as", "", "run the service as this account (e.g. KASSE1\\backup) instead of the system account, so it reaches that user's network shares; its password is asked without echo and kept by Windows only")
	return cmd
}

func (a *app) serviceRunCmd(name *string) *cobra.Command {
	var o service.RunOptions
	var asService bool
	cmd := &cobra.Command{
		Use:   "run --config FILE",
		Short: "Run the automatic backup in the foreground (what the installed service runs)",
		Long: `Runs the jobs of the config file at their times until stopped (Ctrl+C or
SIGTERM), and serves the backup dialog when the config sets [web] listen
(see 'posbackup serve'). It writes its log (` + service.LogName + `, rotated at 1 MiB) and the jobs'
state into the state folder (state_dir in the config; default
posbackup-state beside the config file), mails reports, and reads the config
again when it changes. Use it on machines without an init system, or to watch
the schedule work.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.needConfigPath(); err != nil {
				return err
			}
			o.Out = a.stdout
			o.EventSource = ""
			if asService {
				o.EventSource = *name
			}
			return osservice.RunAsService(cmd.Context(), *name, asService, func(ctx context.Context) error {
				if l := a.cfg.Web.Listen; l != "" { // the installed service serves the dialog too
					go func() {
						if err := a.serveWeb(ctx, webServe{listen: l, noSetup: true}); err != nil {
							service.LogLine(a.cfg, a.configPath, a.stderr, "the backup dialog cannot be served: %s", sentence(err.Error()))
						}
					}()
				}
				return service.Run(ctx, a.configPath, o)
			})
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.NormalPriority, "normal-priority", false, "do not lower the CPU and I/O priority of the backups")
	f.DurationVar(&o.Poll, "poll", 0, "how often the clock is checked (default 30s)")
	f.DurationVar(&o.CatchUpDelay, "catch-up-delay", 0, "wait this long after start before a missed backup is caught up (default 2m)")
	f.DurationVar(&o.Reload, "reload", 0, "how often the config file is checked for changes (default 30s)")
	f.BoolVar(&asService, strings.TrimPrefix(osservice.AsServiceFlag, "--"), false, "answer the Windows service manager (what the installed service's command line gives); failures also go to the Windows event log")
	for _, h := range []string{"poll", "catch-up-delay", "reload", strings.TrimPrefix(osservice.AsServiceFlag, "--")} {
		f.MarkHidden(h)
	}
	return cmd
}

// statusCmd is 'posbackup status' and 'posbackup service status'.
func (a *app) statusCmd(use string, mgr func() *osservice.Manager) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   use + " --config FILE [--json]",
		Short: "Show the automatic backups: last success, last failure, next run, warnings",
		Long: `Shows per job the last success, the last failure with its reason and the
next run, and the warnings: no automatic backup set up, the service not
running, a backup to the same drive as the data, only master data backed up,
the last success too old. Exit code 0 when all is well, 1 when there is an
alert or a warning.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.needConfigPath(); err != nil {
				return err
			}
			svc, err := mgr().Status()
			if err != nil {
				a.warn([]string{err.Error()})
			}
			r := status.Gather(a.cfg, a.configPath, svc, time.Now())
			runs := service.History(a.cfg.StateDirOf(a.configPath), 10)
			if runs == nil {
				runs = []service.Entry{}
			}
			if asJSON {
				a.printJSON(struct {
					status.Report
					History []service.Entry `json:"history"`
				}{r, runs})
			} else {
				a.printStatus(r, runs)
			}
			if !r.OK {
				return &exitErr{ExitFailed}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the status as one JSON object")
	return cmd
}

func (a *app) printStatus(r status.Report, runs []service.Entry) {
	w := a.stdout
	svc := map[status.Service]string{status.ServiceRunning: "running", status.ServiceStopped: "installed, NOT running", status.ServiceNotInstalled: "NOT installed", status.ServiceUnknown: "unknown"}[r.Service]
	fmt.Fprintf(w, "Automatic backup service: %s\n", svc)
	when := func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return t.Local().Format("Mon 2006-01-02 15:04")
	}
	for _, j := range r.Jobs {
		fmt.Fprintf(w, "\nJob %s: variant %s to %s, %s\n", j.Name, j.Variant, j.Destination, j.Schedule)
		last := when(j.LastSuccess)
		if j.LastArchive != "" {
			last += " (" + j.LastArchive + ")"
		}
		switch j.LastVerify {
		case "full":
			last += ", checked: read back from where it is kept"
		case "quick":
			last += ", checked: quick (size and local copy only)"
		}
		fmt.Fprintf(w, "  last success: %s\n", last)
		if !j.LastFailure.IsZero() {
			fmt.Fprintf(w, "  last failure: %s: %s\n", when(j.LastFailure), j.LastError)
		}
		if j.Running {
			fmt.Fprintln(w, "  a backup is running now")
		}
		if !j.NextRun.IsZero() {
			fmt.Fprintf(w, "  next run:     %s\n", when(j.NextRun))
		}
	}
	if len(runs) > 0 {
		fmt.Fprintln(w, "\nLast runs:")
		for _, h := range runs {
			res := "OK     " + h.Archive
			if !h.OK {
				res = "FAILED " + h.Error
			}
			fmt.Fprintf(w, "  %s  %-10s %s\n", h.End.Local().Format("2006-01-02 15:04"), h.Job, res)
		}
	}
	if len(r.Warnings) == 0 {
		fmt.Fprintln(w, "\nAll is well.")
		return
	}
	fmt.Fprintln(w)
	for _, x := range r.Warnings {
		fmt.Fprintf(w, "%s: %s\n", strings.ToUpper(string(x.Severity)), a.sayWarning(x))
	}
}
