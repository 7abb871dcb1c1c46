package snapshot

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/archive"
)

// errHeld stands for ERROR_SHARING_VIOLATION / ERROR_LOCK_VIOLATION (in
// the error-string style: Windows's own text begins with a capital and
// ends with a full stop).
var errHeld = errors.New("the process cannot access the file because it is being used by another process")

// heldSource is the file system with one file opened by the "POS program"
// without sharing (open fails) and one byte-range locked (reads fail).
type heldSource struct{ noShare, locked string }

func (h heldSource) Open(p string) (io.ReadCloser, error) {
	if p == h.noShare {
		return nil, &fs.PathError{Op: "open", Path: p, Err: errHeld}
	}
	f, err := os.Open(p)
	if err != nil || p != h.locked {
		return f, err
	}
	return lockedFile{f}, nil
}

func (heldSource) Stat(p string) (fs.FileInfo, error) { return os.Stat(p) }

type lockedFile struct{ *os.File }

func (lockedFile) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Err: errHeld}
}

// fakeShadow "snapshots" a volume by pointing at a copy of it.
type fakeShadow struct {
	live, copy string
	made       atomic.Int32
	released   atomic.Int32
	fail       error
}

func (f *fakeShadow) Split(p string) (string, string, error) {
	rel, err := filepath.Rel(f.live, p)
	return f.live, rel, err
}

func (f *fakeShadow) Create(vol string) (string, func() error, error) {
	f.made.Add(1)
	if f.fail != nil {
		return "", nil, f.fail
	}
	return f.copy, func() error { f.released.Add(1); return nil }, nil
}

type fixture struct {
	live, copy      string
	noShare, locked string
	entries         []archive.Entry
	want            map[string]string // archive name -> content expected from the snapshot
}

func newFixture(t *testing.T) *fixture {
	fx := &fixture{live: t.TempDir(), copy: t.TempDir(), want: map[string]string{}}
	files := map[string]string{"Daten/M001/Journal/x.dat": "journal", "Daten/M001/Arthist.dat": "arthist", "Daten/Global/a.dat": "global"}
	for name, body := range files {
		for _, root := range []string{fx.live, fx.copy} {
			p := filepath.Join(root, filepath.FromSlash(name))
			os.MkdirAll(filepath.Dir(p), 0o755)
			content := body
			if root == fx.copy {
				content = body + " as in the snapshot"
			}
			os.WriteFile(p, []byte(content), 0o644)
		}
		st, _ := os.Stat(filepath.Join(fx.live, filepath.FromSlash(name)))
		fx.entries = append(fx.entries, archive.Entry{Name: name, Path: filepath.Join(fx.live, filepath.FromSlash(name)), Size: st.Size(), ModTime: st.ModTime(), Mode: st.Mode()})
	}
	fx.noShare = filepath.Join(fx.live, "Daten", "M001", "Journal", "x.dat")
	fx.locked = filepath.Join(fx.live, "Daten", "M001", "Arthist.dat")
	return fx
}

func (fx *fixture) write(t *testing.T, src archive.Source) (*archive.Result, map[string]string) {
	t.Helper()
	var buf bytes.Buffer
	m := &archive.Manifest{Format: archive.FormatVersion, Started: time.Now()}
	res, err := archive.Write(context.Background(), &buf, fx.entries, m, archive.Options{Source: src, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		got[f.Name] = string(b)
	}
	return res, got
}

func (fx *fixture) platform(sh *fakeShadow, admin bool) platform {
	return platform{held: func(err error) bool { return errors.Is(err, errHeld) }, admin: func() bool { return admin },
		shadow: sh, join: func(root, rel string) string { return filepath.Join(root, rel) }}
}

func TestHeldFilesReadFromSnapshot(t *testing.T) {
	fx := newFixture(t)
	sh := &fakeShadow{live: fx.live, copy: fx.copy}
	src := newSource(Auto, heldSource{fx.noShare, fx.locked}, fx.platform(sh, true))
	res, got := fx.write(t, src)
	if len(res.Problems) != 0 {
		t.Fatalf("problems: %+v", res.Problems)
	}
	if got["Daten/M001/Journal/x.dat"] != "journal as in the snapshot" || got["Daten/M001/Arthist.dat"] != "arthist as in the snapshot" {
		t.Errorf("held files not read from the snapshot: %q", got)
	}
	if got["Daten/Global/a.dat"] != "global" {
		t.Errorf("a free file was not read live: %q", got["Daten/Global/a.dat"])
	}
	if sh.made.Load() != 1 || src.Snapshotted() != 2 {
		t.Errorf("%d snapshots made for one volume, %d files read from it", sh.made.Load(), src.Snapshotted())
	}
	if err := src.Close(); err != nil || sh.released.Load() != 1 {
		t.Errorf("close: %v, %d released", err, sh.released.Load())
	}
	src.Close()
	if sh.released.Load() != 1 {
		t.Errorf("released twice")
	}
}

func TestHeldFilesNamedWhenNoSnapshot(t *testing.T) {
	for _, c := range []struct {
		name  string
		mode  Mode
		admin bool
		fail  error
		noVSS bool
		say   string
	}{
		{"off", Off, true, nil, false, `turn on snapshots`},
		{"auto without administrator rights", Auto, false, nil, false, "run the backup as administrator"},
		{"on, snapshot fails", On, false, errors.New("VSS is not available"), false, "could not be made: VSS is not available"},
		{"no VSS on this system", On, true, nil, true, "not available on this system"},
	} {
		t.Run(c.name, func(t *testing.T) {
			fx := newFixture(t)
			sh := &fakeShadow{live: fx.live, copy: fx.copy, fail: c.fail}
			pf := fx.platform(sh, c.admin)
			if c.noVSS {
				pf.shadow = nil
			}
			src := newSource(c.mode, heldSource{fx.noShare, fx.locked}, pf)
			defer src.Close()
			res, got := fx.write(t, src)
			if got["Daten/Global/a.dat"] != "global" {
				t.Errorf("the free file is missing")
			}
			if len(res.Problems) != 2 {
				t.Fatalf("problems: %+v", res.Problems)
			}
			for _, p := range res.Problems {
				if !strings.HasPrefix(p.Reason, "is held open by another program (probably the POS software): ") || !strings.Contains(p.Reason, c.say) || strings.Contains(p.Reason, "cannot be read") {
					t.Errorf("%s: %q", p.Name, p.Reason)
				}
			}
			if c.mode == Off || !c.admin && c.mode == Auto {
				if sh.made.Load() != 0 {
					t.Errorf("a snapshot was made")
				}
			}
		})
	}
}

func TestParseMode(t *testing.T) {
	for in, want := range map[string]Mode{"": Auto, "auto": Auto, "ON": On, " off ": Off} {
		if m, err := ParseMode(in); err != nil || m != want {
			t.Errorf("ParseMode(%q) = %q, %v", in, m, err)
		}
	}
	if _, err := ParseMode("yes"); err == nil {
		t.Error("yes accepted")
	}
}
