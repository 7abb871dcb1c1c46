package service_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/schedule"
	"github.com/posbackup/posbackup/internal/service"
	"github.com/posbackup/posbackup/internal/testsrv"
	"github.com/posbackup/posbackup/internal/testutil"
)

// TestServiceRunEndToEnd starts a real 'posbackup service run' process with
// two jobs due at the next minute: one backs up to a real FTPES server and
// mails its success report, the other cannot read its installation and
// mails a failure report, both to a real SMTP server (mailpit). The state
// files and 'posbackup status' must tell the same story.
func TestServiceRunEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the next minute")
	}
	bin := testutil.Binary(t)
	ftp := testsrv.StartFTP(t, "ftpes")
	mail := testsrv.StartMailpit(t)
	src := filepath.Join(t.TempDir(), "Hypers-!")
	inst, err := testutil.MakeInstallation(src)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "posbackup.toml")

	// The next whole minute, at least 5 s away.
	webPort := testsrv.FreePort(t)
	due := time.Now().Add(5 * time.Second).Truncate(time.Minute).Add(time.Minute)
	at := due.Format("15:04")
	cfg := fmt.Sprintf(`source = %q
variant = 3
name = "{client}_{weekday}"

[web]
listen = "127.0.0.1:%d"

[mail]
host = "127.0.0.1"
port = %d
security = "none"
from = "kasse@example.org"

[jobs.good]
to = "ftpes://%s/backup"
user = %q
password = %q
fingerprint = %q
time = %q
mail_on = "always"
mail_to = ["chef@example.org"]

[jobs.bad]
source = %q
to = %q
time = %q
mail_to = ["partner@example.org"]
`, src, webPort, mail.SMTPPort, ftp.Addr, ftp.User, ftp.Password, ftp.Fingerprint, at,
		filepath.Join(dir, "no-such-installation"), filepath.Join(dir, "out"), at)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	cmd := exec.Command(bin, "service", "run", "--config", cfgPath, "--poll", "1s", "--reload", "2s")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	defer func() {
		if !stopped {
			cmd.Process.Kill()
			<-exited
		}
	}()

	stateDir := filepath.Join(dir, "posbackup-state")
	deadline := due.Add(90 * time.Second)
	var good, bad schedule.State
	for time.Now().Before(deadline) {
		time.Sleep(time.Second)
		good, _ = schedule.LoadState(stateDir, "good", time.Now())
		bad, _ = schedule.LoadState(stateDir, "bad", time.Now())
		if !good.LastEnd.IsZero() && !bad.LastEnd.IsZero() && len(mail.Messages(t)) >= 2 {
			break
		}
	}
	if good.LastSuccess.IsZero() || good.LastArchive != "M001-M002-M003_"+due.Format("Monday")+".zip" {
		t.Fatalf("job good did not succeed at %s: state %+v\noutput:\n%s", at, good, out.String())
	}
	if good.LastVerify != "full" {
		t.Errorf("job good's state says last_verify %q, want full (read back from the FTP server)", good.LastVerify)
	}
	if bad.LastFailure.IsZero() || !bad.LastSuccess.IsZero() || !strings.Contains(bad.LastError, "no-such-installation") {
		t.Fatalf("job bad did not fail plainly: state %+v\noutput:\n%s", bad, out.String())
	}
	if !good.NextRun.After(due) || good.Running {
		t.Errorf("job good: next run %v should be after %v, not running", good.NextRun, due)
	}

	// The archive at the server is whole: checked with Info-ZIP and 7-Zip.
	arch := filepath.Join(ftp.Root, "backup", good.LastArchive)
	testutil.CheckWithTools(t, arch)
	zr, err := zip.OpenReader(arch)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for rel, f := range inst.Expected(3, nil, false) {
		r, err := zr.Open(rel)
		if err != nil {
			t.Errorf("the archive lacks %s: %v", rel, err)
			continue
		}
		b, _ := io.ReadAll(r)
		r.Close()
		if !bytes.Equal(b, f.Body) {
			t.Errorf("%s differs in the archive", rel)
		}
	}

	// The reports.
	msgs := mail.Messages(t)
	var okMail, failMail *testsrv.Mail
	for i, m := range msgs {
		switch {
		case strings.Contains(m.Subject, "backup OK - job good"):
			okMail = &msgs[i]
		case strings.Contains(m.Subject, "BACKUP FAILED - job bad"):
			failMail = &msgs[i]
		}
	}
	if okMail == nil || failMail == nil {
		t.Fatalf("want a success and a failure report, got %+v", msgs)
	}
	if okMail.To[0].Address != "chef@example.org" || failMail.To[0].Address != "partner@example.org" {
		t.Errorf("reports went to the wrong people: %+v / %+v", okMail.To, failMail.To)
	}
	if body := mail.Text(t, okMail.ID); !strings.Contains(body, good.LastArchive) || !strings.Contains(body, "Next run:") {
		t.Errorf("success report lacks the archive or the next run:\n%s", body)
	}
	if body := mail.Text(t, failMail.ID); !strings.Contains(body, "no-such-installation") {
		t.Errorf("failure report lacks the reason:\n%s", body)
	}

	// status reads the same state (service not installed: an alert, exit 1).
	st := exec.Command(bin, "status", "--config", cfgPath, "--json")
	js, _ := st.Output()
	var rep struct {
		Jobs []struct {
			Name        string    `json:"name"`
			LastSuccess time.Time `json:"last_success"`
			LastFailed  bool      `json:"last_failed"`
			LastError   string    `json:"last_error"`
		} `json:"jobs"`
		Warnings []struct{ Code string } `json:"warnings"`
	}
	if err := json.Unmarshal(js, &rep); err != nil {
		t.Fatalf("status --json: %v\n%s", err, js)
	}
	if len(rep.Jobs) != 2 || rep.Jobs[0].Name != "bad" || !rep.Jobs[0].LastFailed || rep.Jobs[1].LastSuccess.IsZero() {
		t.Errorf("status does not match the runs: %s", js)
	}

	if h := service.History(stateDir, 0); len(h) != 2 || h[0].OK == h[1].OK {
		t.Errorf("history: want one success and one failure, got %+v", h)
	}
	text, _ := exec.Command(bin, "status", "--config", cfgPath).Output()
	if !strings.Contains(string(text), "Last runs:") || !strings.Contains(string(text), "OK     "+good.LastArchive) {
		t.Errorf("status does not show the last runs:\n%s", text)
	}

	// The log file has both runs; no password anywhere in it or the console.
	logText, err := os.ReadFile(filepath.Join(stateDir, "posbackup.log"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"job good: the backup succeeded", "job bad: the backup failed", "report of job good was mailed"} {
		if !strings.Contains(string(logText), want) {
			t.Errorf("log lacks %q:\n%s", want, logText)
		}
	}
	for _, s := range []string{string(logText), out.String(), string(js)} {
		if strings.Contains(s, ftp.Password) {
			t.Errorf("the server password appears in output or log:\n%s", s)
		}
	}

	// The service serves the backup dialog too ([web] listen).
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/", webPort))
	if err != nil {
		t.Errorf("the service does not serve the dialog: %v\n%s", err, out.String())
	} else {
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(page), "posbackup") {
			t.Errorf("the dialog: %s\n%.300s", resp.Status, page)
		}
	}

	// SIGTERM stops it cleanly.
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		stopped = true
		if err != nil {
			t.Errorf("service run after SIGTERM: %v\n%s", err, out.String())
		}
	case <-time.After(20 * time.Second):
		t.Errorf("service run did not stop on SIGTERM")
	}
}
