// Package snapshot reads the files of a backup so that a file the POS
// program holds open does not simply fail: on Windows, a file opened
// without sharing or byte-range locked (ERROR_SHARING_VIOLATION,
// ERROR_LOCK_VIOLATION) is read from a Volume Shadow Copy of its volume
// (github.com/mxk/go-vss), made once per volume when the first such file
// is met and released by Close. Where no snapshot can be made (no
// administrator rights, Wine, FAT, a network share, Linux) the file is
// named with a sentence that says which program holds it and what to do.
//
// Source implements archive.Source; the archive writer is unchanged.
package snapshot

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"

	"github.com/posbackup/posbackup/internal/archive"
)

// Mode is the snapshot setting.
type Mode string

const (
	Auto Mode = "auto" // snapshot held files when running with administrator rights (the default)
	On   Mode = "on"   // always try to snapshot held files
	Off  Mode = "off"  // never: a held file is reported
)

// ParseMode reads the snapshot setting; "" is Auto.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(strings.ToLower(strings.TrimSpace(s))); m {
	case "":
		return Auto, nil
	case Auto, On, Off:
		return m, nil
	}
	return "", fmt.Errorf("snapshot = %q is not a snapshot setting: use auto, on or off", s)
}

// HeldOpenError is a file that another program holds open so that it
// cannot be read, and no snapshot could stand in.
type HeldOpenError struct {
	Path string
	Err  error  // the system's error
	Why  string // why no snapshot was read: what the user can do
}

func (e *HeldOpenError) Error() string { return e.Path + " " + e.ReadReason() }

// ReadReason is the sentence after the file's name.
func (e *HeldOpenError) ReadReason() string {
	return "is held open by another program (probably the POS software): " + e.Why
}

func (e *HeldOpenError) Unwrap() error { return e.Err }

// shadower makes snapshots of volumes (VSS on Windows).
type shadower interface {
	// Split splits an absolute path into its volume and the path below it.
	Split(path string) (vol, rel string, err error)
	// Create snapshots vol; root joined with rel names a file in it.
	Create(vol string) (root string, release func() error, err error)
}

// platform is what the operating system offers; tests replace it.
type platform struct {
	held   func(error) bool // a sharing or lock violation
	admin  func() bool      // running with administrator rights
	shadow shadower         // nil: no snapshots on this system
	join   func(root, rel string) string
}

// Source reads files from the file system and, for files another program
// holds, from a snapshot. Close it after the run to release snapshots.
type Source struct {
	mode  Mode
	inner archive.Source
	pf    platform

	mu       sync.Mutex
	vols     map[string]*volume // by volume
	held     map[string]bool    // files a read found locked
	fromSnap map[string]string  // file -> its path in a snapshot
}

type volume struct {
	once    sync.Once
	root    string
	release func() error
	err     error // the snapshot failed: why
}

// New returns a Source with the given mode reading the local file systems.
func New(mode Mode) *Source { return newSource(mode, archive.OSSource, native()) }

func newSource(mode Mode, inner archive.Source, pf platform) *Source {
	if mode == "" {
		mode = Auto
	}
	return &Source{mode: mode, inner: inner, pf: pf, vols: map[string]*volume{}, held: map[string]bool{}, fromSnap: map[string]string{}}
}

// Open implements archive.Source.
func (s *Source) Open(p string) (io.ReadCloser, error) {
	s.mu.Lock()
	sp, snap := s.fromSnap[p]
	held := s.held[p]
	s.mu.Unlock()
	var heldErr error // the system's word for it, when this open met it
	if snap {
		return os.Open(sp)
	}
	if !held {
		f, err := s.inner.Open(p)
		if err == nil {
			return &watched{ReadCloser: f, s: s, path: p}, nil
		}
		if !s.pf.held(err) {
			return nil, err
		}
		heldErr = err
		s.mu.Lock()
		s.held[p] = true
		s.mu.Unlock()
	}
	sp, why, cause := s.snapshotPath(p)
	if sp == "" {
		if heldErr != nil {
			cause = heldErr
		}
		return nil, &HeldOpenError{Path: p, Err: cause, Why: why}
	}
	f, err := os.Open(sp)
	if err != nil {
		return nil, &HeldOpenError{Path: p, Err: err, Why: "it cannot be read from the snapshot either (" + plain(err) + "): close the POS program during the backup"}
	}
	s.mu.Lock()
	s.fromSnap[p] = sp
	s.mu.Unlock()
	return f, nil
}

// Stat implements archive.Source: a file read from a snapshot is what the
// snapshot holds, so the writer's before-and-after check compares like
// with like.
func (s *Source) Stat(p string) (fs.FileInfo, error) {
	s.mu.Lock()
	sp, snap := s.fromSnap[p]
	s.mu.Unlock()
	if snap {
		return os.Stat(sp)
	}
	return s.inner.Stat(p)
}

// Snapshotted returns how many files were read from a snapshot.
func (s *Source) Snapshotted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.fromSnap)
}

// Close releases every snapshot the run made.
func (s *Source) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for name, v := range s.vols {
		if v.release != nil {
			if err := v.release(); err != nil {
				errs = append(errs, fmt.Errorf("the snapshot of %s could not be released: %v", name, err))
			}
			v.release = nil
		}
	}
	return errors.Join(errs...)
}

// snapshotPath returns where p is found in a snapshot of its volume,
// making the snapshot on first use; else "" and why not (the end of the
// HeldOpenError sentence).
func (s *Source) snapshotPath(p string) (string, string, error) {
	switch {
	case s.mode == Off:
		return "", "close it during the backup, or turn on snapshots (snapshot = \"auto\" or \"on\") and run the backup as administrator", nil
	case s.pf.shadow == nil:
		return "", "close it during the backup (snapshots are not available on this system)", nil
	case s.mode == Auto && !s.pf.admin():
		return "", "close it during the backup, or run the backup as administrator so that it is read from a snapshot", nil
	}
	vol, rel, err := s.pf.shadow.Split(p)
	if err != nil {
		return "", "close it during the backup (no snapshot can be made of its volume: " + plain(err) + ")", err
	}
	key := strings.ToUpper(vol)
	s.mu.Lock()
	v, ok := s.vols[key]
	if !ok {
		v = &volume{}
		s.vols[key] = v
	}
	s.mu.Unlock()
	// One snapshot per volume, however many workers meet held files at
	// once; the others read on meanwhile.
	v.once.Do(func() { v.root, v.release, v.err = s.pf.shadow.Create(vol) })
	if v.err != nil {
		return "", "close it during the backup (a snapshot of " + vol + " could not be made: " + plain(v.err) + ")", v.err
	}
	return s.pf.join(v.root, rel), "", nil
}

// watched reports a read that a byte-range lock stopped as a held file,
// so the writer's next attempt reads it from a snapshot.
type watched struct {
	io.ReadCloser
	s    *Source
	path string
}

func (w *watched) Read(b []byte) (int, error) {
	n, err := w.ReadCloser.Read(b)
	if err != nil && err != io.EOF && w.s.pf.held(err) {
		w.s.mu.Lock()
		w.s.held[w.path] = true
		w.s.mu.Unlock()
		sp, why, _ := w.s.snapshotPath(w.path)
		if sp != "" {
			why = "it is read from a snapshot at the next attempt"
		}
		return n, &HeldOpenError{Path: w.path, Err: err, Why: why}
	}
	return n, err
}

// Stat passes the open file's fstat through (the writer uses it).
func (w *watched) Stat() (fs.FileInfo, error) {
	if st, ok := w.ReadCloser.(interface{ Stat() (fs.FileInfo, error) }); ok {
		return st.Stat()
	}
	return nil, errors.ErrUnsupported
}

func plain(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
