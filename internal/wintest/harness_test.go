//go:build linux

package wintest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/testutil"
)

// Wine is one fresh Wine prefix with posbackup.exe installed at
// C:\posbackup\posbackup.exe, its server running and a program keeping
// the session (and the services in it) alive: Wine ends its services when
// the last program of the session exits.
type Wine struct {
	t      testing.TB
	Prefix string // WINEPREFIX
	Exe    string // posbackup.exe inside the prefix, as Windows names it
	// EventLog is the file that receives Wine's eventlog debug channel of
	// the services: what they write into the Windows event log.
	EventLog string
	env      []string
	keep     *exec.Cmd
	keepIn   io.WriteCloser
}

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// tools builds, once per test process, what every prefix needs:
// posbackup.exe (GOOS=windows), the ProcessPrng stub DLL and the holdopen
// helper (mingw-w64).
func tools(t testing.TB) string {
	t.Helper()
	testutil.NeedTool(t, "wine")
	testutil.NeedTool(t, "wineserver")
	gcc := testutil.NeedTool(t, "x86_64-w64-mingw32-gcc")
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "posbackup-wine-bin-")
		if buildErr != nil {
			return
		}
		root, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
		if err != nil {
			buildErr = fmt.Errorf("go list: %v", err)
			return
		}
		steps := [][]string{
			{"go", "build", "-trimpath", "-o", filepath.Join(buildDir, "posbackup.exe"), "./cmd/posbackup"},
			{gcc, "-shared", "-O2", "-o", filepath.Join(buildDir, "bcryptprimitives.dll"), abs("testdata/prng.c"), "-ladvapi32"},
			{"go", "test", "-c", "-o", filepath.Join(buildDir, "osservice.test.exe"), "./internal/osservice"},
			{gcc, "-O2", "-municode", "-o", filepath.Join(buildDir, "holdopen.exe"), abs("testdata/holdopen.c")},
		}
		for _, s := range steps {
			cmd := exec.Command(s[0], s[1:]...)
			cmd.Dir = strings.TrimSpace(string(root))
			cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				buildErr = fmt.Errorf("%s: %v\n%s", strings.Join(s, " "), err, out)
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildDir
}

func abs(p string) string {
	a, _ := filepath.Abs(p)
	return a
}

// NewWine makes a fresh prefix under a temporary folder and starts it.
func NewWine(t testing.TB) *Wine {
	t.Helper()
	bin := tools(t)
	dir, err := os.MkdirTemp("", "posbackup-wine-")
	if err != nil {
		t.Fatal(err)
	}
	w := &Wine{t: t, Prefix: filepath.Join(dir, "prefix"), Exe: `C:\posbackup\posbackup.exe`}
	w.env = append(os.Environ(),
		"WINEPREFIX="+w.Prefix, "WINEARCH=win64", "WINEDEBUG=-all",
		"WINEDLLOVERRIDES=mscoree,mshtml=", // no Mono or Gecko install dialogs
		"DISPLAY=", "LANG=C.UTF-8", "TZ=UTC")
	t.Cleanup(func() { w.close(); os.RemoveAll(dir) })
	start := time.Now()
	if err := os.MkdirAll(w.Prefix, 0o755); err != nil {
		t.Fatal(err)
	}
	// The server first, detached: one started by a wine process would hold
	// that process's output open after it exits. It lingers 2 s after the
	// last program, so 'wineserver -w' returns once wineboot's programs
	// ended and the registry is written.
	w.server("-p2")
	boot := exec.Command("wine", "wineboot", "-i")
	boot.Env = w.env
	if out, err := w.timed(boot, 3*time.Minute); err != nil {
		t.Fatalf("wineboot -i: %v\n%s", err, out)
	}
	wait := exec.Command("wineserver", "-w")
	wait.Env = w.env
	if out, err := w.timed(wait, time.Minute); err != nil {
		t.Fatalf("wineserver -w: %v\n%s", err, out)
	}
	w.server("-p")
	for src, dst := range map[string]string{
		"bcryptprimitives.dll": "windows/system32/bcryptprimitives.dll",
		"posbackup.exe":        "posbackup/posbackup.exe",
		"holdopen.exe":         "posbackup/holdopen.exe",
		"osservice.test.exe":   "posbackup/osservice.test.exe",
	} {
		copyFile(t, filepath.Join(bin, src), w.C(dst))
	}
	// The session keeper. It is the session's first program, so Wine
	// starts the service manager from it: the services inherit its
	// environment and its standard error, where Wine's eventlog debug
	// channel writes what the programs report to the event log (Wine keeps
	// no event log to read back).
	w.keep = exec.Command("wine", `C:\posbackup\holdopen.exe`)
	w.keep.Env = append(append([]string{}, w.env...), "WINEDEBUG=-all,err+eventlog,warn+eventlog,trace+eventlog")
	w.EventLog = filepath.Join(dir, "eventlog.txt")
	evf, err := os.Create(w.EventLog)
	if err != nil {
		t.Fatal(err)
	}
	defer evf.Close()
	w.keep.Stderr = evf
	w.keepIn, _ = w.keep.StdinPipe()
	out, _ := w.keep.StdoutPipe()
	if err := w.keep.Start(); err != nil {
		t.Fatal(err)
	}
	if l, _ := bufio.NewReader(out).ReadString('\n'); !strings.HasPrefix(l, "held") {
		t.Fatalf("the session keeper did not start: %q", l)
	}
	t.Logf("Wine prefix %s ready in %v", w.Prefix, time.Since(start).Round(time.Millisecond))
	return w
}

func (w *Wine) server(arg string) {
	srv := exec.Command("wineserver", arg)
	srv.Env = w.env
	if err := srv.Run(); err != nil {
		w.t.Fatalf("wineserver %s: %v", arg, err)
	}
}

func (w *Wine) close() {
	if w.keepIn != nil {
		w.keepIn.Close()
		done := make(chan struct{})
		go func() { w.keep.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			w.keep.Process.Kill()
		}
	}
	// Ends this prefix's server and what still runs in it (its services).
	k := exec.Command("wineserver", "-k")
	k.Env = w.env
	k.Run()
}

// timed runs c with its output in a file (a pipe would be held open by
// the programs it starts, such as services.exe) and a time limit.
func (w *Wine) timed(c *exec.Cmd, d time.Duration) ([]byte, error) {
	f, err := os.CreateTemp("", "wine-out-")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	c.Stdout, c.Stderr = f, f
	if err := c.Start(); err != nil {
		return nil, err
	}
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	select {
	case err = <-done:
	case <-time.After(d):
		c.Process.Kill()
		<-done
		err = fmt.Errorf("timed out after %v", d)
	}
	b, _ := os.ReadFile(f.Name())
	return b, err
}

// C returns the Linux path of a path on drive C: given with slashes.
func (w *Wine) C(p string) string {
	return filepath.Join(w.Prefix, "drive_c", filepath.FromSlash(p))
}

// Result is one finished program.
type Result struct {
	Stdout, Stderr string
	Code           int
}

func (r Result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.Code, r.Stdout, r.Stderr)
}

// Run runs posbackup.exe with args and stdin (may be empty).
func (w *Wine) Run(stdin string, args ...string) Result {
	w.t.Helper()
	return w.RunExe(w.Exe, stdin, args...)
}

// RunExe runs a Windows program in the prefix.
func (w *Wine) RunExe(exe, stdin string, args ...string) Result {
	w.t.Helper()
	return w.RunExeEnv(nil, exe, stdin, args...)
}

// RunExeEnv is RunExe with more environment variables (they win).
func (w *Wine) RunExeEnv(env []string, exe, stdin string, args ...string) Result {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c := exec.CommandContext(ctx, "wine", append([]string{exe}, args...)...)
	c.Env = append(append([]string{}, w.env...), env...)
	c.Stdin = strings.NewReader(stdin)
	o, _ := os.CreateTemp("", "wine-stdout-")
	e, _ := os.CreateTemp("", "wine-stderr-")
	defer func() { o.Close(); e.Close(); os.Remove(o.Name()); os.Remove(e.Name()) }()
	c.Stdout, c.Stderr = o, e
	err := c.Run()
	ob, _ := os.ReadFile(o.Name())
	eb, _ := os.ReadFile(e.Name())
	r := Result{Stdout: strings.ReplaceAll(string(ob), "\r\n", "\n"), Stderr: strings.ReplaceAll(string(eb), "\r\n", "\n")}
	if ee, ok := err.(*exec.ExitError); ok {
		r.Code = ee.ExitCode()
	} else if err != nil {
		w.t.Fatalf("wine %s %v: %v", exe, args, err)
	}
	if ctx.Err() != nil {
		w.t.Fatalf("wine %s %v timed out\n%s", exe, args, r)
	}
	return r
}

// MustRun is Run that fails the test on a non-zero exit.
func (w *Wine) MustRun(args ...string) Result {
	w.t.Helper()
	r := w.Run("", args...)
	if r.Code != 0 {
		w.t.Fatalf("posbackup %s:\n%s", strings.Join(args, " "), r)
	}
	return r
}

// Start starts a Windows program in the background; stop it by closing
// its standard input (holdopen) or with Process.Kill (by its PID).
func (w *Wine) Start(exe string, args ...string) (*exec.Cmd, io.WriteCloser, *bufio.Reader) {
	w.t.Helper()
	c := exec.Command("wine", append([]string{exe}, args...)...)
	c.Env = w.env
	in, _ := c.StdinPipe()
	out, _ := c.StdoutPipe()
	c.Stderr = io.Discard
	if err := c.Start(); err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() {
		in.Close()
		c.Process.Kill()
		c.Wait()
	})
	return c, in, bufio.NewReader(out)
}

// Drive makes drive letter (e.g. "e") point at the Linux folder dir, as a
// USB stick appears; RemoveDrive pulls it out.
func (w *Wine) Drive(letter, dir string) {
	w.t.Helper()
	link := filepath.Join(w.Prefix, "dosdevices", strings.ToLower(letter)+":")
	os.Remove(link)
	if err := os.Symlink(dir, link); err != nil {
		w.t.Fatal(err)
	}
}

func (w *Wine) RemoveDrive(letter string) {
	if err := os.Remove(filepath.Join(w.Prefix, "dosdevices", strings.ToLower(letter)+":")); err != nil {
		w.t.Fatal(err)
	}
}

// Share makes \\host\share point at the Linux folder dir.
func (w *Wine) Share(host, share, dir string) {
	w.t.Helper()
	p := filepath.Join(w.Prefix, "dosdevices", "unc", strings.ToLower(host))
	if err := os.MkdirAll(p, 0o755); err != nil {
		w.t.Fatal(err)
	}
	if err := os.Symlink(dir, filepath.Join(p, strings.ToLower(share))); err != nil {
		w.t.Fatal(err)
	}
}

// Env returns the environment Wine programs of this prefix run with.
func (w *Wine) Env() []string { return w.env }

func copyFile(t testing.TB, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o755); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t testing.TB, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// pending checks behaviour the machine-wide config, default source,
// held-open sentence and missing-drive sentence of issue #13 promise.
func pending(t *testing.T, ok bool, what string, r Result) {
	t.Helper()
	if !ok {
		t.Errorf("%s\n%s", what, r)
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}
