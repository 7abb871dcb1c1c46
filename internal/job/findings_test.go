package job

// Tests for the findings of issue 11 that the job fixes: each fails on the
// code before the fix.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/faulty"
	"github.com/posbackup/posbackup/internal/dest/retry"
	"github.com/posbackup/posbackup/internal/profile"
	"github.com/posbackup/posbackup/internal/retention"
)

func fileSHA(t *testing.T, p string) string {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatalf("open %s: %v", p, err)
	}
	defer f.Close()
	h := sha256.New()
	io.Copy(h, f)
	return hex.EncodeToString(h.Sum(nil))
}

// verifyFile checks every entry of the archive at p against its manifest.
func verifyFile(t *testing.T, p string) {
	t.Helper()
	a, err := OpenPath(p)
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	defer a.Close()
	rep, err := a.Verify(context.Background(), nil, nil)
	if err != nil || !rep.OK() || a.Manifest == nil {
		t.Fatalf("%s does not verify: %v %+v", p, err, rep.Damaged)
	}
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func quickReq(src string, d dest.Destination, name string) BackupRequest {
	return BackupRequest{Profile: profile.Default(), Source: src, Variant: 3, Dest: d, NameTemplate: name, Host: "till1", Lang: "en"}
}

// Finding 1: a server that stores one flipped byte must not give a
// verified backup; the older archive stays as it was.
func TestVerifyReadsTheServersCopy(t *testing.T) {
	in := fixture(t)
	base := folder(t, filepath.Join(t.TempDir(), "srv"))
	good := faulty.New(base, faulty.Config{Remote: true}).Dest()
	first, err := Backup(context.Background(), quickReq(in.Root, good, "fixed"))
	if err != nil {
		t.Fatal(err)
	}
	old := fileSHA(t, base.Path("fixed.zip"))
	bad := faulty.New(base, faulty.Config{Remote: true, CorruptPut: true, CorruptAt: first.Size / 2}).Dest()
	res, err := Backup(context.Background(), quickReq(in.Root, bad, "fixed"))
	if err == nil {
		t.Fatalf("a server copy with a flipped byte gave a successful backup (verified %v)", res.Verified)
	}
	t.Logf("the failure says: %v", err)
	if !strings.Contains(err.Error(), "fixed.zip is unchanged") {
		t.Errorf("the message does not say the older archive is unchanged: %v", err)
	}
	if got := fileSHA(t, base.Path("fixed.zip")); got != old {
		t.Fatal("the older archive changed")
	}
	verifyFile(t, base.Path("fixed.zip"))
	if n := dirNames(t, base.Dir()); len(n) != 1 {
		t.Errorf("the server holds %v, want only fixed.zip", n)
	}
}

// Finding 2: on a destination that folds case, pruning must not delete
// the archive just made under a name that differs only in case.
func TestPruneKeepsTheNewArchiveWhenCaseFolds(t *testing.T) {
	in := fixture(t)
	base := folder(t, filepath.Join(t.TempDir(), "nas"))
	d := faulty.New(base, faulty.Config{FoldCase: true, Remote: true}).Dest()
	day := time.Date(2026, 11, 16, 23, 30, 0, 0, time.UTC)
	for i, name := range []string{"m001_monday", "M001_Monday"} {
		now := day.AddDate(0, 0, 7*i)
		req := quickReq(in.Root, d, name)
		req.Job, req.Keep, req.GuardStale = "nightly", &retention.Policy{KeepLast: 1}, true
		req.Now = func() time.Time { return now }
		res, err := Backup(context.Background(), req)
		if err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		t.Logf("run %d: %s, deleted %v", i, res.Archive, res.Deleted)
	}
	ls, err := List(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 1 || !strings.EqualFold(ls[0].Name, "M001_Monday.zip") || ls[0].Manifest == nil || !ls[0].Manifest.Started.Equal(day.AddDate(0, 0, 7)) {
		t.Fatalf("after the second run the destination lists %+v, want the new M001_Monday.zip", ls)
	}
}

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
				t.Fatalf("after the cut the older archive is not at %s: %v", aside, dirNames(t, base.Dir()))
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
					t.Fatalf("after a failed run the older archive is not back as fixed.zip: %v", dirNames(t, base.Dir()))
				}
				verifyFile(t, base.Path("fixed.zip"))
				return
			}
			req.Dest = kind(faulty.Config{})
			res, err := Backup(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if n := dirNames(t, base.Dir()); len(n) != 1 || n[0] != "fixed.zip" {
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

// Finding 9: the sweep judges a leftover by the start time and host in its
// name, not by the server's file time (here 90 minutes off).
func TestSweepByTheName(t *testing.T) {
	in := fixture(t)
	base := folder(t, filepath.Join(t.TempDir(), "ftp"))
	now := time.Now()
	seed := map[string]bool{ // name -> swept by a successful run
		dest.TempName("fixed.zip", "till1", now.Add(-2*time.Hour), "aaaa"):        true,  // ours, old
		dest.TempName("fixed.zip", "till1", now.Add(-10*time.Minute), "bbbb"):     false, // ours, young: maybe another run here checking or renaming it
		dest.TempName("fixed.zip", "till1", now.Add(-3*time.Hour), "ffff"):        false, // ours, old, but still growing: a long upload of another run here
		dest.TempName("M002_Monday.zip", "till2", now.Add(-2*time.Hour), "cccc"):  false, // another till's upload
		dest.TempName("M002_Monday.zip", "till2", now.Add(-25*time.Hour), "dddd"): true,  // another till's, long dead
		dest.TempName("M002_Monday.zip", "till3", now.Add(-25*time.Hour), "eeee"): false, // a till whose clock is a day behind, uploading now
		dest.TempPrefix + "0a1b2c3d-fixed.zip":                                    true,  // an old-style name, old file time
		dest.AsideName("other.zip"):                                               false, // never swept
		"other.zip":                                                               false,
	}
	for n := range seed {
		if err := os.WriteFile(base.Path(n), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old := now.Add(-3 * time.Hour)
	os.Chtimes(base.Path(dest.TempPrefix+"0a1b2c3d-fixed.zip"), old, old)
	dead := now.Add(-25 * time.Hour)
	os.Chtimes(base.Path(dest.TempName("M002_Monday.zip", "till2", now.Add(-25*time.Hour), "dddd")), dead, dead)
	d := faulty.New(base, faulty.Config{Remote: true, ClockShift: -90 * time.Minute}).Dest()
	req := quickReq(in.Root, d, "fixed")
	growing := base.Path(dest.TempName("fixed.zip", "till1", now.Add(-3*time.Hour), "ffff"))
	req.BeforeStep = func(step string) error {
		if step == "sweep" { // a second posbackup here is still uploading
			return os.WriteFile(growing, []byte("xy"), 0o644)
		}
		return nil
	}
	if _, err := Backup(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	for n, swept := range seed {
		_, err := os.Stat(base.Path(n))
		if gone := errors.Is(err, os.ErrNotExist); gone != swept {
			t.Errorf("%s: swept %v, want %v", n, gone, swept)
		}
	}
}

// Finding 8: upload and download copies a killed run left in the temp
// folder are swept (Windows cannot delete them while they are open).
func TestTempFolderLeftoversSwept(t *testing.T) {
	in := fixture(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Setenv("TMP", tmp)
	t.Setenv("TEMP", tmp)
	old := time.Now().Add(-3 * time.Hour)
	seed := map[string]bool{"posbackup-upload-123": true, "posbackup-download-456.zip": true, "posbackup-spool-789": true, "posbackup-upload-young": false, "other": false}
	for n := range seed {
		p := filepath.Join(tmp, n)
		os.WriteFile(p, []byte("x"), 0o644)
		if n != "posbackup-upload-young" && n != "other" {
			os.Chtimes(p, old, old)
		}
	}
	d := faulty.New(folder(t, filepath.Join(t.TempDir(), "srv")), faulty.Config{Remote: true}).Dest()
	if _, err := Backup(context.Background(), quickReq(in.Root, d, "fixed")); err != nil {
		t.Fatal(err)
	}
	for n, swept := range seed {
		_, err := os.Stat(filepath.Join(tmp, n))
		if gone := errors.Is(err, os.ErrNotExist); gone != swept {
			t.Errorf("%s in the temp folder: swept %v, want %v", n, gone, swept)
		}
	}
}

// Finding 1: the result says which check was made.
func TestVerifyModeInTheResult(t *testing.T) {
	in := fixture(t)
	for _, c := range []struct {
		name, mode, want string
		remote           bool
	}{
		{"server-default", "", VerifyFull, true},
		{"server-quick", VerifyQuick, VerifyQuick, true},
		{"folder-quick", VerifyQuick, VerifyFull, false}, // a folder is always read back
	} {
		t.Run(c.name, func(t *testing.T) {
			f := faulty.New(folder(t, filepath.Join(t.TempDir(), "d")), faulty.Config{Remote: c.remote})
			req := quickReq(in.Root, f.Dest(), "fixed")
			req.Verify = c.mode
			res, err := Backup(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Verified || res.Verify != c.want {
				t.Errorf("verified %v verify %q, want %q", res.Verified, res.Verify, c.want)
			}
			opens := 0
			for _, call := range f.Calls() {
				if call.Method == faulty.Open {
					opens++
				}
			}
			if remoteFull := c.remote && c.want == VerifyFull; remoteFull != (opens > 0) {
				t.Errorf("%d Open calls: the server's copy read back %v, want %v", opens, opens > 0, remoteFull)
			}
		})
	}
	d := faulty.New(folder(t, filepath.Join(t.TempDir(), "d")), faulty.Config{}).Dest()
	req := quickReq(in.Root, d, "fixed")
	req.Verify = "sometimes"
	if _, err := Backup(context.Background(), req); err == nil || !strings.Contains(err.Error(), "sometimes") {
		t.Errorf("an unknown verify setting gave %v", err)
	}
}

// Finding 8: the upload's copy goes to TempDir, whose free space is
// checked before anything is written; the message says where and how much.
func TestTempDirFreeSpace(t *testing.T) {
	in := fixture(t)
	tmp := t.TempDir()
	base := folder(t, filepath.Join(t.TempDir(), "srv"))
	var sawCopy bool
	probe := &probeDest{Destination: faulty.New(base, faulty.Config{Remote: true}).Dest(), during: func() {
		// The copy is unlinked at once where the system allows it; its
		// descriptor still names the folder.
		fds, _ := os.ReadDir("/proc/self/fd")
		for _, fd := range fds {
			if l, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); err == nil && strings.HasPrefix(l, filepath.Join(tmp, "posbackup-upload-")) {
				sawCopy = true
			}
		}
	}}
	req := quickReq(in.Root, probe, "fixed")
	req.TempDir = tmp
	if _, err := Backup(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("/proc/self/fd"); err == nil && !sawCopy {
		t.Errorf("no posbackup-upload-* copy was open in TempDir %s during the upload", tmp)
	}

	defer func(f func(string) (int64, error)) { freeSpace = f }(freeSpace)
	freeSpace = func(dir string) (int64, error) {
		if dir != tmp {
			t.Errorf("free space asked of %s, want %s", dir, tmp)
		}
		return 1000, nil
	}
	before := dirNames(t, base.Dir())
	_, err := Backup(context.Background(), req)
	if err == nil {
		t.Fatal("a backup with 1000 bytes free in the temp folder succeeded")
	}
	t.Logf("the failure says: %v", err)
	for _, want := range []string{tmp, "free", "missing", "temp_dir"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the message does not say %q: %v", want, err)
		}
	}
	if after := dirNames(t, base.Dir()); strings.Join(after, ",") != strings.Join(before, ",") {
		t.Errorf("the destination changed: %v -> %v", before, after)
	}
}

// probeDest calls during while Put reads.
type probeDest struct {
	dest.Destination
	during func()
}

func (p *probeDest) Put(ctx context.Context, name string, r io.Reader) (int64, error) {
	return p.Destination.Put(ctx, name, &probeReader{r: r, once: p.during})
}

type probeReader struct {
	r    io.Reader
	once func()
}

func (p *probeReader) Read(b []byte) (int, error) {
	if p.once != nil {
		p.once()
		p.once = nil
	}
	return p.r.Read(b)
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
		t.Fatalf("fixed.zip was not put back: %v", dirNames(t, base.Dir()))
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
			if got := dirNames(t, base.Dir()); len(got) != 1 || got[0] != "fixed.zip" {
				t.Fatalf("after the failed commit the server holds %v, want fixed.zip only", got)
			}
			if fileSHA(t, base.Path("fixed.zip")) != old {
				t.Fatal("fixed.zip is not the older archive")
			}
			verifyFile(t, base.Path("fixed.zip"))
			if strings.Contains(err.Error(), dest.AsideName("fixed.zip")) {
				t.Errorf("the message says the older archive is kept aside, but it is back: %v", err)
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
				t.Fatalf("the newest good archive is neither fixed.zip nor %s: the folder holds %v", aside, dirNames(t, base.Dir()))
			}
			verifyFile(t, base.Path(at))
			if res.Archive == "fixed.zip" {
				t.Errorf("the stale run's archive took the name fixed.zip, whose newer archive is kept aside")
			}
		})
	}
}
