// Package layers_test checks that imports point down (ARCHITECTURE.md):
// the faces (cli over web over service) over the settings (prepare,
// status, fleet, osservice), over the destination kinds and the run (job,
// schedule), over profile, archive, dest, retention, msg and the small
// helpers; nothing below a face imports a face, job reaches the
// destinations only through the dest interface, and no program code
// imports a test helper. It reads the real graph with go list, for Linux
// and Windows (their files import differently).
package layers_test

import (
	"os/exec"
	"path"
	"strings"
	"testing"

	"github.com/posbackup/posbackup/internal/testutil"
)

const mod = "github.com/posbackup/posbackup/"

// rank is each package's layer: a package imports only packages of a
// lower rank. A package not listed takes its nearest listed parent's rank
// (a new internal/archive/x is archive's); a new top-level package must be
// listed here and in ARCHITECTURE.md.
var rank = map[string]int{
	"internal/msg": 0, "internal/atomicfile": 0, "internal/ioctx": 0, "internal/oserr": 0,
	"internal/runlock": 1, "internal/sysprio": 1, "internal/retention": 1, "internal/demo": 1,
	"internal/dest": 1, "internal/profile": 1, "internal/archive": 1, "internal/config": 1,

	"internal/dest/retry": 2, "internal/snapshot": 2,

	// job sees destinations only as dest.Destination: the kinds are at its rank or above.
	"internal/job": 3, "internal/schedule": 3, "internal/notify": 3, "internal/dest/remote": 3, "internal/dest/local": 3,
	"internal/dest/ftp": 4, "internal/dest/sftp": 4, "internal/dest/s3": 4,
	"internal/dest/open": 5,

	"internal/prepare": 6, "internal/status": 6,
	"internal/fleet": 7, "internal/osservice": 7,

	// The faces.
	"internal/service": 8,
	"internal/web":     9,
	"internal/cli":     10,
	"cmd":              11,
	"bench":            11, // benchmark tools (mains)
}

// faces are the packages that print and parse; nothing below them imports one.
var faces = []string{"internal/service", "internal/web", "internal/cli"}

// testOnly may be imported by tests only (the faultinject build of
// internal/prepare, for the crash matrix, imports dest/faulty by design;
// it is not the build checked here).
var testOnly = []string{"internal/testsrv", "internal/testutil", "internal/dest/faulty", "internal/dest/desttest", "internal/faultstest", "internal/wintest", "internal/layers"}

// exceptions are today's imports against the layers, each with why it stays.
var exceptions = map[string]bool{}

func under(p, dir string) bool { return p == dir || strings.HasPrefix(p, dir+"/") }

func rankOf(p string) (int, bool) {
	for q := p; q != "." && q != ""; q = path.Dir(q) {
		if r, ok := rank[q]; ok {
			return r, true
		}
	}
	return 0, false
}

func isTestOnly(p string) bool {
	for _, t := range testOnly {
		if under(p, t) {
			return true
		}
	}
	return false
}

// imports is the module's import graph for goos: package -> its imports
// inside the module (test files not included).
func imports(t *testing.T, goos string) map[string][]string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		testutil.Unavailable(t, "the go command is not on PATH: %v", err)
	}
	cmd := exec.Command(goTool, "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, mod+"...")
	cmd.Env = append(cmd.Environ(), "GOOS="+goos, "GOARCH=amd64", "CGO_ENABLED=0")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list (GOOS=%s): %v", goos, err)
	}
	g := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || !strings.HasPrefix(f[0], mod) {
			continue
		}
		pkg := strings.TrimPrefix(f[0], mod)
		g[pkg] = []string{}
		for _, imp := range f[1:] {
			if strings.HasPrefix(imp, mod) {
				g[pkg] = append(g[pkg], strings.TrimPrefix(imp, mod))
			}
		}
	}
	return g
}

// violations lists what breaks the layers in g, one line each.
func violations(g map[string][]string) []string {
	var bad []string
	for pkg, imps := range g {
		if isTestOnly(pkg) {
			continue
		}
		r, ok := rankOf(pkg)
		if !ok {
			bad = append(bad, pkg+" has no layer: add it to rank in internal/layers/layers_test.go and to ARCHITECTURE.md")
			continue
		}
		for _, imp := range imps {
			if exceptions[pkg+" -> "+imp] {
				continue
			}
			if isTestOnly(imp) {
				bad = append(bad, pkg+" imports the test helper "+imp)
				continue
			}
			for _, f := range faces {
				if under(imp, f) && r <= rank[f] {
					bad = append(bad, pkg+" imports the face "+imp)
				}
			}
			if ri, ok := rankOf(imp); ok && ri >= r && !under(pkg, imp) {
				bad = append(bad, pkg+" imports "+imp+", which is not below it")
			}
		}
	}
	return bad
}

func TestImportsPointDown(t *testing.T) {
	for _, goos := range []string{"linux", "windows"} {
		g := imports(t, goos)
		if len(g) < 20 {
			t.Fatalf("GOOS=%s: go list found only %d packages", goos, len(g))
		}
		for _, v := range violations(g) {
			t.Errorf("GOOS=%s: %s", goos, v)
		}
		for e := range exceptions {
			pkg, imp, _ := strings.Cut(e, " -> ")
			found := false
			for _, i := range g[pkg] {
				found = found || i == imp
			}
			if !found {
				t.Errorf("GOOS=%s: the exception %q is gone: remove it from exceptions", goos, e)
			}
		}
	}
}

// TestViolationsAreFound: the check itself finds an import upwards, a
// face imported from below, a test helper in program code and a package
// without a layer.
func TestViolationsAreFound(t *testing.T) {
	g := map[string][]string{
		"internal/job":        {"internal/dest", "internal/dest/ftp"},
		"internal/archive":    {"internal/web"},
		"internal/schedule":   {"internal/testutil"},
		"internal/newthing":   {},
		"internal/cli":        {"internal/web", "internal/service", "internal/prepare"},
		"internal/testsrv":    {"internal/cli"},
		"internal/archive/zw": {"internal/msg"},
	}
	got := strings.Join(violations(g), "\n")
	for _, want := range []string{
		"internal/job imports internal/dest/ftp, which is not below it",
		"internal/archive imports the face internal/web",
		"internal/schedule imports the test helper internal/testutil",
		"internal/newthing has no layer",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("not found: %s\nin:\n%s", want, got)
		}
	}
	if strings.Contains(got, "internal/cli") || strings.Contains(got, "internal/testsrv") || strings.Contains(got, "zw") {
		t.Errorf("allowed imports reported:\n%s", got)
	}
}
