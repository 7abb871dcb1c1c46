package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/posbackup/posbackup/internal/service"
)

func (a *app) notifyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "notify",
		Short: "E-mail reports ([mail] in the config): send a test mail",
	}
	var to []string
	test := &cobra.Command{
		Use:   "test --config FILE [--to ADDRESS]",
		Short: "Send a test mail through the config's mail server",
		Long: `Sends a test mail through the [mail] server of the config, to --to or to
every recipient of the config's jobs, and says plainly what went wrong if
it could not.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.needConfigPath(); err != nil {
				return err
			}
			sent, err := service.TestMail(cmd.Context(), a.cfg, to)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "A test mail was sent to %s.\n", strings.Join(sent, ", "))
			return nil
		},
	}
	test.Flags().StringSliceVar(&to, "to", nil, "recipient (default: the recipients of the config's jobs)")
	cmd.AddCommand(test)
	return cmd
}
