// Package cli is posbackup's command line: one file per command. It parses
// flags and the config file, calls internal/job, and prints.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/job"
	"github.com/posbackup/posbackup/internal/msg"
	"github.com/posbackup/posbackup/internal/osservice"
	"github.com/posbackup/posbackup/internal/profile"
	"github.com/posbackup/posbackup/internal/status"
)

// Exit codes.
const (
	ExitOK     = 0
	ExitFailed = 1
	ExitUsage  = 2
)

// app holds what every command shares.
type app struct {
	stdout, stderr io.Writer
	stdin          io.Reader
	configPath     string
	profilePath    string
	cfg            *config.Config
	lang           string // --lang: the language of the messages (de or en; "" = the system's)
}

// language is the language the command line speaks: --lang, else the
// system's (msg.System).
func (a *app) language() string {
	if a.lang != "" {
		return a.lang
	}
	return msg.System()
}

// say is err as the sentence the command line shows, in its language:
// the job's and the destinations' messages from the catalogue
// (internal/msg), in English exactly as they are made.
func (a *app) say(err error) string {
	if a.language() == msg.DE {
		return sentence(msg.Of(msg.DECLI, err))
	}
	return sentence(err.Error())
}

// sayWarning is a status warning in the command line's language.
func (a *app) sayWarning(w status.Warning) string {
	if a.language() == msg.DE && w.Key != nil && w.Key.String() == w.Message {
		return sentence(msg.Of(msg.DECLI, w.Key))
	}
	if a.language() == msg.DE {
		return a.sayText(w.Message)
	}
	return w.Message
}

// sayText is a text made below (a warning) in the command line's language.
func (a *app) sayText(s string) string {
	if a.language() == msg.DE {
		return sentence(msg.Translate(msg.DECLI, s))
	}
	return sentence(s)
}

// usageErr marks bad usage or configuration (exit code 2).
type usageErr struct{ msg string }

func (e *usageErr) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageErr{fmt.Sprintf(format, a...)} }

// exitErr carries an exit code for a failure already reported.
type exitErr struct{ code int }

func (e *exitErr) Error() string { return fmt.Sprintf("exit %d", e.code) }

// Main runs the command line and returns the process exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a := &app{stdout: stdout, stderr: stderr, stdin: stdin}
	root := a.rootCmd()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetIn(stdin)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var ee *exitErr
	if errors.As(err, &ee) {
		return ee.code
	}
	fmt.Fprintln(stderr, "posbackup: "+a.say(err))
	return exitCode(err)
}

func exitCode(err error) int {
	var ue *usageErr
	var jue *job.UsageError
	if errors.As(err, &ue) || errors.As(err, &jue) {
		return ExitUsage
	}
	if strings.HasPrefix(err.Error(), "unknown command") || strings.HasPrefix(err.Error(), "unknown flag") ||
		strings.Contains(err.Error(), "arg(s)") || strings.HasPrefix(err.Error(), "required flag") {
		return ExitUsage
	}
	return ExitFailed
}

// sentence: see job.Sentence.
var sentence = job.Sentence

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "posbackup",
		Short: "Back up, check and restore point-of-sale installations",
		Long: `posbackup packs the files needed to bring a POS system back into standard ZIP
archives, stores them on a folder (local disk, USB medium, network drive, UNC
path), and lists, checks and restores them.

Start with 'posbackup demo' to see it work on a built-in example.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if err := a.checkLang(cmd); err != nil {
				return err
			}
			writes := creates(cmd)
			a.findConfig(writes)
			if _, err := os.Stat(a.configPath); writes && os.IsNotExist(err) {
				a.cfg = &config.Config{} // the command creates it
			} else if a.configPath != "" {
				c, err := config.Load(a.configPath)
				if err != nil {
					return &usageErr{err.Error()}
				}
				a.cfg = c
				a.warn(c.Warnings())
			} else {
				a.cfg = &config.Config{}
			}
			return nil
		},
	}
	root.PersistentFlags().StringVar(&a.configPath, "config", "", "read settings from this TOML file (flags override it); default: $POSBACKUP_CONFIG, else the machine-wide "+config.DefaultPath(func(string) string { return "" })+" when it exists")
	root.PersistentFlags().StringVar(&a.lang, "lang", "", "language of the messages, and for 'backup' of {weekday} in the archive name: de or en (default: the system's language for messages, en for {weekday})")
	root.PersistentFlags().StringVar(&a.profilePath, "profile", "", "installation layout file (default: the built-in profile; see 'posbackup profile')")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		msg, _, _ := strings.Cut(err.Error(), ": strconv.") // keep the user's words, not Go's
		return &usageErr{msg + " (see --help)"}
	})
	root.AddCommand(a.backupCmd(), a.listCmd(), a.infoCmd(), a.verifyCmd(), a.restoreCmd(), a.variantsCmd(), a.profileCmd(), a.demoCmd(), a.testAccessCmd(), a.configCmd(), a.jobCmd(), a.serviceCmd(), a.notifyCmd(), a.serveCmd(),
		a.withNotSetUp(a.statusCmd("status", func() *osservice.Manager { return &osservice.Manager{ConfigPath: a.configPath} })))
	root.AddCommand(a.fleetCmd())
	root.AddCommand(a.setupCmd(), a.dialogCmd()) // installer.go: what the MSI and its Start-menu entry run
	root.CompletionOptions.DisableDefaultCmd = true
	return root
}

// checkLang checks --lang. A command with its own --lang ('job set', the
// job's weekday language) leaves the messages to the system's language.
func (a *app) checkLang(cmd *cobra.Command) error {
	if cmd.LocalNonPersistentFlags().Lookup("lang") != nil {
		return nil
	}
	switch strings.ToLower(a.lang) {
	case "":
	case msg.DE, msg.EN:
		a.lang = strings.ToLower(a.lang)
	default:
		l := a.lang
		a.lang = ""
		return usagef("--lang %s: use de or en", l)
	}
	return nil
}

// loadProfile returns the profile from --profile, the config, or the
// built-in one.
func (a *app) loadProfile() (*profile.Profile, error) {
	path := a.profilePath
	if path == "" {
		path = a.cfg.Profile
	}
	if path == "" {
		return profile.Default(), nil
	}
	p, err := profile.Load(path)
	if err != nil {
		return nil, &usageErr{err.Error()}
	}
	return p, nil
}

func (a *app) printf(w io.Writer, format string, args ...any) { fmt.Fprintf(w, format, args...) }

func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// pick returns the flag's value when it was given, else the config's.
func pick[T comparable](cmd *cobra.Command, flag string, flagVal, cfgVal T) T {
	var zero T
	if cmd.Flags().Changed(flag) || cfgVal == zero {
		return flagVal
	}
	return cfgVal
}

// humanBytes is a size as msg.Bytes shows it everywhere: 1.5 MiB.
var humanBytes = msg.Bytes[int64]
