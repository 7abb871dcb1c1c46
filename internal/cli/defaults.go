package cli

import (
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/status"
)

// findConfig fills in the machine-wide config (config.DefaultPath) when
// --config is not given: when that file exists, or when the command
// creates it. Without either, the command runs on flags alone.
func (a *app) findConfig(creates bool) {
	if a.configPath != "" {
		return
	}
	p := config.DefaultPath(os.Getenv)
	if p == "" {
		return
	}
	if creates || config.FileExists(p) {
		a.configPath = p
	}
}

// creates reports whether cmd writes the config file, so a missing one is
// created rather than refused.
func creates(cmd *cobra.Command) bool {
	p := cmd.Parent()
	return cmd.Name() == "set-secret" || (p != nil && cmd.Name() == "set" && p.Name() == "job") ||
		(p != nil && cmd.Name() == "install" && p.Name() == "service")
}

// notSetUpText is what 'posbackup status' says on a computer without any
// config: one line, and how to set one up.
const notSetUpText = "No automatic backup is set up on this computer: set one up in the backup dialog ('posbackup serve', tab Automatic backup), or with 'posbackup job set nightly --to DEST --variant N --time HH:MM' and then 'posbackup service install'."

// withNotSetUp makes the status command say notSetUpText (exit 1, not a
// usage error) when no config was given and none exists on this computer.
func (a *app) withNotSetUp(cmd *cobra.Command) *cobra.Command {
	inner := cmd.RunE
	cmd.RunE = func(c *cobra.Command, args []string) error {
		if a.configPath != "" {
			return inner(c, args)
		}
		if asJSON, _ := c.Flags().GetBool("json"); asJSON {
			a.printJSON(status.Report{Time: time.Now(), OK: false, Service: status.ServiceUnknown, Jobs: []status.JobStatus{},
				Warnings: []status.Warning{{Code: status.CodeNoAutomatic, Severity: status.Alert, Message: notSetUpText}}})
		} else {
			a.printf(a.stdout, "%s\n", notSetUpText)
		}
		return &exitErr{ExitFailed}
	}
	return cmd
}
