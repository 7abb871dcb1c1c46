package cli

import (
	"errors"
	"os"
	"path"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/posbackup/posbackup/internal/archive"
	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/open"
	"github.com/posbackup/posbackup/internal/job"
	"github.com/posbackup/posbackup/internal/msg"
	"github.com/posbackup/posbackup/internal/runner"
)

// destFlags are the access data of a destination, shared by every command
// that reaches one. Passwords never come from a flag (flags show in the
// process list): the config, --password-file or POSBACKUP_PASSWORD.
type destFlags struct {
	to, protocol, user, passwordFile, keyFile, fingerprint, knownHosts string
	archivePasswordFile                                                string
	timeout                                                            time.Duration
	s3                                                                 s3Flags
}

// registerArchivePassword adds --archive-password-file, for the commands
// that write or read archives.
func (df *destFlags) registerArchivePassword(cmd *cobra.Command) {
	cmd.Flags().StringVar(&df.archivePasswordFile, "archive-password-file", "", "file whose first line is the password of encrypted archives (or archive_password in the config, or "+runner.ArchivePasswordEnv+")")
}

func (df *destFlags) register(cmd *cobra.Command, withTo bool) {
	f := cmd.Flags()
	if withTo {
		f.StringVar(&df.to, "to", "", "destination: a folder (E:\\Backup, \\\\nas\\share\\pos, /media/usb) or a server (ftp://, ftpes://, ftps://, sftp://host[:port]/folder)")
	}
	f.StringVar(&df.protocol, "protocol", "", "ftp, ftpes, ftps or sftp: read a --to without scheme (host/folder) as that kind of server")
	f.StringVar(&df.user, "user", "", "login name on the server")
	f.StringVar(&df.passwordFile, "password-file", "", "file whose first line is the server password (or set POSBACKUP_PASSWORD)")
	f.StringVar(&df.keyFile, "key", "", "SFTP private key file")
	f.StringVar(&df.fingerprint, "fingerprint", "", "pin the server's TLS certificate or SSH host key: SHA256:...")
	f.StringVar(&df.knownHosts, "known-hosts", "", "SFTP known_hosts file (default ~/.ssh/known_hosts)")
	f.DurationVar(&df.timeout, "timeout", 0, "connect and inactivity timeout for servers (default 30s)")
	df.s3.register(cmd)
}

// settings merges the flags with the config's backup settings.
func (a *app) settings(cmd *cobra.Command, df *destFlags) config.Backup {
	b := a.cfg.Backup
	b.To = pick(cmd, "to", df.to, b.To)
	b.Protocol = pick(cmd, "protocol", df.protocol, b.Protocol)
	b.User = pick(cmd, "user", df.user, b.User)
	if cmd.Flags().Changed("password-file") { // the flag wins over a password in the config
		b.Password, b.PasswordFile = "", df.passwordFile
	}
	b.KeyFile = pick(cmd, "key", df.keyFile, b.KeyFile)
	b.Fingerprint = pick(cmd, "fingerprint", df.fingerprint, b.Fingerprint)
	b.KnownHosts = pick(cmd, "known-hosts", df.knownHosts, b.KnownHosts)
	if cmd.Flags().Changed("archive-password-file") {
		b.ArchivePassword, b.ArchivePasswordFile = "", df.archivePasswordFile
	}
	df.s3.apply(cmd, &b)
	return b
}

// archivePassword is the password for reading encrypted archives; "" when
// none is set.
func (a *app) archivePassword(cmd *cobra.Command, df *destFlags) (string, error) {
	return runner.ArchivePassword(a.settings(cmd, df), os.Getenv)
}

// resolveDest merges the flags with the config and parses the destination.
func (a *app) resolveDest(cmd *cobra.Command, df *destFlags) (open.Spec, open.Options, error) {
	return runner.DestSpec(a.settings(cmd, df), df.timeout)
}

// openDest opens the destination. create makes a missing folder (backup);
// list and restore do not create one.
func (a *app) openDest(cmd *cobra.Command, df *destFlags, create bool) (dest.Destination, []string, error) {
	return runner.OpenDest(cmd.Context(), a.settings(cmd, df), create, df.timeout)
}

// openArchiveArg opens the ARCHIVE argument of info, verify and restore:
// a server URL to the archive (ftp://nas/betrieb1/M001_Montag.zip), a bare
// name at --to, or a file on this computer.
func (a *app) openArchiveArg(cmd *cobra.Command, df *destFlags, arg string) (*job.Archive, func(), error) {
	// The password is only needed for an encrypted archive: a password
	// file that cannot be read matters only then.
	pw, pwErr := a.archivePassword(cmd, df)
	ar, done, err := a.openArchiveWith(cmd, df, arg, pw)
	if pwErr != nil && errors.Is(err, archive.ErrPasswordNeeded) {
		return nil, nil, pwErr
	}
	return ar, done, err
}

func (a *app) openArchiveWith(cmd *cobra.Command, df *destFlags, arg, pw string) (*job.Archive, func(), error) {
	ctx := cmd.Context()
	if strings.Contains(arg, "://") {
		spec, err := open.ParseDefault(arg, "")
		if err == nil && spec.IsServer() {
			dir, name := path.Split(strings.TrimRight(spec.Folder, "/"))
			if name == "" || !strings.HasSuffix(strings.ToLower(name), ".zip") {
				return nil, nil, usagef("%s does not name a .zip archive on the server", spec.Redacted())
			}
			spec.Folder = strings.TrimSuffix(dir, "/")
			opts := runner.AccessOptions(a.settings(cmd, df), df.timeout)
			opts.NoCreate = true // reading an archive never creates its folder
			d, warns, err := open.Open(ctx, spec, opts)
			a.warn(warns)
			if err != nil {
				return nil, nil, err
			}
			ar, err := job.OpenArchiveIn(ctx, d, name, pw, a.cfg.TempDir)
			if err != nil {
				d.Close()
				return nil, nil, err
			}
			return ar, func() { ar.Close(); d.Close() }, nil
		}
	}
	to := pick(cmd, "to", df.to, a.cfg.To)
	if _, err := os.Stat(arg); err != nil && to != "" && !strings.ContainsAny(arg, `/\`) {
		d, warns, err := a.openDest(cmd, df, false)
		a.warn(warns)
		if err != nil {
			return nil, nil, err
		}
		ar, err := job.OpenArchiveIn(ctx, d, arg, pw, a.cfg.TempDir)
		if err != nil {
			d.Close()
			return nil, nil, err
		}
		return ar, func() { ar.Close(); d.Close() }, nil
	}
	ar, err := job.OpenPathPassword(arg, pw)
	if err != nil {
		return nil, nil, err
	}
	return ar, func() { ar.Close() }, nil
}

func (a *app) warn(ws []string) {
	for _, w := range ws {
		a.printf(a.stderr, "posbackup: %s\n", msg.T(a.language(), "warning: %s", a.sayText(w)))
	}
}
