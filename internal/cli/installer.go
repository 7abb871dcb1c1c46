package cli

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/osservice"
	"github.com/posbackup/posbackup/internal/schedule"
	"github.com/posbackup/posbackup/internal/service"
)

// machineConfigPath is the machine-wide config the installer writes
// (config.DefaultPath: POSBACKUP_CONFIG, %ProgramData% or /etc).
func machineConfigPath() string { return config.DefaultPath(os.Getenv) }

// setupCmd is 'posbackup setup': what the Windows installer (MSI) runs
// after copying the program, and what a reseller's script can run on any
// system. It writes the given settings into the machine config (keeping
// everything else in it, so an upgrade or a repeated install loses
// nothing) and, with --service, registers and starts the service.
func (a *app) setupCmd() *cobra.Command {
	var (
		source, to, at, weekdays, listen, name, variantText string
		withService                                         bool
	)
	cmd := &cobra.Command{
		Use:   "setup [--source DIR] [--to DEST] [--variant N] [--time HH:MM] [--service]",
		Short: "Write the machine config (what the installer runs) and install the service",
		Long: `Writes the given settings into the machine-wide config (` + "`%ProgramData%\\posbackup\\posbackup.toml`" + ` on
Windows, /etc/posbackup/posbackup.toml elsewhere, or --config FILE), keeping
every other setting in it: running it again, or upgrading, loses nothing.
With --time, the job "` + service.DefaultJob + `" runs at that time. The backup dialog of
the service is served on 127.0.0.1:8470 unless the config says otherwise.
With --service, the automatic backup service is registered and started (as
'posbackup service install' does). The Windows installer runs this with its
properties SOURCE, DEST, VARIANT, TIME and LISTEN.`,
		Example: `  posbackup setup --source 'C:\Hypers-!' --to E:\Sicherung --variant 2 --time 22:30 --service
  msiexec /i posbackup-1.0.0-x64.msi /qn SOURCE="C:\Hypers-!" DEST="\\nas\backup\kasse1" TIME=22:30`,
		Args: cobra.NoArgs,
		// The config file may not exist yet: this writes it.
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error { return nil },
		RunE: func(cmd *cobra.Command, args []string) error {
			if at = strings.TrimSpace(at); at != "" {
				if _, err := schedule.Parse(at, weekdays); err != nil {
					return &usageErr{err.Error()}
				}
			}
			path := a.configPath
			if path == "" {
				path = machineConfigPath()
			}
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return fmt.Errorf("the folder of the config %s cannot be created: %v", path, err)
			}
			cfg := &config.Config{}
			if _, err := os.Stat(path); err == nil {
				c, err := config.Load(path)
				if err != nil {
					return fmt.Errorf("%v. The installer keeps the existing config: correct it, then run this again", err)
				}
				cfg = c
			}
			values := map[string]any{}
			if source = strings.TrimSpace(source); source != "" {
				values["source"] = source
			}
			if to = strings.TrimSpace(to); to != "" {
				values["to"] = to
			}
			if v := strings.TrimSpace(variantText); v != "" {
				variant, err := strconv.Atoi(v)
				if err != nil || variant < 1 || variant > 4 {
					return usagef("--variant must be 1 to 4 (see 'posbackup variants'), not %q", v)
				}
				values["variant"] = variant
			} else if cfg.Variant == 0 {
				values["variant"] = 2 // master and transaction data: what a till needs back
			}
			if listen = strings.TrimSpace(listen); listen != "" {
				values["web.listen"] = listen
			} else if cfg.Web.Listen == "" {
				values["web.listen"] = defaultListen
			}
			if err := config.SetSettings(path, values); err != nil {
				return err
			}
			if at != "" {
				j := &config.Job{}
				if old := cfg.Jobs[service.DefaultJob]; old != nil {
					*j = *old
				}
				j.Time, j.Weekdays = at, nil
				for _, w := range strings.Split(weekdays, ",") {
					if w = strings.TrimSpace(w); w != "" {
						j.Weekdays = append(j.Weekdays, w)
					}
				}
				if err := config.SetJob(path, service.DefaultJob, j); err != nil {
					return err
				}
			}
			c, err := config.Load(path)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "The settings are in %s.\n", path)
			// What would fail every night is said now, but the service is
			// installed anyway: its dialog is where the settings are made.
			if warns, err := service.CheckJobs(c, path, os.Getenv); err != nil {
				a.warn([]string{err.Error() + ": set it in the backup dialog or with 'posbackup job set'"})
			} else {
				a.warn(warns)
			}
			if jobs, _ := service.Schedules(c); len(jobs) == 0 {
				a.warn([]string{"no job has a time of day yet, so nothing is backed up automatically: set one in the backup dialog, or give --time HH:MM"})
			}
			if !withService {
				return nil
			}
			m := &osservice.Manager{ConfigPath: path, Name: name}
			err = m.Ensure()
			a.warn(m.Warnings)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "The automatic backup service %s runs; its log and history are in %s.\n", m.Name, c.StateDirOf(path))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&source, "source", "", "the installation folder of the POS suite, e.g. C:\\Hypers-!")
	f.StringVar(&to, "to", "", "where the backups go: a folder (E:\\Sicherung, \\\\nas\\share\\pos) or a server")
	f.StringVar(&variantText, "variant", "", "backup variant 1-4 (default 2, or what the config has)")
	f.StringVar(&at, "time", "", "run job \""+service.DefaultJob+"\" at this time of day, HH:MM")
	f.StringVar(&weekdays, "weekdays", "", "with --time: only on these days, e.g. mon,tue,wed,thu,fri")
	f.StringVar(&listen, "listen", "", "where the service serves the backup dialog (default "+defaultListen+")")
	f.BoolVar(&withService, "service", false, "register and start the automatic backup service")
	f.StringVar(&name, "name", osservice.DefaultName, "the system service's name")
	return cmd
}

// dialogCmd is 'posbackup dialog', what the Start-menu entry runs: it
// opens the backup dialog the service serves in the browser.
func (a *app) dialogCmd() *cobra.Command {
	var printOnly bool
	cmd := &cobra.Command{
		Use:   "dialog",
		Short: "Open the backup dialog of the automatic backup service in the browser",
		Args:  cobra.NoArgs,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if a.configPath == "" {
				a.configPath = machineConfigPath()
			}
			a.cfg = &config.Config{}
			if c, err := config.Load(a.configPath); err == nil {
				a.cfg = c
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			listen := a.cfg.Web.Listen
			if listen == "" {
				listen = defaultListen
			}
			url := "http://" + browserAddr(listen) + "/"
			client := http.Client{Timeout: 5 * time.Second}
			var err error
			for i := 0; i < 10; i++ { // the service may be starting
				var resp *http.Response
				if resp, err = client.Get(url); err == nil {
					resp.Body.Close()
					break
				}
				time.Sleep(time.Second)
			}
			if err != nil {
				if _, perr := net.ResolveTCPAddr("tcp", listen); perr != nil {
					return fmt.Errorf("the dialog's address %q in %s is not an address: correct [web] listen", listen, a.configPath)
				}
				return fmt.Errorf("the backup dialog does not answer on %s: the automatic backup service is not running. Start it with 'posbackup service start', or run 'posbackup serve --config %s'", url, a.configPath)
			}
			fmt.Fprintf(a.stdout, "Backup dialog: %s\n", url)
			if printOnly {
				return nil
			}
			return openBrowser(url)
		},
	}
	cmd.Flags().BoolVar(&printOnly, "print", false, "only print the address")
	return cmd
}

func openBrowser(url string) error {
	var c *exec.Cmd
	switch runtime.GOOS {
	case "windows":
		c = exec.Command("rundll32.exe", "url.dll,FileProtocolHandler", url)
	case "darwin":
		c = exec.Command("open", url)
	default:
		c = exec.Command("xdg-open", url)
	}
	if err := c.Start(); err != nil {
		return fmt.Errorf("no browser could be opened (%v): open %s yourself", err, url)
	}
	go c.Wait()
	return nil
}
