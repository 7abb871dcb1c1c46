package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/posbackup/posbackup/internal/job"
	"github.com/posbackup/posbackup/internal/msg"
	"github.com/posbackup/posbackup/internal/prepare"
	"github.com/posbackup/posbackup/internal/runlock"
	"github.com/posbackup/posbackup/internal/sysprio"
)

func (a *app) backupCmd() *cobra.Command {
	var (
		source, name, clients, role, level     string
		snap                                   string
		verify, tempDir                        string
		df                                     destFlags
		variant                                int
		add                                    []string
		allowMissing, asJSON, lowPrio, encrypt bool
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
			b := a.settings(cmd, &df)
			b.Source = pick(cmd, "source", source, b.Source)
			b.Variant = pick(cmd, "variant", variant, b.Variant)
			b.Name = pick(cmd, "name", name, b.Name)
			b.Clients = pick(cmd, "clients", clients, b.Clients)
			b.Role = pick(cmd, "role", role, b.Role)
			weekday := "en" // --lang names {weekday}'s language too; the locale does not (names stay as they were)
			if cmd.Flags().Changed("lang") {
				weekday = a.lang
			}
			b.Lang = pick(cmd, "lang", weekday, b.Lang)
			b.Level = pick(cmd, "level", level, b.Level)
			b.AllowMissing = pick(cmd, "allow-missing", allowMissing, b.AllowMissing)
			b.LowPriority = pick(cmd, "low-priority", lowPrio, b.LowPriority)
			b.Encrypt = pick(cmd, "encrypt", encrypt, b.Encrypt)
			b.Snapshot = pick(cmd, "snapshot", snap, b.Snapshot)
			b.Verify = pick(cmd, "verify", verify, b.Verify)
			b.TempDir = pick(cmd, "temp-dir", tempDir, b.TempDir)
			if cmd.Flags().Changed("add") {
				b.Add = add
			}
			prog := newProgress(a.stderr, asJSON)
			opts := prepare.Options{ProfilePath: a.profilePath, OnEvent: prog.event} // the timeout is in b (--timeout or the config)
			if _, err := prepare.Check(b, opts); err != nil {
				return err // bad usage: exit code 2, not a failed backup
			}
			unlock, err := a.manualLock()
			if err != nil {
				return a.backupFailed(asJSON, err)
			}
			defer unlock()
			pr, err := prepare.Prepare(cmd.Context(), b, opts)
			if err != nil {
				a.warn(pr.Warnings)
				return a.backupFailed(asJSON, err)
			}
			defer pr.Close()
			if a.configPath == "" {
				// No config, no state folder for the run lock: backups to
				// one destination keep apart by a lock of its own.
				path, err := runlock.DestPath(pr.Request.Dest.String())
				if err != nil {
					return a.backupFailed(asJSON, err)
				}
				unlockDest, err := prepare.LockFile(path)
				if err != nil {
					return a.backupFailed(asJSON, err)
				}
				defer unlockDest()
			}
			warns := pr.Warnings
			if b.LowPriority {
				if err := sysprio.Lower(); err != nil {
					fmt.Fprintf(a.stderr, "posbackup: could not lower the priority (%v); backing up at normal priority.\n", err)
				}
			}
			started := time.Now()
			res, err := job.Backup(cmd.Context(), pr.Request)
			prog.clear()
			recWarns := a.siteRecord(cmd.Context(), b, pr.Request.Dest, started, res, err)
			if err != nil {
				a.warn(recWarns)
				return a.backupFailed(asJSON, err)
			}
			warns = append(warns, recWarns...)
			res.Warnings = append(warns, res.Warnings...)
			if asJSON {
				return a.printJSON(struct {
					OK bool `json:"ok"`
					*job.BackupResult
				}{true, res})
			}
			a.printBackupDone(res)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&source, "source", "", "the installation folder of the POS suite (default: the profile's default folder, C:\\Hypers-! for the built-in one, when it exists)")
	f.IntVar(&variant, "variant", 0, "backup variant 1-4 (see 'posbackup variants')")
	f.StringVar(&name, "name", "", "archive name template (default \"{client}_{weekday}\")")
	f.StringVar(&clients, "clients", "all", "clients to back up: all, or numbers like 1,2")
	f.StringVar(&role, "role", "location", "head-office or location (at a head office Arthist.dat is kept for client 1 only)")
	f.StringVar(&level, "level", "default", "compression: fast, default or best")
	f.StringArrayVar(&add, "add", nil, "extra file or folder to include (repeatable)")
	f.BoolVar(&allowMissing, "allow-missing", false, "succeed even when some files cannot be read (they are listed as warnings)")
	df.register(cmd, true)
	df.registerArchivePassword(cmd)
	f.BoolVar(&encrypt, "encrypt", false, "encrypt the archive (WinZip AES-256, which 7-Zip opens) with the archive password")
	f.StringVar(&snap, "snapshot", "auto", "files the POS program holds open (Windows): auto reads them from a Volume Shadow Copy when run as administrator, on always tries, off never")
	f.BoolVar(&lowPrio, "low-priority", false, "run at low CPU and I/O priority so the tills stay responsive")
	f.BoolVar(&asJSON, "json", false, "print the result as one JSON object")
	f.StringVar(&verify, "verify", "full", "check before the older archive is replaced: full (read the archive back from where it is kept) or quick (a server's size and the local copy, for very slow lines)")
	f.StringVar(&tempDir, "temp-dir", "", "folder for the upload's resume copy and the read-back, about the size of the data (default: the system's temp folder)")
	return cmd
}

// backupFailed reports a failed backup: loudly, and as JSON when asked.
func (a *app) backupFailed(asJSON bool, err error) error {
	if asJSON {
		a.printJSON(map[string]any{"ok": false, "error": sentence(err.Error())})
	}
	fmt.Fprintln(a.stderr, "posbackup: "+msg.T(a.language(), "BACKUP FAILED: %s", a.say(err)))
	return &exitErr{exitCode(err)}
}
