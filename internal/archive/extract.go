package archive

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// Extract writes entry f to path: into a temporary file beside it first,
// checked against rec (size and SHA-256) when rec is given, and only then
// renamed over an existing file, so a damaged entry never replaces good
// data. It sets the modification time and the read-only attribute.
func Extract(f *zip.File, rec *FileRecord, path string) (int64, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	tmp, err := os.CreateTemp(dir, ".posbackup-restore-*")
	if err != nil {
		return 0, err
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	rc, err := f.Open()
	if err != nil {
		return 0, fmt.Errorf("%s: %s", f.Name, zipReason(err))
	}
	defer rc.Close()
	h := sha256.New()
	limit := int64(f.UncompressedSize64)
	if rec != nil {
		limit = rec.Size
	}
	// Never write more than the archive declares (zip bombs).
	bp := copyBufPool.Get().(*[]byte)
	n, err := io.CopyBuffer(io.MultiWriter(tmp, h), io.LimitReader(rc, limit+1), *bp)
	copyBufPool.Put(bp)
	if err != nil {
		return n, fmt.Errorf("%s: %s", f.Name, zipReason(err))
	}
	if n > limit {
		return n, fmt.Errorf("%s expands beyond its declared size", f.Name)
	}
	if rec != nil && (n != rec.Size || hex.EncodeToString(h.Sum(nil)) != rec.SHA256) {
		return n, fmt.Errorf("%s does not match its manifest record", f.Name)
	}
	if err := tmp.Close(); err != nil {
		return n, err
	}
	mtime := f.Modified
	mode := f.Mode()
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
	if err := os.Rename(tmp.Name(), path); err != nil {
		return n, err
	}
	ok = true
	if !mtime.IsZero() {
		os.Chtimes(path, time.Now(), mtime)
	}
	return n, os.Chmod(path, perm)
}
