package job

// Tests of the older archive kept aside (dest.AsideName) by a kind that
// cannot rename over a file: put back after a cut, by the commit that
// failed, and never swept while its name is missing (issue 11, finding 3;
// issue 16's review findings).

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/faulty"
	"github.com/posbackup/posbackup/internal/dest/retry"
	"github.com/posbackup/posbackup/internal/testutil"
)

// Finding 3: a power cut between the two renames of move-aside leaves the
// older archive under dest.AsideName and the new one under its temporary
// name. The next run puts the older one back at its start and keeps it
// when that run fails; a run that succeeds removes the aside and the
// leftovers.
func TestPowerCutBetweenTheRenames(t *testing.T) {
	in := fixture(t)
	for _, second := range []string{"fails", "succeeds"} {
		t.Run(second, func(t *testing.T) {
			base := folder(t, filepath.Join(t.TempDir(), "ftp"))
			kind := func(cfg faulty.Config) dest.Destination {
				cfg.RefuseRenameOver, cfg.Remote = true, true
				return faulty.MoveAside(faulty.New(base, cfg).Dest())
			}
			if _, err := Backup(context.Background(), quickReq(in.Root, kind(faulty.Config{}), "fixed")); err != nil {
				t.Fatal(err)
			}
			old := fileSHA(t, base.Path("fixed.zip"))
			// Rename #1 is refused, #2 moves fixed.zip aside, #3 would
			// put the new one in place: the power goes there.
			_, err := Backup(context.Background(), quickReq(in.Root, kind(faulty.Config{Faults: []faulty.Fault{{Method: faulty.Rename, Call: 3, Crash: true}}}), "fixed"))
			if err == nil {
				t.Fatal("the run cut between the renames succeeded")
			}
			aside := base.Path(dest.AsideName("fixed.zip"))
			if fileSHA(t, aside) != old {
				t.Fatalf("after the cut the older archive is not at %s: %v", aside, testutil.Names(t, base.Dir()))
			}
			later := time.Now().Add(2 * time.Hour)
			req := quickReq(in.Root, nil, "fixed")
			req.Now = func() time.Time { return later }
			if second == "fails" {
				req.Dest = kind(faulty.Config{Faults: []faulty.Fault{{Method: faulty.Put, Call: 1}}})
				if _, err := Backup(context.Background(), req); err == nil {
					t.Fatal("the failing run succeeded")
				}
				if fileSHA(t, base.Path("fixed.zip")) != old {
					t.Fatalf("after a failed run the older archive is not back as fixed.zip: %v", testutil.Names(t, base.Dir()))
				}
				verifyFile(t, base.Path("fixed.zip"))
				return
			}
			req.Dest = kind(faulty.Config{})
			res, err := Backup(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if n := testutil.Names(t, base.Dir()); len(n) != 1 || n[0] != "fixed.zip" {
				t.Errorf("after a successful run the server holds %v, want only fixed.zip", n)
			}
			verifyFile(t, base.Path("fixed.zip"))
			a, _ := OpenPath(base.Path("fixed.zip"))
			defer a.Close()
			if !a.Manifest.Started.Equal(res.Started) {
				t.Errorf("fixed.zip is not the new backup")
			}
		})
	}
}

// Finding 3, for archives moved aside by the FTP and SFTP kinds of earlier
// versions (.posbackup-partial-old-NAME, a temporary name): a run puts it
// back when NAME is missing, and no sweep deletes it meanwhile.
func TestLegacyAsideIsPutBack(t *testing.T) {
	in := fixture(t)
	base := folder(t, filepath.Join(t.TempDir(), "ftp"))
	d := faulty.New(base, faulty.Config{Remote: true}).Dest()
	if _, err := Backup(context.Background(), quickReq(in.Root, d, "fixed")); err != nil {
		t.Fatal(err)
	}
	old := fileSHA(t, base.Path("fixed.zip"))
	legacy := base.Path(dest.TempPrefix + "old-fixed.zip")
	if err := os.Rename(base.Path("fixed.zip"), legacy); err != nil {
		t.Fatal(err)
	}
	long := time.Now().Add(-48 * time.Hour)
	os.Chtimes(legacy, long, long)
	// A run of another archive name sweeps, but must keep it.
	if _, err := Backup(context.Background(), quickReq(in.Root, d, "other")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(legacy); err != nil {
		t.Fatalf("a sweep removed the only copy of fixed.zip: %v", err)
	}
	// A run of fixed.zip that fails still puts it back first.
	bad := faulty.New(base, faulty.Config{Remote: true, Faults: []faulty.Fault{{Method: faulty.Put, Call: 1}}}).Dest()
	if _, err := Backup(context.Background(), quickReq(in.Root, bad, "fixed")); err == nil {
		t.Fatal("the failing run succeeded")
	}
	if fileSHA(t, base.Path("fixed.zip")) != old {
		t.Fatalf("fixed.zip was not put back: %v", testutil.Names(t, base.Dir()))
	}
}

// Review finding (issue 16): on a kind that cannot rename over a file, the
// older archive is moved aside inside the commit's Rename; when the run is
// then cancelled (Windows stopping the service) or the retries of a broken
// connection are used up, the run itself puts it back under its name
// before it returns, not only the next run.
func TestCommitPutsTheAsideBack(t *testing.T) {
	in := fixture(t)
	broken := &retry.Error{Msg: "the connection to srv was interrupted", Temp: true}
	for _, c := range []string{"cancelled", "retries-used-up", "put-back-refused-once"} {
		t.Run(c, func(t *testing.T) {
			base := folder(t, filepath.Join(t.TempDir(), "ftp"))
			kind := func(faults ...faulty.Fault) dest.Destination {
				return faulty.MoveAside(faulty.New(base, faulty.Config{RefuseRenameOver: true, Remote: true, Faults: faults}).Dest())
			}
			if _, err := Backup(context.Background(), quickReq(in.Root, kind(), "fixed")); err != nil {
				t.Fatal(err)
			}
			old := fileSHA(t, base.Path("fixed.zip"))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			// Rename #1 is refused, #2 moves fixed.zip aside, #3 would put
			// the new one in place: the connection breaks there.
			fs := []faulty.Fault{{Method: faulty.Rename, Call: 3, Err: broken}}
			switch c {
			case "cancelled":
				fs[0].Do = cancel
			case "put-back-refused-once":
				// Refused, not broken: RenameOver's own put-back (#4) fails
				// too and says the older one is kept aside; the job's (#5)
				// goes through.
				fs = []faulty.Fault{{Method: faulty.Rename, Call: 3}, {Method: faulty.Rename, Call: 4}}
			}
			_, err := Backup(ctx, quickReq(in.Root, kind(fs...), "fixed"))
			if err == nil {
				t.Fatal("the run whose rename failed succeeded")
			}
			t.Logf("the failure says: %v", err)
			if got := testutil.Names(t, base.Dir()); len(got) != 1 || got[0] != "fixed.zip" {
				t.Fatalf("after the failed commit the server holds %v, want fixed.zip only", got)
			}
			if fileSHA(t, base.Path("fixed.zip")) != old {
				t.Fatal("fixed.zip is not the older archive")
			}
			verifyFile(t, base.Path("fixed.zip"))
			if strings.Contains(err.Error(), dest.AsideName("fixed.zip")) || !strings.Contains(err.Error(), "The older archive is back under its name, unchanged") {
				t.Errorf("the message does not say that the older archive is back: %v", err)
			}
		})
	}
}

// Review finding (issue 16): the stale-data guard must never cost the
// newest good archive. A cut left it under dest.AsideName(NAME) with NAME
// missing, and the next run, from older data (a restored or wrong
// computer), cannot put it back: that run's archive goes beside it, and
// the aside is kept, with or without a job.
func TestStaleGuardKeepsAnAsideWhoseNameIsMissing(t *testing.T) {
	for _, jobName := range []string{"nightly", ""} {
		t.Run("job="+jobName, func(t *testing.T) {
			in := fixture(t)
			base := folder(t, filepath.Join(t.TempDir(), "ftp"))
			req := quickReq(in.Root, faulty.New(base, faulty.Config{Remote: true}).Dest(), "fixed")
			req.Job, req.GuardStale = jobName, true
			good, err := Backup(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			aside := dest.AsideName("fixed.zip")
			if err := os.Rename(base.Path("fixed.zip"), base.Path(aside)); err != nil {
				t.Fatal(err)
			}
			// The data is older than the backup's now.
			old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
			filepath.WalkDir(in.Root, func(p string, _ os.DirEntry, _ error) error { return os.Chtimes(p, old, old) })
			later := time.Now().Add(2 * time.Hour)
			req.Now = func() time.Time { return later }
			// Rename #1 is plan's put-back of the aside: refused.
			req.Dest = faulty.New(base, faulty.Config{Remote: true, Faults: []faulty.Fault{{Method: faulty.Rename, Call: 1}}}).Dest()
			res, err := Backup(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("the stale run wrote %s: %v", res.Archive, res.Warnings)
			if !res.Stale {
				t.Error("the run from older data is not marked stale")
			}
			var at string
			for _, n := range []string{"fixed.zip", aside} {
				if a, err := OpenPath(base.Path(n)); err == nil {
					if a.Manifest != nil && a.Manifest.Started.Equal(good.Started) {
						at = n
					}
					a.Close()
				}
			}
			if at == "" {
				t.Fatalf("the newest good archive is neither fixed.zip nor %s: the folder holds %v", aside, testutil.Names(t, base.Dir()))
			}
			verifyFile(t, base.Path(at))
			if res.Archive == "fixed.zip" {
				t.Errorf("the stale run's archive took the name fixed.zip, whose newer archive is kept aside")
			}
		})
	}
}
