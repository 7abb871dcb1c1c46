package job_test

// The crash matrix (issue 11): a backup is stopped at every destination
// call it makes and before every step: with an error, with a broken
// connection (a transient error, as a server kind gives once its retries
// are used up), with a hang that ends in the run being cancelled, as if the process died there (in
// process: every later call fails), and by killing a real posbackup
// process with kill -9 there (a binary built with -tags faultinject). A second run follows, once succeeding and once
// failing at the same place. After every run the invariant is checked:
// the newest good archive of the name (or a newer good one) is present,
// listed by job.List and verifies; no hidden leftover holds the only copy;
// after a successful second run nothing but the archive is left.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/faulty"
	"github.com/posbackup/posbackup/internal/dest/local"
	"github.com/posbackup/posbackup/internal/dest/retry"
	"github.com/posbackup/posbackup/internal/job"
	"github.com/posbackup/posbackup/internal/job/jobtest"
	"github.com/posbackup/posbackup/internal/profile"
	"github.com/posbackup/posbackup/internal/retention"
)

const crashName = "fixed"

// crashKind is a kind of destination the matrix runs on: a folder on
// local.Folder, wrapped by faulty.
type crashKind struct {
	name      string
	cfg       faulty.Config
	moveAside bool
	seedName  string // the older archive's name: another case where the kind folds case
}

var crashKinds = []crashKind{
	{name: "folder", seedName: crashName},
	{name: "refuse-rename-over", cfg: faulty.Config{RefuseRenameOver: true, Remote: true}, moveAside: true, seedName: crashName},
	{name: "fold-case", cfg: faulty.Config{FoldCase: true, Remote: true}, seedName: strings.ToUpper(crashName)},
}

// crashPoint is where a run is stopped: the Nth call of a destination
// method (optionally after some bytes of a Put), or before a step.
type crashPoint struct {
	method     string
	call       int
	afterBytes int64
	step       string
}

func (p crashPoint) String() string {
	switch {
	case p.step != "":
		return "step:" + p.step
	case p.afterBytes > 0:
		return fmt.Sprintf("%s#%d@%dB", p.method, p.call, p.afterBytes)
	}
	return fmt.Sprintf("%s#%d", p.method, p.call)
}

func (p crashPoint) fault() faulty.Fault {
	return faulty.Fault{Method: p.method, Call: p.call, AfterBytes: p.afterBytes}
}

type crashEnv struct {
	t       *testing.T
	src     string
	host    string
	bin     string // the faultinject build; "" when the kill column is not run
	oldSeen time.Time
}

func (k crashKind) wrap(dir string, faults []faulty.Fault) (*faulty.D, dest.Destination) {
	base, err := local.Open(dir, false)
	if err != nil {
		panic(err)
	}
	cfg := k.cfg
	cfg.Faults = faults
	f := faulty.New(base, cfg)
	d := f.Dest()
	if k.moveAside {
		d = faulty.MoveAside(d)
	}
	return f, d
}

func (e *crashEnv) req(d dest.Destination, name string, now time.Time) job.BackupRequest {
	return job.BackupRequest{
		Profile: profile.Default(), Source: e.src, Variant: 2, Role: profile.RoleLocation,
		Dest: d, NameTemplate: name, Lang: "en", Host: e.host, Job: "nightly",
		Keep: &retention.Policy{KeepLast: 1}, Now: func() time.Time { return now },
	}
}

// seed makes the folder every cell starts from: an older archive of the
// job under another name (prune deletes it), and the good archive the
// runs replace.
func (e *crashEnv) seed(k crashKind, dir string) {
	t := e.t
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"older", k.seedName} {
		_, d := k.wrap(dir, nil)
		req := e.req(d, name, time.Now().AddDate(0, 0, i-2))
		req.Keep = nil // both stay: the runs of the matrix prune
		if _, err := job.Backup(context.Background(), req); err != nil {
			t.Fatalf("%s: seeding %s: %v", k.name, name, err)
		}
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// points lists every destination call a successful run makes on a copy
// of the seed, plus a cut in the middle of the upload and every step.
func (e *crashEnv) points(k crashKind, seedDir string) []crashPoint {
	dir := filepath.Join(e.t.TempDir(), "probe")
	copyDir(e.t, seedDir, dir)
	f, d := k.wrap(dir, nil)
	res, err := job.Backup(context.Background(), e.req(d, crashName, time.Now()))
	if err != nil {
		e.t.Fatalf("%s: the run without faults failed: %v", k.name, err)
	}
	var out []crashPoint
	for _, c := range f.Calls() {
		out = append(out, crashPoint{method: c.Method, call: c.N})
		if c.Method == faulty.Put {
			out = append(out, crashPoint{method: c.Method, call: c.N, afterBytes: res.Size / 2})
		}
	}
	for _, s := range job.Steps {
		out = append(out, crashPoint{step: s})
	}
	return out
}

// runOutcome is what a run of a cell did.
type runOutcome struct {
	ok      bool
	started time.Time // of a run that succeeded
	note    string
}

// errBroken is what a server kind returns when its connection broke and
// the retries are used up: a transient error.
var errBroken = &retry.Error{Msg: "the connection to the server was interrupted", Temp: true}

// runInProcess runs a backup stopped at p: mode "error" (that call fails,
// the run goes on handling it), "broken" (that call fails as a broken
// connection does once the retries are used up), "hang" (that call hangs and the run is
// cancelled meanwhile, as a timeout or the user does; before a step: the
// run is cancelled there) or "crash" (that call and every later one fail:
// the storage sees a process that died there). A zero p runs without
// faults.
func (e *crashEnv) runInProcess(k crashKind, dir string, p crashPoint, mode string, now time.Time) runOutcome {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var faults []faulty.Fault
	if p.method != "" {
		fl := p.fault()
		fl.Crash = mode == "crash"
		if mode == "broken" {
			fl.Err = errBroken
		}
		if mode == "hang" {
			fl.Hang, fl.Do = true, cancel
		}
		faults = append(faults, fl)
	}
	f, d := k.wrap(dir, faults)
	req := e.req(d, crashName, now)
	if p.step != "" {
		req.BeforeStep = func(s string) error {
			if s != p.step {
				return nil
			}
			switch mode {
			case "hang":
				cancel()
				return nil
			case "crash":
				f.Crash()
			}
			return errors.New("stopped by the crash matrix")
		}
	}
	res, err := job.Backup(ctx, req)
	if err != nil {
		return runOutcome{note: err.Error()}
	}
	return runOutcome{ok: true, started: res.Started}
}

// runKilled runs the faultinject posbackup with a plan that kills it with
// kill -9 at p (a zero p: no fault). It reports whether the process was
// killed, and the result of a run that ended by itself.
func (e *crashEnv) runKilled(k crashKind, dir, tmp string, p crashPoint, shift time.Duration) (runOutcome, bool) {
	plan := faulty.Plan{Config: k.cfg, MoveAside: k.moveAside, NowShift: int64(shift), Job: "nightly", KeepLast: 1}
	if p.method != "" {
		plan.Kill = []faulty.Fault{p.fault()}
	}
	plan.KillStep = p.step
	js, _ := json.Marshal(plan)
	cmd := exec.Command(e.bin, "backup", "--source", e.src, "--variant", "2", "--to", dir, "--name", crashName, "--json")
	cmd.Env = append(os.Environ(), faulty.PlanEnv+"="+string(js), "TMPDIR="+tmp, "TMP="+tmp, "TEMP="+tmp)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ProcessState.ExitCode() == -1 {
		return runOutcome{note: "killed"}, true
	}
	var res struct {
		OK      bool      `json:"ok"`
		Started time.Time `json:"started"`
		Error   string    `json:"error"`
	}
	if jerr := json.Unmarshal(out.Bytes(), &res); jerr != nil {
		return runOutcome{note: fmt.Sprintf("exit %v, output %q %q", err, out.String(), errOut.String())}, false
	}
	return runOutcome{ok: res.OK, started: res.Started, note: res.Error}, false
}

// check is the invariant after a run. It returns "" when it holds, else
// what is wrong.
// With requireName the archive must be under its own name (not only
// kept aside): after a run that failed by an error it handled, and after a
// successful one.
func (e *crashEnv) check(dir string, second *runOutcome, requireName bool) string {
	d, err := local.Open(dir, false)
	if err != nil {
		return err.Error()
	}
	ls, err := job.List(context.Background(), d)
	if err != nil {
		return "job.List: " + err.Error()
	}
	zip := crashName + ".zip"
	var good []string
	var newest time.Time
	atName := false
	for _, l := range ls {
		isName := strings.EqualFold(l.Name, zip)
		if !isName && !strings.EqualFold(l.Name, dest.AsideName(zip)) {
			continue
		}
		if l.Manifest == nil || l.Manifest.Started.Before(e.oldSeen) {
			continue
		}
		if why := jobtest.Verifies(d, l.Name); why != "" {
			return fmt.Sprintf("%s is listed but does not verify: %s", l.Name, why)
		}
		good = append(good, l.Name)
		if isName {
			atName = true
		}
		if l.Manifest.Started.After(newest) {
			newest = l.Manifest.Started
		}
	}
	if len(good) == 0 {
		return fmt.Sprintf("no good archive of %s is listed; the folder holds %v", zip, dirList(dir))
	}
	if requireName && !atName {
		return fmt.Sprintf("%s is missing (folder: %v)", zip, dirList(dir))
	}
	if second == nil {
		return ""
	}
	if second.ok {
		if !atName || !newest.Equal(second.started) {
			return fmt.Sprintf("after a successful run %s is not its archive (listed %v, newest %v, run %v)", zip, good, newest, second.started)
		}
		for _, n := range dirList(dir) {
			if dest.IsTemp(n) || isAsideName(n) {
				return fmt.Sprintf("after a successful run %s is left (folder: %v)", n, dirList(dir))
			}
		}
	}
	return ""
}

func isAsideName(n string) bool { _, ok := dest.AsideOf(n); return ok }

func dirList(dir string) []string {
	ents, _ := os.ReadDir(dir)
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out
}

// MatrixFile is where TestCrashMatrix writes its table, for CI's log
// (go test shows a passing package's output only with -v).
func matrixFile() string { return filepath.Join(os.TempDir(), "posbackup-crash-matrix.txt") }

func TestCrashMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("builds posbackup and runs some hundred backups; skipped with -short")
	}
	start := time.Now()
	e := &crashEnv{t: t, src: intrSource(t, 0, 0)}
	e.host, _ = os.Hostname()
	columns := []string{"error+ok", "error+fail", "broken+ok", "broken+fail", "hang+ok", "hang+fail", "crash+ok", "crash+fail", "kill+ok", "kill+fail"}
	if runtime.GOOS == "windows" {
		// A killed process's exit code cannot be told from a failure there.
		columns = columns[:8]
	} else {
		e.bin = crashBuild(t)
		t.Logf("built the faultinject posbackup in %v", time.Since(start).Round(time.Millisecond))
	}

	type row struct {
		kind, point string
		cells       map[string]string // column -> "ok" or what failed
	}
	var rows []row
	failures := 0
	later := 2 * time.Hour // the second successful run's clock: the first run's leftovers are old by then

	for _, k := range crashKinds {
		seedDir := filepath.Join(t.TempDir(), "seed-"+k.name)
		e.seed(k, seedDir)
		sd, _ := local.Open(seedDir, false)
		ls, _ := job.List(context.Background(), sd)
		for _, l := range ls {
			if strings.EqualFold(l.Name, crashName+".zip") {
				e.oldSeen = l.Manifest.Started
			}
		}
		for _, p := range e.points(k, seedDir) {
			r := row{kind: k.name, point: p.String(), cells: map[string]string{}}
			for _, col := range columns {
				mode, second, _ := strings.Cut(col, "+")
				dir := filepath.Join(t.TempDir(), "d")
				tmp := t.TempDir()
				copyDir(t, seedDir, dir)
				cell := fmt.Sprintf("%s/%s/%s", k.name, p, col)
				var first, next runOutcome
				if mode == "kill" {
					var killed bool
					first, killed = e.runKilled(k, dir, tmp, p, 0)
					if !killed {
						r.cells[col] = "not killed: " + first.note
						failures++
						t.Errorf("%s: the process was not killed at %s (%s)", cell, p, first.note)
						continue
					}
				} else {
					first = e.runInProcess(k, dir, p, mode, time.Now())
				}
				handled := mode == "error" || mode == "broken" || mode == "hang" // the run saw the failure and cleaned up
				why := e.check(dir, nil, handled)
				if why == "" {
					if second == "ok" {
						if mode == "kill" {
							next, _ = e.runKilled(k, dir, tmp, crashPoint{}, later)
						} else {
							next = e.runInProcess(k, dir, crashPoint{}, "", time.Now().Add(later))
						}
						if !next.ok {
							why = "the second run failed: " + next.note
						}
					} else if mode == "kill" {
						next, _ = e.runKilled(k, dir, tmp, p, 0)
					} else {
						next = e.runInProcess(k, dir, p, mode, time.Now())
					}
					if why == "" {
						if w := e.check(dir, &next, handled || next.ok); w != "" {
							why = "after the second run: " + w
						}
					}
					if why == "" && second == "ok" {
						if left := posbackupFiles(tmp); len(left) > 0 {
							why = fmt.Sprintf("after the second run the temp folder holds %v", left)
						}
					}
				} else {
					why = "after the first run: " + why
				}
				if why != "" {
					failures++
					t.Errorf("%s: %s (first run: ok %v %s)", cell, why, first.ok, first.note)
					r.cells[col] = "FAIL"
				} else {
					r.cells[col] = "ok"
				}
			}
			rows = append(rows, r)
		}
	}

	var b strings.Builder
	fmt.Fprintf(&b, "crash matrix (issue 11): %d kinds, %d cells, %d failed, %v\n", len(crashKinds), len(rows)*len(columns), failures, time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(&b, "%-19s %-14s", "kind", "stopped at")
	for _, c := range columns {
		fmt.Fprintf(&b, " %-10s", c)
	}
	b.WriteString("\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "%-19s %-14s", r.kind, r.point)
		for _, c := range columns {
			fmt.Fprintf(&b, " %-10s", r.cells[c])
		}
		b.WriteString("\n")
	}
	t.Log("\n" + b.String())
	if err := os.WriteFile(matrixFile(), []byte(b.String()), 0o644); err != nil {
		t.Logf("cannot write %s: %v", matrixFile(), err)
	}
}

// posbackupFiles are posbackup's temporary files in dir.
func posbackupFiles(dir string) []string {
	var out []string
	for _, pat := range job.TempPatterns {
		m, _ := filepath.Glob(filepath.Join(dir, pat))
		for _, p := range m {
			out = append(out, filepath.Base(p))
		}
	}
	return out
}
