package job_test

// The faultinject build of posbackup that the crash matrix and the restore
// kill test run, and the check that only that build holds fault injection.

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// crashBuild builds posbackup with -tags faultinject: the backup's fault
// plan (prepare/faultinject.go) and the restore's fault points
// (restore_fault_on.go). TestCrashMatrix and TestRestoreKilledAtEveryPhase
// use it.
func crashBuild(t *testing.T) string { return buildPosbackup(t, "faultinject") }

// buildPosbackup builds the posbackup command (with the build tags given)
// into a temporary folder and returns its path.
func buildPosbackup(t *testing.T, tags ...string) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == os.DevNull {
		t.Fatalf("cannot find the module root with 'go env GOMOD': %v %q", err, gomod)
	}
	name := strings.Join(append([]string{"posbackup"}, tags...), "-")
	bin := filepath.Join(t.TempDir(), name)
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	start := time.Now()
	args := []string{"build"}
	if len(tags) > 0 {
		args = append(args, "-tags", strings.Join(tags, ","))
	}
	cmd := exec.Command("go", append(args, "-o", bin, "./cmd/posbackup")...)
	cmd.Dir = filepath.Dir(gomod)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s ./cmd/posbackup: %v\n%s", strings.Join(args, " "), err, out)
	}
	t.Logf("built %s in %v", bin, time.Since(start).Round(time.Millisecond))
	return bin
}

// The normal build holds no fault injection: only -tags faultinject links
// dest/faulty into posbackup.
func TestFaultInjectionOnlyInTaggedBuild(t *testing.T) {
	list := func(tags ...string) string {
		args := append([]string{"list", "-deps"}, tags...)
		out, err := exec.Command("go", append(args, "github.com/posbackup/posbackup/cmd/posbackup")...).Output()
		if err != nil {
			t.Fatalf("go list: %v", err)
		}
		return string(out)
	}
	const pkg = "github.com/posbackup/posbackup/internal/dest/faulty\n"
	if strings.Contains(list(), pkg) {
		t.Error("the normal build of posbackup contains internal/dest/faulty")
	}
	if !strings.Contains(list("-tags", "faultinject"), pkg) {
		t.Error("the faultinject build does not contain internal/dest/faulty")
	}
}
