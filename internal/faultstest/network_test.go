//go:build linux

package faultstest

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/testsrv"
	"github.com/posbackup/posbackup/internal/testutil"
)

// Sizes and times of the network tests: small data, paced so that an
// upload lasts long enough to be hit mid-way, and a short timeout.
const (
	dataSize  = 1 << 20         // the random client data file: the archive is a little larger
	paceKBps  = 256             // upload rate while a fault is applied: about 4 s for the archive
	cutAt     = 256 << 10       // bytes on the server before the fault strikes
	timeout   = 2 * time.Second // --timeout: connect and inactivity timeout
	stallFor  = 5 * time.Second // a stall that outlasts the timeout, then ends
	goneFor   = 3 * time.Second // the server is unreachable this long
	latencyMS = 40              // one way, on every packet, both directions
)

// server is one real server behind Toxiproxy.
type server struct {
	kind  string // ftp, ftpes or sftp
	url   string
	flags []string        // access flags (never the password)
	dir   string          // the backup folder on the server's disk
	all   testsrv.Proxies // every connection to the server
	data  testsrv.Proxies // the connections that carry the file (FTP: passive ports)
}

func startServer(t *testing.T, tp *testsrv.Toxiproxy, kind string) server {
	t.Helper()
	if kind == "sftp" {
		s := testsrv.StartSSHBehind(t, tp)
		return server{kind: kind, url: "sftp://" + s.Addr + "/betrieb1", dir: filepath.Join(s.Root, "betrieb1"),
			flags: []string{"--user", s.User, "--fingerprint", s.HostKeyFingerprint}, all: s.All(), data: s.All()}
	}
	s := testsrv.StartFTPBehind(t, tp, kind)
	fl := []string{"--user", s.User}
	if kind != "ftp" {
		fl = append(fl, "--fingerprint", s.Fingerprint)
	}
	return server{kind: kind, url: kind + "://" + s.Addr + "/betrieb1", dir: filepath.Join(s.Root, "betrieb1"),
		flags: fl, all: s.All(), data: s.Data}
}

// netCell is one fault: applied while the second backup runs (the first
// made the older archive).
type netCell struct {
	name  string
	kinds []string
	// before sets up toxics before the run, beside the pacing.
	before func(t *testing.T, s server)
	// during runs while the backup does; done closes when it ended.
	during func(t *testing.T, s server, done <-chan struct{})
	// ok: the backup must finish and verify (the retries resume);
	// otherwise it must fail loudly with the older archive whole.
	ok bool
	// cleanedAtOnce: after a failure the partial upload is already gone
	// (the server stayed reachable to delete it). Otherwise the partial
	// may stay while the server is unreachable, and the next run, with the
	// fault lifted, must leave only the archive.
	cleanedAtOnce bool
	// lift removes the faults that stay after the run.
	lift func(t *testing.T, s server)
}

var allKinds = []string{"ftpes", "sftp"}

var netCells = []netCell{
	{name: "reset", kinds: []string{"ftp", "ftpes", "sftp"}, ok: true,
		during: func(t *testing.T, s server, done <-chan struct{}) {
			if waitPartial(t, s.dir, cutAt, done) {
				s.data.Add(t, testsrv.Toxic{Name: "cut", Type: "reset_peer", Attributes: map[string]any{"timeout": 0}})
				time.Sleep(300 * time.Millisecond)
				s.data.Remove(t, "cut")
			}
		}},
	{name: "server-gone-a-while", kinds: allKinds, ok: true,
		during: func(t *testing.T, s server, done <-chan struct{}) {
			if waitPartial(t, s.dir, cutAt, done) {
				s.all.Enable(t, false)
				time.Sleep(goneFor)
				s.all.Enable(t, true)
			}
		}},
	{name: "slow", kinds: allKinds, ok: true,
		before: func(t *testing.T, s server) {
			for _, stream := range []string{"upstream", "downstream"} {
				s.all.Add(t, testsrv.Toxic{Name: "latency-" + stream, Type: "latency", Stream: stream, Attributes: map[string]any{"latency": latencyMS, "jitter": 10}})
			}
			// The server's replies arrive in pieces of about 64 bytes, 0.1 ms
			// apart: replies and handshakes split across many reads, while
			// the read-back of the archive (about 640 KB/s) still fits the
			// time bound.
			s.all.Add(t, testsrv.Toxic{Name: "sliced", Type: "slicer", Stream: "downstream", Attributes: map[string]any{"average_size": 64, "size_variation": 32, "delay": 100}})
		}},
	{name: "stall-then-recover", kinds: allKinds, ok: true,
		during: func(t *testing.T, s server, done <-chan struct{}) {
			if waitPartial(t, s.dir, cutAt, done) {
				s.all.Add(t, testsrv.Toxic{Name: "stall", Type: "timeout", Attributes: map[string]any{"timeout": 0}})
				time.Sleep(stallFor)
				s.all.Remove(t, "stall")
			}
		}},
	{name: "stall-for-good", kinds: allKinds,
		during: func(t *testing.T, s server, done <-chan struct{}) {
			if waitPartial(t, s.dir, cutAt, done) {
				s.all.Add(t, testsrv.Toxic{Name: "stall", Type: "timeout", Attributes: map[string]any{"timeout": 0}})
			}
		},
		lift: func(t *testing.T, s server) { s.all.Remove(t, "stall") }},
	{name: "line-keeps-breaking", kinds: allKinds, cleanedAtOnce: true,
		before: func(t *testing.T, s server) {
			// Every connection closes after 150 KB from the client: each
			// try resumes a little further, never to the end.
			s.data.Add(t, testsrv.Toxic{Name: "breaking", Type: "limit_data", Attributes: map[string]any{"bytes": 150 << 10}})
		},
		lift: func(t *testing.T, s server) { s.data.Remove(t, "breaking") }},
	{name: "data-connection-stalls", kinds: []string{"ftpes"}, cleanedAtOnce: true,
		during: func(t *testing.T, s server, done <-chan struct{}) {
			if waitPartial(t, s.dir, cutAt, done) {
				s.data.Add(t, testsrv.Toxic{Name: "stall", Type: "timeout", Attributes: map[string]any{"timeout": 0}})
			}
		},
		lift: func(t *testing.T, s server) { s.data.Remove(t, "stall") }},
}

// TestNetworkFaults backs up with the real binary through Toxiproxy to the
// real vsftpd and sshd while the connection is cut, slowed and stalled.
// Every cell ends in a finished backup that verifies with unzip, 7-Zip and
// Python, or in a loud failure within the timeout's bound with the older
// archive's bytes unchanged; and no partial file stays on the server.
func TestNetworkFaults(t *testing.T) {
	tp := testsrv.StartToxiproxy(t)
	testutil.Binary(t) // built once, before the cells start side by side
	var mu sync.Mutex
	var table []string
	// The outcome of every cell, printed once all have ended.
	t.Cleanup(func() {
		sort.Strings(table)
		t.Logf("network faults, --timeout %s, %d tries, bound %s:\n%s", timeout, tries, budget(), strings.Join(table, "\n"))
	})
	for _, c := range netCells {
		for _, kind := range c.kinds {
			t.Run(c.name+"/"+kind, func(t *testing.T) {
				t.Parallel()
				// Each cell has its own servers, proxies and config (so
				// its own run lock).
				line := "did not get to the faulted run"
				defer func() { // also after a Fatal
					verdict := "PASS"
					if t.Failed() {
						verdict = "FAIL"
					}
					mu.Lock()
					table = append(table, fmt.Sprintf("  %-4s %-32s %s", verdict, c.name+"/"+kind, line))
					mu.Unlock()
				}()
				runNetCell(t, tp, newRunner(t), c, kind, &line)
			})
		}
	}
}

// runNetCell runs one cell and sets outcome to how the faulted run ended.
func runNetCell(t *testing.T, tp *testsrv.Toxiproxy, r *runner, c netCell, kind string, outcome *string) {
	s := startServer(t, tp, kind)
	src := t.TempDir()
	install(t, src, dataSize, 1)
	args := append([]string{"--timeout", timeout.String()}, s.flags...)
	first := r.backup(t, src, s.url, nil, args...)
	if first.code != 0 {
		t.Fatalf("the first backup, without faults, failed: %s", first)
	}
	archive := filepath.Join(s.dir, archiveName)
	oldSum := sum(t, archive)
	onlyArchive(t, s.dir, "after the first backup")

	install(t, src, dataSize, 2) // new data: a different archive
	s.data.Add(t, testsrv.Toxic{Name: "pace", Type: "bandwidth", Attributes: map[string]any{"rate": paceKBps}})
	if c.before != nil {
		c.before(t, s)
	}
	done := make(chan struct{})
	var once sync.Once
	stop := func() { once.Do(func() { close(done) }) }
	defer stop() // also when the run hangs and the test stops (Fatal)
	faulted := make(chan struct{})
	if c.during != nil {
		go func() { defer close(faulted); c.during(t, s, done) }()
	} else {
		close(faulted)
	}
	*outcome = "hung: still running after " + hardLimit.String() + ", stopped"
	res := r.backup(t, src, s.url, nil, args...)
	stop()
	<-faulted
	*outcome = firstLine(res)
	t.Logf("%s/%s: %s", c.name, kind, *outcome)

	if bound := budget(); res.took > bound {
		t.Errorf("the backup took %s, more than the %s that %d tries with --timeout %s and their waits allow", res.took.Round(time.Millisecond), bound, tries, timeout)
	}
	if res.code == 0 {
		if !strings.Contains(res.stdout, `"verified": true`) {
			t.Errorf("the backup finished but does not say it was verified: %s", res)
		}
		if sum(t, archive) == oldSum {
			t.Errorf("the archive on the server is still the older one after a finished backup")
		}
		testutil.CheckWithTools(t, archive)
		onlyArchive(t, s.dir, "after the finished backup")
		if c.name == "slow" {
			if min := time.Duration(dataSize/(paceKBps<<10)) * time.Second; res.took < min {
				t.Errorf("the slowed backup took %s, less than the %s the pacing allows: the toxics did not apply", res.took, min)
			}
		}
		if !c.ok {
			t.Errorf("the backup finished under a fault that lasts: %s", res)
		}
		return
	}
	if !strings.Contains(res.stderr, "BACKUP FAILED") || !strings.Contains(res.stderr, archiveName) || !strings.Contains(res.stderr, "unchanged") {
		t.Errorf("the failed backup was not said loudly (exit code, BACKUP FAILED, the archive named, 'unchanged'): %s", res)
	}
	if got := sum(t, archive); got != oldSum {
		t.Fatalf("the older archive changed after a failed backup: SHA-256 %s, was %s", got, oldSum)
	}
	testutil.CheckWithTools(t, archive)
	if c.cleanedAtOnce || c.ok {
		onlyArchive(t, s.dir, "after the failed backup")
	} else {
		t.Logf("left on the server after the failed run (unreachable to clean up): %q", names(t, s.dir))
	}
	if c.ok {
		t.Errorf("a passing fault (%s) must end in a finished backup: the tries left should resume the upload; it failed instead (the older archive is whole): %s", c.name, res)
	}
	// With the fault lifted, the next run finishes and leaves only the
	// archive: nothing of the failed run stays for good.
	if c.lift != nil {
		c.lift(t, s)
	}
	s.data.Remove(t, "pace")
	again := r.backup(t, src, s.url, nil, args...)
	if again.code != 0 {
		t.Fatalf("the next backup, with the fault lifted, failed: %s", again)
	}
	testutil.CheckWithTools(t, archive)
	if !c.cleanedAtOnce && !c.ok {
		// The failed run could not reach the server to remove its partial
		// file. A later run removes it only once it is LeftoverAge old by
		// the start time in its name and has not grown meanwhile: a younger
		// one may be another run on this computer still checking or
		// renaming its upload. Aged, the next good run removes it.
		ageLeftovers(t, s.dir, 2*time.Hour)
		if again = r.backup(t, src, s.url, nil, args...); again.code != 0 {
			t.Fatalf("the backup after the leftover aged failed: %s", again)
		}
	}
	onlyArchive(t, s.dir, "after the next backup")
}

// ageLeftovers makes the temporary files in dir look started by earlier
// hours: the start time in their names (dest.TempName) and their file
// times go back by d.
func ageLeftovers(t *testing.T, dir string, d time.Duration) {
	t.Helper()
	for _, n := range names(t, dir) {
		ti, ok := dest.ParseTemp(n)
		if !ok {
			continue
		}
		stamp := ti.Started.UTC().Format("20060102T150405Z")
		older := strings.Replace(n, stamp, ti.Started.Add(-d).UTC().Format("20060102T150405Z"), 1)
		if err := os.Rename(filepath.Join(dir, n), filepath.Join(dir, older)); err != nil {
			t.Fatal(err)
		}
		old := time.Now().Add(-d)
		os.Chtimes(filepath.Join(dir, older), old, old)
	}
}

func firstLine(r result) string {
	if r.code == 0 {
		return "finished after " + r.took.Round(100*time.Millisecond).String()
	}
	msg, _, _ := strings.Cut(strings.TrimSpace(r.stderr), "\n")
	return "failed after " + r.took.Round(100*time.Millisecond).String() + ": " + msg
}

// tries is the number of tries a server upload makes (dest/open's default:
// the first and 3 more), with waits of 2, 4 and 8 s between them.
const tries = 4

// budget bounds a run under faults: every try may wait the timeout to
// connect and once more for a stalled transfer, plus the waits between the
// tries, the same again for removing the partial upload afterwards, and
// the time the paced upload itself takes.
func budget() time.Duration {
	waits := 14 * time.Second
	perTry := 2 * timeout
	upload := time.Duration(dataSize/(paceKBps<<10)+2) * time.Second
	return tries*perTry + waits + tries*perTry + waits + upload
}
