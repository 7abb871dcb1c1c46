package cli

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/posbackup/posbackup/internal/config"
)

func (a *app) configCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Work on the configuration file",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "set-secret NAME --config FILE",
		Short: "Store a password in the config file, read from the terminal without echo",
		Long: `Read a secret (` + strings.Join(config.SecretNames, ", ") + `) from the terminal without
showing it, or the first line of standard input when it is not a terminal, and
write it into the config file. The file is written readable by its owner only;
on Windows the secret is protected by the machine's data protection API, so the
service can read it back and a copy of the file on another computer cannot.`,
		Example: `  posbackup config set-secret password --config posbackup.toml`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if a.configPath == "" {
				return usagef("give the config file to write with --config FILE")
			}
			if !config.IsSecret(args[0]) {
				return usagef("%q is not a secret setting: use one of %s", args[0], strings.Join(config.SecretNames, ", "))
			}
			secret, err := a.readSecret(args[0])
			if err != nil {
				return err
			}
			if err := config.SetSecret(a.configPath, args[0], secret); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Stored %s in %s.\n", args[0], a.configPath)
			return nil
		},
	})
	return cmd
}

// readSecret reads a secret from the terminal without echo (prompting with
// name), or the first line of standard input when it is not a terminal.
func (a *app) readSecret(name string) (string, error) {
	var secret string
	if f, ok := a.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprintf(a.stderr, "%s: ", name)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(a.stderr)
		if err != nil {
			return "", fmt.Errorf("cannot read from the terminal: %v", err)
		}
		secret = string(b)
	} else {
		line, err := bufio.NewReader(a.stdin).ReadString('\n')
		if err != nil && line == "" {
			return "", usagef("no %s on standard input", name)
		}
		secret = strings.TrimRight(line, "\r\n")
	}
	if secret == "" {
		return "", usagef("the %s is empty: nothing was written", name)
	}
	return secret, nil
}
