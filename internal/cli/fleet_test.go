package cli

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/demo"
	"github.com/posbackup/posbackup/internal/dest/open"
	"github.com/posbackup/posbackup/internal/dest/s3"
	"github.com/posbackup/posbackup/internal/fleet"
	"github.com/posbackup/posbackup/internal/testsrv"
	"github.com/posbackup/posbackup/internal/testutil"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// posbackup runs the real binary with env added and returns exit code,
// stdout and stderr.
func posbackup(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(testutil.Binary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), errb.String()
}

func demoAt(t *testing.T, version string) string {
	t.Helper()
	src := filepath.Join(t.TempDir(), "Hypers-!")
	if _, err := demo.Make(src); err != nil {
		t.Fatal(err)
	}
	if version != "" {
		os.WriteFile(filepath.Join(src, "version.ini"), []byte("[Suite]\r\nVersion="+version+"\r\n"), 0o644)
	}
	return src
}

// A chain of sites backs up with real `posbackup backup --site` runs into
// one MinIO bucket; the head office's `posbackup fleet` shows the stale,
// failing and missing ones, worst first, in text and JSON, and exits 1.
func TestFleetS3(t *testing.T) {
	m := testsrv.StartMinIO(t)
	ctx := context.Background()
	adm, err := minio.New(m.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(m.AccessKey, m.SecretKey, ""), BucketLookup: minio.BucketLookupPath})
	if err != nil {
		t.Fatal(err)
	}
	if err := adm.MakeBucket(ctx, "chain", minio.MakeBucketOptions{ObjectLocking: true}); err != nil {
		t.Fatal(err)
	}
	env := []string{open.S3SecretKeyEnv + "=" + m.SecretKey}
	s3flags := []string{"--s3-endpoint", "http://" + m.Endpoint, "--s3-path-style", "--s3-access-key", m.AccessKey}
	backup := func(site, src string, variant string) (int, string, string) {
		args := append([]string{"backup", "--source", src, "--variant", variant, "--to", "s3://chain/pos", "--site", site}, s3flags...)
		return posbackup(t, env, args...)
	}
	good := demoAt(t, "")
	for _, s := range []struct{ site, src, variant string }{
		{"berlin-01", good, "3"}, {"hamburg-02", good, "2"}, {"munich-03", good, "3"},
		{"koeln-04", good, "1"}, {"dresden-05", demoAt(t, "25.1.0"), "3"},
	} {
		if code, out, errs := backup(s.site, s.src, s.variant); code != 0 {
			t.Fatalf("backup of %s: exit %d\n%s%s", s.site, code, out, errs)
		}
	}
	// hamburg fails next (its installation is gone): failing, last success kept.
	code, _, errs := backup("hamburg-02", filepath.Join(t.TempDir(), "gone"), "2")
	if code == 0 || !strings.Contains(errs, "BACKUP FAILED") {
		t.Fatalf("the failing backup: exit %d %s", code, errs)
	}
	// munich's last success is three days old (state injected into its record).
	d, err := s3.Open(ctx, s3.Config{Endpoint: "http://" + m.Endpoint, PathStyle: true, Bucket: "chain", Prefix: "pos/munich-03", AccessKey: m.AccessKey, SecretKey: m.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := fleet.Read(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Result != "ok" || !strings.HasSuffix(rec.Archive, "_"+time.Now().Weekday().String()+".zip") || rec.Size == 0 || rec.ProgramVersion != "26.4.1" || rec.Variant != "03" {
		t.Fatalf("munich's record after a real backup: %+v", rec)
	}
	rec.LastSuccess = rec.LastSuccess.Add(-72 * time.Hour)
	rec.LastAttempt = rec.LastSuccess
	b, _ := json.Marshal(rec)
	if _, err := d.Put(ctx, fleet.RecordName, strings.NewReader(string(b))); err != nil {
		t.Fatal(err)
	}
	// The archives are where the sites' own list finds them.
	code, out, errs := posbackup(t, env, append([]string{"list", "--to", "s3://chain/pos", "--site", "berlin-01"}, s3flags...)...)
	if code != 0 || !strings.Contains(out, "M001-M002_") {
		t.Fatalf("list at berlin-01: exit %d\n%s%s", code, out, errs)
	}

	fleetArgs := append([]string{"fleet", "--to", "s3://chain/pos", "--expect", "leipzig-06", "--expect", "berlin-01"}, s3flags...)
	code, out, errs = posbackup(t, env, fleetArgs...)
	if code != 1 {
		t.Fatalf("fleet with stale, failing and missing sites: exit %d, want 1\n%s%s", code, out, errs)
	}
	lines := strings.Split(out, "\n")
	order := []string{}
	for _, l := range lines[2:] {
		if f := strings.Fields(l); len(f) > 1 && !strings.HasSuffix(f[0], ":") && f[0] != "" {
			order = append(order, f[0]+" "+f[1])
		}
	}
	want := "leipzig-06 MISSING,munich-03 STALE,hamburg-02 FAILING,koeln-04 WARNING,dresden-05 WARNING,berlin-01 OK"
	if strings.Join(order, ",") != want {
		t.Fatalf("fleet order %q, want %q\n%s", strings.Join(order, ","), want, out)
	}
	for _, s := range []string{
		"1 stale, 1 failing, 1 missing",
		"leipzig-06: expected but has never written",
		"munich-03: stale: no successful backup for 3d",
		"hamburg-02: failing: the last run at",
		"koeln-04: master data only (variant 01)",
		"dresden-05: program version 25.1.0 differs from the chain's 26.4.1",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("fleet output lacks %q:\n%s", s, out)
		}
	}
	if strings.Contains(out+errs, m.SecretKey) {
		t.Fatal("the secret key is in the output")
	}

	code, out, _ = posbackup(t, env, append(fleetArgs, "--json")...)
	var rep struct {
		OK    bool `json:"ok"`
		Stale int  `json:"stale"`
		Sites []struct {
			Site    string   `json:"site"`
			State   string   `json:"state"`
			Stale   bool     `json:"stale"`
			Failing bool     `json:"failing"`
			Missing bool     `json:"missing"`
			Flags   []string `json:"flags"`
			Record  *struct {
				LastSuccess time.Time `json:"last_success"`
				Error       string    `json:"error"`
				Archive     string    `json:"archive"`
			} `json:"record"`
		} `json:"sites"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 1 || rep.OK {
		t.Fatalf("fleet --json: exit %d, %v\n%s", code, err, out)
	}
	bySite := map[string]int{}
	for i, s := range rep.Sites {
		bySite[s.Site] = i
	}
	if s := rep.Sites[bySite["hamburg-02"]]; !s.Failing || s.Stale || s.Record == nil || s.Record.LastSuccess.IsZero() || s.Record.Archive == "" || !strings.Contains(s.Record.Error, "gone") {
		t.Errorf("hamburg in JSON: %+v", s)
	}
	if s := rep.Sites[bySite["munich-03"]]; !s.Stale || s.Failing {
		t.Errorf("munich in JSON: %+v", s)
	}
	if s := rep.Sites[bySite["leipzig-06"]]; !s.Missing || s.Record != nil {
		t.Errorf("leipzig in JSON: %+v", s)
	}
	if rep.Sites[0].Site != "leipzig-06" || rep.Sites[len(rep.Sites)-1].Site != "berlin-01" {
		t.Errorf("JSON order: %+v", rep.Sites)
	}
	// --stale-after 100h makes munich fresh; hamburg still fails: exit 1.
	code, out, _ = posbackup(t, env, append([]string{"fleet", "--to", "s3://chain/pos", "--stale-after", "100h"}, s3flags...)...)
	if code != 1 || strings.Contains(out, "munich-03: stale") || !strings.Contains(out, "0 stale, 1 failing, 0 missing") {
		t.Fatalf("fleet --stale-after 100h: exit %d\n%s", code, out)
	}
}

// The fleet view works on a folder too, and exits 0 when all sites are well.
func TestFleetFolder(t *testing.T) {
	to := t.TempDir()
	src := demoAt(t, "")
	for _, site := range []string{"a-site", "b-site"} {
		if code, out, errs := posbackup(t, nil, "backup", "--source", src, "--variant", "2", "--to", to, "--site", site); code != 0 {
			t.Fatalf("backup: %d %s%s", code, out, errs)
		}
		if _, err := os.Stat(filepath.Join(to, site, fleet.RecordName)); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errs := posbackup(t, nil, "fleet", "--to", to)
	if code != 0 || !strings.Contains(out, "Sites at "+to+": 2 (0 stale, 0 failing, 0 missing)") {
		t.Fatalf("fleet on a folder: exit %d\n%s%s", code, out, errs)
	}
	// Without a site, a folder backup stays where it always was, with no record.
	plain := t.TempDir()
	if code, _, errs := posbackup(t, nil, "backup", "--source", src, "--variant", "2", "--to", plain); code != 0 {
		t.Fatal(errs)
	}
	if _, err := os.Stat(filepath.Join(plain, fleet.RecordName)); !os.IsNotExist(err) {
		t.Fatalf("a backup without a site wrote a status record: %v", err)
	}
}

// The fleet view on FTP (with TLS) and SFTP servers: real backups of two
// sites, one of them failing.
func TestFleetServers(t *testing.T) {
	ftps := testsrv.StartFTP(t, "ftpes")
	ssh := testsrv.StartSSH(t)
	env := []string{"POSBACKUP_PASSWORD=" + testsrv.Password}
	src := demoAt(t, "")
	for _, c := range []struct {
		name, to string
		flags    []string
	}{
		{"ftpes", "ftpes://" + ftps.Addr + "/chain", []string{"--user", ftps.User, "--fingerprint", ftps.Fingerprint}},
		{"sftp", "sftp://" + ssh.Addr + "/chain", []string{"--user", ssh.User, "--fingerprint", ssh.HostKeyFingerprint}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if code, out, errs := posbackup(t, env, append([]string{"backup", "--source", src, "--variant", "2", "--to", c.to, "--site", "nord"}, c.flags...)...); code != 0 {
				t.Fatalf("backup: %d %s%s", code, out, errs)
			}
			if code, _, _ := posbackup(t, env, append([]string{"backup", "--source", filepath.Join(t.TempDir(), "gone"), "--variant", "2", "--to", c.to, "--site", "sued"}, c.flags...)...); code == 0 {
				t.Fatal("a backup of a missing folder succeeded")
			}
			code, out, errs := posbackup(t, env, append([]string{"fleet", "--to", c.to}, c.flags...)...)
			if code != 1 || !strings.Contains(out, "2 (1 stale, 1 failing, 0 missing)") || !strings.Contains(out, "sued: failing") || !strings.Contains(out, "sued: stale: no backup has ever succeeded") {
				t.Fatalf("fleet on %s: exit %d\n%s%s", c.name, code, out, errs)
			}
			if strings.Contains(out+errs, testsrv.Password) {
				t.Fatal("the password is in the output")
			}
		})
	}
}

// The head office's report of the sites that need attention, mailed
// (mailpit), and nothing mailed when all are well.
func TestFleetMail(t *testing.T) {
	mp := testsrv.StartMailpit(t)
	to := t.TempDir()
	src := demoAt(t, "")
	if code, out, errs := posbackup(t, nil, "backup", "--source", src, "--variant", "2", "--to", to, "--site", "nord"); code != 0 {
		t.Fatalf("backup: %d %s%s", code, out, errs)
	}
	cfg := filepath.Join(t.TempDir(), "office.toml")
	os.WriteFile(cfg, []byte(`to = '`+to+`'
expected_sites = ["nord", "west"]
fleet_mail_to = ["zentrale@example.org"]
[mail]
host = "127.0.0.1"
port = `+itoa(mp.SMTPPort)+`
security = "none"
from = "posbackup@example.org"
`), 0o600)
	code, out, errs := posbackup(t, nil, "--config", cfg, "fleet")
	if code != 1 || !strings.Contains(out, "west") {
		t.Fatalf("fleet: %d\n%s%s", code, out, errs)
	}
	msgs := mp.Messages(t)
	if len(msgs) != 1 || msgs[0].Subject != "posbackup: 1 of 2 sites need attention (1 missing)" || msgs[0].To[0].Address != "zentrale@example.org" {
		t.Fatalf("mails %+v", msgs)
	}
	body := mp.Text(t, msgs[0].ID)
	if !strings.Contains(body, "west: MISSING, last success never") || strings.Contains(body, "nord:") {
		t.Fatalf("mail body:\n%s", body)
	}
	// All well: no mail.
	os.WriteFile(cfg, []byte(strings.Replace(mustRead(t, cfg), `, "west"]`, `]`, 1)), 0o600)
	if code, out, errs := posbackup(t, nil, "--config", cfg, "fleet"); code != 0 {
		t.Fatalf("fleet, all well: %d\n%s%s", code, out, errs)
	}
	if n := len(mp.Messages(t)); n != 1 {
		t.Fatalf("%d mails after a run with all sites well, want still 1", n)
	}
}

func mustRead(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func itoa(n int) string { return strconv.Itoa(n) }
