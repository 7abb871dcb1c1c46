package osservice_test

import (
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/osservice"
	"github.com/posbackup/posbackup/internal/service"
	"github.com/posbackup/posbackup/internal/status"
	"github.com/posbackup/posbackup/internal/testutil"
)

func TestDefinitionRunsTheConfigAndRestarts(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "pos backup.toml")
	os.WriteFile(cfg, []byte("[jobs.nightly]\ntime = \"23:30\"\n"), 0o600)
	m := &osservice.Manager{ConfigPath: cfg, Executable: "/opt/posbackup/posbackup"}
	def, err := m.Definition()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"service", "run", "--as-service", "--config", cfg}
	if def.Name != "posbackup" || def.Executable != "/opt/posbackup/posbackup" || strings.Join(def.Arguments, "|") != strings.Join(want, "|") {
		t.Errorf("definition %s %v %v, want posbackup %v", def.Name, def.Executable, def.Arguments, want)
	}
	if def.Option["OnFailure"] != "restart" || def.Option["Restart"] != "always" || def.Option["KeepAlive"] != true {
		t.Errorf("the service is not restarted after a crash: %v", def.Option)
	}
	if _, ok := def.Option["Password"]; ok || def.UserName != "" {
		t.Errorf("the system account is the default: %q %v", def.UserName, def.Option)
	}
	m.RunAs, m.RunAsPassword = `KASSE1\backup`, "Konto-Geheim"
	if def, _ := m.Definition(); def.UserName != `KASSE1\backup` || def.Option["Password"] != "Konto-Geheim" || strings.Contains(strings.Join(def.Arguments, " "), "Konto-Geheim") {
		t.Errorf("run as: %q, arguments %v", def.UserName, def.Arguments)
	}
	if _, err := (&osservice.Manager{ConfigPath: filepath.Join(t.TempDir(), "missing.toml")}).Definition(); err == nil ||
		!strings.Contains(err.Error(), "does not exist") {
		t.Errorf("a missing config: %v", err)
	}
}

// TestInstallSystemV installs, starts, stops and removes a real service
// through the init system of this machine (System V init scripts: these
// machines have no systemd), under a name of its own.
func TestInstallSystemV(t *testing.T) {
	if runtime.GOOS != "linux" || !strings.Contains(osservice.Platform(), "systemv") || os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI must run this as root on System V init; platform %s", osservice.Platform())
		}
		t.Skipf("needs root and System V init (platform %s)", osservice.Platform())
	}
	if _, err := exec.LookPath("service"); err != nil {
		t.Skip("no service command")
	}
	bin := testutil.Binary(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "posbackup.toml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("source = %q\nvariant = 1\nto = %q\n[jobs.nightly]\ntime = \"03:00\"\n", dir, filepath.Join(dir, "out"))), 0o600)
	name := fmt.Sprintf("posbackup-test-%d", rand.Intn(1e6))
	m := &osservice.Manager{ConfigPath: cfg, Name: name, Executable: bin}
	t.Cleanup(func() {
		m.Stop()
		m.Uninstall()
		os.Remove("/var/log/" + name + ".log")
		os.Remove("/var/log/" + name + ".err")
	})
	if st, err := m.Status(); st != status.ServiceNotInstalled {
		t.Fatalf("before install: %v %v", st, err)
	}
	if err := m.Install(); err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile("/etc/init.d/" + name)
	if err != nil {
		t.Fatal(err)
	}
	wantCmd := fmt.Sprintf(`%s "service" "run" "--as-service" "--config" "%s" "--name" "%s"`, bin, cfg, name)
	if !strings.Contains(string(script), wantCmd) {
		t.Errorf("the init script does not run %s:\n%s", wantCmd, script)
	}
	if l, err := os.Readlink("/etc/rc2.d/S50" + name); err != nil || l != "/etc/init.d/"+name {
		t.Errorf("not started at boot: %v %v", l, err)
	}
	if st, _ := m.Status(); st != status.ServiceStopped {
		t.Errorf("installed, not started: status %v", st)
	}
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	// The service writes its log into the state folder once it runs.
	logFile := filepath.Join(dir, "posbackup-state", service.LogName)
	var logText []byte
	for i := 0; i < 100 && !strings.Contains(string(logText), "next run"); i++ {
		time.Sleep(100 * time.Millisecond)
		logText, _ = os.ReadFile(logFile)
	}
	if !strings.Contains(string(logText), "job nightly (daily at 03:00): next run") {
		t.Errorf("the started service did not log its schedule:\n%s", logText)
	}
	if st, _ := m.Status(); st != status.ServiceRunning {
		t.Errorf("started: status %v", st)
	}
	// Installing again (the dialog's button pressed twice, or from inside
	// the service) leaves the running service alone.
	if err := m.Ensure(); err != nil {
		t.Errorf("install again: %v", err)
	}
	if st, _ := m.Status(); st != status.ServiceRunning {
		t.Errorf("after installing again: status %v", st)
	}
	if err := m.Stop(); err != nil {
		t.Fatal(err)
	}
	if st, _ := m.Status(); st != status.ServiceStopped {
		t.Errorf("stopped: status %v", st)
	}
	if err := m.Uninstall(); err != nil {
		t.Fatal(err)
	}
	if st, _ := m.Status(); st != status.ServiceNotInstalled {
		t.Errorf("removed: status %v", st)
	}
	if _, err := os.Lstat("/etc/rc2.d/S50" + name); err == nil {
		t.Errorf("a runlevel link was left behind")
	}
}
