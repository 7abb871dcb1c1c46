package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/demo"
)

// run calls the command line in-process and returns exit code and output.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, strings.NewReader(""), &out, &errb)
	for _, s := range []string{out.String(), errb.String()} {
		if strings.Contains(s, "goroutine ") || strings.Contains(s, "panic:") {
			t.Fatalf("posbackup %v printed a Go panic:\n%s", args, s)
		}
	}
	return code, out.String(), errb.String()
}

func demoInstall(t *testing.T) string {
	t.Helper()
	src := filepath.Join(t.TempDir(), "Hypers-!")
	if _, err := demo.Make(src); err != nil {
		t.Fatal(err)
	}
	return src
}

func TestHelpOnEveryCommand(t *testing.T) {
	for _, c := range []string{"", "backup", "list", "info", "verify", "restore", "variants", "profile", "demo", "test-access", "config", "job", "service", "status", "notify"} {
		args := []string{"--help"}
		if c != "" {
			args = []string{c, "--help"}
		}
		code, out, _ := run(t, args...)
		if code != 0 || !strings.Contains(out, "Usage:") {
			t.Errorf("posbackup %s --help: exit %d\n%s", c, code, out)
		}
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	src := demoInstall(t)
	to := t.TempDir()
	bad := filepath.Join(t.TempDir(), "bad.toml")
	os.WriteFile(bad, []byte("sourse = 'x'\n"), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"backup", "--variant", "1", "--to", to}, "--source"},
		{[]string{"backup", "--source", src, "--to", to}, "--variant"},
		{[]string{"backup", "--source", src, "--variant", "7", "--to", to}, "no variant 07"},
		{[]string{"backup", "--source", src, "--variant", "1"}, "--to"},
		{[]string{"backup", "--source", src, "--variant", "1", "--to", to, "--clients", "x"}, "client number"},
		{[]string{"backup", "--source", src, "--variant", "1", "--to", to, "--role", "boss"}, "head-office or location"},
		{[]string{"backup", "--source", src, "--variant", "1", "--to", to, "--name", "{kunde}"}, "{kunde}"},
		{[]string{"backup", "--source", src, "--variant", "1", "--to", to, "--level", "max"}, "--level"},
		{[]string{"backup", "--source", src, "--variant", "1", "--to", "sftp://127.0.0.1/x", "--timeout", "-5s"}, "timeout cannot be negative"},
		{[]string{"list", "--to", to, "--timeout", "-1s"}, "timeout cannot be negative"},
		{[]string{"backup", "--variant", "x"}, "invalid argument"},
		{[]string{"backup", "--config", bad}, "sourse"},
		{[]string{"backup", "--config", filepath.Join(to, "missing.toml")}, "does not exist"},
		{[]string{"frobnicate"}, "unknown command"},
		{[]string{"info"}, "arg"},
		{[]string{"restore", "x.zip"}, "--target"},
	} {
		code, _, errOut := run(t, c.args...)
		if code != 2 || !strings.Contains(strings.ToLower(errOut), strings.ToLower(c.want)) || strings.Contains(errOut, "strconv") {
			t.Errorf("posbackup %v: exit %d, stderr %q; want exit 2 mentioning %q", c.args, code, errOut, c.want)
		}
	}
}

func TestBackupJSONListInfoVerify(t *testing.T) {
	src := demoInstall(t)
	to := filepath.Join(t.TempDir(), "Backup")
	code, out, errOut := run(t, "backup", "--source", src, "--variant", "2", "--to", to, "--name", "{client}_{weekday}", "--lang", "de", "--json")
	if code != 0 {
		t.Fatalf("backup exit %d: %s", code, errOut)
	}
	var res struct {
		OK       bool     `json:"ok"`
		Archive  string   `json:"archive"`
		Files    int      `json:"files"`
		Bytes    int64    `json:"bytes"`
		Warnings []string `json:"warnings"`
		Verified bool     `json:"verified"`
		Verify   string   `json:"verify"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("--json output is not one JSON object: %v\n%s", err, out)
	}
	if !res.Verified || res.Verify != "full" {
		t.Errorf("--json says verified %v, verify %q: want true and \"full\" (read back from the folder)", res.Verified, res.Verify)
	}
	days := map[time.Weekday]string{0: "Sonntag", 1: "Montag", 2: "Dienstag", 3: "Mittwoch", 4: "Donnerstag", 5: "Freitag", 6: "Samstag"}
	if !res.OK || res.Files != 11 || res.Bytes == 0 || res.Warnings == nil || res.Archive != "M001-M002_"+days[time.Now().Weekday()]+".zip" {
		t.Errorf("backup result %+v", res)
	}
	// A second, older-looking backup under another name, to check the order.
	time.Sleep(10 * time.Millisecond)
	if code, _, e := run(t, "backup", "--source", src, "--variant", "1", "--to", to, "--name", "zweite"); code != 0 {
		t.Fatal(e)
	}
	code, out, _ = run(t, "list", "--to", to, "--json")
	var list []map[string]any
	if err := json.Unmarshal([]byte(out), &list); err != nil || code != 0 || len(list) != 2 {
		t.Fatalf("list: exit %d, %v\n%s", code, err, out)
	}
	if list[0]["name"] != "zweite.zip" || list[1]["name"] != res.Archive || list[1]["variant"] != "02" || list[1]["program_version"] != "26.4.1" {
		t.Errorf("list not newest first or missing details: %v", list)
	}
	code, out, _ = run(t, "list", "--to", to)
	if code != 0 || !strings.Contains(out, "zweite.zip") || !strings.Contains(out, "26.4.1") {
		t.Errorf("list text:\n%s", out)
	}
	zipPath := filepath.Join(to, res.Archive)
	code, out, _ = run(t, "info", zipPath, "--json")
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil || code != 0 || m["program_version"] != "26.4.1" || m["variant"].(float64) != 2 {
		t.Errorf("info --json: exit %d %v\n%s", code, err, out)
	}
	code, out, _ = run(t, "info", zipPath)
	if code != 0 || !strings.Contains(out, "Master data & transaction data") || !strings.Contains(out, "M001, M002") {
		t.Errorf("info:\n%s", out)
	}
	if code, out, _ = run(t, "verify", zipPath); code != 0 || !strings.Contains(out, "intact") {
		t.Errorf("verify intact: exit %d\n%s", code, out)
	}
	// Damage it: verify exits 1 and names the entry.
	b, _ := os.ReadFile(zipPath)
	i := bytes.Index(b, []byte("Daten/M001/Journal/2026-11.jrn"))
	b[i+200] ^= 0xff // inside the entry's compressed data, past its local header
	os.WriteFile(zipPath, b, 0o644)
	code, out, _ = run(t, "verify", zipPath)
	if code != 1 || !strings.Contains(out, "DAMAGED") || !strings.Contains(out, "Daten/M001/Journal/2026-11.jrn") {
		t.Errorf("verify damaged: exit %d\n%s", code, out)
	}
	if code, _, errOut = run(t, "verify", filepath.Join(to, "nope.zip")); code != 1 || !strings.Contains(errOut, "does not exist") {
		t.Errorf("verify missing: exit %d %s", code, errOut)
	}
}

func TestConfigFileAndFlagOverride(t *testing.T) {
	src := demoInstall(t)
	to := filepath.Join(t.TempDir(), "Backup")
	cfg := filepath.Join(t.TempDir(), "posbackup.toml")
	os.WriteFile(cfg, []byte("source = '"+src+"'\nvariant = 3\nto = '"+to+"'\nname = 'cfg_{variant}'\nclients = '2'\nrole = 'head-office'\n"), 0o644)
	code, out, errOut := run(t, "backup", "--config", cfg, "--json")
	if code != 0 || !strings.Contains(out, `"archive": "cfg_03.zip"`) || !strings.Contains(out, `"M002"`) {
		t.Fatalf("backup from config: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = run(t, "backup", "--config", cfg, "--variant", "1", "--clients", "all", "--json")
	if code != 0 || !strings.Contains(out, `"archive": "cfg_01.zip"`) || !strings.Contains(out, `"M001"`) {
		t.Errorf("flags do not override the config: exit %d\n%s", code, out)
	}
	if code, out, _ = run(t, "list", "--config", cfg); code != 0 || !strings.Contains(out, "cfg_01.zip") {
		t.Errorf("list takes --to from the config: %d\n%s", code, out)
	}
}

func TestRestoreNeedsConfirmationWhenNotATerminal(t *testing.T) {
	src := demoInstall(t)
	to := t.TempDir()
	if code, _, e := run(t, "backup", "--source", src, "--variant", "4", "--to", to, "--name", "full"); code != 0 {
		t.Fatal(e)
	}
	zipPath := filepath.Join(to, "full.zip")
	target := t.TempDir()
	os.WriteFile(filepath.Join(target, "version.ini"), []byte("Version=25.0\r\n"), 0o644)
	code, _, errOut := run(t, "restore", zipPath, "--target", target)
	if code != 1 || !strings.Contains(errOut, "--yes") {
		t.Errorf("restore over a file without --yes: exit %d %s", code, errOut)
	}
	if b, _ := os.ReadFile(filepath.Join(target, "version.ini")); string(b) != "Version=25.0\r\n" {
		t.Error("overwritten without confirmation")
	}
	code, out, _ := run(t, "restore", zipPath, "--target", target, "--yes")
	if code != 0 || !strings.Contains(out, "25.0") || !strings.Contains(out, "26.4.1") || !strings.Contains(out, "1 replaced") {
		t.Errorf("restore --yes: exit %d\n%s", code, out)
	}
	code, out, _ = run(t, "restore", zipPath, "--target", t.TempDir(), "--only", "client:2", "--dry-run")
	if code != 0 || !strings.Contains(out, "Daten/M002/") || strings.Contains(out, "Daten/M001/") {
		t.Errorf("dry run of client 2:\n%s", out)
	}
}

func TestBackupFailureIsLoud(t *testing.T) {
	code, out, errOut := run(t, "backup", "--source", filepath.Join(t.TempDir(), "nope"), "--variant", "1", "--to", t.TempDir(), "--json")
	if code != 1 || !strings.Contains(errOut, "BACKUP FAILED") || !strings.Contains(out, `"ok": false`) {
		t.Errorf("exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
}

func TestVariantsAndDemo(t *testing.T) {
	code, out, _ := run(t, "variants")
	for _, want := range []string{"01  Master data", "02  Master data & transaction data", "03  Master data & transaction data complete", "04  Complete installation folder", "head office"} {
		if !strings.Contains(out, want) || code != 0 {
			t.Errorf("variants lacks %q:\n%s", want, out)
		}
	}
	code, out, errOut := run(t, "demo", "--dir", t.TempDir())
	if code != 0 || !strings.Contains(out, "Verified") {
		t.Errorf("demo: exit %d\n%s%s", code, out, errOut)
	}
}

func TestConfigSetSecret(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "c.toml")
	os.WriteFile(cfg, []byte("# my site\nto = 'ftpes://nas/b'\npassword = \"old\"\n"), 0o644)
	var out, errb bytes.Buffer
	code := Main([]string{"config", "set-secret", "password", "--config", cfg}, strings.NewReader("Geheim\"1\n"), &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	b, _ := os.ReadFile(cfg)
	if !strings.Contains(string(b), "# my site") || !strings.Contains(string(b), `password = "Geheim\"1"`) || strings.Contains(string(b), "old") {
		t.Errorf("config after set-secret:\n%s", b)
	}
	if st, _ := os.Stat(cfg); st.Mode().Perm() != 0o600 {
		t.Errorf("config mode %v, want 0600", st.Mode().Perm())
	}
	if strings.Contains(out.String()+errb.String(), "Geheim") {
		t.Error("the secret was printed")
	}
	// Readable by others: a warning names the file.
	os.Chmod(cfg, 0o644)
	_, _, errOut := run(t, "list", "--config", cfg, "--to", t.TempDir())
	if !strings.Contains(errOut, "chmod 600 "+cfg) {
		t.Errorf("no warning about a config readable by others: %s", errOut)
	}
	if code, _, _ := run(t, "config", "set-secret", "source", "--config", cfg); code != 2 {
		t.Errorf("set-secret of a non-secret: exit %d", code)
	}
}

func TestBackupVerifyFlag(t *testing.T) {
	src := demoInstall(t)
	to := filepath.Join(t.TempDir(), "Backup")
	code, _, errOut := run(t, "backup", "--source", src, "--variant", "2", "--to", to, "--verify", "sometimes")
	if code != 2 || !strings.Contains(errOut, "nknown verify setting") {
		t.Errorf("--verify sometimes: exit %d, %s; want a usage error (exit 2)", code, errOut)
	}
	code, out, errOut := run(t, "backup", "--source", src, "--variant", "2", "--to", to, "--verify", "quick", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res struct {
		Verify string `json:"verify"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Verify != "full" {
		t.Errorf("--verify quick to a folder says verify %q (%v): want full, a folder is always read back", res.Verify, err)
	}
}
