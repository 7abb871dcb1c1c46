package testutil

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// NeedTool returns the path of a command, skipping the test when it is
// missing, except in CI (CI=true), where a missing tool is a failure.
func NeedTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed; .ci/run must install it", name)
		}
		t.Skipf("%s is not installed", name)
	}
	return p
}

// CheckWithTools tests a ZIP archive with Info-ZIP unzip, 7-Zip and
// Python's zipfile; each must find it intact.
func CheckWithTools(t testing.TB, zipPath string) {
	t.Helper()
	if out, err := exec.Command(NeedTool(t, "unzip"), "-t", zipPath).CombinedOutput(); err != nil {
		t.Errorf("unzip -t %s: %v\n%s", zipPath, err, tail(out))
	}
	out, err := exec.Command(NeedTool(t, "7z"), "t", zipPath).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Everything is Ok") {
		t.Errorf("7z t %s: %v\n%s", zipPath, err, tail(out))
	}
	py := `import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
bad = z.testzip()
if bad is not None:
    sys.exit("damaged: " + bad)
print(len(z.namelist()))`
	if out, err := exec.Command(NeedTool(t, "python3"), "-c", py, zipPath).CombinedOutput(); err != nil {
		t.Errorf("python zipfile %s: %v\n%s", zipPath, err, tail(out))
	}
}

func tail(b []byte) string {
	s := string(b)
	if len(s) > 3000 {
		s = "..." + s[len(s)-3000:]
	}
	return s
}

// Unavailable skips a test whose precondition this machine lacks (a tool, root,
// a small tmpfs, symbolic links), except in CI (CI=true), where .ci/run must
// provide it and its absence is a failure.
func Unavailable(t testing.TB, format string, a ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf(format+" (.ci/run must provide it)", a...)
	}
	t.Skipf(format, a...)
}

// TempDir is t.TempDir without os.RemoveAll, which fails under Wine 8
// ("Invalid function"): for tests that .ci/wine-unit.sh runs there. It
// removes what the test left, deepest first.
func TempDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "posbackup-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		var paths []string
		filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
			if err == nil {
				paths = append(paths, p)
			}
			return nil
		})
		for i := len(paths) - 1; i >= 0; i-- {
			os.Remove(paths[i])
		}
	})
	return dir
}
