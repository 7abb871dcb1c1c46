package s3

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/demo"
	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/desttest"
	"github.com/posbackup/posbackup/internal/dest/faulty"
	"github.com/posbackup/posbackup/internal/job"
	"github.com/posbackup/posbackup/internal/job/jobtest"
	"github.com/posbackup/posbackup/internal/profile"
	"github.com/posbackup/posbackup/internal/retention"
	"github.com/posbackup/posbackup/internal/testsrv"
)

// The crash matrix of issue 11 on the S3 kind (a plain bucket, and one
// with Object Lock and immutable archives): a backup is stopped at every
// destination call it makes, by an error and as if the process died there
// (every later call fails), and before a Put has finished (after part of
// its bytes). After each run the archive's newest good version is listed
// under its name and verifies; a second, clean run succeeds and leaves
// nothing but the archives.
func TestCrashMatrixS3(t *testing.T) {
	if testing.Short() {
		t.Skip("crash matrix")
	}
	m := testsrv.StartMinIO(t)
	src := filepath.Join(t.TempDir(), "Hypers-!")
	if _, err := demo.Make(src); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []struct {
		name string
		lock bool
	}{{"s3", false}, {"s3-immutable", true}} {
		t.Run(kind.name, func(t *testing.T) {
			bucket := newBucket(t, m, kind.lock)
			cell := 0
			open := func() *S3 {
				cfg := cfgFor(m, bucket, fmt.Sprintf("site%03d", cell))
				if kind.lock {
					cfg.ImmutableDays = 1
				}
				return openS3(t, cfg)
			}
			req := func(d dest.Destination, name string, now time.Time) job.BackupRequest {
				return job.BackupRequest{Profile: profile.Default(), Source: src, Variant: 2, Dest: d,
					NameTemplate: name, Lang: "en", Host: "till1", Job: "nightly",
					Keep: &retention.Policy{KeepLast: 1}, Now: func() time.Time { return now }}
			}
			seed := func(d dest.Destination) time.Time {
				fixed := time.Now().AddDate(0, 0, -1)
				for i, name := range []string{"older", "fixed"} {
					r := req(d, name, fixed.AddDate(0, 0, i-1))
					r.Keep = nil
					if _, err := job.Backup(context.Background(), r); err != nil {
						t.Fatalf("seeding %s: %v", name, err)
					}
				}
				return fixed.Add(-time.Second)
			}
			// The calls a clean run makes.
			probe := open()
			seed(probe)
			f := faulty.New(probe, faulty.Config{})
			if _, err := job.Backup(context.Background(), req(f.Dest(), "fixed", time.Now())); err != nil {
				t.Fatal(err)
			}
			calls := f.Calls()
			var points []faulty.Fault
			for _, c := range calls {
				if c.Method == faulty.Close {
					continue
				}
				points = append(points, faulty.Fault{Method: c.Method, Call: c.N}, faulty.Fault{Method: c.Method, Call: c.N, Crash: true})
				if c.Method == faulty.Put && c.N == 1 {
					points = append(points, faulty.Fault{Method: c.Method, Call: c.N, AfterBytes: 20_000, Crash: true})
				}
			}
			failures := 0
			for _, p := range points {
				cell++
				base := open()
				oldSeen := seed(base)
				fd := faulty.New(base, faulty.Config{Faults: []faulty.Fault{p}})
				_, runErr := job.Backup(context.Background(), req(fd.Dest(), "fixed", time.Now()))
				what := fmt.Sprintf("%s#%d crash=%v after=%d (run error: %v)", p.Method, p.Call, p.Crash, p.AfterBytes, runErr)
				if why := goodArchive(base, "fixed.zip", oldSeen); why != "" {
					t.Errorf("%s: after the stopped run: %s", what, why)
					failures++
					continue
				}
				now := time.Now().Add(2 * time.Hour) // as the job's matrix: the first run's leftovers are old by then
				if _, err := job.Backup(context.Background(), req(base, "fixed", now)); err != nil {
					t.Errorf("%s: the second run failed: %v", what, err)
					failures++
					continue
				}
				if why := goodArchive(base, "fixed.zip", now.Add(-time.Second)); why != "" {
					t.Errorf("%s: after the second run: %s", what, why)
					failures++
				}
				for _, n := range desttest.Names(t, base) {
					if dest.IsTemp(n) || strings.HasPrefix(n, dest.AsidePrefix) {
						t.Errorf("%s: after a successful second run %s is left", what, n)
						failures++
					}
				}
			}
			t.Logf("%s: %d cells (%d calls of a clean run x error/crash, + a cut Put), %d failed", kind.name, len(points), len(calls), failures)
		})
	}
}

// goodArchive checks that name is listed with a manifest started at or
// after since and verifies.
func goodArchive(d dest.Destination, name string, since time.Time) string {
	ls, err := job.List(context.Background(), d)
	if err != nil {
		return "job.List: " + err.Error()
	}
	for _, l := range ls {
		if l.Name != name {
			continue
		}
		if l.Manifest == nil || l.Manifest.Started.Before(since) {
			if l.Manifest == nil {
				return name + " has no manifest"
			}
			return fmt.Sprintf("%s is from %v, older than the good archive of %v", name, l.Manifest.Started, since)
		}
		if why := jobtest.Verifies(d, name); why != "" {
			return name + " does not verify: " + why
		}
		return ""
	}
	var names []string
	for _, l := range ls {
		names = append(names, l.Name)
	}
	return fmt.Sprintf("%s is not listed (listed: %v)", name, names)
}
