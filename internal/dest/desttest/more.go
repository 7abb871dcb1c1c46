package desttest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	mathrand "math/rand"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/remote"
)

// The tests restic's backend suite (internal/backend/test/tests.go) has
// and this one lacked: reads at random offsets and lengths, cancelled
// operations, incomplete uploads, and Rename over an existing name as the
// kind declares it (dest.Caps) and through the fallback of the kinds that
// cannot replace (remote.RenameOver).

// testRandomReads reads at random offsets and lengths, stopping early as
// the archive reader does, and compares the bytes.
func testRandomReads(t *testing.T, d dest.Destination) {
	size, reads := 1<<20+12345, 24
	if testing.Short() {
		size, reads = 300_000, 10
	}
	data := RandomBytes(size)
	Put(t, d, "random.zip", data)
	seed := time.Now().UnixNano()
	t.Logf("offsets and lengths from seed %d", seed)
	rng := mathrand.New(mathrand.NewSource(seed))
	for i := 0; i < reads; i++ {
		off := rng.Int63n(int64(size) + 1)
		n := rng.Intn(size - int(off) + 2000) // may ask for more than there is
		if i%5 == 4 {
			n = -1 // to the end
		}
		rc, err := d.Open(ctx(t), "random.zip", off)
		if err != nil {
			t.Fatalf("Open at %d: %v", off, err)
		}
		var got []byte
		if n < 0 {
			got, err = io.ReadAll(rc)
		} else {
			buf := make([]byte, n)
			var k int
			k, err = io.ReadFull(rc, buf)
			got = buf[:k]
			if k < n && (err == io.ErrUnexpectedEOF || err == io.EOF) {
				err = nil // asked past the end
			}
		}
		if cerr := rc.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("close after reading: %w", cerr)
		}
		if err != nil {
			t.Fatalf("reading %d bytes at %d: %v", n, off, err)
		}
		want := data[off:]
		if n >= 0 && n < len(want) {
			want = want[:n]
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("reading %d bytes at %d: got %d bytes, want %d; equal prefix %d", n, off, len(got), len(want), commonPrefix(got, want))
		}
	}
}

func commonPrefix(a, b []byte) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}

// within runs fn and fails the test when it does not return within a
// minute: an operation on an ended context must not hang.
func within(t *testing.T, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); fn() }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatalf("%s with an ended context did not return within a minute", what)
	}
}

// testCancelled: a listing (and every other operation) on a cancelled or
// expired context returns that context's error at once and changes
// nothing.
func testCancelled(t *testing.T, d dest.Destination) {
	for _, n := range []string{"a.zip", "b.zip", "c.zip"} {
		Put(t, d, n, []byte(n))
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	for _, c := range []struct {
		ctx  context.Context
		want error
	}{{cancelled, context.Canceled}, {expired, context.DeadlineExceeded}} {
		check := func(what string, err error) {
			t.Helper()
			if !errors.Is(err, c.want) {
				t.Errorf("%s on an ended context: error %v, want one wrapping %v", what, err, c.want)
			}
		}
		var infos []dest.Info
		var err error
		within(t, "List", func() { infos, err = d.List(c.ctx) })
		check("List", err)
		if err != nil && len(infos) > 0 {
			t.Errorf("List on an ended context returned entries with its error: %+v", infos)
		}
		within(t, "Stat", func() { _, err = d.Stat(c.ctx, "a.zip") })
		check("Stat", err)
		within(t, "Open", func() {
			var rc io.ReadCloser
			if rc, err = d.Open(c.ctx, "a.zip", 0); err == nil {
				_, err = io.ReadAll(rc)
				rc.Close()
			}
		})
		check("Open", err)
		within(t, "Delete", func() { err = d.Delete(c.ctx, "b.zip") })
		check("Delete", err)
		within(t, "Rename", func() { err = d.Rename(c.ctx, "c.zip", "d.zip") })
		check("Rename", err)
		within(t, "Put", func() { _, err = d.Put(c.ctx, "e.zip", bytes.NewReader(RandomBytes(100_000))) })
		check("Put", err)
	}
	// Nothing changed, and the destination works on.
	if got := strings.Join(Names(t, d), ","); got != "a.zip,b.zip,c.zip" {
		t.Fatalf("operations on ended contexts changed the folder: List = %s, want a.zip,b.zip,c.zip", got)
	}
	checkSame(t, "c.zip", Get(t, d, "c.zip", 0), []byte("c.zip"))
}

// failingReader delivers data in chunks and fails at the byte at, with the
// chunk that reaches it (a reader may return bytes and an error at once).
type failingReader struct {
	data []byte
	at   int
	err  error
	pos  int
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(p) > 64<<10 {
		p = p[:64<<10]
	}
	if f.pos >= f.at {
		return 0, f.err
	}
	n := copy(p, f.data[f.pos:f.at])
	f.pos += n
	if f.pos >= f.at {
		return n, f.err
	}
	return n, nil
}

// testIncompleteUpload: an upload whose source fails, whatever way and at
// whatever point, returns an error and leaves nothing under the name that
// looks whole: not the part written, and no hidden partial file either.
func testIncompleteUpload(t *testing.T, d dest.Destination) {
	data := RandomBytes(700_000)
	old := RandomBytes(5000)
	cases := []struct {
		name  string
		at    int
		err   error
		exist bool // an older object of that name exists
	}{
		{"at the first read", 0, errHalfWay, false},
		{"half way", 300_000, errHalfWay, false},
		{"with the last bytes", len(data), errHalfWay, false},
		{"truncated source (unexpected EOF)", 400_000, io.ErrUnexpectedEOF, false},
		{"over an existing object", 300_000, errHalfWay, true},
	}
	for _, c := range cases {
		if c.exist {
			Put(t, d, "incomplete.zip", old)
		}
		_, err := d.Put(ctx(t), "incomplete.zip", &failingReader{data: data, at: c.at, err: c.err})
		if err == nil {
			t.Fatalf("%s: Put returned no error for a source that failed", c.name)
		}
		if !errors.Is(err, c.err) {
			t.Errorf("%s: Put returned %v, want the source's error %v", c.name, err, c.err)
		}
		names := Names(t, d)
		switch {
		case len(names) == 0:
		case c.exist && len(names) == 1 && names[0] == "incomplete.zip" && bytes.Equal(Get(t, d, "incomplete.zip", 0), old):
			// the older object is untouched: allowed
		default:
			t.Fatalf("%s: the failed Put left %q", c.name, names)
		}
		for _, n := range names {
			if err := d.Delete(ctx(t), n); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// testRenameOverCaps: Rename over an existing name behaves as the kind
// declares in dest.Caps. A kind that replaces in one step never goes near
// the aside name, so an older aside copy (left by an interrupted run on
// another kind of server) stays as it was; a kind that moves aside removes
// it with its own aside copy. Either way the new object is in place and
// nothing else is left.
func testRenameOverCaps(t *testing.T, d dest.Destination) {
	old, older, data := RandomBytes(3000), RandomBytes(2500), RandomBytes(2000)
	to, aside := "M001_Mittwoch.zip", dest.AsideName("M001_Mittwoch.zip")
	tmp := dest.TempName(to, "till-1", time.Now(), "t0k3n")
	Put(t, d, to, old)
	Put(t, d, aside, older)
	Put(t, d, tmp, data)
	if err := d.Rename(ctx(t), tmp, to); err != nil {
		t.Fatalf("Rename over an existing object: %v", err)
	}
	checkSame(t, to, Get(t, d, to, 0), data)
	caps := dest.CapsOf(d)
	t.Logf("Caps after a rename over an existing name: %+v", caps)
	got := strings.Join(Names(t, d), ",")
	if caps.RenameReplaces {
		if want := strings.Join([]string{to, aside}, ","); got != want {
			t.Fatalf("declares RenameReplaces, but after Rename List = %s, want %s (the aside copy untouched)", got, want)
		}
		checkSame(t, aside, Get(t, d, aside, 0), older)
	} else if got != to {
		t.Fatalf("moves aside (RenameReplaces false), but after Rename List = %s, want only %s", got, to)
	}
}

// ErrRefused is NoReplace's refusal.
var ErrRefused = errors.New("the server refuses to rename over an existing file")

// NoReplace wraps a destination so that its Rename refuses to replace an
// existing name, as some FTP servers and SFTP servers without
// posix-rename@openssh.com do. Composed with remote.RenameOver it tests
// the fallback over any real kind.
type NoReplace struct{ dest.Destination }

// Rename refuses when to exists, else renames.
func (n NoReplace) Rename(ctx context.Context, from, to string) error {
	if _, err := n.Destination.Stat(ctx, to); err == nil {
		return fmt.Errorf("rename %q to %q: %w", from, to, ErrRefused)
	} else if !errors.Is(err, dest.ErrNotFound) {
		return err
	}
	return n.Destination.Rename(ctx, from, to)
}

// recorder is a remote.Mover over NoReplace that takes a snapshot of the
// folder after every call and can fail the nth call: with an error (the
// call not made), or as a crash (that call and every later one fail, as
// after a power cut).
type recorder struct {
	t      *testing.T
	nr     NoReplace
	calls  []string
	snaps  []map[string]string // name -> content, after each call
	failAt int                 // 1-based; 0: none
	crash  bool
}

var errInjected = errors.New("injected failure")

func (r *recorder) do(what string, fn func() error) error {
	r.calls = append(r.calls, what)
	n := len(r.calls)
	if r.failAt > 0 && (n == r.failAt || (r.crash && n > r.failAt)) {
		r.snaps = append(r.snaps, snapshot(r.t, r.nr.Destination))
		return fmt.Errorf("%s: %w", what, errInjected)
	}
	err := fn()
	r.snaps = append(r.snaps, snapshot(r.t, r.nr.Destination))
	return err
}

func (r *recorder) Stat(ctx context.Context, name string) (dest.Info, error) {
	var info dest.Info
	err := r.do("Stat "+name, func() error {
		var err error
		info, err = r.nr.Stat(ctx, name)
		return err
	})
	return info, err
}

func (r *recorder) Rename(ctx context.Context, from, to string) error {
	return r.do("Rename "+from+" "+to, func() error { return r.nr.Rename(ctx, from, to) })
}

func (r *recorder) Delete(ctx context.Context, name string) error {
	return r.do("Delete "+name, func() error { return r.nr.Delete(ctx, name) })
}

// snapshot returns every object of d with its content.
func snapshot(t *testing.T, d dest.Destination) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, n := range Names(t, d) {
		m[n] = string(Get(t, d, n, 0))
	}
	return m
}

func describe(m map[string]string, old, data string) string {
	var parts []string
	for n, c := range m {
		what := fmt.Sprintf("%d bytes", len(c))
		switch c {
		case old:
			what = "old"
		case data:
			what = "new"
		}
		parts = append(parts, n+"="+what)
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

// safe reports whether snapshot m keeps the older archive whole under to
// or its aside name (both names a later run sees), or has the new one
// under to.
func safe(m map[string]string, to, old, data string) bool {
	return m[to] == old || m[dest.AsideName(to)] == old || m[to] == data
}

// renameSetup puts the older archive under to and the new one under a
// temporary name, in an otherwise empty d.
func renameSetup(t *testing.T, d dest.Destination) (tmp, to, old, data string) {
	t.Helper()
	for _, n := range Names(t, d) {
		if err := d.Delete(ctx(t), n); err != nil {
			t.Fatal(err)
		}
	}
	to = "M001_Donnerstag.zip"
	tmp = dest.TempName(to, "till-1", time.Now(), "f4ll")
	o, n := RandomBytes(3000), RandomBytes(2000)
	Put(t, d, to, o)
	Put(t, d, tmp, n)
	return tmp, to, string(o), string(n)
}

// testRenameOverFallback: over a kind that refuses to rename over an
// existing name, remote.RenameOver replaces it by way of the aside name:
// the aside copy appears only for a moment, the older archive is whole
// under a listed name after every step, and in the end only the new one
// is left.
func testRenameOverFallback(t *testing.T, d dest.Destination) {
	tmp, to, old, data := renameSetup(t, d)
	r := &recorder{t: t, nr: NoReplace{d}}
	if err := remote.RenameOver(ctx(t), r, tmp, to); err != nil {
		t.Fatalf("RenameOver over a rename that refuses to replace: %v (calls %q)", err, r.calls)
	}
	sawAside := false
	for i, m := range r.snaps {
		if !safe(m, to, old, data) {
			t.Fatalf("after %q the older archive is under no listed name and the new one not in place: %s", r.calls[i], describe(m, old, data))
		}
		if _, ok := m[dest.AsideName(to)]; ok {
			sawAside = true
		}
	}
	if !sawAside {
		t.Fatalf("the fallback never used the aside name %s (calls %q): it was not exercised", dest.AsideName(to), r.calls)
	}
	final := snapshot(t, d)
	if got := describe(final, old, data); got != to+"=new" {
		t.Fatalf("after RenameOver: %s, want only %s=new", got, to)
	}
	t.Logf("calls: %q", r.calls)
}

// testRenameOverFallbackFaults fails each call of the fallback in turn,
// once with an error and once as a crash (it and every later call fail).
// After every cell the older archive is whole under a listed name or the
// new one is in place; after a single error (no crash) RenameOver either
// succeeded or left the older archive under its own name.
func testRenameOverFallbackFaults(t *testing.T, d dest.Destination) {
	tmp, to, _, _ := renameSetup(t, d)
	clean := &recorder{t: t, nr: NoReplace{d}}
	if err := remote.RenameOver(ctx(t), clean, tmp, to); err != nil {
		t.Fatal(err)
	}
	for _, crash := range []bool{false, true} {
		for k := 1; k <= len(clean.calls); k++ {
			tmp, to, old, data := renameSetup(t, d)
			r := &recorder{t: t, nr: NoReplace{d}, failAt: k, crash: crash}
			err := remote.RenameOver(ctx(t), r, tmp, to)
			cell := fmt.Sprintf("call %d (%s) fails, crash %v", k, clean.calls[k-1], crash)
			for i, m := range r.snaps {
				if !safe(m, to, old, data) {
					t.Fatalf("%s: after %q the older archive is under no listed name and the new one not in place: %s", cell, r.calls[i], describe(m, old, data))
				}
			}
			final := snapshot(t, d)
			if !safe(final, to, old, data) {
				t.Fatalf("%s: in the end the older archive is lost: %s", cell, describe(final, old, data))
			}
			switch {
			case err == nil && final[to] != data:
				t.Fatalf("%s: RenameOver returned no error but %s does not hold the new archive: %s", cell, to, describe(final, old, data))
			case err != nil && !errors.Is(err, errInjected):
				t.Fatalf("%s: RenameOver returned %v, not the failure", cell, err)
			case err != nil && !crash && (final[to] != old || final[tmp] != data):
				t.Fatalf("%s: RenameOver failed (%v) without putting the older archive back: %s", cell, err, describe(final, old, data))
			}
			t.Logf("%s: %v; %s", cell, err, describe(final, old, data))
		}
	}
}
