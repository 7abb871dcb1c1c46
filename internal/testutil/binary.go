package testutil

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

var (
	binOnce sync.Once
	binPath string
	binErr  string
)

// Binary builds cmd/posbackup once per test process and returns its path,
// for tests that need a real posbackup process (a service, a process list).
func Binary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
		if err != nil {
			binErr = "go list: " + err.Error()
			return
		}
		root := strings.TrimSpace(string(out))
		dir, err := os.MkdirTemp("", "posbackup-bin-")
		if err != nil {
			binErr = err.Error()
			return
		}
		p := filepath.Join(dir, "posbackup")
		if runtime.GOOS == "windows" {
			p += ".exe"
		}
		cmd := exec.Command("go", "build", "-o", p, "./cmd/posbackup")
		cmd.Dir = root
		if b, err := cmd.CombinedOutput(); err != nil {
			binErr = "go build: " + err.Error() + "\n" + string(b)
			return
		}
		binPath = p
	})
	if binErr != "" {
		t.Fatal(binErr)
	}
	return binPath
}
