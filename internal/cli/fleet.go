package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/posbackup/posbackup/internal/dest/open"
	"github.com/posbackup/posbackup/internal/fleet"
	"github.com/posbackup/posbackup/internal/notify"
)

func (a *app) fleetCmd() *cobra.Command {
	var (
		df         destFlags
		staleAfter time.Duration
		expected   []string
		mailTo     []string
		asJSON     bool
	)
	cmd := &cobra.Command{
		Use:   "fleet --to DEST",
		Short: "Show every site of a chain: last success, failing, stale, missing",
		Long: `Show one line per site of a chain, worst first, from the status record each
site writes into its folder DEST/SITE/ after every run (see 'backup --site').

A site is stale when it has not succeeded within its period plus a margin
(its schedule's period from its record, else stale_after in the config, else
26h; --stale-after overrides all), failing when its last run failed, and
missing when it is expected (expected_sites in the config, or --expect) but
has never written. Also flagged: master data only (variant 01), and a
program or posbackup version that differs from the rest of the chain.

The exit code is 1 when any site is stale, failing or missing, for
monitoring; 0 when all are well.`,
		Example: `  posbackup fleet --to s3://chain-backups/pos --s3-endpoint https://s3.eu-central-1.wasabisys.com --s3-access-key HEADOFFICEKEY
  posbackup fleet --config headoffice.toml --json
  posbackup fleet --to \\nas\backup --expect berlin-01 --expect hamburg-02 --stale-after 50h`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			b := a.settings(cmd, &df)
			o, err := fleet.OptionsOf(a.cfg)
			if err != nil {
				return err
			}
			o.StaleAfter = staleAfter
			if cmd.Flags().Changed("expect") {
				o.Expected = expected
				for _, e := range o.Expected {
					if err := open.CheckSite(e); err != nil {
						return usagef("--expect: %s", err.Error())
					}
				}
			}
			if cmd.Flags().Changed("stale-after") && staleAfter <= 0 {
				return usagef("--stale-after must be a positive duration like 26h")
			}
			if strings.TrimSpace(b.To) == "" {
				return usagef("no destination: give --to (the chain's folder or bucket, without a site) or 'to' in the config file")
			}
			rep, warns, err := fleet.View(cmd.Context(), b, o, b.Timeout)
			a.warn(warns)
			if err != nil {
				return fleetFailed(a, asJSON, err)
			}
			if cmd.Flags().Changed("mail-to") || len(a.cfg.FleetMailTo) > 0 {
				to := a.cfg.FleetMailTo
				if cmd.Flags().Changed("mail-to") {
					to = mailTo
				}
				if m, ok := fleet.Mail(rep, to); ok {
					if err := notify.Send(cmd.Context(), notify.Server(a.cfg.Mail), m); err != nil {
						fmt.Fprintln(a.stderr, "posbackup: the report could not be mailed: "+sentence(err.Error()))
						if !rep.Bad() {
							return &exitErr{ExitFailed}
						}
					}
				}
			}
			if asJSON {
				a.printJSON(struct {
					OK bool `json:"ok"`
					*fleet.Report
				}{!rep.Bad(), rep})
			} else {
				printFleet(a, rep)
			}
			if rep.Bad() {
				return &exitErr{ExitFailed}
			}
			return nil
		},
	}
	df.register(cmd, true)
	f := cmd.Flags()
	f.DurationVar(&staleAfter, "stale-after", 0, "a site without a successful backup for longer is stale (overrides each site's own schedule and stale_after)")
	f.StringArrayVar(&expected, "expect", nil, "a site that must have written (repeatable; default expected_sites in the config)")
	f.BoolVar(&asJSON, "json", false, "print the view as one JSON object")
	f.StringArrayVar(&mailTo, "mail-to", nil, "mail the stale, failing and missing sites to this address via [mail] (repeatable; default fleet_mail_to); nothing is sent when all are well")
	return cmd
}

func fleetFailed(a *app, asJSON bool, err error) error {
	if asJSON {
		a.printJSON(map[string]any{"ok": false, "error": sentence(err.Error())})
	}
	fmt.Fprintln(a.stderr, "posbackup: "+sentence(err.Error()))
	return &exitErr{exitCode(err)}
}

func printFleet(a *app, rep *fleet.Report) {
	fmt.Fprintf(a.stdout, "Sites at %s: %d (%d stale, %d failing, %d missing)\n", rep.Destination, len(rep.Sites), rep.Stale, rep.Failing, rep.Missing)
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SITE\tSTATE\tLAST SUCCESS\tAGE\tLAST RESULT\tVARIANT\tSIZE\tPROGRAM\tPOSBACKUP")
	for _, s := range rep.Sites {
		last, age, result, variant, size, prog, pb := "never", "-", "-", "-", "-", "-", "-"
		if r := s.Record; r != nil {
			if !r.LastSuccess.IsZero() {
				last, age = r.LastSuccess.Local().Format("2006-01-02 15:04"), s.AgeText
			}
			result = r.Result + " " + r.LastAttempt.Local().Format("01-02 15:04")
			variant, prog, pb = orDash(r.Variant), orDash(r.ProgramVersion), orDash(r.PosbackupVersion)
			if r.Size > 0 {
				size = humanBytes(r.Size)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Name, strings.ToUpper(s.State), last, age, result, variant, size, prog, pb)
	}
	tw.Flush()
	for _, s := range rep.Sites {
		for _, f := range s.Flags {
			fmt.Fprintf(a.stdout, "  %s: %s\n", s.Name, f)
		}
	}
}
