// Package service is the automatic backup: it runs the jobs of a config
// file at their times (Run, what 'posbackup service run' and the installed
// system service execute), mails reports and alerts, keeps a log and the
// history. The status of every job is internal/status (Gather); the
// registration with the operating system is internal/osservice.
//
// Every backup it runs is built by internal/prepare and made by job.Backup,
// exactly as a backup started by hand.
package service

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/dest/local"
	"github.com/posbackup/posbackup/internal/dest/open"
	"github.com/posbackup/posbackup/internal/prepare"
	"github.com/posbackup/posbackup/internal/retention"
	"github.com/posbackup/posbackup/internal/schedule"
)

// DefaultJob is the name of the one automatic backup 'service install
// --time' and the web page set up.
const DefaultJob = "nightly"

// Schedules returns the jobs of cfg that have a time of day, sorted by
// name. A job with a bad time or weekday is an error naming it.
func Schedules(cfg *config.Config) ([]schedule.Job, error) {
	var out []schedule.Job
	for _, name := range jobNames(cfg) {
		spec, ok, err := jobSpec(cfg, name)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, schedule.Job{Name: name, Spec: spec})
		}
	}
	return out, nil
}

// schedulesSkipping is Schedules for the service: a job with a bad time or
// weekday is left out and reported in bad, so one typo does not stop the
// other jobs.
func schedulesSkipping(cfg *config.Config) (jobs []schedule.Job, bad map[string]error) {
	bad = map[string]error{}
	for _, name := range jobNames(cfg) {
		spec, ok, err := jobSpec(cfg, name)
		if err != nil {
			bad[name] = err
			continue
		}
		if ok {
			jobs = append(jobs, schedule.Job{Name: name, Spec: spec})
		}
	}
	return jobs, bad
}

func jobNames(cfg *config.Config) []string {
	names := make([]string, 0, len(cfg.Jobs))
	for n := range cfg.Jobs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// jobSpec returns the schedule of job name; ok is false for a job without
// a time (it runs only by hand).
func jobSpec(cfg *config.Config, name string) (schedule.Spec, bool, error) {
	j := cfg.Jobs[name]
	if j == nil {
		return schedule.Spec{}, false, nil
	}
	return schedule.JobSpec(name, j.Time, j.Weekdays)
}

// JobSettings returns the backup settings of job name with relative paths
// taken from the config file's folder: a service starts in the system's
// folder (C:\Windows\System32, /), not where the config was written.
//
// A job with a server of its own does not take the top level's password or
// pinned fingerprint: those belong to the top level's server, and a
// password must never be sent to another one.
func JobSettings(cfg *config.Config, cfgPath, name string) config.Backup {
	b, _ := cfg.JobBackup(name)
	if j := cfg.Jobs[name]; j != nil {
		// A job's own password file wins over a password it would inherit.
		if j.PasswordFile != "" && j.Password == "" {
			b.Password = ""
		}
		if j.ArchivePasswordFile != "" && j.ArchivePassword == "" {
			b.ArchivePassword = ""
		}
	}
	if j := cfg.Jobs[name]; j != nil && j.To != "" && cfg.To != "" && !sameServer(b, cfg.Backup) {
		if j.Password == "" {
			b.Password = ""
		}
		if j.PasswordFile == "" {
			b.PasswordFile = ""
		}
		if j.Fingerprint == "" {
			b.Fingerprint = ""
		}
	}
	return resolvePaths(b, cfgPath)
}

// resolvePaths takes b's relative paths from the config file's folder.
func resolvePaths(b config.Backup, cfgPath string) config.Backup {
	dir := filepath.Dir(cfgPath)
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) || filepath.VolumeName(p) != "" {
			return p
		}
		return filepath.Join(dir, p)
	}
	b.Source, b.Profile, b.KeyFile, b.PasswordFile, b.KnownHosts, b.ArchivePasswordFile =
		abs(b.Source), abs(b.Profile), abs(b.KeyFile), abs(b.PasswordFile), abs(b.KnownHosts), abs(b.ArchivePasswordFile)
	add := make([]string, len(b.Add)) // not in place: b.Add is the config's slice
	for i, p := range b.Add {
		add[i] = abs(p)
	}
	b.Add = add
	if spec, err := open.ParseDefault(b.To, b.Protocol); err == nil && !spec.IsServer() && !strings.Contains(b.To, "://") {
		b.To = abs(b.To)
	}
	return b
}

// sameServer reports whether a and b name the same server and login.
func sameServer(a, b config.Backup) bool {
	sa, err1 := open.ParseDefault(a.To, a.Protocol)
	sb, err2 := open.ParseDefault(b.To, b.Protocol)
	if err1 != nil || err2 != nil || !sa.IsServer() || !sb.IsServer() {
		return false
	}
	port := func(s open.Spec) int {
		if s.Port == 0 {
			return open.DefaultPort(s.Kind)
		}
		return s.Port
	}
	user := func(s open.Spec, c config.Backup) string {
		if c.User != "" {
			return c.User
		}
		return s.User
	}
	return sa.Kind == sb.Kind && strings.EqualFold(sa.Host, sb.Host) && port(sa) == port(sb) && user(sa, a) == user(sb, b)
}

// CheckJobs checks what the service would run: a timed job whose settings
// are wrong is an error (it would fail every night); warnings name what
// works by hand but not in a service.
func CheckJobs(cfg *config.Config, cfgPath string, getenv func(string) string) (warnings []string, err error) {
	jobs, err := Schedules(cfg)
	if err != nil {
		return nil, err
	}
	for _, sj := range jobs {
		b := JobSettings(cfg, cfgPath, sj.Name)
		if _, err := prepare.Check(b, prepare.Options{}); err != nil {
			return warnings, fmt.Errorf("job %s: %v", sj.Name, err)
		}
		if b.Encrypt && b.ArchivePassword == "" && b.ArchivePasswordFile == "" {
			warnings = append(warnings, fmt.Sprintf("job %s takes its archive password from %s, which the service does not see: store it with 'posbackup config set-secret archive_password'", sj.Name, prepare.ArchivePasswordEnv))
		}
		spec, _ := open.ParseDefault(b.To, b.Protocol)
		if spec.IsServer() && b.Password == "" && b.PasswordFile == "" && b.KeyFile == "" && spec.Password == "" && getenv(open.PasswordEnv) != "" {
			warnings = append(warnings, fmt.Sprintf("job %s takes its server password from %s, which the service does not see: store it with 'posbackup config set-secret password'", sj.Name, open.PasswordEnv))
		}
		for _, p := range []string{b.Source, spec.Path} {
			if p != "" && local.IsNetworkPath(p) {
				warnings = append(warnings, fmt.Sprintf("job %s uses %s on a network drive: the service runs as the system account, which does not see mapped drive letters and reaches shares as the computer. Use a UNC path (\\\\server\\share) the computer may write to, or install the service with --run-as USER", sj.Name, p))
			}
		}
	}
	return warnings, nil
}

// Policy returns the generations job j keeps, nil when it deletes nothing.
func Policy(j *config.Job) *retention.Policy {
	p := retention.Policy{KeepLast: j.KeepLast, KeepDaily: j.KeepDaily, KeepWeekly: j.KeepWeekly, KeepMonthly: j.KeepMonthly, MinKeep: j.MinKeep}
	if p.IsZero() {
		return nil
	}
	return &p
}
