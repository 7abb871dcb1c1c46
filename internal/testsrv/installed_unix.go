//go:build !windows

package testsrv

import (
	"os"
	"os/exec"
	"path/filepath"
)

// goInstalled returns the path of the program name, found in PATH or where
// `go install` (or .ci's scripts) put it, or "" when it is missing.
func goInstalled(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/local/bin", os.Getenv("GOBIN"), filepath.Join(os.Getenv("HOME"), "go", "bin"), "/root/go/bin"} {
		if dir == "" {
			continue
		}
		if p := filepath.Join(dir, name); fileExists(p) {
			return p
		}
	}
	return ""
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
