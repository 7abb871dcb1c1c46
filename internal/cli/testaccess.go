package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/posbackup/posbackup/internal/dest/open"
	"github.com/posbackup/posbackup/internal/msg"
)

func (a *app) testAccessCmd() *cobra.Command {
	var df destFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "test-access --to DEST",
		Short: "Test access data: check a destination step by step",
		Long: `Check the destination the way a backup uses it and say in one sentence what
is wrong, or OK. For a server: name lookup, connection, TLS certificate or SSH
host key, login, folder (created when missing), then writing, renaming,
listing and deleting a small probe file. For a folder: the medium and folder,
then the same probe. Stops at the first step that fails. Exit 0 when all pass.`,
		Example: `  posbackup test-access --to ftpes://meinesicherung.meinftp.de/betrieb1 --user kasse --password-file pw.txt
  posbackup test-access --to nas.local/backup --protocol sftp --user kasse --key id_ed25519
  posbackup test-access --to '\\nas\backup\kasse'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			spec, opts, err := a.resolveDest(cmd, &df)
			if err != nil {
				return err
			}
			a.warn(spec.Warnings)
			steps := open.TestAccess(cmd.Context(), spec, opts)
			ok := len(steps) > 0 && steps[len(steps)-1].OK
			if asJSON {
				a.printJSON(map[string]any{"ok": ok, "destination": spec.Redacted(), "steps": steps})
			} else {
				// The steps that passed go to stdout, the failing one (once) to stderr.
				for _, s := range steps {
					mark, w, text := "ok  ", a.stdout, s.Message
					if a.language() == msg.DE {
						text = a.sayText(s.Message)
					}
					if !s.OK {
						mark, w, text = "FAIL", a.stderr, a.sayText(s.Message)
						if s.Err != nil && s.Err.Error() == s.Message {
							text = a.say(s.Err) // the error's own message key translates it exactly
						}
					}
					fmt.Fprintf(w, "%s  %-16s %s\n", mark, s.Name, text)
				}
				if ok {
					fmt.Fprintln(a.stdout, a.t("OK: %s can take backups.", spec.Redacted()))
				}
			}
			if !ok {
				return &exitErr{ExitFailed}
			}
			return nil
		},
	}
	df.register(cmd, true)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the steps as JSON")
	return cmd
}
