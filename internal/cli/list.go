package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/posbackup/posbackup/internal/job"
)

func (a *app) listCmd() *cobra.Command {
	var df destFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list --to DEST",
		Short: "List the backups at a destination, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			d, warns, err := a.openDest(cmd, &df, false)
			a.warn(warns)
			if err != nil {
				return err
			}
			defer d.Close()
			pw, err := a.archivePassword(cmd, &df)
			if err != nil {
				return err
			}
			items, err := job.ListPassword(cmd.Context(), d, pw)
			if err != nil {
				return err
			}
			if asJSON {
				out := []map[string]any{}
				for _, l := range items {
					m := map[string]any{"name": l.Name, "size": l.Size, "stored": l.Stored}
					if l.Problem != "" {
						m["problem"] = l.Problem
					}
					if mf := l.Manifest; mf != nil {
						m["started"], m["variant"], m["clients"], m["host"] = mf.Started, mf.VariantCode(), mf.Clients, mf.Host
						m["program_version"], m["files"], m["bytes"], m["role"] = mf.ProgramVersion, mf.FileCount(), mf.TotalSize(), mf.Role
					}
					out = append(out, m)
				}
				return a.printJSON(out)
			}
			if len(items) == 0 {
				fmt.Fprintln(a.stdout, a.t("No backups at %s.", d))
				return nil
			}
			tw := tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tTIME\tVARIANT\tCLIENTS\tFILES\tSIZE\tHOST\tPROGRAM")
			for _, l := range items {
				if l.Manifest == nil {
					fmt.Fprintf(tw, "%s\t%s\t-\t-\t-\t%s\t-\t(%s)\n", l.Name, l.Stored.Format("2006-01-02 15:04"), humanBytes(l.Size), l.Problem)
					continue
				}
				m := l.Manifest
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", l.Name, m.Started.Local().Format("2006-01-02 15:04"), m.VariantCode(),
					strings.Join(m.Clients, ","), m.FileCount(), humanBytes(l.Size), m.Host, orDash(m.ProgramVersion))
			}
			return tw.Flush()
		},
	}
	df.register(cmd, true)
	df.registerArchivePassword(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
