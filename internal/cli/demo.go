package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/posbackup/posbackup/internal/demo"
	"github.com/posbackup/posbackup/internal/dest/local"
	"github.com/posbackup/posbackup/internal/job"
	"github.com/posbackup/posbackup/internal/profile"
)

func (a *app) demoCmd() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "See posbackup work: back up, list and check a built-in example installation",
		Long: `Make a small example POS installation (two clients, journals, an archive of
closed periods, temporary files that must not be backed up), back it up with
variant 03 to a backup folder beside it, list the backups there and verify the
archive. Uses a new temporary folder unless --dir is given.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if dir == "" {
				d, err := os.MkdirTemp("", "posbackup-demo-")
				if err != nil {
					return err
				}
				dir = d
			}
			src := filepath.Join(dir, "Hypers-!")
			to := filepath.Join(dir, "Backup")
			n, err := demo.Make(src)
			if err != nil {
				return fmt.Errorf("cannot make the demo installation in %s: %v", src, err)
			}
			fmt.Fprintf(a.stdout, "1. Made a demo installation with %d files in %s\n", n, src)
			d, err := local.Open(to, true)
			if err != nil {
				return err
			}
			res, err := job.Backup(cmd.Context(), job.BackupRequest{Profile: profile.Default(), Source: src, Variant: 3, Dest: d, NameTemplate: "{client}_{weekday}"})
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "2. Backed it up (variant %s, clients %v): %d files, %s into %s (temporary files, logs and lock files left out)\n",
				res.Variant, res.Clients, res.Files, humanBytes(res.Size), filepath.Join(to, res.Archive))
			for _, w := range res.Warnings {
				fmt.Fprintf(a.stdout, "   warning: %s\n", w)
			}
			fmt.Fprintf(a.stdout, "3. The backups in %s:\n", to)
			items, err := job.List(cmd.Context(), d)
			if err != nil {
				return err
			}
			for _, l := range items {
				fmt.Fprintf(a.stdout, "   %s  %s  variant %s  %d files  program %s\n", l.Name, l.Time().Local().Format("2006-01-02 15:04"), l.Manifest.VariantCode(), l.Manifest.FileCount(), l.Manifest.ProgramVersion)
			}
			ar, err := job.OpenPath(filepath.Join(to, res.Archive))
			if err != nil {
				return err
			}
			defer ar.Close()
			rep, err := ar.Verify(cmd.Context(), nil, nil)
			if err != nil {
				return err
			}
			if !rep.OK() {
				return fmt.Errorf("the demo archive failed its check: %s %s", rep.Damaged[0].Name, rep.Damaged[0].Reason)
			}
			fmt.Fprintf(a.stdout, "4. Verified %s: %d entries intact.\n", res.Archive, rep.Checked)
			fmt.Fprintf(a.stdout, "\nTry: posbackup info %s --files\n     posbackup restore %s --target %s --only client:2 --dry-run\n",
				filepath.Join(to, res.Archive), filepath.Join(to, res.Archive), filepath.Join(dir, "Restore"))
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "folder for the demo installation and its backups (default: a new temporary folder)")
	return cmd
}
