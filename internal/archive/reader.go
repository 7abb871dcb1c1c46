package archive

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/klauspost/compress/flate"
)

// ErrNoManifest means the file is a ZIP archive but not one posbackup made.
var ErrNoManifest = errors.New("the archive has no posbackup manifest")

// Reader reads an archive.
type Reader struct {
	zr       *zip.Reader
	ra       io.ReaderAt // what zr reads; Verify reads runs of small entries from it in one go
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
	return NewReaderKeys(ra, size, password, nil)
}

// NewReaderKeys is NewReaderPassword for the check of an archive this
// process just wrote: keys are the Write's Result.Keys (nil: none), found
// by the salts read from ra.
func NewReaderKeys(ra io.ReaderAt, size int64, password string, keys *Keys) (*Reader, error) {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, fmt.Errorf("it is not a readable ZIP archive (%v)", err)
	}
	// klauspost's inflate is about a quarter faster than the standard one
	// (the manifest of a large backup is tens of MiB).
	zr.RegisterDecompressor(zip.Deflate, newPooledInflater)
	r := &Reader{zr: zr, ra: ra, Size: size, byName: make(map[string]*zip.File, len(zr.File))}
	if r.Encrypted, err = setupAES(zr, password, keys); err != nil {
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
	report := func(name string, n int64, why string) {
		mu.Lock()
		rep.Checked++
		rep.Bytes += n
		if why != "" {
			rep.Damaged = append(rep.Damaged, Damage{name, why})
		}
		if progress != nil {
			progress(name, n)
		}
		mu.Unlock()
	}
	haveManifest := r.Manifest != nil
	work := make(chan []*zip.File)
	var wg sync.WaitGroup
	for i := 0; i < runtime.NumCPU(); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for run := range work {
				if len(run) > 1 {
					run = r.checkRun(run, recs, haveManifest, report)
				}
				for _, f := range run {
					rec, inManifest := recs[f.Name]
					n, why := checkEntry(f, rec, inManifest, haveManifest)
					report(f.Name, n, why)
				}
			}
		}()
	}
	for _, run := range smallRuns(todo, r.ra != nil) {
		if ctx.Err() != nil {
			break
		}
		work <- run
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

// Runs of consecutive small entries are verified from one read of the
// archive (see checkRun) instead of two reads per entry.
const (
	runEntryMax = 64 << 10 // compressed bytes of an entry that can be in a run
	runEntryOut = 1 << 20  // and its uncompressed bytes
	runBytes    = 1 << 20
	runEntries  = 256
)

// simpleEntry: stored or deflated, not encrypted, no data descriptor,
// small: what checkRun can check from the bytes of a run.
func simpleEntry(f *zip.File) bool {
	return f.Flags&(0x1|0x8) == 0 && (f.Method == zip.Store || f.Method == zip.Deflate) &&
		f.CompressedSize64 < runEntryMax && f.UncompressedSize64 < runEntryOut
}

// smallRuns groups todo (in archive order) into runs of consecutive simple
// entries; every other entry is a run of its own.
func smallRuns(todo []*zip.File, batch bool) [][]*zip.File {
	var out [][]*zip.File
	var cur []*zip.File
	var bytes uint64
	flush := func() {
		if len(cur) > 0 {
			out = append(out, cur)
		}
		cur, bytes = nil, 0
	}
	for _, f := range todo {
		if !batch || !simpleEntry(f) {
			flush()
			out = append(out, []*zip.File{f})
			continue
		}
		cur = append(cur, f)
		bytes += f.CompressedSize64
		if len(cur) >= runEntries || bytes >= runBytes {
			flush()
		}
	}
	flush()
	return out
}

// checkRun verifies a run of consecutive simple entries from one read of
// the archive: it finds the first entry's data, then walks the local
// headers that follow, checking that each names the expected entry. Each
// entry's stored bytes are decompressed and checked as checkEntry does
// (CRC-32, size, SHA-256 against the manifest). It returns the entries it
// could not take this way (the archive is not laid out as expected), for
// checkEntry to do one by one.
func (r *Reader) checkRun(run []*zip.File, recs map[string]FileRecord, haveManifest bool, report func(string, int64, string)) []*zip.File {
	start, err := run[0].DataOffset()
	if err != nil {
		return run
	}
	var span int64
	for i, f := range run {
		span += int64(f.CompressedSize64)
		if i > 0 {
			span += 30 + int64(len(f.Name)) + 64 // local header, name, room for extras
		}
	}
	span = min(span, r.Size-start)
	if span < 0 {
		return run
	}
	bp := runBufPool.Get().(*[]byte)
	defer runBufPool.Put(bp)
	if int64(cap(*bp)) < span {
		*bp = make([]byte, span)
	}
	buf := (*bp)[:span]
	if n, err := r.ra.ReadAt(buf, start); int64(n) != span && err != nil {
		return run
	}
	pos := int64(0)
	for i, f := range run {
		if i > 0 { // the local header of f
			if pos+30 > span || binary.LittleEndian.Uint32(buf[pos:]) != 0x04034b50 {
				return run[i:]
			}
			nl := int64(binary.LittleEndian.Uint16(buf[pos+26:]))
			el := int64(binary.LittleEndian.Uint16(buf[pos+28:]))
			if pos+30+nl > span || string(buf[pos+30:pos+30+nl]) != f.Name {
				return run[i:]
			}
			pos += 30 + nl + el
		}
		end := pos + int64(f.CompressedSize64)
		if end > span {
			return run[i:]
		}
		rec, inManifest := recs[f.Name]
		n, why := checkStored(f, buf[pos:end], rec, inManifest, haveManifest)
		report(f.Name, n, why)
		pos = end
	}
	return nil
}

var (
	runBufPool   = sync.Pool{New: func() any { b := make([]byte, 0, runBytes+runEntries*(30+256)); return &b }}
	runInflaters = sync.Pool{New: func() any { return flate.NewReader(nil) }}
	outBufPool   = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}
)

// pooledInflater is a klauspost inflater that goes back to its pool when
// closed, as archive/zip's own does.
type pooledInflater struct {
	mu sync.Mutex
	fr io.ReadCloser
}

func newPooledInflater(r io.Reader) io.ReadCloser {
	fr := runInflaters.Get().(io.ReadCloser)
	fr.(flate.Resetter).Reset(r, nil)
	return &pooledInflater{fr: fr}
}

func (p *pooledInflater) Read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fr == nil {
		return 0, errors.New("read of a closed entry")
	}
	return p.fr.Read(b)
}

func (p *pooledInflater) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fr != nil {
		runInflaters.Put(p.fr)
		p.fr = nil
	}
	return nil
}

// checkStored is checkEntry for an entry whose stored bytes are in data.
func checkStored(f *zip.File, data []byte, rec FileRecord, inManifest, haveManifest bool) (int64, string) {
	if haveManifest && !inManifest && !strings.HasPrefix(f.Name, ReservedPrefix) {
		return 0, "in the archive but not in its manifest"
	}
	if strings.HasSuffix(f.Name, "/") {
		return 0, ""
	}
	out := data
	if f.Method == zip.Deflate {
		fr := runInflaters.Get().(io.ReadCloser)
		defer runInflaters.Put(fr)
		if err := fr.(flate.Resetter).Reset(bytes.NewReader(data), nil); err != nil {
			return 0, zipReason(err)
		}
		bp := outBufPool.Get().(*[]byte)
		defer outBufPool.Put(bp)
		if want := int(f.UncompressedSize64) + 1; cap(*bp) < want {
			*bp = make([]byte, want)
		}
		// One byte more than declared, to see an entry that expands beyond it.
		n, err := io.ReadFull(fr, (*bp)[:f.UncompressedSize64+1])
		switch {
		case err == nil:
			return int64(n), zipReason(zip.ErrFormat)
		case err != io.ErrUnexpectedEOF && err != io.EOF:
			return int64(n), zipReason(err)
		}
		out = (*bp)[:n]
	}
	n := int64(len(out))
	if uint64(n) != f.UncompressedSize64 {
		return n, zipReason(io.ErrUnexpectedEOF)
	}
	// Like archive/zip: a CRC of 0 means "not recorded".
	if f.CRC32 != 0 && crc32.ChecksumIEEE(out) != f.CRC32 {
		return n, zipReason(zip.ErrChecksum)
	}
	if inManifest {
		if n != rec.Size {
			return n, fmt.Sprintf("holds %d bytes, the manifest says %d", n, rec.Size)
		}
		if sum := sha256.Sum256(out); hex.EncodeToString(sum[:]) != rec.SHA256 {
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
