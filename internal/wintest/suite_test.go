//go:build linux

package wintest

import (
	"archive/zip"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/testutil"
)

// installation writes a small POS installation at C:\Hypers-! (the
// default folder) with awkward names; it returns the files of variant 02
// (master and transaction data), slash paths relative to the root, with
// their contents.
func installation(t *testing.T, w *Wine) map[string]string {
	files := map[string]string{
		"Daten/Global/Kassen.cfg":        "global config",
		"Daten/M001/Stamm/Artikel.dat":   strings.Repeat("article ", 500),
		"Daten/M001/Stamm/Müller €.dat":  "umlaut and euro",
		"Daten/M001/Journal/Journal.dat": "open period journal",
		"Daten/M001/Arthist.dat":         "article history",
	}
	for p, c := range files {
		writeFile(t, w.C("Hypers-!/"+p), c)
	}
	writeFile(t, w.C("Hypers-!/version.ini"), "[Version]\r\nVersion=10.7.1\r\n")
	writeFile(t, w.C("Hypers-!/Programme/kasse.exe"), "MZ program")
	writeFile(t, w.C("Hypers-!/Temp/x.tmp"), "never")
	return files
}

func zipNames(t *testing.T, p string) map[string]bool {
	t.Helper()
	z, err := zip.OpenReader(p)
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	defer z.Close()
	names := map[string]bool{}
	for _, f := range z.File {
		names[f.Name] = true
	}
	return names
}

func onlyZip(t *testing.T, dir string) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, "*.zip"))
	if len(m) != 1 {
		t.Fatalf("want one archive in %s, found %v", dir, m)
	}
	return m[0]
}

// TestWindowsUnderWine runs the real posbackup.exe under Wine, as a shop
// owner or reseller would use it on a till.
func TestWindowsUnderWine(t *testing.T) {
	if testing.Short() {
		t.Skip("the Wine suite takes minutes")
	}
	w := NewWine(t)
	files := installation(t, w)
	src := `C:\Hypers-!`

	t.Run("nothing set up", func(t *testing.T) {
		r := w.Run("", "status")
		if r.Code == 0 {
			t.Errorf("status with nothing set up exits 0:\n%s", r)
		}
		out := r.Stdout + r.Stderr
		if strings.Contains(out, "Usage:") {
			t.Errorf("status with nothing set up is not a usage error:\n%s", r)
		}
		pending(t, strings.Contains(strings.ToLower(out), "no automatic backup is set up on this computer"),
			"status without a config says in one plain line that no automatic backup is set up on this computer", r)
	})

	usb := t.TempDir()
	var archive string
	t.Run("drive letter", func(t *testing.T) {
		w.Drive("e", usb)
		r := w.MustRun("backup", "--source", src, "--variant", "2", "--to", `E:\Sicherung`)
		archive = onlyZip(t, filepath.Join(usb, "Sicherung"))
		testutil.CheckWithTools(t, archive)
		names := zipNames(t, archive)
		for p := range files {
			if !names[p] {
				t.Errorf("the archive lacks %s (names are kept as UTF-8): %v", p, names)
			}
		}
		if names["Temp/x.tmp"] || names["Programme/kasse.exe"] {
			t.Errorf("variant 02 holds the never-list or program files: %v", names)
		}
		base := filepath.Base(archive)
		if !strings.Contains(r.Stdout, base) {
			t.Errorf("backup does not name its archive %s:\n%s", base, r)
		}
		if r := w.MustRun("list", "--to", `E:\Sicherung`); !strings.Contains(r.Stdout, base) {
			t.Errorf("list does not show %s:\n%s", base, r)
		}
		w.MustRun("verify", `E:\Sicherung\`+base)
		w.MustRun("restore", `E:\Sicherung\`+base, "--target", `C:\Wiederhergestellt`, "--yes")
		for p, want := range files {
			got, err := os.ReadFile(w.C("Wiederhergestellt/" + p))
			if err != nil || string(got) != want {
				t.Errorf("restored %s: %q %v, want %q", p, got, err, want)
			}
		}
	})

	t.Run("drive pulled out", func(t *testing.T) {
		if archive == "" {
			t.Skip("no archive on E:")
		}
		base := filepath.Base(archive)
		w.RemoveDrive("e")
		defer w.Drive("e", usb)
		r := w.Run("", "backup", "--source", src, "--variant", "2", "--to", `E:\Sicherung`)
		if r.Code == 0 {
			t.Errorf("a backup to a missing drive E: succeeded:\n%s", r)
		}
		if !strings.Contains(r.Stderr+r.Stdout, "E:") {
			t.Errorf("the refusal does not name the drive E::\n%s", r)
		}
		v := w.Run("", "verify", `E:\Sicherung\`+base)
		if v.Code == 0 {
			t.Errorf("verify of an archive on a missing drive succeeded:\n%s", v)
		}
		pending(t, strings.Contains(v.Stderr+v.Stdout, "Drive E: is not present"),
			"verify of an archive on a pulled USB stick says \"Drive E: is not present\"", v)
	})

	t.Run("UNC share", func(t *testing.T) {
		share := t.TempDir()
		w.Share("kassenserver", "sicherung", share)
		to := `\\KASSENSERVER\Sicherung\Filiale 1`
		w.MustRun("backup", "--source", src, "--variant", "1", "--to", to, "--name", "{client}_{date}")
		a := onlyZip(t, filepath.Join(share, "Filiale 1"))
		testutil.CheckWithTools(t, a)
		if r := w.MustRun("list", "--to", to); !strings.Contains(r.Stdout, filepath.Base(a)) {
			t.Errorf("list of the share:\n%s", r)
		}
		w.MustRun("verify", to+`\`+filepath.Base(a))
	})

	t.Run("config set-secret", func(t *testing.T) {
		cfg := `C:\bk\secret.toml`
		writeFile(t, w.C("bk/secret.toml"), "source = 'C:\\Hypers-!'\nvariant = 1\nto = 'ftp://kasse@127.0.0.1:1/pos'\n")
		r := w.Run("Sehr-Geheim-42\n", "config", "set-secret", "password", "--config", cfg)
		if r.Code != 0 {
			t.Fatalf("set-secret:\n%s", r)
		}
		b, _ := os.ReadFile(w.C("bk/secret.toml"))
		if strings.Contains(string(b), "Sehr-Geheim-42") || strings.Contains(r.Stdout+r.Stderr, "Sehr-Geheim-42") {
			t.Errorf("the password is readable in the config or the output:\n%s\n%s", b, r)
		}
		if !strings.Contains(string(b), "password") {
			t.Errorf("no password stored:\n%s", b)
		}
	})

	t.Run("file held open", func(t *testing.T) {
		_, in, out := w.Start(`C:\posbackup\holdopen.exe`, `C:\Hypers-!\Daten\M001\Journal\Journal.dat`)
		if l, _ := out.ReadString('\n'); !strings.HasPrefix(l, "held") {
			t.Fatalf("holdopen: %q", l)
		}
		defer in.Close()
		dir := t.TempDir()
		w.Drive("h", dir)
		r := w.Run("", "backup", "--source", src, "--variant", "2", "--to", `H:\`)
		out2 := r.Stdout + r.Stderr
		if !strings.Contains(out2, "Journal.dat") {
			t.Errorf("the backup does not name the file held open:\n%s", r)
		}
		if strings.Contains(out2, "goroutine ") || strings.Contains(out2, "panic") {
			t.Errorf("a stack trace:\n%s", r)
		}
		pending(t, regexp.MustCompile(`(?i)POS program|holds it|held open`).MatchString(out2),
			"a file opened without sharing is named with a sentence that says the POS program holds it", r)
	})

	t.Run("dialog", func(t *testing.T) {
		writeFile(t, w.C("bk/web.toml"), "source = 'C:\\Hypers-!'\nvariant = 2\nto = 'E:\\Sicherung'\n")
		port := freePort(t)
		c, _, _ := w.Start(w.Exe, "serve", "--config", `C:\bk\web.toml`, "--listen", fmt.Sprintf("127.0.0.1:%d", port))
		url := fmt.Sprintf("http://127.0.0.1:%d/", port)
		var resp *http.Response
		var err error
		for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(300 * time.Millisecond) {
			if resp, err = http.Get(url); err == nil {
				break
			}
		}
		if err != nil {
			t.Fatalf("the dialog served by posbackup.exe under Wine does not answer on %s: %v", url, err)
		}
		defer resp.Body.Close()
		if resp.StatusCode >= 500 || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") {
			t.Errorf("GET %s: %s %s", url, resp.Status, resp.Header.Get("Content-Type"))
		}
		c.Process.Kill()
	})

	t.Run("service", func(t *testing.T) { serviceUnderWine(t, w) })

	t.Run("event log", func(t *testing.T) {
		// Wine keeps no event log to read back: its ReportEventW writes
		// the messages to the eventlog debug channel, which is read here.
		r := w.RunExeEnv([]string{"WINEDEBUG=-all,err+eventlog,warn+eventlog,trace+eventlog"},
			`C:\posbackup\osservice.test.exe`, "", "-test.run", "^(TestEventLogWrites|TestAdminHint)$", "-test.v")
		if r.Code != 0 || !strings.Contains(r.Stdout, "--- PASS: TestEventLogWrites") || !strings.Contains(r.Stdout, "--- PASS: TestAdminHint") {
			t.Fatalf("the event-log test under Wine:\n%s", r)
		}
		for _, want := range []string{
			`err:eventlog:ReportEventW L"The automatic backup nightly on KASSE1 FAILED: Drive E: is not present`,
			`warn:eventlog:ReportEventW L"No backup of job nightly on KASSE1 has succeeded`,
		} {
			if !strings.Contains(r.Stderr, want) {
				t.Errorf("Wine's event log did not get %s:\n%s", want, r)
			}
		}
	})

	// Each check its own subtest, so each missing piece is reported.
	t.Run("default source", func(t *testing.T) {
		dir := t.TempDir()
		w.Drive("f", dir)
		r := w.Run("", "backup", "--variant", "1", "--to", `F:\`)
		pending(t, r.Code == 0 && len(globZip(dir)) == 1,
			`backup without --source takes the default installation folder C:\Hypers-! when it exists`, r)
	})
	t.Run("default config", func(t *testing.T) {
		dir := t.TempDir()
		w.Drive("g", dir)
		writeFile(t, w.C("ProgramData/posbackup/posbackup.toml"),
			"source = 'C:\\Hypers-!'\nvariant = 2\nto = 'G:\\'\n[jobs.nachts]\ntime = '03:00'\n")
		defer os.Remove(w.C("ProgramData/posbackup/posbackup.toml"))
		t.Run("status", func(t *testing.T) {
			r := w.Run("", "status")
			pending(t, strings.Contains(r.Stdout, "Job nachts"),
				`status without --config reads the machine config C:\ProgramData\posbackup\posbackup.toml`, r)
		})
		t.Run("backup", func(t *testing.T) {
			r := w.Run("", "backup")
			pending(t, r.Code == 0 && len(globZip(dir)) == 1, `backup without --config takes its settings from the machine config`, r)
		})
		t.Run("POSBACKUP_CONFIG", func(t *testing.T) {
			writeFile(t, w.C("bk/other.toml"), "source = 'C:\\Hypers-!'\nvariant = 1\nto = 'G:\\'\n[jobs.anders]\ntime = '04:00'\n")
			r := w.RunExeEnv([]string{`POSBACKUP_CONFIG=C:\bk\other.toml`}, w.Exe, "", "status")
			pending(t, strings.Contains(r.Stdout, "Job anders") && !strings.Contains(r.Stdout, "Job nachts"),
				`POSBACKUP_CONFIG names the config when --config is not given`, r)
		})
	})
}

func globZip(dir string) []string {
	m, _ := filepath.Glob(filepath.Join(dir, "*.zip"))
	return m
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// nextMinute returns a time of day HH:MM at least 20 s ahead.
func nextMinute() (string, time.Time) {
	at := time.Now().Add(80 * time.Second).Truncate(time.Minute)
	return at.Format("15:04"), at
}

// serviceUnderWine installs the automatic backup under Wine's service
// manager, waits for the run the service makes at its time, then stops
// and removes it.
func serviceUnderWine(t *testing.T, w *Wine) {
	cfg := `C:\bk\service.toml`
	writeFile(t, w.C("bk/service.toml"), "source = 'C:\\Hypers-!'\nvariant = 2\nto = 'C:\\Automatisch'\n")
	hhmm, at := nextMinute()
	r := w.MustRun("service", "install", "--config", cfg, "--time", hhmm)
	if !strings.Contains(r.Stdout, "It runs.") {
		t.Errorf("service install did not start the service:\n%s", r)
	}
	if strings.Contains(r.Stdout+r.Stderr, "administrator") {
		t.Errorf("install says 'administrator' though the rights were not the cause:\n%s", r)
	}
	// Wine lacks the delayed start: a warning, not a failure.
	if !strings.Contains(r.Stderr, "warning") || !strings.Contains(r.Stderr, "delayed start") {
		t.Errorf("install under Wine, which lacks the delayed start, does not warn about it:\n%s", r)
	}
	img := w.RunExe("reg", "", "query", `HKLM\SYSTEM\CurrentControlSet\Services\posbackup`, "/v", "ImagePath")
	if !strings.Contains(img.Stdout, "service run --as-service --config "+cfg) {
		t.Errorf("the service's command line does not carry --as-service and the config:\n%s", img)
	}
	reg := w.Run("", "status", "--config", cfg)
	if !strings.Contains(reg.Stdout, "Automatic backup service: running") {
		t.Errorf("service status after install:\n%s", reg)
	}
	// The run the service makes at its time.
	var logText []byte
	for deadline := at.Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Second) {
		logText, _ = os.ReadFile(w.C("bk/posbackup-state/posbackup.log"))
		if strings.Contains(string(logText), "the backup succeeded") {
			break
		}
	}
	if !strings.Contains(string(logText), "the backup succeeded") {
		t.Fatalf("the service made no backup at %s; its log:\n%s", hhmm, logText)
	}
	a := onlyZip(t, w.C("Automatisch"))
	var events []byte
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Second) {
		if events, _ = os.ReadFile(w.EventLog); strings.Contains(string(events), "the backup succeeded") {
			break
		}
	}
	if !strings.Contains(string(events), "ReportEventW") || !strings.Contains(string(events), "job nightly: the backup succeeded ("+filepath.Base(a)+")") {
		t.Errorf("the service did not write its run into the event log (Wine's eventlog channel):\n%s", events)
	}
	testutil.CheckWithTools(t, a)
	st := w.Run("", "service", "status", "--config", cfg)
	if !strings.Contains(st.Stdout, "running") || !strings.Contains(st.Stdout, "OK     "+filepath.Base(a)) {
		t.Errorf("service status does not show the run:\n%s", st)
	}
	w.MustRun("service", "stop", "--config", cfg)
	if st := w.Run("", "service", "status", "--config", cfg); !strings.Contains(st.Stdout, "installed, NOT running") {
		t.Errorf("after stop:\n%s", st)
	}
	// Uninstalling when only the event-log source is already gone is no failure.
	if r := w.RunExe("reg", "", "delete", `HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\posbackup`, "/f"); r.Code != 0 {
		t.Errorf("the event-log source was not registered by install:\n%s", r)
	}
	un := w.MustRun("service", "uninstall", "--config", cfg)
	if strings.Contains(un.Stderr, "event log") || strings.Contains(un.Stderr, "failed") {
		t.Errorf("uninstall without the event-log source complains:\n%s", un)
	}
	if st := w.Run("", "service", "status", "--config", cfg); !strings.Contains(st.Stdout, "NOT installed") {
		t.Errorf("after uninstall:\n%s", st)
	}
	again := w.Run("", "service", "uninstall", "--config", cfg)
	if again.Code == 0 || !strings.Contains(again.Stderr, "not installed") || strings.Contains(again.Stderr, "administrator") {
		t.Errorf("uninstalling twice:\n%s", again)
	}
	if _, err := os.Stat(a); err != nil {
		t.Errorf("uninstall removed the backup: %v", err)
	}
}
