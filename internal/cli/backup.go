package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/posbackup/posbackup/internal/job"
	"github.com/posbackup/posbackup/internal/profile"
	"github.com/posbackup/posbackup/internal/sysprio"
)

func (a *app) backupCmd() *cobra.Command {
	var (
		source, name, clients, role, lang, level string
		df                                       destFlags
		variant                                  int
		add                                      []string
		allowMissing, asJSON, lowPrio            bool
	)
	cmd := &cobra.Command{
		Use:   "backup --source DIR --variant N --to DEST",
		Short: "Back up an installation into a ZIP archive",
		Long: `Back up the installation folder into one ZIP archive at the destination.

The archive is written under a temporary name, checked, and only then renamed
over an older archive of the same name, so an interrupted run never destroys
the last good backup.

Variants: 01 master data, 02 master & transaction data, 03 master & transaction
data complete, 04 complete installation folder (see 'posbackup variants').

Name template tokens: {client} {weekday} {date} {time} {host} {variant};
the default {client}_{weekday} gives M001_Monday.zip.`,
		Example: `  posbackup backup --source 'C:\Hypers-!' --variant 3 --to E:\Backup
  posbackup backup --source /srv/pos --variant 2 --clients 1,2 --to /media/usb/backup --name '{client}_{weekday}' --lang de
  posbackup backup --config posbackup.toml --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			c := a.cfg
			source = pick(cmd, "source", source, c.Source)
			variant = pick(cmd, "variant", variant, c.Variant)
			name = pick(cmd, "name", name, c.Name)
			clients = pick(cmd, "clients", clients, c.Clients)
			role = pick(cmd, "role", role, c.Role)
			lang = pick(cmd, "lang", lang, c.Lang)
			level = pick(cmd, "level", level, c.Level)
			allowMissing = pick(cmd, "allow-missing", allowMissing, c.AllowMissing)
			lowPrio = pick(cmd, "low-priority", lowPrio, c.LowPriority)
			if !cmd.Flags().Changed("add") {
				add = append(add, c.Add...)
			}
			p, err := a.loadProfile()
			if err != nil {
				return err
			}
			if source == "" {
				return usagef("no installation folder: give --source DIR (the POS suite's folder, e.g. %s)", p.DefaultRoot)
			}
			if variant == 0 {
				return usagef("no variant: give --variant 1, 2, 3 or 4 (see 'posbackup variants')")
			}
			if _, err := p.Variant(variant); err != nil {
				return &usageErr{err.Error()}
			}
			cl, err := p.ParseClients(clients)
			if err != nil {
				return &usageErr{err.Error()}
			}
			r, err := profile.ParseRole(role)
			if err != nil {
				return &usageErr{err.Error()}
			}
			if _, err := job.ExpandName(name, job.NameTokens{Clients: []string{"M001"}, Time: time.Now(), Lang: lang}); err != nil {
				return &usageErr{err.Error()}
			}
			lvl, err := parseLevel(level)
			if err != nil {
				return err
			}
			d, warns, err := a.openDest(cmd, &df, true)
			if err != nil {
				return a.backupFailed(asJSON, err)
			}
			defer d.Close()
			if lowPrio {
				if err := sysprio.Lower(); err != nil {
					fmt.Fprintf(a.stderr, "posbackup: could not lower the priority (%v); backing up at normal priority.\n", err)
				}
			}
			prog := newProgress(a.stderr, asJSON)
			res, err := job.Backup(cmd.Context(), job.BackupRequest{
				Profile: p, Source: source, Variant: variant, Clients: cl, Role: r, Extras: add,
				Dest: d, NameTemplate: name, Lang: lang, AllowMissing: allowMissing, Level: lvl,
				OnEvent: prog.event,
			})
			prog.clear()
			if err != nil {
				return a.backupFailed(asJSON, err)
			}
			res.Warnings = append(warns, res.Warnings...)
			if asJSON {
				return a.printJSON(struct {
					OK bool `json:"ok"`
					*job.BackupResult
				}{true, res})
			}
			fmt.Fprintf(a.stdout, "Backup done: %s at %s\n", res.Archive, res.Location)
			fmt.Fprintf(a.stdout, "  variant %s, clients %s, %d files, %s (archive %s), checked\n",
				res.Variant, strings.Join(res.Clients, ", "), res.Files, humanBytes(res.Bytes), humanBytes(res.Size))
			for _, w := range res.Warnings {
				fmt.Fprintf(a.stdout, "  warning: %s\n", w)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&source, "source", "", "the installation folder of the POS suite")
	f.IntVar(&variant, "variant", 0, "backup variant 1-4 (see 'posbackup variants')")
	f.StringVar(&name, "name", "", "archive name template (default \"{client}_{weekday}\")")
	f.StringVar(&clients, "clients", "all", "clients to back up: all, or numbers like 1,2")
	f.StringVar(&role, "role", "location", "head-office or location (at a head office Arthist.dat is kept for client 1 only)")
	f.StringVar(&lang, "lang", "en", "language of {weekday}: en or de")
	f.StringVar(&level, "level", "default", "compression: fast, default or best")
	f.StringArrayVar(&add, "add", nil, "extra file or folder to include (repeatable)")
	f.BoolVar(&allowMissing, "allow-missing", false, "succeed even when some files cannot be read (they are listed as warnings)")
	df.register(cmd, true)
	f.BoolVar(&lowPrio, "low-priority", false, "run at low CPU and I/O priority so the tills stay responsive")
	f.BoolVar(&asJSON, "json", false, "print the result as one JSON object")
	return cmd
}

// backupFailed reports a failed backup: loudly, and as JSON when asked.
func (a *app) backupFailed(asJSON bool, err error) error {
	if asJSON {
		a.printJSON(map[string]any{"ok": false, "error": sentence(err.Error())})
	}
	fmt.Fprintln(a.stderr, "posbackup: BACKUP FAILED: "+sentence(err.Error()))
	return &exitErr{exitCode(err)}
}

func parseLevel(s string) (int, error) {
	switch strings.ToLower(s) {
	case "", "default":
		return 6, nil
	case "fast":
		return 1, nil
	case "best":
		return 9, nil
	}
	return 0, usagef("unknown --level %q: use fast, default or best", s)
}
