package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

func (a *app) verifyCmd() *cobra.Command {
	var df destFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "verify ARCHIVE",
		Short: "Check every entry's CRC and every file's SHA-256 against the manifest",
		Long: `Read the whole archive and check it: every entry's CRC-32, and every file's
size and SHA-256 against the manifest. Exit code 0 when intact, 1 when damaged.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ar, done, err := a.openArchiveArg(cmd, &df, args[0])
			if err != nil {
				if asJSON {
					a.printJSON(map[string]any{"ok": false, "error": sentence(err.Error())})
				}
				return err
			}
			defer done()
			rep, err := ar.Verify(cmd.Context(), nil, nil)
			if err != nil {
				return err
			}
			if asJSON {
				a.printJSON(map[string]any{"ok": rep.OK(), "archive": args[0], "checked": rep.Checked, "bytes": rep.Bytes, "damaged": rep.Damaged, "has_manifest": ar.Manifest != nil})
			} else if rep.OK() {
				fmt.Fprintln(a.stdout, a.t("%s is intact: %d entries, %s checked.", args[0], rep.Checked, humanBytes(rep.Bytes)))
				if ar.Manifest == nil {
					fmt.Fprintln(a.stdout, "It has no posbackup manifest, so only the ZIP checksums were checked.")
				}
			} else {
				fmt.Fprintf(a.stdout, "%s is DAMAGED: %d of %d entries failed the check.\n", args[0], len(rep.Damaged), rep.Checked)
				for _, d := range rep.Damaged {
					fmt.Fprintf(a.stdout, "  %s: %s\n", d.Name, d.Reason)
				}
			}
			if !rep.OK() {
				return &exitErr{ExitFailed}
			}
			return nil
		},
	}
	df.register(cmd, true)
	df.registerArchivePassword(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}
