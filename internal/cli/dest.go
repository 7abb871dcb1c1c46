package cli

import (
	"errors"
	"os"
	"path"
	"strings"

	"github.com/spf13/cobra"

	"github.com/posbackup/posbackup/internal/archive"
	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/open"
	"github.com/posbackup/posbackup/internal/job"
	"github.com/posbackup/posbackup/internal/msg"
	"github.com/posbackup/posbackup/internal/prepare"
)

// destFlags are the access data of a destination: the one set of flags
// every command that reaches one takes (backup, list, info, verify, restore,
// test-access, fleet, job set). The flags write into set, and only the flags
// given count (destFlagKeys), so a command merges them over the config and
// job set stores them in a job the same way. Passwords never come from a
// flag (flags show in the process list): the config, --password-file or
// POSBACKUP_PASSWORD.
type destFlags struct {
	set config.Backup
}

// destFlagKeys maps each destination flag to the settings (TOML names) it
// sets. A password or key file given wins over a secret in the config or
// job: the flag sets the secret too (to "").
var destFlagKeys = map[string][]string{
	"to": {"to"}, "protocol": {"protocol"}, "user": {"user"}, "password-file": {"password_file", "password"},
	"key": {"key_file"}, "fingerprint": {"fingerprint"}, "known-hosts": {"known_hosts"}, "timeout": {"timeout"},
	"s3-endpoint": {"s3_endpoint"}, "s3-region": {"s3_region"}, "s3-path-style": {"s3_path_style"},
	"s3-access-key": {"s3_access_key"}, "s3-secret-key-file": {"s3_secret_key_file", "s3_secret_key"}, "site": {"site"},
	"archive-password-file": {"archive_password_file", "archive_password"},
}

// registerArchivePassword adds --archive-password-file, for the commands
// that write or read archives.
func (df *destFlags) registerArchivePassword(cmd *cobra.Command) {
	cmd.Flags().StringVar(&df.set.ArchivePasswordFile, "archive-password-file", "", "file whose first line is the password of encrypted archives (or archive_password in the config, or "+prepare.ArchivePasswordEnv+")")
}

func (df *destFlags) register(cmd *cobra.Command, withTo bool) {
	f, b := cmd.Flags(), &df.set
	if withTo {
		f.StringVar(&b.To, "to", "", "destination: a folder (E:\\Backup, \\\\nas\\share\\pos, /media/usb) or a server (ftp://, ftpes://, ftps://, sftp://host[:port]/folder)")
	}
	f.StringVar(&b.Protocol, "protocol", "", "ftp, ftpes, ftps or sftp: read a --to without scheme (host/folder) as that kind of server")
	f.StringVar(&b.User, "user", "", "login name on the server")
	f.StringVar(&b.PasswordFile, "password-file", "", "file whose first line is the server password (or 'posbackup config set-secret password', or set POSBACKUP_PASSWORD)")
	f.StringVar(&b.KeyFile, "key", "", "SFTP private key file")
	f.StringVar(&b.Fingerprint, "fingerprint", "", "pin the server's TLS certificate or SSH host key: SHA256:...")
	f.StringVar(&b.KnownHosts, "known-hosts", "", "SFTP known_hosts file (default ~/.ssh/known_hosts)")
	f.DurationVar(&b.Timeout, "timeout", 0, "connect and inactivity timeout for servers, e.g. 1m (default: timeout in the config, or 30s)")
	registerS3(f, b)
}

// keys are the settings the flags given on cmd set.
func (df *destFlags) keys(cmd *cobra.Command) []string {
	var keys []string
	for flag, ks := range destFlagKeys {
		if f := cmd.Flags().Lookup(flag); f != nil && f.Changed {
			keys = append(keys, ks...)
		}
	}
	return keys
}

// over returns b with the settings the flags given on cmd set.
func (df *destFlags) over(cmd *cobra.Command, b config.Backup) config.Backup {
	j, err := config.UpdateJob(&config.Job{Backup: b}, &config.Job{Backup: df.set}, df.keys(cmd))
	if err != nil { // a key in destFlagKeys that is no setting: TestDestFlagKeys
		panic(err)
	}
	return j.Backup
}

// settings merges the flags with the config's backup settings.
func (a *app) settings(cmd *cobra.Command, df *destFlags) config.Backup {
	return df.over(cmd, a.cfg.Backup)
}

// archivePassword is the password for reading encrypted archives; "" when
// none is set.
func (a *app) archivePassword(cmd *cobra.Command, df *destFlags) (string, error) {
	return prepare.ArchivePassword(a.settings(cmd, df), os.Getenv)
}

// resolveDest merges the flags with the config and parses the destination.
func (a *app) resolveDest(cmd *cobra.Command, df *destFlags) (open.Spec, open.Options, error) {
	b := a.settings(cmd, df)
	return prepare.DestSpec(b, b.Timeout)
}

// openDest opens the destination. create makes a missing folder (backup);
// list and restore do not create one.
func (a *app) openDest(cmd *cobra.Command, df *destFlags, create bool) (dest.Destination, []string, error) {
	b := a.settings(cmd, df)
	return prepare.OpenDest(cmd.Context(), b, create, b.Timeout)
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
			b := a.settings(cmd, df)
			opts := prepare.AccessOptions(b, b.Timeout)
			opts.NoCreate = true // reading an archive never creates its folder
			d, warns, err := open.Open(ctx, spec, opts)
			return a.archiveAt(cmd, d, warns, err, name, pw)
		}
	}
	if _, err := os.Stat(arg); err != nil && a.settings(cmd, df).To != "" && !strings.ContainsAny(arg, `/\`) {
		d, warns, err := a.openDest(cmd, df, false)
		return a.archiveAt(cmd, d, warns, err, arg, pw)
	}
	ar, err := openArchivePath(arg, pw)
	if err != nil {
		return nil, nil, err
	}
	return ar, func() { ar.Close() }, nil
}

// archiveAt opens the archive name at the destination d just opened (with
// its warnings and error); the func returned closes both.
func (a *app) archiveAt(cmd *cobra.Command, d dest.Destination, warns []string, err error, name, pw string) (*job.Archive, func(), error) {
	a.warn(warns)
	if err != nil {
		return nil, nil, err
	}
	ar, err := job.OpenArchiveIn(cmd.Context(), d, name, pw, a.cfg.TempDir)
	if err != nil {
		d.Close()
		return nil, nil, err
	}
	return ar, func() { ar.Close(); d.Close() }, nil
}

func (a *app) warn(ws []string) {
	for _, w := range ws {
		a.printf(a.stderr, "posbackup: %s\n", msg.T(a.language(), "warning: %s", a.sayText(w)))
	}
}
