package cli

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/dest/open"
	"github.com/posbackup/posbackup/internal/msg"
	"github.com/posbackup/posbackup/internal/schedule"
)

func (a *app) jobCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "job",
		Short: "Set up automatic backups in the config file (set, list, remove)",
		Long: `Automatic backups are [jobs.NAME] tables in the config file; the service
('posbackup service install' or 'posbackup service run') runs them at their
time. One automatic backup per PC is the default ("nightly"); more named jobs
may share the one service.`,
	}
	cmd.AddCommand(a.jobSetCmd(), a.jobListCmd(), a.jobRemoveCmd())
	return cmd
}

func (a *app) needConfigPath() error {
	if a.configPath == "" {
		return usagef("no config file: give --config FILE, or set up the machine-wide one (%s) with 'posbackup job set' or the dialog 'posbackup serve'", config.DefaultPath(os.Getenv))
	}
	return nil
}

func (a *app) jobSetCmd() *cobra.Command {
	var flags config.Job
	j := &flags
	var weekdays string
	var df destFlags // the destination's flags, as every command that reaches one takes them
	cmd := &cobra.Command{
		Use:   "set NAME --config FILE --source DIR --variant N --to DEST --time HH:MM",
		Short: "Write an automatic backup into the config file",
		Long: `Writes [jobs.NAME] into the config file. For a job that is there already,
only the settings given change: 'posbackup job set nightly --time 22:00'
moves the time and keeps the source, variant and destination.`,
		Example: `  posbackup job set nightly --config posbackup.toml --source 'C:\Hypers-!' --variant 3 \
      --to ftpes://nas/betrieb1 --user kasse --name '{client}_{weekday}' --lang de --time 23:30 \
      --mail-to chef@example.org`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.needConfigPath(); err != nil {
				return err
			}
			if err := config.CheckJobName(args[0]); err != nil {
				return &usageErr{err.Error()}
			}
			if j.Variant < 0 || j.Variant > 99 {
				return usagef("--variant %d is not a variant number", j.Variant)
			}
			for _, w := range strings.Split(weekdays, ",") {
				if w = strings.TrimSpace(w); w != "" {
					flags.Weekdays = append(flags.Weekdays, w)
				}
			}
			// Only the flags given change the job; its other settings stay.
			keys := df.keys(cmd)
			for f, k := range jobFlagKeys {
				if cmd.Flags().Changed(f) {
					keys = append(keys, k)
				}
			}
			flags.Backup = df.over(cmd, flags.Backup)
			old := a.cfg.Jobs[args[0]]
			if old == nil && !cmd.Flags().Changed("time") {
				return usagef("there is no job %q in %s yet: give --time HH:MM to set it up", args[0], a.configPath)
			}
			j, err := config.UpdateJob(old, &flags, keys)
			if err != nil {
				return err
			}
			if _, err := schedule.Parse(j.Time, strings.Join(j.Weekdays, ",")); err != nil {
				return &usageErr{err.Error()}
			}
			if err := config.SetJob(a.configPath, args[0], &j); err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, a.t("Job %s written to %s: %s at %s.", args[0], a.configPath, dayText(a.language(), j.Weekdays), j.Time))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&j.Source, "source", "", "installation folder (default: the config's source)")
	f.IntVar(&j.Variant, "variant", 0, "backup variant 1-4 (default: the config's)")
	f.StringVar(&j.Name, "name", "", "archive name template, e.g. {client}_{weekday}")
	f.StringVar(&j.Clients, "clients", "", "all, or numbers like 1,2")
	f.StringVar(&j.Role, "role", "", "head-office or location")
	f.StringVar(&j.Lang, "lang", "", "en or de")
	df.register(cmd, true)
	f.StringVar(&j.Time, "time", "", "time of day, HH:MM (required for a new job)")
	f.StringVar(&weekdays, "weekdays", "", "only on these days, e.g. mon,tue,wed,thu,fri (default: every day)")
	f.IntVar(&j.KeepLast, "keep-last", 0, "keep the last N archives of this job (0: delete none)")
	f.IntVar(&j.KeepDaily, "keep-daily", 0, "also keep the newest archive of each of the last N days")
	f.IntVar(&j.KeepWeekly, "keep-weekly", 0, "also keep the newest archive of each of the last N weeks")
	f.IntVar(&j.KeepMonthly, "keep-monthly", 0, "also keep the newest archive of each of the last N months")
	f.IntVar(&j.MinKeep, "min-keep", 0, "never keep fewer archives than this")
	f.StringSliceVar(&j.MailTo, "mail-to", nil, "send reports to these addresses")
	f.StringSliceVar(&j.MailFailureTo, "mail-failure-to", nil, "send failure reports to these addresses instead")
	f.StringVar(&j.MailOn, "mail-on", "", "failure (default), always or never")
	f.IntVar(&j.AlertDays, "alert-days", 0, "alert when no backup succeeded for N days (default: two periods)")
	return cmd
}

// jobFlagKeys maps job set's flags but the destination's (destFlagKeys) to
// the job settings (TOML names) they set.
var jobFlagKeys = map[string]string{
	"source": "source", "variant": "variant", "name": "name", "clients": "clients", "role": "role",
	"lang": "lang", "time": "time", "weekdays": "weekdays", "keep-last": "keep_last",
	"keep-daily": "keep_daily", "keep-weekly": "keep_weekly", "keep-monthly": "keep_monthly", "min-keep": "min_keep",
	"mail-to": "mail_to", "mail-failure-to": "mail_failure_to", "mail-on": "mail_on", "alert-days": "alert_days",
}

func (a *app) jobListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list --config FILE",
		Short: "List the automatic backups in the config file",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.needConfigPath(); err != nil {
				return err
			}
			var names []string
			for n := range a.cfg.Jobs {
				names = append(names, n)
			}
			sort.Strings(names)
			type row struct {
				Name     string   `json:"name"`
				Time     string   `json:"time"`
				Weekdays []string `json:"weekdays,omitempty"`
				Variant  int      `json:"variant"`
				Source   string   `json:"source"`
				To       string   `json:"to"`
			}
			var rows []row
			for _, n := range names {
				b, _ := a.cfg.JobBackup(n)
				rows = append(rows, row{n, a.cfg.Jobs[n].Time, a.cfg.Jobs[n].Weekdays, b.Variant, b.Source, redactURL(b.To)})
			}
			if asJSON {
				if rows == nil {
					rows = []row{}
				}
				return a.printJSON(rows)
			}
			if len(rows) == 0 {
				fmt.Fprintln(a.stdout, a.t("No automatic backup is set up in %s: use 'posbackup job set'.", a.configPath))
			}
			for _, r := range rows {
				fmt.Fprintf(a.stdout, "%-12s %s at %s  variant %02d  %s -> %s\n", r.Name, dayText(msg.EN, r.Weekdays), r.Time, r.Variant, r.Source, r.To)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}

func (a *app) jobRemoveCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "remove NAME --config FILE",
		Short: "Remove an automatic backup from the config file",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.needConfigPath(); err != nil {
				return err
			}
			if err := config.RemoveJob(a.configPath, args[0]); err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, a.t("Job %s removed from %s.", args[0], a.configPath))
			return nil
		},
	}
}

// redactURL shows a destination without a password typed into it.
func redactURL(to string) string { return open.RedactAny(to) }
