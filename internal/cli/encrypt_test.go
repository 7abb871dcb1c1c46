//go:build !windows

package cli

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/testsrv"
	"github.com/posbackup/posbackup/internal/testutil"
)

const archivePW = "Arch1v-Geheimnis-42"

// sameTree fails unless every file under want's root has a byte-equal twin
// under got (rel paths as in the installation). It returns how many files
// it compared.
func sameTree(t *testing.T, src, got string, rels []string) {
	t.Helper()
	if len(rels) == 0 {
		t.Fatal("nothing to compare")
	}
	for _, rel := range rels {
		w, err := os.ReadFile(filepath.Join(src, rel))
		if err != nil {
			t.Fatal(err)
		}
		g, err := os.ReadFile(filepath.Join(got, rel))
		if err != nil || !bytes.Equal(w, g) {
			t.Errorf("%s: not restored byte for byte (%v)", rel, err)
		}
	}
}

func filesUnder(t *testing.T, root string) []string {
	var rels []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			rel, _ := filepath.Rel(root, p)
			rels = append(rels, rel)
		}
		return nil
	})
	return rels
}

// TestEncryptedBackup: --encrypt with the password from the config makes an
// archive 7-Zip tests and extracts with the password, byte for byte; list,
// info, verify and restore read it with the password; a wrong or missing
// password gives one plain error and writes nothing.
func TestEncryptedBackup(t *testing.T) {
	sevenZip := testutil.NeedTool(t, "7z")
	src := demoInstall(t)
	dir := t.TempDir()
	to := filepath.Join(dir, "Backup")
	cfg := filepath.Join(dir, "posbackup.toml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("source = %q\nvariant = 4\nto = %q\nname = \"enc\"\nencrypt = true\narchive_password = %q\n", src, to, archivePW)), 0o600)

	code, out, errOut := run(t, "backup", "--config", cfg, "--json")
	if code != 0 || !strings.Contains(out, `"encrypted": true`) {
		t.Fatalf("backup: exit %d\n%s%s", code, out, errOut)
	}
	arch := filepath.Join(to, "enc.zip")
	if b, err := exec.Command(sevenZip, "t", "-p"+archivePW, arch).CombinedOutput(); err != nil {
		t.Fatalf("7z t: %v\n%s", err, b)
	}
	x := t.TempDir()
	if b, err := exec.Command(sevenZip, "x", "-p"+archivePW, "-o"+x, arch).CombinedOutput(); err != nil {
		t.Fatalf("7z x: %v\n%s", err, b)
	}
	var inArchive []string // the never-list (locks, logs, temp files) is left out
	for _, rel := range filesUnder(t, x) {
		if !strings.HasPrefix(rel, ".posbackup") { // the manifest
			inArchive = append(inArchive, rel)
		}
	}
	if len(inArchive) < len(filesUnder(t, src))-5 {
		t.Fatalf("7z extracted only %d files", len(inArchive))
	}
	sameTree(t, src, x, inArchive)
	// Without the password 7-Zip gets nothing out.
	if b, err := exec.Command(sevenZip, "t", "-pwrong-password", arch).CombinedOutput(); err == nil {
		t.Errorf("7z t with a wrong password succeeded:\n%s", b)
	}

	for _, args := range [][]string{{"verify", arch}, {"info", arch}, {"list", "--to", to}} {
		if code, out, errOut := run(t, append(args, "--config", cfg)...); code != 0 || strings.Contains(out, "encrypted: give") {
			t.Errorf("%v with the password: exit %d\n%s%s", args, code, out, errOut)
		}
	}
	target := t.TempDir()
	if code, out, errOut := run(t, "restore", arch, "--config", cfg, "--target", target, "--yes"); code != 0 {
		t.Fatalf("restore: exit %d\n%s%s", code, out, errOut)
	}
	sameTree(t, src, target, inArchive)

	// A wrong password: one plain error, nothing written, the password not echoed.
	wrong := filepath.Join(dir, "wrong.txt")
	os.WriteFile(wrong, []byte("Falsches-Passwort-1\n"), 0o600)
	target2 := t.TempDir()
	keep := filepath.Join(target2, "Daten", "keep.txt")
	os.MkdirAll(filepath.Dir(keep), 0o755)
	os.WriteFile(keep, []byte("mine"), 0o644)
	for _, args := range [][]string{
		{"restore", arch, "--target", target2, "--yes", "--archive-password-file", wrong},
		{"verify", arch, "--archive-password-file", wrong},
	} {
		code, out, errOut := run(t, args...)
		if code != 1 || !strings.Contains(errOut, "password does not open") || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
			t.Errorf("%v: exit %d, want 1 and one plain line\n%s%s", args[0], code, out, errOut)
		}
		if strings.Contains(out+errOut, "Falsches-Passwort-1") {
			t.Errorf("the wrong password is echoed: %s", errOut)
		}
	}
	if ents := filesUnder(t, target2); len(ents) != 1 {
		t.Errorf("a refused restore wrote files: %v", ents)
	}
	if b, _ := os.ReadFile(keep); string(b) != "mine" {
		t.Errorf("a refused restore changed a file")
	}
	// No password at all.
	t.Setenv("POSBACKUP_ARCHIVE_PASSWORD", "")
	if code, _, errOut := run(t, "verify", arch); code != 1 || !strings.Contains(errOut, "is encrypted: give its password") {
		t.Errorf("verify without a password: exit %d\n%s", code, errOut)
	}
	// --encrypt without a password, or with a short one, is bad usage.
	if code, _, errOut := run(t, "backup", "--source", src, "--variant", "1", "--to", to, "--encrypt"); code != 2 || !strings.Contains(errOut, "no archive password") {
		t.Errorf("--encrypt without a password: exit %d\n%s", code, errOut)
	}
	t.Setenv("POSBACKUP_ARCHIVE_PASSWORD", "kurz")
	if code, _, errOut := run(t, "backup", "--source", src, "--variant", "1", "--to", to, "--encrypt"); code != 2 || !strings.Contains(errOut, "shorter than 8") {
		t.Errorf("--encrypt with a short password: exit %d\n%s", code, errOut)
	}
}

// TestRestoreSevenZipAES: an archive 7-Zip encrypted with AES-256 restores
// with posbackup, the password taken from POSBACKUP_ARCHIVE_PASSWORD.
func TestRestoreSevenZipAES(t *testing.T) {
	sevenZip := testutil.NeedTool(t, "7z")
	src := demoInstall(t)
	arch := filepath.Join(t.TempDir(), "from7zip.zip")
	cmd := exec.Command(sevenZip, "a", "-tzip", "-mem=AES256", "-p"+archivePW, arch, ".")
	cmd.Dir = src
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("7z a: %v\n%s", err, b)
	}
	t.Setenv("POSBACKUP_ARCHIVE_PASSWORD", archivePW)
	target := t.TempDir()
	if code, out, errOut := run(t, "restore", arch, "--target", target, "--yes"); code != 0 {
		t.Fatalf("restore: exit %d\n%s%s", code, out, errOut)
	}
	sameTree(t, src, target, filesUnder(t, src))
}

// TestNoSecretInOutputLogsOrProcessList runs real posbackup processes with a
// server login, an archive password and a mail password set in the config:
// a backup to SFTP, list, info, verify, status, a failing login, and the
// service catching up a missed run. No password may appear in any output,
// log or state file, or in the process list while they run.
func TestNoSecretInOutputLogsOrProcessList(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real processes")
	}
	bin := testutil.Binary(t)
	ssh := testsrv.StartSSH(t)
	mail := testsrv.StartMailpit(t)
	src := demoInstall(t)
	dir := t.TempDir()
	const mailPW = "Mail-Geheim-77x"
	secrets := []string{testsrv.Password, archivePW, mailPW}
	due := time.Now().Add(-time.Hour)
	body := fmt.Sprintf(`source = %q
variant = 3
to = "sftp://%s/betrieb"
user = %q
password = %q
fingerprint = %q
encrypt = true
archive_password = %q
name = "{client}"

[mail]
host = "127.0.0.1"
port = %d
security = "none"
user = "kasse"
password = %q

[jobs.nightly]
time = %q
mail_on = "always"
mail_to = ["chef@example.org"]
`, src, ssh.Addr, ssh.User, testsrv.Password, ssh.HostKeyFingerprint, archivePW, mail.SMTPPort, mailPW, due.Format("15:04"))
	cfg := filepath.Join(dir, "posbackup.toml")
	os.WriteFile(cfg, []byte(body), 0o600)
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte(strings.Replace(body, testsrv.Password, "Falsch-"+testsrv.Password, 1)), 0o600)
	secrets = append(secrets, "Falsch-"+testsrv.Password)

	var seen []string // everything the processes showed
	runProc := func(args ...string) int {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "POSBACKUP_PASSWORD=", "POSBACKUP_ARCHIVE_PASSWORD=")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		for {
			if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", cmd.Process.Pid)); err == nil {
				seen = append(seen, "process list: "+strings.ReplaceAll(string(b), "\x00", " "))
			}
			select {
			case <-done:
				seen = append(seen, out.String())
				return cmd.ProcessState.ExitCode()
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	if code := runProc("backup", "--config", cfg, "--json"); code != 0 {
		t.Fatalf("backup: exit %d\n%s", code, seen[len(seen)-1])
	}
	for _, args := range [][]string{
		{"list", "--config", cfg, "--json"},
		{"info", "M001-M002", "--config", cfg, "--json"},
		{"verify", "M001-M002.zip", "--config", cfg, "--json"},
		{"test-access", "--config", cfg},
		{"status", "--config", cfg, "--json"},
		{"notify", "test", "--config", cfg},
	} {
		runProc(args...)
	}
	if code := runProc("backup", "--config", bad, "--json"); code != 1 {
		t.Errorf("a wrong login: exit %d", code)
	}

	// The service: the job's time passed an hour ago and the state says it
	// was last due two days ago, so it catches the run up at once.
	stateDir := filepath.Join(dir, "posbackup-state")
	os.MkdirAll(stateDir, 0o700)
	since := time.Now().Add(-72 * time.Hour)
	os.WriteFile(filepath.Join(stateDir, "job-nightly.json"), []byte(fmt.Sprintf(`{"job":"nightly","since":%q,"last_due":%q}`,
		since.Format(time.RFC3339), since.Add(24*time.Hour).Format(time.RFC3339))), 0o600)
	svc := exec.Command(bin, "service", "run", "--config", cfg, "--poll", "200ms", "--catch-up-delay", "1ms", "--reload", "1s")
	var svcOut bytes.Buffer
	svc.Stdout, svc.Stderr = &svcOut, &svcOut
	if err := svc.Start(); err != nil {
		t.Fatal(err)
	}
	logFile := filepath.Join(stateDir, "posbackup.log")
	var logText []byte
	for i := 0; i < 600 && !bytes.Contains(logText, []byte("report of job nightly was mailed")); i++ {
		time.Sleep(100 * time.Millisecond)
		logText, _ = os.ReadFile(logFile)
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", svc.Process.Pid)); err == nil {
			seen = append(seen, "process list: "+strings.ReplaceAll(string(b), "\x00", " "))
		}
	}
	svc.Process.Signal(os.Interrupt)
	svc.Wait()
	if !bytes.Contains(logText, []byte("the backup succeeded")) {
		t.Errorf("the service did not catch the run up:\n%s\n%s", logText, svcOut.String())
	}
	seen = append(seen, svcOut.String(), string(logText))
	states, _ := filepath.Glob(filepath.Join(stateDir, "*"))
	for _, p := range states {
		if b, err := os.ReadFile(p); err == nil {
			seen = append(seen, p+": "+string(b))
		}
	}
	for _, m := range mail.Messages(t) {
		seen = append(seen, m.Subject+"\n"+mail.Text(t, m.ID))
	}
	if len(mail.Messages(t)) < 2 {
		t.Errorf("want the test mail and the service's report, got %d mails", len(mail.Messages(t)))
	}
	for _, s := range seen {
		for _, secret := range secrets {
			if strings.Contains(s, secret) {
				t.Errorf("a password (%.4s...) appears in:\n%s", secret, s)
			}
		}
	}
}
