package faulty_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/desttest"
	"github.com/posbackup/posbackup/internal/dest/faulty"
	"github.com/posbackup/posbackup/internal/dest/local"
)

func folder(t *testing.T) *local.Folder {
	t.Helper()
	f, err := local.Open(filepath.Join(t.TempDir(), "d"), true)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func put(t *testing.T, d dest.Destination, name, body string) {
	t.Helper()
	if _, err := d.Put(context.Background(), name, strings.NewReader(body)); err != nil {
		t.Fatalf("Put %s: %v", name, err)
	}
}

func read(t *testing.T, d dest.Destination, name string) string {
	t.Helper()
	rc, err := d.Open(context.Background(), name, 0)
	if err != nil {
		t.Fatalf("Open %s: %v", name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func names(t *testing.T, d dest.Destination) []string {
	t.Helper()
	infos, err := d.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, in := range infos {
		out = append(out, in.Name)
	}
	sort.Strings(out)
	return out
}

// The wrapper with no faults is a destination like any other, and so is
// the move-aside fallback over a kind that refuses to rename over a name.
func TestConformance(t *testing.T) {
	t.Run("passthrough", func(t *testing.T) {
		desttest.Run(t, func(t *testing.T) dest.Destination { return faulty.New(folder(t), faulty.Config{}).Dest() })
	})
	t.Run("refuse-rename-over+move-aside", func(t *testing.T) {
		desttest.Run(t, func(t *testing.T) dest.Destination {
			return faulty.MoveAside(faulty.New(folder(t), faulty.Config{RefuseRenameOver: true, Remote: true}).Dest())
		})
	})
}

func TestNthCallFails(t *testing.T) {
	f := faulty.New(folder(t), faulty.Config{Faults: []faulty.Fault{{Method: faulty.Put, Call: 2}}})
	d := f.Dest()
	put(t, d, "a", "1")
	if _, err := d.Put(context.Background(), "b", strings.NewReader("2")); !errors.Is(err, faulty.ErrInjected) {
		t.Fatalf("the 2nd Put gave %v, want ErrInjected", err)
	}
	put(t, d, "c", "3")
	if got := names(t, d); strings.Join(got, ",") != "a,c" {
		t.Errorf("stored %v, want a,c", got)
	}
	want := "Put#1 Put#2 Put#3 List#1"
	var got []string
	for _, c := range f.Calls() {
		got = append(got, c.String())
	}
	if strings.Join(got, " ") != want {
		t.Errorf("calls %v, want %s", got, want)
	}
	if f.Fired() != 1 {
		t.Errorf("fired %d times, want 1", f.Fired())
	}
}

func TestHangUntilCancelled(t *testing.T) {
	d := faulty.New(folder(t), faulty.Config{Faults: []faulty.Fault{{Method: faulty.List, Call: 1, Hang: true}}}).Dest()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := d.List(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) < 40*time.Millisecond {
		t.Fatalf("List returned %v after %v, want to hang until the deadline", err, time.Since(start))
	}
}

func TestCrashStopsEverything(t *testing.T) {
	f := faulty.New(folder(t), faulty.Config{Faults: []faulty.Fault{{Method: faulty.Rename, Call: 1, Crash: true}}})
	d := f.Dest()
	put(t, d, "a", "1")
	if err := d.Rename(context.Background(), "a", "b"); !errors.Is(err, faulty.ErrCrashed) {
		t.Fatalf("Rename: %v", err)
	}
	if err := d.Delete(context.Background(), "a"); !errors.Is(err, faulty.ErrCrashed) {
		t.Fatalf("a call after the crash: %v, want ErrCrashed", err)
	}
	if !f.Crashed() {
		t.Error("Crashed() is false")
	}
}

func TestPutCutAfterBytes(t *testing.T) {
	var did bool
	d := faulty.New(folder(t), faulty.Config{Faults: []faulty.Fault{{Method: faulty.Put, Call: 1, AfterBytes: 3, Do: func() { did = true }}}}).Dest()
	n, err := d.Put(context.Background(), "a", strings.NewReader("123456"))
	if !errors.Is(err, faulty.ErrInjected) || n != 3 || !did {
		t.Fatalf("Put: n %d err %v do %v, want 3 bytes, ErrInjected, Do called", n, err, did)
	}
}

func TestCorrupt(t *testing.T) {
	base := folder(t)
	d := faulty.New(base, faulty.Config{CorruptPut: true, CorruptAt: 2}).Dest()
	put(t, d, "a", "abcdef")
	if got := read(t, base, "a"); got == "abcdef" || got[:2] != "ab" || got[3:] != "def" {
		t.Errorf("stored %q, want byte 2 of abcdef flipped", got)
	}
	put(t, base, "b", "abcdef")
	o := faulty.New(base, faulty.Config{CorruptOpen: true, CorruptAt: 4}).Dest()
	rc, err := o.Open(context.Background(), "b", 2)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(b[:2], []byte("cd")) || b[2] == 'e' || b[3] != 'f' {
		t.Errorf("read %q from offset 2, want byte 4 flipped", b)
	}
	if read(t, base, "b") != "abcdef" {
		t.Error("CorruptOpen changed the stored bytes")
	}
}

func TestFoldCase(t *testing.T) {
	base := folder(t)
	d := faulty.New(base, faulty.Config{FoldCase: true}).Dest()
	if !dest.CapsOf(d).FoldsCase {
		t.Error("Caps().FoldsCase is false")
	}
	put(t, d, "M001_monday.zip", "old")
	put(t, d, "tmp", "new")
	if err := d.Rename(context.Background(), "tmp", "M001_Monday.zip"); err != nil {
		t.Fatal(err)
	}
	if got := names(t, base); strings.Join(got, ",") != "M001_Monday.zip" {
		t.Fatalf("after the rename the folder holds %v, want one M001_Monday.zip", got)
	}
	// Deleting the old spelling deletes the one object.
	if err := d.Delete(context.Background(), "m001_MONDAY.zip"); err != nil {
		t.Fatal(err)
	}
	if got := names(t, base); len(got) != 0 {
		t.Errorf("after deleting another case the folder holds %v", got)
	}
}

func TestRefuseRenameOverAndMoveAside(t *testing.T) {
	base := folder(t)
	f := faulty.New(base, faulty.Config{RefuseRenameOver: true, Remote: true})
	d := f.Dest()
	put(t, d, "a.zip", "old")
	put(t, d, "tmp", "new")
	if err := d.Rename(context.Background(), "tmp", "a.zip"); err == nil {
		t.Fatal("Rename over an existing name succeeded; want the refusal")
	}
	m := faulty.MoveAside(d)
	if dest.CapsOf(m).RenameReplaces {
		t.Error("the fallback says RenameReplaces")
	}
	if err := m.Rename(context.Background(), "tmp", "a.zip"); err != nil {
		t.Fatal(err)
	}
	if got := names(t, base); strings.Join(got, ",") != "a.zip" || read(t, base, "a.zip") != "new" {
		t.Errorf("after the fallback rename: %v, a.zip %q", got, read(t, base, "a.zip"))
	}
	var seq []string
	for _, c := range f.Calls() {
		seq = append(seq, c.Method+" "+c.Name)
	}
	want := "Rename tmp -> a.zip|Stat a.zip|Stat " + dest.AsideName("a.zip") + "|Rename a.zip -> " + dest.AsideName("a.zip") + "|Rename tmp -> a.zip|Delete " + dest.AsideName("a.zip")
	got := strings.Join(seq[3:], "|") // after Put, Put, the refused Rename
	if got != want {
		t.Errorf("fallback calls\n%s\nwant\n%s", got, want)
	}
}

func TestWrongSizeAndClock(t *testing.T) {
	base := folder(t)
	put(t, base, "a", "abc")
	d := faulty.New(base, faulty.Config{SizeDelta: -1, ClockShift: -2 * time.Hour}).Dest()
	in, err := d.Stat(context.Background(), "a")
	if err != nil {
		t.Fatal(err)
	}
	if in.Size != 2 || time.Since(in.ModTime) < 2*time.Hour-time.Minute {
		t.Errorf("Stat: size %d time %v, want 2 and two hours ago", in.Size, in.ModTime)
	}
	infos, _ := d.List(context.Background())
	if len(infos) != 1 || infos[0].Size != 2 || time.Since(infos[0].ModTime) < 2*time.Hour-time.Minute {
		t.Errorf("List: %+v", infos)
	}
}

func TestRemoteHidesLocal(t *testing.T) {
	base := folder(t)
	if _, ok := faulty.New(base, faulty.Config{}).Dest().(dest.Local); !ok {
		t.Error("a faulty folder is not a dest.Local")
	}
	if _, ok := faulty.New(base, faulty.Config{Remote: true}).Dest().(dest.Local); ok {
		t.Error("with Remote it is still a dest.Local")
	}
}
