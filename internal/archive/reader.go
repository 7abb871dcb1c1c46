package archive

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// ErrNoManifest means the file is a ZIP archive but not one posbackup made.
var ErrNoManifest = errors.New("the archive has no posbackup manifest")

// Reader reads an archive.
type Reader struct {
	zr       *zip.Reader
	f        *os.File
	Size     int64
	Manifest *Manifest // nil when the archive has none or it is damaged
	// ManifestErr says why a manifest that is present cannot be used.
	ManifestErr error
	byName      map[string]*zip.File
	// Encrypted: entries are WinZip AES encrypted (aes.go).
	Encrypted bool
}

// OpenFile opens the archive at path and reads its manifest.
func OpenFile(path string) (*Reader, error) { return OpenFilePassword(path, "") }

// OpenFilePassword is OpenFile for an archive that may be encrypted; see
// NewReaderPassword.
func OpenFilePassword(path, password string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	r, err := NewReaderPassword(f, st.Size(), password)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.f = f
	return r, nil
}

// NewReader reads an archive from ra. A missing manifest is not an error
// (r.Manifest is nil); a damaged one is recorded in r.ManifestErr, so that
// Verify can still report on the rest.
func NewReader(ra io.ReaderAt, size int64) (*Reader, error) { return NewReaderPassword(ra, size, "") }

// NewReaderPassword is NewReader for an archive that may be encrypted with
// WinZip AES (posbackup's own or 7-Zip's): its entries then decrypt through
// Files()[i].Open, Verify and Extract. An encrypted archive read without a
// password gives ErrPasswordNeeded, a wrong password ErrWrongPassword; the
// password is ignored for an archive that is not encrypted.
func NewReaderPassword(ra io.ReaderAt, size int64, password string) (*Reader, error) {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, fmt.Errorf("it is not a readable ZIP archive (%v)", err)
	}
	r := &Reader{zr: zr, Size: size, byName: make(map[string]*zip.File, len(zr.File))}
	if r.Encrypted, err = setupAES(zr, password); err != nil {
		return nil, err
	}
	for _, f := range zr.File {
		if _, dup := r.byName[f.Name]; dup {
			return nil, fmt.Errorf("it holds %q twice", f.Name)
		}
		r.byName[f.Name] = f
	}
	if mf := r.byName[ManifestName]; mf != nil {
		r.Manifest, r.ManifestErr = readManifest(mf)
	}
	return r, nil
}

func readManifest(mf *zip.File) (*Manifest, error) {
	rc, err := mf.Open()
	if err != nil {
		return nil, fmt.Errorf("its manifest cannot be read: %s", zipReason(err))
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, 256<<20))
	if err != nil {
		return nil, fmt.Errorf("its manifest is damaged: %s", zipReason(err))
	}
	return ParseManifest(b)
}

// Close closes the file opened by OpenFile.
func (r *Reader) Close() error {
	if r.f != nil {
		return r.f.Close()
	}
	return nil
}

// Files are the archive's entries in stored order.
func (r *Reader) Files() []*zip.File { return r.zr.File }

// Lookup returns the entry called name, or nil.
func (r *Reader) Lookup(name string) *zip.File { return r.byName[name] }

// CheckSafe refuses archives with entries that could be written outside a
// target folder: absolute names, "..", drive letters, links.
func (r *Reader) CheckSafe() error {
	for _, f := range r.zr.File {
		if err := CheckName(f.Name); err != nil {
			return fmt.Errorf("it contains an unsafe entry: %v", err)
		}
		if f.Mode()&os.ModeSymlink != 0 {
			return fmt.Errorf("it contains a link %q, which restore never creates", f.Name)
		}
	}
	return nil
}

// Damage is one thing wrong in an archive.
type Damage struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// VerifyReport is what Verify found.
type VerifyReport struct {
	Checked int      `json:"checked"`
	Bytes   int64    `json:"bytes"`
	Damaged []Damage `json:"damaged,omitempty"`
}

// OK reports whether nothing was found wrong.
func (v *VerifyReport) OK() bool { return len(v.Damaged) == 0 }

// Verify reads every entry that want accepts (nil: all), checking its CRC
// and, against the manifest, its size and SHA-256; it also reports manifest
// files missing from the archive. Entries are checked in parallel.
func (r *Reader) Verify(ctx context.Context, want func(name string) bool, progress func(name string, n int64)) (*VerifyReport, error) {
	rep := &VerifyReport{}
	if r.ManifestErr != nil {
		rep.Damaged = append(rep.Damaged, Damage{ManifestName, r.ManifestErr.Error()})
	}
	recs := map[string]FileRecord{}
	if r.Manifest != nil {
		for _, fr := range r.Manifest.Files {
			recs[fr.Name] = fr
			if want != nil && !want(fr.Name) {
				continue
			}
			if r.byName[fr.Name] == nil {
				rep.Damaged = append(rep.Damaged, Damage{fr.Name, "listed in the manifest but missing from the archive"})
			}
		}
	}
	var todo []*zip.File
	for _, f := range r.zr.File {
		if f.Name == ManifestName || (want != nil && !want(f.Name)) {
			continue
		}
		todo = append(todo, f)
	}
	var mu sync.Mutex
	work := make(chan *zip.File)
	var wg sync.WaitGroup
	for i := 0; i < runtime.NumCPU(); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range work {
				rec, inManifest := recs[f.Name]
				n, why := checkEntry(f, rec, inManifest, r.Manifest != nil)
				mu.Lock()
				rep.Checked++
				rep.Bytes += n
				if why != "" {
					rep.Damaged = append(rep.Damaged, Damage{f.Name, why})
				}
				if progress != nil {
					progress(f.Name, n)
				}
				mu.Unlock()
			}
		}()
	}
	for _, f := range todo {
		if ctx.Err() != nil {
			break
		}
		work <- f
	}
	close(work)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	sort.Slice(rep.Damaged, func(i, j int) bool { return rep.Damaged[i].Name < rep.Damaged[j].Name })
	return rep, nil
}

func checkEntry(f *zip.File, rec FileRecord, inManifest, haveManifest bool) (int64, string) {
	if haveManifest && !inManifest && !strings.HasPrefix(f.Name, ReservedPrefix) {
		return 0, "in the archive but not in its manifest"
	}
	if strings.HasSuffix(f.Name, "/") {
		return 0, ""
	}
	rc, err := f.Open()
	if err != nil {
		return 0, "cannot be opened: " + zipReason(err)
	}
	defer rc.Close()
	h := sha256.New()
	bp := copyBufPool.Get().(*[]byte)
	n, err := io.CopyBuffer(h, rc, *bp)
	copyBufPool.Put(bp)
	if err != nil {
		return n, zipReason(err)
	}
	if inManifest {
		if n != rec.Size {
			return n, fmt.Sprintf("holds %d bytes, the manifest says %d", n, rec.Size)
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != rec.SHA256 {
			return n, "its SHA-256 does not match the manifest"
		}
	}
	return n, ""
}

func zipReason(err error) string {
	switch {
	case errors.Is(err, zip.ErrChecksum):
		return "its CRC-32 checksum does not match (the data is damaged)"
	case errors.Is(err, zip.ErrFormat), errors.Is(err, io.ErrUnexpectedEOF):
		return "its compressed data is damaged or cut short"
	case errors.Is(err, zip.ErrAlgorithm):
		return "it uses a compression method posbackup cannot read"
	}
	return err.Error()
}

var copyBufPool = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}
