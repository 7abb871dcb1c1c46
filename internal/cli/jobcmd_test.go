package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/posbackup/posbackup/internal/config"
)

func TestJobSetListStatusRemove(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "posbackup.toml")
	src := demoInstall(t)
	code, out, errOut := run(t, "job", "set", "nightly", "--config", cfg, "--source", src, "--variant", "1",
		"--to", src+"-backup", "--time", "23:30", "--weekdays", "mon,fri")
	if code != 0 || !strings.Contains(out, "on mon,fri at 23:30") {
		t.Fatalf("job set: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = run(t, "job", "list", "--config", cfg, "--json")
	var rows []struct {
		Name     string
		Time     string
		Weekdays []string
		Variant  int
	}
	if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 1 || rows[0].Time != "23:30" || len(rows[0].Weekdays) != 2 {
		t.Errorf("job list: exit %d\n%s", code, out)
	}

	// status: the service is not installed, only master data is backed up,
	// and the job never ran; exit 1.
	code, out, _ = run(t, "service", "status", "--config", cfg, "--json", "--name", "posbackup-not-here")
	var rep struct {
		Warnings []struct{ Code string }
		Jobs     []struct {
			Name     string
			Schedule string
		}
	}
	if code != 1 || json.Unmarshal([]byte(out), &rep) != nil {
		t.Fatalf("status: exit %d\n%s", code, out)
	}
	codes := map[string]bool{}
	for _, w := range rep.Warnings {
		codes[w.Code] = true
	}
	if !codes["no-automatic-backup"] || !codes["master-data-only"] || len(rep.Jobs) != 1 || !strings.Contains(rep.Jobs[0].Schedule, "23:30") {
		t.Errorf("status warnings %v, jobs %+v", codes, rep.Jobs)
	}

	if code, out, errOut = run(t, "job", "remove", "nightly", "--config", cfg); code != 0 {
		t.Errorf("job remove: exit %d\n%s%s", code, out, errOut)
	}
	// Nothing with a time: installing the service would never back up.
	if code, _, errOut = run(t, "service", "install", "--config", cfg); code != 2 || !strings.Contains(errOut, "has a time of day") {
		t.Errorf("service install without a timed job: exit %d\n%s", code, errOut)
	}
	if code, _, errOut = run(t, "service", "install", "--config", cfg, "--time", "25:00"); code != 2 {
		t.Errorf("service install --time 25:00: exit %d\n%s", code, errOut)
	}
}

// Changing one setting of a job keeps the others (job set --time alone
// wiped source, variant and destination, and status showed "variant 00").
func TestJobSetKeepsOtherSettings(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "posbackup.toml")
	src := demoInstall(t)
	if code, out, errOut := run(t, "job", "set", "nightly", "--config", cfg, "--source", src, "--variant", "3",
		"--to", src+"-backup", "--time", "23:30", "--weekdays", "mon,fri", "--keep-last", "5", "--mail-to", "chef@example.org"); code != 0 {
		t.Fatalf("job set: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := run(t, "job", "set", "nightly", "--config", cfg, "--time", "22:15"); code != 0 {
		t.Fatalf("job set --time alone: exit %d\n%s%s", code, out, errOut)
	}
	c, err := config.Load(cfg)
	if err != nil {
		t.Fatal(err)
	}
	j := c.Jobs["nightly"]
	if j == nil || j.Time != "22:15" || j.Source != src || j.Variant != 3 || j.To != src+"-backup" ||
		strings.Join(j.Weekdays, ",") != "mon,fri" || j.KeepLast != 5 || len(j.MailTo) != 1 {
		t.Fatalf("after job set --time alone: %+v", j)
	}
	code, out, _ := run(t, "job", "list", "--config", cfg)
	if code != 0 || !strings.Contains(out, "variant 03") || !strings.Contains(out, "22:15") {
		t.Errorf("job list: exit %d\n%s", code, out)
	}
	// Another single change, and clearing the weekdays with an empty list.
	if code, out, errOut := run(t, "job", "set", "nightly", "--config", cfg, "--variant", "2", "--weekdays", ""); code != 0 {
		t.Fatalf("job set --variant alone: exit %d\n%s%s", code, out, errOut)
	}
	c, _ = config.Load(cfg)
	if j := c.Jobs["nightly"]; j.Variant != 2 || j.Time != "22:15" || len(j.Weekdays) != 0 || j.Source != src {
		t.Errorf("after job set --variant 2 --weekdays '': %+v", j)
	}
	// A new job still needs its time.
	if code, _, errOut := run(t, "job", "set", "other", "--config", cfg, "--variant", "2"); code != ExitUsage || !strings.Contains(errOut, "--time") {
		t.Errorf("new job without --time: exit %d\n%s", code, errOut)
	}
}

// Every flag of job set names a job setting, so none is silently dropped;
// the destination's flags are the same set every command takes.
func TestJobSetFlagsAllKept(t *testing.T) {
	a := &app{}
	cmd := a.jobSetCmd()
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		_, job := jobFlagKeys[f.Name]
		_, dest := destFlagKeys[f.Name]
		if job == dest {
			t.Errorf("job set --%s is in jobFlagKeys %v, in destFlagKeys %v: want exactly one", f.Name, job, dest)
		}
	})
	for _, flag := range []string{"to", "protocol", "user", "password-file", "key", "fingerprint", "known-hosts", "timeout", "s3-endpoint", "site"} {
		if cmd.Flags().Lookup(flag) == nil {
			t.Errorf("job set has no --%s", flag)
		}
	}
	for _, k := range jobFlagKeys {
		if _, err := config.UpdateJob(nil, &config.Job{}, []string{k}); err != nil {
			t.Error(err)
		}
	}
}

// Each destination flag sets settings that exist (over panics otherwise),
// and every command that reaches a destination takes the whole set.
func TestDestFlagKeys(t *testing.T) {
	for flag, keys := range destFlagKeys {
		if _, err := config.UpdateJob(nil, &config.Job{}, keys); err != nil {
			t.Errorf("--%s: %v", flag, err)
		}
	}
	a := &app{}
	for _, cmd := range []*cobra.Command{a.backupCmd(), a.listCmd(), a.infoCmd(), a.verifyCmd(), a.restoreCmd(), a.testAccessCmd(), a.fleetCmd(), a.jobSetCmd()} {
		for flag := range destFlagKeys {
			if flag == "archive-password-file" && (cmd.Name() == "test-access" || cmd.Name() == "fleet" || cmd.Name() == "set") {
				continue // they read no archive
			}
			if cmd.Flags().Lookup(flag) == nil {
				t.Errorf("%s has no --%s", cmd.Name(), flag)
			}
		}
	}
}
