// Package faulty wraps any dest.Destination and, by configuration, makes it
// misbehave the way real storage does: the Nth call of a method fails or
// hangs until its context is done, stored bytes get a flipped byte, names
// fold case, Rename refuses to replace an existing name, Stat and List
// report a wrong size, the file times are off. Tests (and the crash matrix
// of the faultinject build) use it to stop a backup at every step. It is in
// the spirit of kopia's blobtesting.FaultyStorage.
package faulty

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/posbackup/posbackup/internal/dest"
)

// ErrInjected is the error a Fault returns unless it names another.
var ErrInjected = errors.New("faulty: injected fault")

// ErrCrashed is what every call returns after a Crash fault fired: the
// process is taken to be dead, nothing more reaches the storage.
var ErrCrashed = errors.New("faulty: the process crashed (simulated)")

// The method names a Fault can name.
const (
	Put    = "Put"
	List   = "List"
	Stat   = "Stat"
	Open   = "Open"
	Rename = "Rename"
	Delete = "Delete"
	Close  = "Close"
)

// Methods are the method names, in the order of the interface.
var Methods = []string{Put, List, Stat, Open, Rename, Delete, Close}

// Fault is one planned misbehaviour.
type Fault struct {
	Method string `json:"method"` // one of Methods
	Call   int    `json:"call"`   // the Nth call of Method (from 1); 0: every call
	// Hang blocks the call until its context is done, then returns the
	// context's error.
	Hang bool `json:"hang,omitempty"`
	// Crash makes this call and every later call of any method fail with
	// ErrCrashed: what storage sees of a process that died here.
	Crash bool `json:"crash,omitempty"`
	// AfterBytes (Put only): pass this many bytes to the storage first,
	// then fire (the partial object stays where the base leaves it).
	AfterBytes int64 `json:"after_bytes,omitempty"`
	// Err is returned by the call (ErrInjected when nil).
	Err error `json:"-"`
	// Do, when set, is called where the fault fires, before the call
	// fails (the faultinject build kills its own process here).
	Do func() `json:"-"`
}

// Config says how a D misbehaves. The zero Config passes every call through.
type Config struct {
	Faults []Fault `json:"faults,omitempty"`
	// CorruptPut flips the byte at CorruptAt of what Put stores;
	// CorruptOpen flips it in what Open reads (offset relative to the object).
	CorruptPut  bool  `json:"corrupt_put,omitempty"`
	CorruptOpen bool  `json:"corrupt_open,omitempty"`
	CorruptAt   int64 `json:"corrupt_at,omitempty"`
	// FoldCase: names are compared ignoring case, as NTFS, SMB and FAT do
	// (an existing object keeps the case it has); Caps().FoldsCase is true.
	FoldCase bool `json:"fold_case,omitempty"`
	// RefuseRenameOver: Rename fails when to exists, as many FTP servers
	// do; Caps().RenameReplaces is false.
	RefuseRenameOver bool `json:"refuse_rename_over,omitempty"`
	// SizeDelta is added to the size Stat and List report.
	SizeDelta int64 `json:"size_delta,omitempty"`
	// ClockShift is added to the ModTime Stat and List report (a server
	// whose clock or zone is off).
	ClockShift time.Duration `json:"clock_shift,omitempty"`
	// Remote hides the base's dest.Local, so the job treats the wrapped
	// folder as a server (upload copy, read-back through Open).
	Remote bool `json:"remote,omitempty"`
}

// Call is one call the D received.
type Call struct {
	Method string
	N      int // the Nth call of Method
	Name   string
}

func (c Call) String() string { return fmt.Sprintf("%s#%d", c.Method, c.N) }

// D is a faulty destination. Use New; pass D.Dest() where a Destination goes.
type D struct {
	base    dest.Destination
	cfg     Config
	mu      sync.Mutex
	count   map[string]int
	calls   []Call
	crashed bool
	fired   int
}

// New wraps base.
func New(base dest.Destination, cfg Config) *D {
	return &D{base: base, cfg: cfg, count: map[string]int{}}
}

// Dest returns d as a Destination: one that is also a dest.Local when the
// base is one and Config.Remote is not set.
func (d *D) Dest() dest.Destination {
	if l, ok := d.base.(dest.Local); ok && !d.cfg.Remote {
		return &localD{D: d, Local: l}
	}
	return d
}

type localD struct {
	*D
	dest.Local
}

// Calls returns the calls received so far, in order.
func (d *D) Calls() []Call {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]Call(nil), d.calls...)
}

// Fired is how many times a fault fired.
func (d *D) Fired() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.fired
}

// Crash makes every later call fail with ErrCrashed, as if the process
// died now.
func (d *D) Crash() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.crashed = true
}

// Crashed reports whether a Crash fault fired.
func (d *D) Crashed() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.crashed
}

// enter counts a call and returns the fault that applies to it (nil: none)
// or an error when the process is taken to be dead.
func (d *D) enter(method, name string) (*Fault, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.count[method]++
	n := d.count[method]
	d.calls = append(d.calls, Call{Method: method, N: n, Name: name})
	if d.crashed {
		return nil, ErrCrashed
	}
	for i := range d.cfg.Faults {
		f := &d.cfg.Faults[i]
		if f.Method == method && (f.Call == 0 || f.Call == n) {
			return f, nil
		}
	}
	return nil, nil
}

// fire makes f happen: returns the error the call gives.
func (d *D) fire(ctx context.Context, f *Fault) error {
	d.mu.Lock()
	d.fired++
	if f.Crash {
		d.crashed = true
	}
	d.mu.Unlock()
	if f.Do != nil {
		f.Do()
	}
	if f.Hang {
		<-ctx.Done()
		return ctx.Err()
	}
	if f.Crash {
		return ErrCrashed
	}
	if f.Err != nil {
		return f.Err
	}
	return ErrInjected
}

// before runs the fault of a call that is not a Put: nil to go on.
func (d *D) before(ctx context.Context, method, name string) error {
	f, err := d.enter(method, name)
	if err != nil {
		return err
	}
	if f != nil {
		return d.fire(ctx, f)
	}
	return nil
}

// String implements dest.Destination.
func (d *D) String() string { return d.base.String() }

// Caps implements dest.Capable: the base's, changed by the configuration.
func (d *D) Caps() dest.Caps {
	c := dest.CapsOf(d.base)
	if d.cfg.FoldCase {
		c.FoldsCase = true
	}
	if d.cfg.RefuseRenameOver {
		c.RenameReplaces = false
	}
	return c
}

// resolve returns the stored name that name means: with FoldCase an
// existing object whose name differs only in case.
func (d *D) resolve(ctx context.Context, name string) string {
	if !d.cfg.FoldCase {
		return name
	}
	infos, err := d.base.List(ctx)
	if err != nil {
		return name
	}
	for _, in := range infos {
		if in.Name == name {
			return name
		}
	}
	for _, in := range infos {
		if strings.EqualFold(in.Name, name) {
			return in.Name
		}
	}
	return name
}

// Put implements dest.Destination.
func (d *D) Put(ctx context.Context, name string, r io.Reader) (int64, error) {
	f, err := d.enter(Put, name)
	if err != nil {
		return 0, err
	}
	if f != nil && f.AfterBytes <= 0 {
		return 0, d.fire(ctx, f)
	}
	src := r
	if d.cfg.CorruptPut {
		src = &flipReader{r: src, at: d.cfg.CorruptAt}
	}
	if f != nil {
		src = &cutReader{r: src, left: f.AfterBytes, cut: func() error { return d.fire(ctx, f) }}
	}
	return d.base.Put(ctx, d.resolve(ctx, name), src)
}

// List implements dest.Destination.
func (d *D) List(ctx context.Context) ([]dest.Info, error) {
	if err := d.before(ctx, List, ""); err != nil {
		return nil, err
	}
	infos, err := d.base.List(ctx)
	for i := range infos {
		infos[i] = d.shift(infos[i])
	}
	return infos, err
}

func (d *D) shift(in dest.Info) dest.Info {
	in.Size += d.cfg.SizeDelta
	if !in.ModTime.IsZero() {
		in.ModTime = in.ModTime.Add(d.cfg.ClockShift)
	}
	return in
}

// Stat implements dest.Destination.
func (d *D) Stat(ctx context.Context, name string) (dest.Info, error) {
	if err := d.before(ctx, Stat, name); err != nil {
		return dest.Info{}, err
	}
	in, err := d.base.Stat(ctx, d.resolve(ctx, name))
	if err != nil {
		return in, err
	}
	return d.shift(in), nil
}

// Open implements dest.Destination.
func (d *D) Open(ctx context.Context, name string, offset int64) (io.ReadCloser, error) {
	if err := d.before(ctx, Open, name); err != nil {
		return nil, err
	}
	rc, err := d.base.Open(ctx, d.resolve(ctx, name), offset)
	if err != nil || !d.cfg.CorruptOpen {
		return rc, err
	}
	return readCloser{&flipReader{r: rc, at: d.cfg.CorruptAt - offset}, rc}, nil
}

// Rename implements dest.Destination.
func (d *D) Rename(ctx context.Context, from, to string) error {
	if err := d.before(ctx, Rename, from+" -> "+to); err != nil {
		return err
	}
	from = d.resolve(ctx, from)
	target := to
	if !strings.EqualFold(from, to) {
		target = d.resolve(ctx, to)
	}
	if d.cfg.RefuseRenameOver && target != from {
		if _, err := d.base.Stat(ctx, target); err == nil {
			return fmt.Errorf("the server refuses to rename %q over the existing %q (faulty)", from, target)
		}
	}
	if target == to {
		return d.base.Rename(ctx, from, to)
	}
	// Folding case: to replaces the object under its other case, then
	// carries the new case (as MoveFileEx does).
	if err := d.base.Rename(ctx, from, target); err != nil {
		return err
	}
	return d.base.Rename(ctx, target, to)
}

// Delete implements dest.Destination.
func (d *D) Delete(ctx context.Context, name string) error {
	if err := d.before(ctx, Delete, name); err != nil {
		return err
	}
	return d.base.Delete(ctx, d.resolve(ctx, name))
}

// Close implements dest.Destination.
func (d *D) Close() error {
	if err := d.before(context.Background(), Close, ""); err != nil {
		return err
	}
	return d.base.Close()
}

// flipReader flips the byte at offset at of the stream (none when at < 0).
type flipReader struct {
	r   io.Reader
	pos int64
	at  int64
}

func (f *flipReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if f.at >= f.pos && f.at < f.pos+int64(n) {
		p[f.at-f.pos] ^= 0xff
	}
	f.pos += int64(n)
	return n, err
}

// cutReader passes left bytes, then fails with what cut returns.
type cutReader struct {
	r    io.Reader
	left int64
	cut  func() error
	err  error
}

func (c *cutReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if c.left <= 0 {
		c.err = c.cut()
		return 0, c.err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

type readCloser struct {
	io.Reader
	io.Closer
}

// KillSelf ends this process at once, as kill -9 does (no deferred
// function runs, no file is closed by the program).
func KillSelf() {
	p, err := os.FindProcess(os.Getpid())
	if err == nil {
		p.Kill()
	}
	time.Sleep(time.Hour) // the signal arrives first
}

var (
	_ dest.Destination = (*D)(nil)
	_ dest.Capable     = (*D)(nil)
	_ dest.Local       = (*localD)(nil)
)
