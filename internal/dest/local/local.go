// Package local is the folder destination: a local disk, a USB medium, a
// mapped network drive or a UNC path (\\nas\share\folder).
package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/ioctx"
	"github.com/posbackup/posbackup/internal/msg"
	"github.com/posbackup/posbackup/internal/oserr"
)

// Folder is a destination folder on a file system this computer can reach.
type Folder struct {
	dir string

	foldOnce sync.Once
	folds    bool // names differing only in case are one file (see Caps)
}

var (
	_ dest.Destination = (*Folder)(nil)
	_ dest.Local       = (*Folder)(nil)
	_ dest.Capable     = (*Folder)(nil)
)

// Open checks that the medium behind dir is present and returns the folder.
// When create is true a missing folder is created (after the medium check, so
// an empty mount point is never filled).
func Open(dir string, create bool) (*Folder, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, msg.New("the destination folder %s is not a valid path", dir)
	}
	if err := checkMedium(abs); err != nil {
		return nil, err
	}
	st, err := os.Stat(abs)
	switch {
	case err == nil && !st.IsDir():
		return nil, msg.New("the destination %s is a file, not a folder: choose a folder", abs)
	case errors.Is(err, fs.ErrNotExist) && create:
		if err := os.MkdirAll(abs, 0o755); err != nil {
			return nil, msg.New("could not create the destination folder %s: %s", abs, oserr.Words(err))
		}
	case errors.Is(err, fs.ErrNotExist):
		return nil, msg.New("the destination folder %s does not exist: check the path", abs)
	case err != nil:
		return nil, msg.New("cannot reach the destination folder %s: %s", abs, oserr.Words(err))
	}
	return &Folder{dir: abs}, nil
}

// Dir is the folder's absolute path.
func (f *Folder) Dir() string { return f.dir }

func (f *Folder) String() string { return f.dir }

// Path implements dest.Local.
func (f *Folder) Path(name string) string { return filepath.Join(f.dir, name) }

// OpenMedium implements dest.Local: it opens name to read what the medium
// holds, not what the operating system still caches of it (how, and what
// that guarantees, is said by openMedium for each system).
func (f *Folder) OpenMedium(name string) (*os.File, error) {
	p, err := f.path(name)
	if err != nil {
		return nil, err
	}
	fh, err := openMedium(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, notFound(p, err)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read %s back from the medium: %s", p, oserr.Words(err))
	}
	return fh, nil
}

// Caps: a rename replaces in one step (rename(2); MoveFileEx with
// MOVEFILE_REPLACE_EXISTING on Windows). Names fold case on Windows and
// macOS; elsewhere the folder is probed once (a FAT stick or an SMB share
// mounted on Linux folds case), and true is said when the probe cannot
// tell.
func (f *Folder) Caps() dest.Caps {
	f.foldOnce.Do(func() { f.folds = foldsCase(f.dir) })
	return dest.Caps{RenameReplaces: true, FoldsCase: f.folds}
}

func (f *Folder) path(name string) (string, error) {
	if err := dest.CheckName(name); err != nil {
		return "", err
	}
	return filepath.Join(f.dir, name), nil
}

// Put writes r to name, syncs it and checks its size on disk.
// archiveMode is what archives are written with: the owner's only (on
// POSIX systems), since they hold business and personal data. On Windows
// the file takes the folder's access list, as Windows users expect; the
// mode only sets the read-only attribute there, which this does not.
const archiveMode = 0o600

func (f *Folder) Put(ctx context.Context, name string, r io.Reader) (n int64, err error) {
	p, err := f.path(name)
	if err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	_ = os.Chmod(p, archiveMode) // a read-only older copy must not block replacing it
	out, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, archiveMode)
	if err != nil {
		return 0, msg.New("cannot write to %s: %s", p, oserr.Words(err))
	}
	defer func() {
		if err != nil {
			out.Close()
			os.Remove(p)
		}
	}()
	src := &readErr{r: ioctx.Reader(ctx, r)}
	n, err = io.Copy(out, src)
	if src.err != nil {
		return n, src.err // the reader's own error, as it is (errors.Is works)
	}
	if err != nil {
		return n, writeErr(p, err)
	}
	if err = out.Sync(); err != nil {
		return n, writeErr(p, err)
	}
	if err = out.Close(); err != nil {
		return n, writeErr(p, err)
	}
	st, err := os.Stat(p)
	if err != nil {
		return n, writeErr(p, err)
	}
	if st.Size() != n {
		err = msg.New("%s holds %d bytes after writing %d: the medium may be failing", p, st.Size(), n)
		return n, err
	}
	return n, nil
}

// List returns the regular files in the folder.
func (f *Folder) List(ctx context.Context) ([]dest.Info, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(f.dir)
	if err != nil {
		return nil, msg.New("cannot list the folder %s: %s", f.dir, oserr.Words(err))
	}
	var out []dest.Info
	for i, e := range ents {
		if i%256 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if !e.Type().IsRegular() {
			continue
		}
		st, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		out = append(out, dest.Info{Name: e.Name(), Size: st.Size(), ModTime: st.ModTime()})
	}
	return out, nil
}

// Stat returns the Info of name.
func (f *Folder) Stat(ctx context.Context, name string) (dest.Info, error) {
	p, err := f.path(name)
	if err != nil {
		return dest.Info{}, err
	}
	if err := ctx.Err(); err != nil {
		return dest.Info{}, err
	}
	st, err := os.Stat(p)
	if err != nil {
		return dest.Info{}, notFound(p, err)
	}
	if !st.Mode().IsRegular() {
		return dest.Info{}, msg.New("%s is not a file", p)
	}
	return dest.Info{Name: name, Size: st.Size(), ModTime: st.ModTime()}, nil
}

// Open opens name for reading from offset.
func (f *Folder) Open(ctx context.Context, name string, offset int64) (io.ReadCloser, error) {
	p, err := f.path(name)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fh, err := os.Open(p)
	if err != nil {
		return nil, notFound(p, err)
	}
	if offset > 0 {
		if _, err := fh.Seek(offset, io.SeekStart); err != nil {
			fh.Close()
			return nil, err
		}
	}
	return fh, nil
}

// Rename replaces to with from in one step (rename(2), MoveFileEx).
func (f *Folder) Rename(ctx context.Context, from, to string) error {
	pf, err := f.path(from)
	if err != nil {
		return err
	}
	pt, err := f.path(to)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, err := os.Stat(pf); err != nil {
		return notFound(pf, err)
	}
	_ = os.Chmod(pt, 0o644) // Windows refuses to replace a read-only file
	if err := os.Rename(pf, pt); err != nil {
		return msg.New("cannot rename %s to %s: %s", pf, pt, oserr.Words(err))
	}
	syncDir(f.dir)
	return nil
}

// Delete removes name.
func (f *Folder) Delete(ctx context.Context, name string) error {
	p, err := f.path(name)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.Remove(p); err != nil {
		return notFound(p, err)
	}
	return nil
}

// Close does nothing for a folder.
func (f *Folder) Close() error { return nil }

func notFound(p string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w", p, dest.ErrNotFound)
	}
	return msg.New("cannot read %s: %s", p, oserr.Words(err))
}

func writeErr(p string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if isNoSpace(err) {
		return msg.New("the medium of %s is full: free space or use a larger medium", p)
	}
	return msg.New("writing %s failed: %s", p, oserr.Words(err))
}

// readErr remembers an error of the reader, to tell it from a write error.
type readErr struct {
	r   io.Reader
	err error
}

func (e *readErr) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		e.err = err
	}
	return n, err
}
