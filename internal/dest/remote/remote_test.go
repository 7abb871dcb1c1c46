package remote

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/retry"
)

// store is an in-memory server folder whose rename replaces or refuses to,
// and whose nth primitive call can fail (not made) or lose its reply (made,
// then the connection breaks).
type store struct {
	files    map[string]string
	replaces bool
	calls    []string
	failAt   int // 1-based call that fails with errRefusedHere
	lostAt   int // 1-based call that is made, then reports a broken connection
	// vanishAt: 1-based call that is not made, reports a broken
	// connection, and meanwhile the file named vanish disappears.
	vanishAt int
	vanish   string
}

type client struct{}

var (
	errLost        = &retry.Error{Msg: "the connection to nas was interrupted", Temp: true}
	errRefusedHere = errors.New("550 refused")
)

func newStore(replaces bool, files ...string) *store {
	s := &store{files: map[string]string{}, replaces: replaces}
	for i := 0; i+1 < len(files); i += 2 {
		s.files[files[i]] = files[i+1]
	}
	return s
}

type storeOps struct{ s *store }

func (o storeOps) do(call string, fn func() error) error {
	o.s.calls = append(o.s.calls, call)
	n := len(o.s.calls)
	if n == o.s.failAt {
		return errRefusedHere
	}
	if n == o.s.vanishAt {
		delete(o.s.files, o.s.vanish)
		return errLost
	}
	err := fn()
	if n == o.s.lostAt {
		return errLost
	}
	return err
}

func (o storeOps) Stat(name string) (dest.Info, error) {
	var info dest.Info
	err := o.do("Stat "+name, func() error {
		c, ok := o.s.files[name]
		if !ok {
			return NotFound(name, "nas")
		}
		info = dest.Info{Name: name, Size: int64(len(c))}
		return nil
	})
	return info, err
}

func (o storeOps) List() ([]dest.Info, error) {
	var out []dest.Info
	err := o.do("List", func() error {
		for n, c := range o.s.files {
			out = append(out, dest.Info{Name: n, Size: int64(len(c))})
		}
		return nil
	})
	return out, err
}

// Folders: the in-memory store has no sub-folders.
func (o storeOps) Folders() ([]string, error) {
	return nil, o.do("Folders", func() error { return nil })
}

// Delete answers like FTP: a missing file is a refusal that does not say
// why.
func (o storeOps) Delete(name string) error {
	return o.do("Delete "+name, func() error {
		if _, ok := o.s.files[name]; !ok {
			return errRefusedHere
		}
		delete(o.s.files, name)
		return nil
	})
}

func (o storeOps) Rename(from, to string) error {
	return o.do("Rename "+from+" "+to, func() error {
		c, ok := o.s.files[from]
		if !ok {
			return errRefusedHere
		}
		if _, exists := o.s.files[to]; exists && !o.s.replaces {
			return errRefusedHere
		}
		delete(o.s.files, from)
		o.s.files[to] = c
		return nil
	})
}

func (s *store) server(attempts int) *Server[*client] {
	conn := &retry.Conn[*client]{
		Policy:  retry.Policy{Attempts: attempts, Backoff: time.Millisecond},
		Timeout: time.Second,
		Abort:   func() {},
		Release: func(*client) {},
	}
	conn.Connect = func(context.Context) error { conn.Set(&client{}); return nil }
	return &Server[*client]{Conn: conn, Ops: func(*client) Ops { return storeOps{s} }, Where: func() string { return "ftp://nas/backup" }}
}

func (s *store) String() string {
	var parts []string
	for n, c := range s.files {
		parts = append(parts, n+"="+c)
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

func (s *store) callList() string { return strings.Join(s.calls, "; ") }

const (
	to    = "M001_Montag.zip"
	tmp   = ".posbackup-partial-x.M001_Montag.zip"
	aside = dest.AsidePrefix + to
)

// TestRenamerLearns: the first rename over an existing name looks whether
// to exists; a server that replaced is then renamed over directly, one
// that refused has the older archive moved aside at once.
func TestRenamerLearns(t *testing.T) {
	ctx := context.Background()
	s := newStore(true, to, "old", tmp, "new")
	srv := s.server(1)
	if srv.Renamer.Replaces() {
		t.Fatal("a new Renamer claims the server replaces")
	}
	if err := srv.Rename(ctx, tmp, to); err != nil {
		t.Fatal(err)
	}
	if got, want := s.callList(), "Stat "+tmp+"; Stat "+to+"; Rename "+tmp+" "+to; got != want {
		t.Fatalf("calls %q, want %q", got, want)
	}
	if !srv.Renamer.Replaces() {
		t.Fatal("after replacing in one step the Renamer does not know it")
	}
	s.files[tmp], s.calls = "newer", nil
	if err := srv.Rename(ctx, tmp, to); err != nil {
		t.Fatal(err)
	}
	if got, want := s.callList(), "Stat "+tmp+"; Rename "+tmp+" "+to; got != want || s.String() != to+"=newer" {
		t.Fatalf("second rename: calls %q, want %q; %s", got, want, s)
	}

	s = newStore(false, to, "old", tmp, "new")
	srv = s.server(1)
	if err := srv.Rename(ctx, tmp, to); err != nil {
		t.Fatal(err)
	}
	want := "Stat " + tmp + "; Stat " + to + "; Rename " + tmp + " " + to + "; Stat " + aside + "; Rename " + to + " " + aside + "; Rename " + tmp + " " + to + "; Delete " + aside
	if got := s.callList(); got != want || s.String() != to+"=new" {
		t.Fatalf("calls %q, want %q; %s", got, want, s)
	}
	if srv.Renamer.Replaces() {
		t.Fatal("after a refusal the Renamer claims the server replaces")
	}
	s.files[tmp], s.calls = "newer", nil
	if err := srv.Rename(ctx, tmp, to); err != nil {
		t.Fatal(err)
	}
	want = "Stat " + tmp + "; Stat " + to + "; Stat " + aside + "; Rename " + to + " " + aside + "; Rename " + tmp + " " + to + "; Delete " + aside
	if got := s.callList(); got != want || s.String() != to+"=newer" {
		t.Fatalf("after a refusal: calls %q, want %q; %s", got, want, s)
	}
	// To a name that does not exist: a plain rename, on either kind.
	s.files[tmp], s.calls = "other", nil
	if err := srv.Rename(ctx, tmp, "b.zip"); err != nil || s.String() != to+"=newer b.zip=other" {
		t.Fatalf("rename to a new name: %v; %s", err, s)
	}
}

// TestRenameRefusedOtherwise: a refusal when to does not exist is returned
// as it is, and nothing changes.
func TestRenameRefusedOtherwise(t *testing.T) {
	s := newStore(false, tmp, "new")
	s.failAt = 3 // Stat tmp, Stat to, Rename
	err := s.server(1).Rename(context.Background(), tmp, to)
	if !errors.Is(err, errRefusedHere) || s.String() != tmp+"=new" {
		t.Fatalf("%v; %s (calls %s)", err, s, s.callList())
	}
}

// TestRenamePutBack: when the new archive cannot be renamed into place,
// the older one goes back under its name; when that fails too, the error
// says where the older one is and that it is listed.
func TestRenamePutBack(t *testing.T) {
	ctx := context.Background()
	s := newStore(false, to, "old", tmp, "new")
	srv := s.server(1)
	srv.Renamer.Know(false)
	s.failAt = 5 // Stat tmp, Stat to, Stat aside, Rename to aside, Rename tmp to
	err := srv.Rename(ctx, tmp, to)
	if !errors.Is(err, errRefusedHere) || s.String() != tmp+"=new "+to+"=old" {
		t.Fatalf("%v; %s (calls %s)", err, s, s.callList())
	}
	// The put back fails too.
	s = newStore(false, to, "old", tmp, "new")
	srv = s.server(1)
	srv.Renamer.Know(false)
	m := opsMover{ops: storeOps{s}, where: srv.Where}
	failBoth := &failTwice{Mover: m, s: s}
	err = RenameOver(ctx, failBoth, tmp, to)
	var ae *AsideError
	if !errors.As(err, &ae) || s.String() != tmp+"=new "+aside+"=old" {
		t.Fatalf("%v; %s (calls %s)", err, s, s.callList())
	}
	for _, part := range []string{aside, "listed as a backup", "by hand", "ftp://nas/backup"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("message %q does not contain %q", err, part)
		}
	}
}

// failTwice fails the Rename from tmp and the one putting the older
// archive back.
type failTwice struct {
	Mover
	s *store
}

func (f *failTwice) Rename(ctx context.Context, from, to string) error {
	if from == tmp || strings.HasPrefix(from, dest.AsidePrefix) {
		f.s.calls = append(f.s.calls, "Rename "+from+" "+to+" (fails)")
		return fmt.Errorf("rename %s: %w", from, errRefusedHere)
	}
	return f.Mover.Rename(ctx, from, to)
}

func (f *failTwice) String() string { return "ftp://nas/backup" }

// TestRenameLostReplies loses the reply of each call in turn, on a server
// that replaces and on one that refuses: the retry finds what the lost try
// did, and in the end the new archive is in place and nothing else is
// left, the older one whole under a listed name at every step.
func TestRenameLostReplies(t *testing.T) {
	for _, replaces := range []bool{true, false} {
		clean := newStore(replaces, to, "old", tmp, "new")
		if err := clean.server(1).Rename(context.Background(), tmp, to); err != nil {
			t.Fatal(err)
		}
		for k := 1; k <= len(clean.calls); k++ {
			s := newStore(replaces, to, "old", tmp, "new")
			s.lostAt = k
			err := s.server(3).Rename(context.Background(), tmp, to)
			if err != nil || s.String() != to+"=new" {
				t.Fatalf("replaces %v, reply of %q lost: %v; %s (calls %s)", replaces, clean.calls[k-1], err, s, s.callList())
			}
		}
	}
}

// TestDeleteGlue: a missing name is ErrNotFound (asked by Stat when the
// server's refusal does not say), except on a retry after a lost reply.
func TestDeleteGlue(t *testing.T) {
	ctx := context.Background()
	s := newStore(true)
	err := s.server(1).Delete(ctx, "missing.zip")
	if !errors.Is(err, dest.ErrNotFound) || !strings.Contains(err.Error(), `"missing.zip" does not exist in nas`) {
		t.Fatalf("Delete of a missing name: %v", err)
	}
	s = newStore(true, "a.zip", "x")
	s.lostAt = 1
	if err := s.server(3).Delete(ctx, "a.zip"); err != nil || len(s.files) != 0 {
		t.Fatalf("Delete whose reply was lost: %v; %s", err, s)
	}
	s = newStore(true, "a.zip", "x")
	s.failAt = 1
	if err := s.server(1).Delete(ctx, "a.zip"); !errors.Is(err, errRefusedHere) || len(s.files) != 1 {
		t.Fatalf("a refused Delete of an existing name: %v; %s", err, s)
	}
	if err := s.server(1).Delete(ctx, "../x"); err == nil {
		t.Fatal("Delete accepted a path")
	}
}

func TestNetError(t *testing.T) {
	if NetError("nas", nil) != nil {
		t.Fatal("NetError(nil) is not nil")
	}
	e := NetError("nas", errors.New("read tcp: i/o timeout"))
	if !retry.Transient(e) || !strings.Contains(e.Error(), "nas stopped answering") {
		t.Fatalf("timeout: %v", e)
	}
	e = NetError("nas", errors.New("connection reset by peer"))
	if !retry.Transient(e) || !strings.Contains(e.Error(), "connection to nas was interrupted") {
		t.Fatalf("reset: %v", e)
	}
	if e := NetError("nas", context.Canceled); e != context.Canceled {
		t.Fatalf("a context error became %v", e)
	}
}

// ctxMover is a Mover over a store that refuses every call on an ended
// context (as the folder kind does), and whose rename of tmp cancels the
// context and fails with its error: a run stopped between the renames.
type ctxMover struct {
	s      *store
	cancel context.CancelFunc
}

func (m ctxMover) Stat(ctx context.Context, name string) (dest.Info, error) {
	if err := ctx.Err(); err != nil {
		return dest.Info{}, err
	}
	return storeOps{m.s}.Stat(name)
}

func (m ctxMover) Delete(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return storeOps{m.s}.Delete(name)
}

func (m ctxMover) Rename(ctx context.Context, from, to string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if from == tmp {
		m.cancel()
		return ctx.Err()
	}
	return storeOps{m.s}.Rename(from, to)
}

// TestRenameCancelledPutsBack: when the run is stopped between the two
// renames, the older archive still goes back under its own name (the put
// back has its own context), and the error is the context's.
func TestRenameCancelledPutsBack(t *testing.T) {
	s := newStore(false, to, "old", tmp, "new")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var r Renamer
	r.Know(false) // straight to the move aside
	err := r.Rename(ctx, ctxMover{s: s, cancel: cancel}, tmp, to)
	if !errors.Is(err, context.Canceled) || s.String() != tmp+"=new "+to+"=old" {
		t.Fatalf("%v; %s (calls %s)", err, s, s.callList())
	}
}

// TestRenameOverMissingFrom: over a Destination-like Mover, a missing from
// is its not-found error, and the existing to is never moved.
func TestRenameOverMissingFrom(t *testing.T) {
	s := newStore(false, to, "old")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := notFoundMover{ctxMover{s: s, cancel: cancel}}
	err := RenameOver(ctx, m, "missing.zip", to)
	if !errors.Is(err, dest.ErrNotFound) || s.String() != to+"=old" || strings.Contains(s.callList(), "Rename "+to) {
		t.Fatalf("%v; %s (calls %s)", err, s, s.callList())
	}
}

// notFoundMover answers a Rename of a missing from with ErrNotFound, as a
// Destination does.
type notFoundMover struct{ ctxMover }

func (m notFoundMover) Rename(ctx context.Context, from, to string) error {
	if _, ok := m.s.files[from]; !ok {
		m.s.calls = append(m.s.calls, "Rename "+from+" "+to)
		return NotFound(from, "nas")
	}
	return m.ctxMover.Rename(ctx, from, to)
}

func TestDotNames(t *testing.T) {
	var n DotNames
	tmp := dest.TempName("M001.zip", "kasse-1", time.Now(), "t0k3n")
	if n.Wire(tmp) != tmp || n.Listed(dest.TempNoDot(tmp)) != dest.TempNoDot(tmp) {
		t.Fatal("a DotNames that saw no refusal changed a name")
	}
	if n.Refuse("M001.zip") || n.Refused() {
		t.Fatal("a refused archive name (no dot-less form) switched the fallback on")
	}
	if !n.Refuse(tmp) || !n.Refused() {
		t.Fatal("the refused temporary name did not switch the fallback on")
	}
	if w := n.Wire(tmp); w != dest.TempNoDot(tmp) || n.Listed(w) != tmp {
		t.Fatalf("Wire = %q, Listed(Wire) = %q", w, n.Listed(w))
	}
	if n.Wire("M001.zip") != "M001.zip" || n.Listed(dest.AsideName("M001.zip")) != dest.AsideName("M001.zip") {
		t.Fatal("the fallback changed an archive or aside name")
	}
}

// TestRetriedRenameChecksWhatIsThere: a retry that finds from gone and to
// present takes the rename as done only when to holds what from held, not
// when to is still the older archive (here from vanished otherwise).
func TestRetriedRenameChecksWhatIsThere(t *testing.T) {
	s := newStore(true, to, "old", tmp, "newer!")
	s.vanishAt, s.vanish = 3, tmp // Stat tmp; Stat to; Rename (lost, not made)
	srv := s.server(2)
	if err := srv.Rename(context.Background(), tmp, to); err == nil {
		t.Fatalf("the rename reported done while %s still holds the older archive (%s); calls: %s", to, s, s.callList())
	}
	if s.files[to] != "old" {
		t.Fatalf("the older archive changed: %s", s)
	}
}
