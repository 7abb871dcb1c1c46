package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/posbackup/posbackup/internal/profile"
)

func (a *app) variantsCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "variants",
		Short: "List the backup variants and what each contains",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := a.loadProfile()
			if err != nil {
				return err
			}
			type vj struct {
				Number   string   `json:"number"`
				Title    string   `json:"title"`
				Datasets []string `json:"datasets"`
			}
			var out []vj
			for _, v := range p.Variants {
				var ds []string
				for _, id := range v.Datasets {
					ds = append(ds, p.Dataset(id).Title)
				}
				if v.Everything {
					ds = []string{"everything under the installation folder except " + strings.Join(p.Never, ", ")}
				}
				out = append(out, vj{v.Code(), v.Title, ds})
			}
			if asJSON {
				return a.printJSON(out)
			}
			for _, v := range out {
				fmt.Fprintf(a.stdout, "%s  %s\n", v.Number, v.Title)
				for _, d := range v.Datasets {
					fmt.Fprintf(a.stdout, "      - %s\n", d)
				}
			}
			for _, d := range p.Datasets {
				if len(d.HeadOfficeClients) > 0 {
					fmt.Fprintf(a.stdout, "\nAt a head office (--role head-office) the %s is backed up for client %v only.\n", d.Title, d.HeadOfficeClients)
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}

func (a *app) profileCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "profile",
		Short: "Print the built-in installation profile (copy it to make your own)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if a.profilePath != "" || a.cfg.Profile != "" {
				return usagef("'posbackup profile' prints the built-in profile; your own is the file you gave")
			}
			_, err := a.stdout.Write(profile.DefaultTOML())
			return err
		},
	}
}
