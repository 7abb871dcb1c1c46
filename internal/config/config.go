// Package config reads posbackup's configuration file (TOML). Every setting
// has a command-line flag of the same meaning; flags override the file.
package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Config is the configuration file. See examples/posbackup.toml. Its
// top-level settings are the backup that commands run by hand; [jobs.NAME]
// tables are automatic backups, each taking a setting it leaves out from
// the top level.
type Config struct {
	Backup
	Jobs     map[string]*Job `toml:"jobs"`
	Mail     Mail            `toml:"mail"`
	Web      Web             `toml:"web"`
	StateDir string          `toml:"state_dir"` // where the service keeps its state and log; default: beside the config file

	// The head office's fleet view (posbackup fleet).
	ExpectedSites []string `toml:"expected_sites"` // sites that must have written a status record
	StaleAfter    string   `toml:"stale_after"`    // e.g. "26h": a site without success for longer is stale (default: its period + margin)
	FleetMailTo   []string `toml:"fleet_mail_to"`  // recipients of the daily report of stale, failing and missing sites (via [mail])

	warnings []string
}

// Backup is what one backup needs.
type Backup struct {
	Source       string   `toml:"source"`        // installation folder
	Variant      int      `toml:"variant"`       // 1..4
	To           string   `toml:"to"`            // destination
	Name         string   `toml:"name"`          // name template
	Clients      string   `toml:"clients"`       // "all" or "1,2"
	Role         string   `toml:"role"`          // "location" or "head-office"
	Lang         string   `toml:"lang"`          // "en" or "de"
	Add          []string `toml:"add"`           // extra files and folders
	Profile      string   `toml:"profile"`       // profile file; "" is the built-in one
	AllowMissing bool     `toml:"allow_missing"` // unreadable files make a warning, not a failure
	Level        string   `toml:"level"`         // fast, default, best
	LowPriority  bool     `toml:"low_priority"`  // lower CPU and I/O priority
	Snapshot     string   `toml:"snapshot"`      // files the POS program holds open: "auto" (default: from a Volume Shadow Copy when run as administrator), "on", "off"
	Verify       string   `toml:"verify"`        // check before the rename: "full" (default: read back from where it is kept) or "quick" (size and local copy, for very slow lines)
	TempDir      string   `toml:"temp_dir"`      // folder for the upload's resume copy, the read-back and spools; default the system's temp folder

	// Encryption (WinZip AES-256; 7-Zip opens it with the password).
	Encrypt             bool   `toml:"encrypt"`               // encrypt new archives
	ArchivePassword     string `toml:"archive_password"`      // their password; keep the file readable by its owner only
	ArchivePasswordFile string `toml:"archive_password_file"` // or a file whose first line is the password

	// Server access (see README, "Servers").
	Protocol      string `toml:"protocol"`       // ftp, ftpes, ftps, sftp: how to read a 'to' without scheme
	User          string `toml:"user"`           // login name
	Password      string `toml:"password"`       // login password; keep the file readable by its owner only
	PasswordFile  string `toml:"password_file"`  // or a file whose first line is the password
	KeyFile       string `toml:"key_file"`       // SFTP private key
	KeyPassphrase string `toml:"key_passphrase"` // its passphrase, if any
	Fingerprint   string `toml:"fingerprint"`    // pinned TLS certificate or SSH host key, SHA256:...
	KnownHosts    string `toml:"known_hosts"`    // SFTP known_hosts file
	TLSMin        string `toml:"tls_min"`        // "1.0": FTPS may use TLS 1.0/1.1 (an old NAS; warns each run); "": TLS 1.2 or newer

	Timeout time.Duration `toml:"timeout"` // server connect and inactivity timeout, e.g. "1m"; 0: 30s (--timeout)

	// S3-compatible storage, for to = "s3://BUCKET/FOLDER" (see README, "Head office").
	S3Endpoint      string `toml:"s3_endpoint"`        // "" is AWS; e.g. "https://s3.eu-central-1.wasabisys.com", "http://nas:9000"
	S3Region        string `toml:"s3_region"`          // e.g. "eu-central-1"; "" asks the bucket
	S3PathStyle     bool   `toml:"s3_path_style"`      // https://host/bucket/... instead of https://bucket.host/... (MinIO, Ceph)
	S3AccessKey     string `toml:"s3_access_key"`      // access key id
	S3SecretKey     string `toml:"s3_secret_key"`      // secret key; keep the file readable by its owner only
	S3SecretKeyFile string `toml:"s3_secret_key_file"` // or a file whose first line is it (or POSBACKUP_S3_SECRET_KEY)
	ImmutableDays   int    `toml:"immutable_days"`     // > 0: every archive is locked (S3 Object Lock) for this many days
	ImmutableMode   string `toml:"immutable_mode"`     // "compliance" (default) or "governance"
	Site            string `toml:"site"`               // this installation's site name: backups go to DEST/SITE/ (S3: default the host name)
}

// Job is an automatic backup.
type Job struct {
	Backup
	Time     string   `toml:"time"`     // "HH:MM", local time
	Weekdays []string `toml:"weekdays"` // empty: every day; else mon..sun (or Mo..So)

	// Generations: keep the last KeepLast archives of the job, plus the newest
	// of each of the last KeepDaily days, KeepWeekly weeks, KeepMonthly
	// months; never fewer than MinKeep. All zero: delete nothing (a weekday
	// name template already rotates by itself).
	KeepLast    int `toml:"keep_last"`
	KeepDaily   int `toml:"keep_daily"`
	KeepWeekly  int `toml:"keep_weekly"`
	KeepMonthly int `toml:"keep_monthly"`
	MinKeep     int `toml:"min_keep"`

	// Reports by e-mail (see [mail]).
	MailOn        string   `toml:"mail_on"`         // "failure" (default when mail_to is set), "always" or "never"
	MailTo        []string `toml:"mail_to"`         // recipients of reports
	MailFailureTo []string `toml:"mail_failure_to"` // other recipients for failures; default mail_to
	AlertDays     int      `toml:"alert_days"`      // alert when no backup succeeded for this many days; 0: 2 periods
}

// Mail is the SMTP server for reports.
type Mail struct {
	Host     string `toml:"host"`
	Port     int    `toml:"port"`     // default 587 (starttls), 465 (tls), 25 (none)
	Security string `toml:"security"` // "starttls" (default), "tls" or "none"
	User     string `toml:"user"`
	Password string `toml:"password"`
	From     string `toml:"from"`
	CAFile   string `toml:"ca_file"` // trust this certificate (PEM) besides the system's, e.g. a self-signed relay
}

// JobBackup returns the job's backup settings, filled in from the top level
// where the job leaves a setting out.
func (c *Config) JobBackup(name string) (Backup, bool) {
	j, ok := c.Jobs[name]
	if !ok {
		return Backup{}, false
	}
	return inherit(j.Backup, c.Backup), true
}

// Load reads the file at path. Unknown settings are errors, so a typo does
// not silently leave a default in place.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, fmt.Errorf("the config file %s does not exist: check --config", path)
		}
		return nil, fmt.Errorf("cannot read the config file %s: %v", path, err)
	}
	c, err := Parse(b, path)
	if err != nil {
		return nil, err
	}
	if err := c.checkSecrets(path); err != nil {
		return nil, err
	}
	return c, nil
}

// Parse reads configuration text; where names its source in errors.
func Parse(b []byte, where string) (*Config, error) {
	var c Config
	md, err := toml.Decode(string(b), &c)
	if err != nil {
		return nil, fmt.Errorf("the config file %s is not valid: %v", where, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		var keys []string
		for _, k := range und {
			keys = append(keys, k.String())
		}
		return nil, fmt.Errorf("the config file %s has unknown settings: %s (check the spelling)", where, strings.Join(keys, ", "))
	}
	return &c, nil
}

// StateDirOf returns the folder where the service keeps its state, lock
// and log for the config file at path: state_dir (relative to the config
// file's folder), or "posbackup-state" beside the config file.
func (c *Config) StateDirOf(path string) string {
	dir := filepath.Dir(path)
	if c.StateDir == "" {
		return filepath.Join(dir, "posbackup-state")
	}
	if filepath.IsAbs(c.StateDir) {
		return c.StateDir
	}
	return filepath.Join(dir, c.StateDir)
}
