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
	"github.com/posbackup/posbackup/internal/profile"
	"github.com/posbackup/posbackup/internal/retention"
	"github.com/posbackup/posbackup/internal/testutil"
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
	if n := testutil.Names(t, base.Dir()); len(n) != 1 {
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
	before := testutil.Names(t, base.Dir())
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
	if after := testutil.Names(t, base.Dir()); strings.Join(after, ",") != strings.Join(before, ",") {
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
