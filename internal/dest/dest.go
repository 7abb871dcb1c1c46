// Package dest defines where backup archives are kept: a folder (local disk,
// USB medium, network drive, UNC path) or a server (FTP, FTPS, SFTP). Every
// kind implements Destination and passes the conformance suite in
// internal/dest/desttest.
package dest

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"
)

// ErrNotFound is returned (wrapped) by Stat, Open, Rename and Delete when the
// named object does not exist. Callers test for it with errors.Is.
var ErrNotFound = errors.New("not found")

// Info describes one stored object.
type Info struct {
	Name    string    // base name inside the destination folder, never a path
	Size    int64     // bytes
	ModTime time.Time // as reported by the destination; zero when unknown
}

// Destination is one folder on one storage, holding archives side by side.
// Names are base names (no "/" or "\\"); a kind rejects other names with an
// error. Methods may be called one after the other from one goroutine; a
// Destination need not be safe for concurrent use.
type Destination interface {
	// String describes the destination for messages and logs, e.g.
	// "E:\Backup" or "ftp://user@nas/betrieb1". It never contains a password.
	String() string

	// Put stores every byte read from r under name, replacing an existing
	// object of that name. It returns the number of bytes stored once they
	// are durable (synced, or acknowledged by the server) and the size on the
	// destination was checked against the bytes read from r. On any error,
	// including ctx being cancelled or r returning an error, Put returns that
	// error and makes a best effort to remove what it wrote under name. The
	// job therefore puts under a temporary name and renames when complete.
	Put(ctx context.Context, name string, r io.Reader) (int64, error)

	// List returns the regular files in the destination folder (not in
	// sub-folders), in no particular order. A missing folder is an error.
	List(ctx context.Context) ([]Info, error)

	// Stat returns the Info of name, or an error wrapping ErrNotFound.
	Stat(ctx context.Context, name string) (Info, error)

	// Open returns a reader of name's bytes starting at offset (0 for the
	// whole object). The caller closes it. A missing object gives an error
	// wrapping ErrNotFound.
	Open(ctx context.Context, name string, offset int64) (io.ReadCloser, error)

	// Rename renames from to to, replacing an existing to. There is no moment
	// at which neither the old to nor the new one is whole under some name:
	// where the storage cannot replace in one step, the old object is first
	// moved aside and removed only after the new one is in place. A missing
	// from gives an error wrapping ErrNotFound.
	Rename(ctx context.Context, from, to string) error

	// Delete removes name. A missing object gives an error wrapping
	// ErrNotFound.
	Delete(ctx context.Context, name string) error

	// Close releases connections. The Destination is not used afterwards.
	Close() error
}

// Local is implemented by destinations whose objects are files on this
// computer, so archives can be read in place instead of being downloaded.
type Local interface {
	// Path returns the file system path of name.
	Path(name string) string
}

// TempPrefix starts the names of archives that are still being written.
// List results with this prefix are unfinished or left over from an
// interrupted run; they are never shown as backups.
const TempPrefix = ".posbackup-partial-"

// IsTemp reports whether name is an unfinished upload.
func IsTemp(name string) bool { return strings.HasPrefix(name, TempPrefix) }

// CheckName rejects names that are not plain base names.
func CheckName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\\\x00") {
		return &NameError{Name: name}
	}
	return nil
}

// NameError reports an object name that is not a plain file name.
type NameError struct{ Name string }

func (e *NameError) Error() string {
	return "the name " + quote(e.Name) + " is not a plain file name"
}

func quote(s string) string { return "\"" + s + "\"" }
