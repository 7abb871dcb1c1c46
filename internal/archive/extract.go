package archive

import (
	"archive/zip"
	"bufio"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/flate"
	"github.com/posbackup/posbackup/internal/oserr"
)

// TempPattern names the temporary files restore writes beside their
// targets before renaming them into place; TempPrefix is its fixed part.
const (
	TempPattern = TempPrefix + "*"
	TempPrefix  = ".posbackup-restore-"
)

// DamageError says that an entry's stored data is damaged (as opposed to a
// problem writing it out).
type DamageError struct{ Name, Reason string }

func (e *DamageError) Error() string { return e.Name + ": " + e.Reason }

// Target is the folder a restore writes into. Every name is opened through
// an os.Root, so no name, link or junction can lead a write outside it, and
// each write is made durable: a temporary file is synced before it is
// renamed over the user's file, and each folder is synced after its names
// changed. Names are archive names ("/" separated, relative to the target).
type Target struct {
	Dir  string // the target folder, as given
	root *os.Root
	ops  fileOps

	// Progress, when set, is told the bytes of each entry as they are
	// written (in copy-buffer steps, from the extracting goroutine), so a
	// large file's restore shows movement, not only its end.
	Progress func(n int64)
}

// fileOps are the calls whose failure comes late and is easily ignored;
// tests replace them to see that each failure is reported.
type fileOps struct {
	syncFile  func(*os.File) error
	closeFile func(*os.File) error
	syncDir   func(r *os.Root, name string) error
	chtimes   func(r *os.Root, name string, mtime time.Time) error
	rename    func(r *os.Root, from, to string) error
	lstat     func(r *os.Root, name string) (fs.FileInfo, error)
}

var osOps = fileOps{
	syncFile:  (*os.File).Sync,
	closeFile: (*os.File).Close,
	syncDir:   syncRootDir,
	chtimes:   func(r *os.Root, name string, mtime time.Time) error { return r.Chtimes(name, mtime, mtime) },
	rename:    (*os.Root).Rename,
	lstat:     (*os.Root).Lstat,
}

// syncRootDir flushes a folder's entries (the names renamed into it) to the
// disk. Windows has no such call for folders (NTFS journals its metadata),
// so there it does nothing.
func syncRootDir(r *os.Root, name string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := r.Open(name)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// OpenTarget opens the existing folder dir for a restore.
func OpenTarget(dir string) (*Target, error) {
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &Target{Dir: dir, root: r, ops: osOps}, nil
}

// Close releases the folder.
func (t *Target) Close() error { return t.root.Close() }

// Path is the path of name on disk, for messages.
func (t *Target) Path(name string) string {
	name = strings.TrimSuffix(name, "/")
	if name == "" || name == "." {
		return t.Dir
	}
	return filepath.Join(t.Dir, filepath.FromSlash(name))
}

func osName(name string) string {
	name = strings.TrimSuffix(name, "/")
	if name == "" {
		return "."
	}
	return name
}

// Lstat describes name without following a link there.
func (t *Target) Lstat(name string) (fs.FileInfo, error) { return t.root.Lstat(osName(name)) }

// Mkdir makes the folder name (its parent must exist).
func (t *Target) Mkdir(name string) error { return t.root.Mkdir(osName(name), 0o755) }

// Remove removes name (a folder only when it is empty).
func (t *Target) Remove(name string) error { return t.root.Remove(osName(name)) }

// SyncDir flushes the folder name's entries to the disk.
func (t *Target) SyncDir(name string) error {
	if err := t.ops.syncDir(t.root, osName(name)); err != nil {
		return fmt.Errorf("the folder %s could not be flushed to the disk: %s", t.Path(name), oserr.Words(err))
	}
	return nil
}

// SetDirTime sets a folder's modification time.
func (t *Target) SetDirTime(name string, mtime time.Time) error {
	if err := t.ops.chtimes(t.root, osName(name), mtime); err != nil {
		return fmt.Errorf("the time of the folder %s could not be set: %s", t.Path(name), oserr.Words(err))
	}
	return nil
}

// CheckPath refuses a name whose way through the target passes a link, a
// junction or another reparse point (Go reports those as irregular files),
// or which ends at one, or at a pipe or device: restore never writes
// through links. Parts that do not exist yet are fine. checked remembers
// the folders already found good (may be nil).
func (t *Target) CheckPath(name string, checked map[string]bool) error {
	parts := strings.Split(strings.TrimSuffix(name, "/"), "/")
	cur := ""
	for i, part := range parts {
		if cur != "" {
			cur += "/"
		}
		cur += part
		last := i == len(parts)-1
		if !last && checked[cur] {
			continue
		}
		st, err := t.ops.lstat(t.root, cur)
		if err != nil {
			return nil // does not exist yet (or cannot be seen: the restore says so when it writes)
		}
		m := st.Mode()
		switch {
		case m&fs.ModeSymlink != 0:
			return fmt.Errorf("%s in the target is a link: restore never writes through links, remove it and try again", t.Path(cur))
		case m&fs.ModeIrregular != 0:
			return fmt.Errorf("%s in the target is a junction or another reparse point: restore never writes through links, remove it and try again", t.Path(cur))
		case m.IsDir() && !last && checked != nil:
			checked[cur] = true
		case !m.IsDir() && !m.IsRegular():
			return fmt.Errorf("%s in the target is not a file or folder (a pipe, socket or device): move it away and try again", t.Path(cur))
		}
		if !m.IsDir() && !last {
			return nil // a file where a folder must go: the plan says so
		}
	}
	return nil
}

// RemoveLeftovers removes the temporary files an interrupted restore left
// in the folder dir and reports how many it removed. A restore runs under
// the run lock, so no other restore writes there meanwhile.
func (t *Target) RemoveLeftovers(dir string) (int, error) {
	d, err := t.root.Open(osName(dir))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return 0, nil
		}
		return 0, err
	}
	ents, err := d.ReadDir(-1)
	d.Close()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), TempPrefix) && e.Type().IsRegular() {
			if err := t.root.Remove(path.Join(osName(dir), e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// ExtractTemp decompresses entry f into a new temporary file beside name
// (its folder must exist), checking the CRC-32 and, when rec is given, the
// size and SHA-256 of the bytes written, and syncs it to the disk. It
// returns the temporary file's name; on any error the temporary file is
// removed. Nothing at name is touched: Place puts the file there. A restore
// extracts every entry this way first and places them only when all of
// them passed.
func (t *Target) ExtractTemp(f *zip.File, rec *FileRecord, name string) (tmpName string, n int64, err error) {
	if f == nil {
		if rec != nil {
			name = rec.Name
		}
		return "", 0, &DamageError{name, "listed in the manifest but missing from the archive"}
	}
	tmp, made, err := t.createTemp(path.Dir(name))
	if err != nil {
		return "", 0, err
	}
	closed := false
	defer func() {
		if err != nil {
			if !closed {
				tmp.Close()
			}
			t.root.Remove(made)
		}
	}()
	rc, err := openChecked(f)
	if err != nil {
		if errors.Is(err, ErrWrongPassword) || errors.Is(err, ErrPasswordNeeded) {
			return "", 0, fmt.Errorf("%s: %s", f.Name, zipReason(err))
		}
		return "", 0, &DamageError{f.Name, zipReason(err)}
	}
	defer rc.Close() // a reader: everything it had to say came with the last Read
	h := sha256.New()
	limit := int64(f.UncompressedSize64)
	if rec != nil {
		limit = rec.Size
	}
	// Never write more than the archive declares (zip bombs).
	bp := copyBufPool.Get().(*[]byte)
	var w io.Writer = io.MultiWriter(tmp, h)
	if t.Progress != nil {
		w = progressWriter{w, t.Progress}
	}
	n, err = io.CopyBuffer(w, io.LimitReader(rc, limit+1), *bp)
	copyBufPool.Put(bp)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) || errors.Is(err, ErrWrongPassword) {
			return "", n, fmt.Errorf("%s: %s", f.Name, zipReason(err)) // writing failed, or a wrong password
		}
		return "", n, &DamageError{f.Name, zipReason(err)}
	}
	if n > limit {
		return "", n, &DamageError{f.Name, "expands beyond its declared size"}
	}
	if rec != nil && n != rec.Size {
		return "", n, &DamageError{f.Name, fmt.Sprintf("holds %d bytes, the manifest says %d", n, rec.Size)}
	}
	if rec != nil && hex.EncodeToString(h.Sum(nil)) != rec.SHA256 {
		return "", n, &DamageError{f.Name, "its SHA-256 does not match the manifest"}
	}
	// On the disk before it replaces anything: a power cut after the rename
	// must not leave an empty file where the user's file was.
	if err := t.ops.syncFile(tmp); err != nil {
		return "", n, fmt.Errorf("%s could not be written to the disk: %s", t.Path(made), oserr.Words(err))
	}
	closed = true
	if err := t.ops.closeFile(tmp); err != nil {
		return "", n, fmt.Errorf("%s could not be written to the disk: %s", t.Path(made), oserr.Words(err))
	}
	// The time now, so that Place has only the rename left to do.
	if mtime := modTime(f, rec); !mtime.IsZero() {
		if err := t.ops.chtimes(t.root, made, mtime); err != nil {
			return "", n, fmt.Errorf("the time of %s could not be set: %s", t.Path(made), oserr.Words(err))
		}
	}
	return made, n, nil
}

type progressWriter struct {
	w  io.Writer
	on func(int64)
}

func (p progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.on(int64(n))
	return n, err
}

// Extract writes entry f to the file at path the way a restore does: into
// a synced temporary file beside it first, checked against rec (size and
// SHA-256) when rec is given, and only then renamed over an existing file
// (so a damaged entry never replaces good data), the folder synced after.
func Extract(f *zip.File, rec *FileRecord, path string) (int64, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	t, err := OpenTarget(dir)
	if err != nil {
		return 0, err
	}
	defer t.Close()
	name := filepath.Base(path)
	tmp, n, err := t.ExtractTemp(f, rec, name)
	if err != nil {
		return n, err
	}
	if err := t.Place(tmp, name, f, rec); err != nil {
		t.Remove(tmp)
		return n, err
	}
	return n, t.SyncDir(".")
}

// createTemp makes a new, empty temporary file in the folder dir.
func (t *Target) createTemp(dir string) (*os.File, string, error) {
	for try := 0; ; try++ {
		var b [8]byte
		rand.Read(b[:])
		name := path.Join(dir, TempPrefix+hex.EncodeToString(b[:]))
		f, err := t.root.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			return f, name, nil
		}
		if !errors.Is(err, fs.ErrExist) || try == 10 {
			return nil, "", err
		}
	}
}

// Place renames the temporary file tmp (from ExtractTemp, which also set
// its time) to name, replacing a read-only file there too, and sets the
// mode from rec, or from the entry when rec is nil. The caller syncs the
// folder (SyncDir) once its files are placed.
func (t *Target) Place(tmp, name string, f *zip.File, rec *FileRecord) error {
	var mode fs.FileMode
	if f != nil {
		mode = f.Mode()
	}
	if rec != nil {
		mode = rec.FileMode()
	}
	perm := mode.Perm()
	if perm == 0 {
		perm = 0o644
	}
	if st, err := t.root.Lstat(name); err == nil && st.Mode().Perm()&0o200 == 0 {
		// Windows refuses to replace a read-only file.
		if err := t.root.Chmod(name, st.Mode().Perm()|0o200); err != nil {
			return fmt.Errorf("%s is read-only and cannot be made writable: %s", t.Path(name), oserr.Words(err))
		}
	}
	if err := t.ops.rename(t.root, tmp, name); err != nil {
		return fmt.Errorf("%s could not be put in place: %s", t.Path(name), oserr.Words(err))
	}
	if err := t.root.Chmod(name, perm); err != nil {
		return fmt.Errorf("the permissions of %s could not be set: %s", t.Path(name), oserr.Words(err))
	}
	return nil
}

// modTime is the time a restored file gets: the manifest's (exact), else
// the entry's.
func modTime(f *zip.File, rec *FileRecord) time.Time {
	if rec != nil {
		return rec.ModTime
	}
	if f != nil {
		return f.Modified
	}
	return time.Time{}
}

// FoldsCase reports whether the target's file system takes names that
// differ only in case for one (Windows, macOS, a Samba share): it makes a
// temporary file and looks for it under its name in capitals.
func (t *Target) FoldsCase() (bool, error) {
	f, name, err := t.createTemp(".")
	if err != nil {
		return false, err
	}
	f.Close()
	defer t.root.Remove(name)
	_, err = t.root.Lstat(strings.ToUpper(name))
	return err == nil, nil
}

// openChecked opens an entry for reading; the reader fails with
// zip.ErrChecksum at the end when the CRC-32 does not match. Plain deflated
// and stored entries are inflated here with klauspost/compress, about a
// quarter faster than archive/zip's decompressor; anything else (AES,
// other methods) goes through zip.File.Open.
func openChecked(f *zip.File) (io.ReadCloser, error) {
	if f.Flags&0x1 != 0 || (f.Method != zip.Deflate && f.Method != zip.Store) {
		return f.Open()
	}
	raw, err := f.OpenRaw()
	if err != nil {
		return nil, err
	}
	cr := &crcReader{r: raw, f: f, crc: crc32.NewIEEE()}
	if f.Method == zip.Deflate {
		// Large reads from the archive (the inflater reads a byte at a time
		// from anything that is not buffered).
		br := rawBufPool.Get().(*bufio.Reader)
		br.Reset(raw)
		fr := inflatePool.Get().(io.ReadCloser)
		if err := fr.(flate.Resetter).Reset(br, nil); err != nil {
			rawBufPool.Put(br)
			return nil, err
		}
		cr.r, cr.inflater, cr.br = fr, fr, br
	}
	return cr, nil
}

var (
	inflatePool = sync.Pool{New: func() any { return flate.NewReader(nil) }}
	rawBufPool  = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 256<<10) }}
)

type crcReader struct {
	r        io.Reader
	inflater io.ReadCloser // returned to inflatePool on Close
	br       *bufio.Reader // returned to rawBufPool on Close
	f        *zip.File
	crc      hash.Hash32
	n        uint64
	err      error
}

func (c *crcReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.r.Read(p)
	c.crc.Write(p[:n])
	c.n += uint64(n)
	if c.n > c.f.UncompressedSize64 {
		err = zip.ErrFormat
	}
	if err == io.EOF {
		switch {
		case c.n != c.f.UncompressedSize64:
			err = io.ErrUnexpectedEOF
		// Like archive/zip: a CRC of 0 without a data descriptor means
		// "not recorded".
		case (c.f.CRC32 != 0 || c.f.Flags&0x8 != 0) && c.crc.Sum32() != c.f.CRC32:
			err = zip.ErrChecksum
		}
	}
	if err != nil {
		c.err = err
	}
	return n, err
}

func (c *crcReader) Close() error {
	if c.inflater != nil {
		inflatePool.Put(c.inflater)
		c.inflater = nil
	}
	if c.br != nil {
		c.br.Reset(nil)
		rawBufPool.Put(c.br)
		c.br = nil
	}
	return nil
}
