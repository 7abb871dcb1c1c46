package archive

import (
	"archive/zip"
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/klauspost/compress/flate"
)

// TempPattern names the temporary files restore writes beside their
// targets before renaming them into place.
const TempPattern = ".posbackup-restore-*"

// DamageError says that an entry's stored data is damaged (as opposed to a
// problem writing it out).
type DamageError struct{ Name, Reason string }

func (e *DamageError) Error() string { return e.Name + ": " + e.Reason }

// Extract writes entry f to path: into a temporary file beside it first,
// checked against rec (size and SHA-256) when rec is given, and only then
// renamed over an existing file, so a damaged entry never replaces good
// data. It sets the modification time and the read-only attribute.
func Extract(f *zip.File, rec *FileRecord, path string) (int64, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return 0, err
	}
	tmp, n, err := ExtractTemp(f, rec, path)
	if err != nil {
		return n, err
	}
	if err := Place(tmp, path, f, rec); err != nil {
		os.Remove(tmp)
		return n, err
	}
	return n, nil
}

// ExtractTemp decompresses entry f into a new temporary file beside path
// (its folder must exist), checking the CRC-32 and, when rec is given, the
// size and SHA-256 of the bytes written. It returns the temporary file's
// name; on any error the temporary file is removed. Nothing at path is
// touched: Place puts the file there. A restore extracts every entry this
// way first and places them only when all of them passed.
func ExtractTemp(f *zip.File, rec *FileRecord, path string) (tmpName string, n int64, err error) {
	if f == nil {
		name := filepath.Base(path)
		if rec != nil {
			name = rec.Name
		}
		return "", 0, &DamageError{name, "listed in the manifest but missing from the archive"}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), TempPattern)
	if err != nil {
		return "", 0, err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	rc, err := openChecked(f)
	if err != nil {
		if errors.Is(err, ErrWrongPassword) || errors.Is(err, ErrPasswordNeeded) {
			return "", 0, fmt.Errorf("%s: %s", f.Name, zipReason(err))
		}
		return "", 0, &DamageError{f.Name, zipReason(err)}
	}
	defer rc.Close()
	h := sha256.New()
	limit := int64(f.UncompressedSize64)
	if rec != nil {
		limit = rec.Size
	}
	// Never write more than the archive declares (zip bombs).
	bp := copyBufPool.Get().(*[]byte)
	n, err = io.CopyBuffer(io.MultiWriter(tmp, h), io.LimitReader(rc, limit+1), *bp)
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
	if err := tmp.Close(); err != nil {
		return "", n, err
	}
	return tmp.Name(), n, nil
}

// Place renames the temporary file tmp (from ExtractTemp) to path, replacing
// a read-only file there too, and sets the modification time and mode from
// rec, or from the entry when rec is nil.
func Place(tmp, path string, f *zip.File, rec *FileRecord) error {
	var mtime time.Time
	var mode fs.FileMode
	if f != nil {
		mtime, mode = f.Modified, f.Mode()
	}
	if rec != nil {
		mtime, mode = rec.ModTime, rec.FileMode()
	}
	perm := mode.Perm()
	if perm == 0 {
		perm = 0o644
	}
	if st, err := os.Lstat(path); err == nil && st.Mode().Perm()&0o200 == 0 {
		os.Chmod(path, st.Mode().Perm()|0o200) // replace a read-only file
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	if !mtime.IsZero() {
		os.Chtimes(path, time.Now(), mtime)
	}
	return os.Chmod(path, perm)
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
