package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

func (a *app) infoCmd() *cobra.Command {
	var df destFlags
	var asJSON, files bool
	cmd := &cobra.Command{
		Use:   "info ARCHIVE",
		Short: "Show what a backup holds (its manifest)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ar, done, err := a.openArchiveArg(cmd, &df, args[0])
			if err != nil {
				return err
			}
			defer done()
			m := ar.Manifest
			if ar.ManifestErr != nil {
				return fmt.Errorf("%s: %v. Run 'posbackup verify' on it for details", args[0], ar.ManifestErr)
			}
			if m == nil {
				return fmt.Errorf("%s is a ZIP archive but not a posbackup backup (it has no manifest); 'posbackup verify' still checks it", args[0])
			}
			if asJSON {
				return a.printJSON(m)
			}
			w := a.stdout
			fmt.Fprintf(w, "Backup          %s\n", args[0])
			fmt.Fprintf(w, "Variant         %s %s\n", m.VariantCode(), m.VariantTitle)
			fmt.Fprintf(w, "Clients         %s\n", orDash(strings.Join(m.Clients, ", ")))
			fmt.Fprintf(w, "Role            %s\n", orDash(m.Role))
			fmt.Fprintf(w, "Program version %s\n", orDash(m.ProgramVersion))
			fmt.Fprintf(w, "Host            %s\n", m.Host)
			fmt.Fprintf(w, "Source          %s\n", m.Source)
			fmt.Fprintf(w, "Started         %s\n", m.Started.Local().Format("2006-01-02 15:04:05"))
			fmt.Fprintf(w, "Finished        %s\n", m.Finished.Local().Format("2006-01-02 15:04:05"))
			fmt.Fprintf(w, "Files           %d, %s\n", m.FileCount(), humanBytes(m.TotalSize()))
			fmt.Fprintf(w, "Made by         %s (profile %s)\n", m.Tool, m.Profile)
			for _, wr := range m.Warnings {
				fmt.Fprintf(w, "Warning         %s\n", wr)
			}
			if files {
				fmt.Fprintln(w)
				for _, f := range m.Files {
					fmt.Fprintf(w, "%12d  %s  %s\n", f.Size, f.ModTime.Local().Format("2006-01-02 15:04:05"), f.Name)
				}
			}
			return nil
		},
	}
	df.register(cmd, true)
	df.registerArchivePassword(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the whole manifest as JSON")
	cmd.Flags().BoolVar(&files, "files", false, "also list every file")
	return cmd
}
