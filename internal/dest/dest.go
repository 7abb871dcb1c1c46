// Package dest defines where backup archives are kept: a folder (local disk,
// USB medium, network drive, UNC path) or a server (FTP, FTPS, SFTP). Every
// kind implements Destination and passes the conformance suite in
// internal/dest/desttest.
package dest

import (
	"context"
	"errors"
	"io"
	"os"
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
	// error and makes a best effort to remove what it wrote under name, and
	// an object that was there before may be gone too (an FTP server that
	// does not overwrite has it deleted first). Callers therefore put only
	// under fresh temporary names (TempName) and rename when complete; never
	// under the name of an archive.
	Put(ctx context.Context, name string, r io.Reader) (int64, error)

	// List returns the regular files in the destination folder (not in
	// sub-folders), in no particular order. A missing folder is an error.
	List(ctx context.Context) ([]Info, error)

	// Stat returns the Info of name, or an error wrapping ErrNotFound.
	Stat(ctx context.Context, name string) (Info, error)

	// Open returns a reader of name's bytes starting at offset (0 for the
	// whole object). The caller closes it, and makes no other call on this
	// Destination until then: a server kind reads over its one connection
	// (an FTP SIZE during a RETR breaks the transfer on ProFTPD and
	// Pure-FTPd over TLS). A missing object gives an error wrapping
	// ErrNotFound.
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

	// OpenMedium opens name to read what the medium holds, not what the
	// operating system still caches of it, so a read-back check after Put
	// finds a failing or fake-capacity USB stick. The caller closes it.
	OpenMedium(name string) (*os.File, error)
}

// TempPrefix starts the names of archives that are still being written.
// List results with this prefix are unfinished or left over from an
// interrupted run; they are never shown as backups.
const TempPrefix = ".posbackup-partial-"

// TempPrefixNoDot is TempPrefix without its dot: the temporary names on a
// server that refuses names beginning with a dot (Pure-FTPd -x/-X,
// ProFTPD's ProhibitDotFilesOnServer). They are unfinished uploads too.
const TempPrefixNoDot = "posbackup-partial-"

// IsTemp reports whether name is an unfinished upload (either prefix).
func IsTemp(name string) bool {
	return strings.HasPrefix(name, TempPrefix) || strings.HasPrefix(name, TempPrefixNoDot)
}

// TempNoDot is tmp (a name with TempPrefix) as sent to a server that
// refuses names beginning with a dot; other names are unchanged.
func TempNoDot(tmp string) string {
	if strings.HasPrefix(tmp, TempPrefix) {
		return tmp[1:]
	}
	return tmp
}

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

// AsidePrefix starts the name under which a kind that cannot rename over an
// existing object keeps the older archive while the new one is renamed into
// place (see Rename). The name still ends in the archive's own name, so
// `list` shows it as a backup and no leftover sweep deletes it: after a
// power cut between the two renames it may be the only good copy. A later
// run puts it back under its own name when that name is missing, and
// removes it only after that run has succeeded.
const AsidePrefix = "posbackup-previous-"

// AsideName is where Rename keeps the older archive name while the new one
// replaces it.
func AsideName(name string) string { return AsidePrefix + name }

// AsideOf reports the archive name that aside was moved away from.
func AsideOf(aside string) (name string, ok bool) {
	if !strings.HasPrefix(aside, AsidePrefix) || len(aside) == len(AsidePrefix) {
		return "", false
	}
	return aside[len(AsidePrefix):], true
}

// TempName is the temporary name a run on host, started at started, puts
// the archive name under: TempPrefix, the start time in UTC, a random
// token, the host (letters, digits and '-' only), then name, separated by
// dots. A later run decides from the name, not from the destination's file
// times (FTP LIST times carry no zone), whether a leftover is old, and
// whether it is its own host's.
func TempName(name, host string, started time.Time, token string) string {
	return TempPrefix + started.UTC().Format(tempTimeLayout) + "." + token + "." + tempHost(host) + "." + name
}

// TempInfo is what a temporary name made by TempName tells.
type TempInfo struct {
	Started time.Time
	Host    string // as cleaned by TempName
	Name    string // the archive name it will become
}

// ParseTemp reads a name made by TempName. Older temporary names (without
// time and host) give ok false.
func ParseTemp(tmp string) (TempInfo, bool) {
	if !IsTemp(tmp) {
		return TempInfo{}, false
	}
	rest, ok := strings.CutPrefix(tmp, TempPrefix)
	if !ok {
		rest = strings.TrimPrefix(tmp, TempPrefixNoDot)
	}
	parts := strings.SplitN(rest, ".", 4)
	if len(parts) != 4 || parts[1] == "" || parts[2] == "" || parts[3] == "" {
		return TempInfo{}, false
	}
	t, err := time.Parse(tempTimeLayout, parts[0])
	if err != nil {
		return TempInfo{}, false
	}
	return TempInfo{Started: t, Host: parts[2], Name: parts[3]}, true
}

const tempTimeLayout = "20060102T150405Z"

// tempHost keeps letters, digits and '-' of a host name (so it holds no
// dot), "host" when nothing is left.
func tempHost(host string) string {
	var b strings.Builder
	for _, r := range host {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-':
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "host"
	}
	return b.String()
}

// Caps are what a kind declares about its storage. The job and the
// conformance suite act on them instead of guessing from the kind.
type Caps struct {
	// RenameReplaces: Rename over an existing name replaces it in one step
	// (POSIX rename(2), SFTP posix-rename, FTP servers that allow it).
	// Where false, Rename moves the older object aside under AsideName
	// first and removes it once the new one is in place.
	RenameReplaces bool
	// FoldsCase: names that differ only in case may be one object (NTFS,
	// SMB shares, FAT media, Windows FTP/SFTP servers). A kind that cannot
	// tell says true.
	FoldsCase bool
}

// Capable is implemented by kinds that declare their Caps.
type Capable interface {
	Caps() Caps
}

// CapsOf returns d's declared Caps; a kind that declares none is taken to
// fold case and not to replace on rename, the careful assumptions.
func CapsOf(d Destination) Caps {
	if c, ok := d.(Capable); ok {
		return c.Caps()
	}
	return Caps{FoldsCase: true}
}
