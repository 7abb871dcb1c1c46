// Package prepare turns backup settings (config.Backup: the config file with
// the command line's flags merged in, or a [jobs.NAME] table) into a
// job.BackupRequest whose destination is open. The command line, the
// service and the web page all build their backups here, so a setting is
// checked and a destination opened the same way whichever face asks.
package prepare

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/local"
	"github.com/posbackup/posbackup/internal/dest/open"
	"github.com/posbackup/posbackup/internal/job"
	"github.com/posbackup/posbackup/internal/msg"
	"github.com/posbackup/posbackup/internal/profile"
	"github.com/posbackup/posbackup/internal/snapshot"
)

// Options are what a face adds to the settings.
type Options struct {
	ProfilePath string        // overrides Backup.Profile (--profile)
	Timeout     time.Duration // server connect and inactivity timeout; 0: the default
	OnEvent     func(job.Event)
}

// Prepared is a checked backup with its destination open. Close it.
type Prepared struct {
	Request  job.BackupRequest
	Warnings []string // about the destination (plain FTP, ...), to show before the result's
	dest     dest.Destination
}

// Close closes the destination and releases the snapshots the run made.
func (p *Prepared) Close() error {
	var err error
	if c, ok := p.Request.FileSource.(io.Closer); ok {
		err = c.Close()
	}
	if p.dest == nil {
		return err
	}
	if derr := p.dest.Close(); derr != nil {
		return derr
	}
	return err
}

func usage(format string, a ...any) error { return job.Usage(format, a...) }

// usageOf is err as bad usage, keeping the message it carries.
func usageOf(err error) error { return &job.UsageError{Msg: err.Error(), Key: msg.KeyOf(err)} }

// Profile loads the profile named by path, or the built-in one.
func Profile(path string) (*profile.Profile, error) {
	if path == "" {
		return profile.Default(), nil
	}
	p, err := profile.Load(path)
	if err != nil {
		return nil, &job.UsageError{Msg: err.Error()}
	}
	return p, nil
}

// DefaultSource is the profile's default installation folder (C:\Hypers-!
// for the built-in profile) when it exists on this computer, else "".
func DefaultSource(p *profile.Profile) string {
	r := p.DefaultRoot
	if r == "" || !filepath.IsAbs(r) {
		return ""
	}
	if st, err := os.Stat(r); err != nil || !st.IsDir() {
		return ""
	}
	return r
}

// Check validates the settings without touching the destination and
// returns the request they make (Dest unset). Errors are *job.UsageError.
func Check(b config.Backup, o Options) (job.BackupRequest, error) {
	pp := o.ProfilePath
	if pp == "" {
		pp = b.Profile
	}
	p, err := Profile(pp)
	if err != nil {
		return job.BackupRequest{}, err
	}
	if b.Source == "" {
		b.Source = DefaultSource(p)
	}
	if b.Source == "" {
		return job.BackupRequest{}, usage("no installation folder: give --source DIR or 'source' in the config (the POS suite's folder, e.g. %s)", p.DefaultRoot)
	}
	if b.Variant == 0 {
		return job.BackupRequest{}, usage("no variant: give --variant 1, 2, 3 or 4, or 'variant' in the config (see 'posbackup variants')")
	}
	if _, err := p.Variant(b.Variant); err != nil {
		return job.BackupRequest{}, usageOf(err)
	}
	clients := b.Clients
	if clients == "" {
		clients = "all"
	}
	cl, err := p.ParseClients(clients)
	if err != nil {
		return job.BackupRequest{}, usageOf(err)
	}
	r, err := profile.ParseRole(b.Role)
	if err != nil {
		return job.BackupRequest{}, usageOf(err)
	}
	if _, err := job.ExpandName(b.Name, job.NameTokens{Clients: []string{"M001"}, Time: time.Now(), Lang: b.Lang}); err != nil {
		return job.BackupRequest{}, usageOf(err)
	}
	lvl, err := Level(b.Level)
	if err != nil {
		return job.BackupRequest{}, err
	}
	switch strings.ToLower(b.Verify) {
	case "", job.VerifyFull, job.VerifyQuick:
	default:
		return job.BackupRequest{}, usage("unknown verify setting %q (--verify, or verify in the config): use full (read the archive back from where it is kept) or quick (size and local copy, for very slow lines)", b.Verify)
	}
	if strings.TrimSpace(b.To) == "" {
		return job.BackupRequest{}, usage("no destination: give --to (a folder or a server) or 'to' in the config file")
	}
	var password string
	if b.Encrypt {
		if password, err = ArchivePassword(b, os.Getenv); err != nil {
			return job.BackupRequest{}, err
		}
		if password == "" {
			return job.BackupRequest{}, usage("encryption is on but no archive password is set: give it as %s", job.PasswordHelp)
		}
		if len([]rune(password)) < MinPasswordLen {
			return job.BackupRequest{}, usage("the archive password is shorter than %d characters: choose a longer one (it protects the books if the backup is lost or stolen)", MinPasswordLen)
		}
	}
	snap, err := snapshot.ParseMode(b.Snapshot)
	if err != nil {
		return job.BackupRequest{}, usageOf(err)
	}
	return job.BackupRequest{
		FileSource: snapshot.New(snap), // reads nothing until the backup runs; Prepared.Close releases its snapshots
		Password:   password,
		Profile:    p, Source: b.Source, Variant: b.Variant, Clients: cl, Role: r, Extras: b.Add,
		NameTemplate: b.Name, Lang: b.Lang, AllowMissing: b.AllowMissing, Level: lvl,
		OnEvent: o.OnEvent, Verify: strings.ToLower(b.Verify), TempDir: b.TempDir,
	}, nil
}

// Prepare checks the settings and opens the destination (creating a
// missing folder, but never a missing medium's root).
func Prepare(ctx context.Context, b config.Backup, o Options) (*Prepared, error) {
	req, err := Check(b, o)
	if err != nil {
		return &Prepared{}, err
	}
	d, warns, err := OpenDest(ctx, b, true, o.Timeout)
	if err != nil {
		return &Prepared{Warnings: warns}, err
	}
	req.Dest = d
	if lf, ok := d.(*local.Folder); ok && local.SameDrive(req.Source, lf.Dir()) {
		warns = append(warns, "the backup goes to the same drive as the data ("+lf.Dir()+"): not recommended, one disk failure loses both; use a USB medium, a NAS or a server")
	}
	if prepareHook != nil {
		prepareHook(&req)
	}
	return &Prepared{Request: req, Warnings: warns, dest: d}, nil
}

// prepareHook changes a prepared backup in test builds (faultinject.go,
// built with -tags faultinject); nil in the normal build.
var prepareHook func(*job.BackupRequest)

// ArchivePasswordEnv is the environment variable read for the archive password.
const ArchivePasswordEnv = "POSBACKUP_ARCHIVE_PASSWORD"

// MinPasswordLen is the shortest archive password a backup accepts.
const MinPasswordLen = 8

// ArchivePassword returns the archive password of b: archive_password,
// else the first line of archive_password_file, else the environment
// variable POSBACKUP_ARCHIVE_PASSWORD; "" when none is set. It never
// comes from a command-line argument (the process list shows those).
func ArchivePassword(b config.Backup, getenv func(string) string) (string, error) {
	switch {
	case b.ArchivePassword != "":
		return b.ArchivePassword, nil
	case b.ArchivePasswordFile != "":
		pw, err := open.ReadPasswordFile(b.ArchivePasswordFile)
		if err != nil {
			return "", &job.UsageError{Msg: err.Error()}
		}
		return pw, nil
	}
	return getenv(ArchivePasswordEnv), nil
}

// Level reads fast, default or best.
func Level(s string) (int, error) {
	switch strings.ToLower(s) {
	case "", "default":
		return 6, nil
	case "fast":
		return 1, nil
	case "best":
		return 9, nil
	}
	return 0, usage("unknown compression level %q (--level, or level in the config): use fast, default or best", s)
}

// DestSpec parses the destination of b and gathers its access data.
func DestSpec(b config.Backup, timeout time.Duration) (open.Spec, open.Options, error) {
	if strings.TrimSpace(b.To) == "" {
		return open.Spec{}, open.Options{}, usage("no destination: give --to (a folder or a server) or 'to' in the config file")
	}
	if b.Timeout < 0 || timeout < 0 {
		return open.Spec{}, open.Options{}, usage("the timeout cannot be negative: give a duration like 30s or 1m (--timeout, or timeout in the config)")
	}
	spec, err := open.ParseDefault(b.To, b.Protocol)
	if err != nil {
		return spec, open.Options{}, usageOf(err)
	}
	if spec, err = open.WithSite(spec, b.Site); err != nil { // DEST/SITE/ (see open.SiteOf)
		return spec, open.Options{}, usageOf(err)
	}
	opts := AccessOptions(b, timeout)
	if err := open.CheckKindOptions(spec, opts); err != nil {
		return spec, opts, usageOf(err)
	}
	return spec, opts, nil
}

// AccessOptions are b's login data for a server.
func AccessOptions(b config.Backup, timeout time.Duration) open.Options {
	if timeout == 0 { // the face sets none: the settings' (timeout in the config or the job)
		timeout = b.Timeout
	}
	return open.Options{
		User:          b.User,
		Password:      b.Password,
		PasswordFile:  b.PasswordFile,
		KeyFile:       b.KeyFile,
		KeyPassphrase: b.KeyPassphrase,
		Fingerprint:   b.Fingerprint,
		KnownHosts:    b.KnownHosts,
		TLSMin:        b.TLSMin,
		Timeout:       timeout,
		S3: open.S3Options{
			Endpoint: b.S3Endpoint, Region: b.S3Region, PathStyle: b.S3PathStyle,
			AccessKey: b.S3AccessKey, SecretKey: b.S3SecretKey, SecretKeyFile: b.S3SecretKeyFile,
			ImmutableDays: b.ImmutableDays, ImmutableMode: b.ImmutableMode,
		},
	}
}

// OpenDest opens b's destination. create makes a missing folder (backup);
// list and restore do not create one.
func OpenDest(ctx context.Context, b config.Backup, create bool, timeout time.Duration) (dest.Destination, []string, error) {
	spec, opts, err := DestSpec(b, timeout)
	if err != nil {
		return nil, nil, err
	}
	if !spec.IsServer() {
		f, err := local.Open(spec.Path, create)
		if err != nil {
			return nil, spec.Warnings, err
		}
		return f, spec.Warnings, nil
	}
	opts.NoCreate = !create // only a backup creates the folder on a server
	return open.Open(ctx, spec, opts)
}
