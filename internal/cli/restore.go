package cli

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/posbackup/posbackup/internal/job"
	"github.com/posbackup/posbackup/internal/job/only"
)

func (a *app) restoreCmd() *cobra.Command {
	var (
		target              string
		onlyWords           []string
		dryRun, yes, asJSON bool
		df                  destFlags
	)
	cmd := &cobra.Command{
		Use:   "restore ARCHIVE --target DIR",
		Short: "Restore a backup completely or in parts",
		Long: `Restore a backup into a target folder (default: the installation folder from
the config). Same-named files are overwritten, missing ones added, other files
in the target are left alone. The archive is checked before anything is written.

--only (repeatable) restores a part: master, transactions, program, extra,
client:N, a data set (global, stamm, journal, journal-archive, arthist) or a
path pattern such as 'Daten/M001/Stamm' or '*.ini'.`,
		Example: `  posbackup restore E:\Backup\M001_Monday.zip --target 'C:\Hypers-!'
  posbackup restore backup.zip --target /tmp/check --only master --only client:2 --dry-run`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			target = pick(cmd, "target", target, a.cfg.Source)
			if target == "" {
				return usagef("no target: give --target DIR (the folder to restore into)")
			}
			p, err := a.loadProfile()
			if err != nil {
				return err
			}
			parts, err := only.Parse(onlyWords, p)
			if err != nil {
				return err
			}
			if !dryRun { // a backup must not read the installation while it is restored, nor prune this archive
				unlock, err := a.manualLock()
				if err != nil {
					return err
				}
				defer unlock()
			}
			ar, done, err := a.openArchiveArg(cmd, &df, args[0])
			if err != nil {
				return err
			}
			defer done()
			prog := newProgress(a.stderr, asJSON)
			res, err := job.Restore(cmd.Context(), job.RestoreRequest{Archive: ar, Profile: p, Target: target, Only: parts, DryRun: dryRun, Confirm: a.confirmOverwrite(yes, target), OnEvent: prog.event})
			prog.clear()
			if errors.Is(err, job.ErrNothingSelected) {
				if uerr := only.Unknown(onlyWords, p); uerr != nil {
					err = uerr // a misspelt part, more likely than a missing folder
				}
			}
			if err != nil {
				if asJSON {
					a.printJSON(map[string]any{"ok": false, "error": sentence(err.Error())})
				}
				return err
			}
			if asJSON {
				return a.printJSON(struct {
					OK bool `json:"ok"`
					*job.RestoreResult
				}{true, res})
			}
			a.printRestored(res, dryRun, target)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&target, "target", "", "folder to restore into (default: the config's source)")
	f.StringArrayVar(&onlyWords, "only", nil, "restore only this part (repeatable): master, transactions, client:N, a data set or a path pattern")
	f.BoolVar(&dryRun, "dry-run", false, "show what would be restored, write nothing")
	f.BoolVar(&yes, "yes", false, "overwrite existing files without asking")
	f.BoolVar(&asJSON, "json", false, "print the result as JSON")
	df.register(cmd, true)
	df.registerArchivePassword(cmd)
	return cmd
}

// confirmOverwrite asks on the terminal before files are overwritten (yes:
// --yes was given); without a terminal the answer is no.
func (a *app) confirmOverwrite(yes bool, target string) func(over []string) bool {
	return func(over []string) bool {
		if yes {
			return true
		}
		f, ok := a.stdin.(*os.File)
		if !ok || !term.IsTerminal(int(f.Fd())) {
			return false
		}
		fmt.Fprintf(a.stderr, "%d file(s) in %s will be overwritten, for example %s.\nContinue? [y/N] ", len(over), target, over[0])
		line, _ := bufio.NewReader(f).ReadString('\n')
		ans := strings.ToLower(strings.TrimSpace(line))
		return ans == "y" || ans == "yes" || ans == "j" || ans == "ja"
	}
}

// printRestored tells what the restore did, or in a dry run would do.
func (a *app) printRestored(res *job.RestoreResult, dryRun bool, target string) {
	for _, w := range res.Warnings {
		fmt.Fprintf(a.stdout, "warning: %s\n", w)
	}
	verb := "Restored"
	if dryRun {
		verb = "Dry run, nothing written. Would restore"
		for _, n := range res.Added {
			fmt.Fprintf(a.stdout, "  add      %s\n", n)
		}
		for _, n := range res.Replaced {
			fmt.Fprintf(a.stdout, "  replace  %s\n", n)
		}
	}
	fmt.Fprintf(a.stdout, "%s %d file(s) into %s: %d added, %d replaced, %s.\n", verb, len(res.Added)+len(res.Replaced), target, len(res.Added), len(res.Replaced), humanBytes(res.Bytes))
}
