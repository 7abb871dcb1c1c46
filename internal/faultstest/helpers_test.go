//go:build linux

package faultstest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/testsrv"
	"github.com/posbackup/posbackup/internal/testutil"
)

// archiveName is what every backup of these tests is called ("--name
// fault"): each new run replaces the older archive of this name.
const archiveName = "fault.zip"

// install writes a small installation of the default profile whose client
// data file holds size random (incompressible) bytes from seed, so that an
// upload takes the time the test paces it to, and the archive differs from
// one seed to the next.
func install(t *testing.T, root string, size int, seed uint64) {
	installParts(t, root, size, size, seed)
}

// installParts is install with the random data split into files of at
// most part bytes (Daten/M001/Stamm/artikel-N.dat).
func installParts(t *testing.T, root string, size, part int, seed uint64) {
	t.Helper()
	rnd := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	// A fresh folder each time: no file of an earlier call stays.
	if err := os.RemoveAll(filepath.Join(root, "Daten")); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"version.ini":                     []byte("[Version]\nVersion=26.4.1\n"),
		"Daten/Global/konfig.dat":         []byte("global configuration\n"),
		"Daten/M001/Journal/journal.dat":  bytes.Repeat([]byte("journal line\n"), 500),
		"Daten/M001/Stamm/bediener.dat":   []byte("staff\n"),
		"Daten/M001/Journal/Archiv/x.dat": []byte("closed period\n"),
	}
	for i := 0; size > 0; i++ {
		n := min(size, part)
		b := make([]byte, n)
		for j := range b {
			b[j] = byte(rnd.Uint32())
		}
		files["Daten/M001/Stamm/artikel-"+strconv.Itoa(i)+".dat"] = b
		size -= n
	}
	for rel, b := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// result is one run of the posbackup binary.
type result struct {
	code           int
	stdout, stderr string
	took           time.Duration
}

func (r result) String() string {
	return "exit " + strconv.Itoa(r.code) + " after " + r.took.Round(100*time.Millisecond).String() + "\nstdout: " + r.stdout + "\nstderr: " + r.stderr
}

// runner runs the real binary with an empty config of its own (so no
// machine-wide config and no other test's run lock is seen) and extra
// environment.
type runner struct {
	bin    string
	config string
	env    []string
}

func newRunner(t *testing.T) *runner {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "posbackup.toml")
	if err := os.WriteFile(cfg, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return &runner{bin: testutil.Binary(t), config: cfg, env: []string{"POSBACKUP_PASSWORD=" + testsrv.Password}}
}

// hardLimit ends a run that hangs, so that a hang fails the test with what
// the run printed instead of blocking the test binary.
var hardLimit = budget() + 30*time.Second

// backup runs `posbackup backup` of source to to with args and returns what
// it did; env adds to the environment (e.g. TMPDIR).
func (r *runner) backup(t *testing.T, source, to string, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hardLimit)
	defer cancel()
	full := append([]string{"backup", "--config", r.config, "--source", source, "--variant", "3", "--name", "fault", "--to", to, "--json"}, args...)
	cmd := exec.CommandContext(ctx, r.bin, full...)
	// A run that hangs gets SIGQUIT: Go prints where every goroutine
	// waits, which the failure shows.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGQUIT) }
	cmd.WaitDelay = 5 * time.Second
	cmd.Env = append(append(os.Environ(), r.env...), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	err := cmd.Run()
	res := result{stdout: out.String(), stderr: errOut.String(), took: time.Since(start)}
	if ctx.Err() != nil {
		t.Fatalf("posbackup backup still ran after %s: stopped with SIGQUIT; a fault must end in a result within the timeout\nstdout: %s\nwhere it waited:\n%s", hardLimit, res.stdout, ownFrames(res.stderr))
	}
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("running posbackup: %v", err)
		}
		res.code = ee.ExitCode()
	}
	for _, s := range []string{res.stdout, res.stderr} {
		if strings.Contains(s, testsrv.Password) {
			t.Fatalf("the server password appears in the output:\n%s", s)
		}
	}
	return res
}

// sum is the SHA-256 of the file at path ("" when it cannot be read).
func sum(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// names lists the folder's entries, sorted.
func names(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("reading %s: %v", dir, err)
	}
	var ns []string
	for _, e := range ents {
		ns = append(ns, e.Name())
	}
	sort.Strings(ns)
	return ns
}

// onlyArchive fails unless dir holds the archive and nothing else: no
// partial upload, no moved-aside copy, no temp file.
func onlyArchive(t *testing.T, dir, when string) {
	t.Helper()
	if ns := names(t, dir); len(ns) != 1 || ns[0] != archiveName {
		t.Errorf("%s: %s holds %q, want only %s (no partial file)", when, dir, ns, archiveName)
	}
}

// partialSize is the size of the biggest unfinished upload in dir (0: none).
func partialSize(dir string) int64 {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	var n int64
	for _, e := range ents {
		if !dest.IsTemp(e.Name()) {
			continue
		}
		if fi, err := e.Info(); err == nil && fi.Size() > n {
			n = fi.Size()
		}
	}
	return n
}

// waitPartial waits until an unfinished upload in dir holds at least n
// bytes, or done is closed (the run ended first: the test fails).
func waitPartial(t *testing.T, dir string, n int64, done <-chan struct{}) bool {
	t.Helper()
	for {
		if partialSize(dir) >= n {
			return true
		}
		select {
		case <-done:
			t.Errorf("the backup ended before %d bytes of it reached %s: the fault was not applied mid-upload", n, dir)
			return false
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// needRoot skips (fails under CI=true) when the test does not run as root.
func needRoot(t *testing.T, what string) {
	t.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s needs root (CI=true, so this fails instead of skipping)", what)
		}
		t.Skipf("%s needs root: run the tests as root", what)
	}
}

// ownFrames keeps, of a Go goroutine dump, the goroutines that wait in
// posbackup's own code, with their header and frames.
func ownFrames(dump string) string {
	var out []string
	for _, g := range strings.Split(dump, "\n\n") {
		if strings.Contains(g, "posbackup/internal") {
			var keep []string
			for i, l := range strings.Split(g, "\n") {
				if i == 0 || strings.Contains(l, "posbackup/") || strings.Contains(l, "pkg/sftp") || strings.Contains(l, "jlaffaye") || strings.Contains(l, "crypto/ssh") {
					keep = append(keep, l)
				}
			}
			out = append(out, strings.Join(keep, "\n"))
		}
	}
	if len(out) == 0 {
		return tailOf(dump, 4000)
	}
	return strings.Join(out, "\n\n")
}

func tailOf(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}
