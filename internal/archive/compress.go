package archive

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/flate"
)

// Entry is one file or folder to archive. Size and ModTime are what the
// selection saw: a file that differs from them when it is read counts as
// changed and is read again.
type Entry struct {
	Name    string // archive name, "/" separated, folders end in "/"
	Path    string // where to read it
	Size    int64  // as seen when selected (for progress)
	ModTime time.Time
	Mode    fs.FileMode
	Dataset string
	Kind    string
	Client  int
}

// Source reads the files to archive. The default is the operating system;
// tests substitute one that changes files while they are read.
type Source interface {
	Open(path string) (io.ReadCloser, error)
	Stat(path string) (fs.FileInfo, error)
}

type osSource struct{}

func (osSource) Open(p string) (io.ReadCloser, error) { return os.OpenFile(p, openFlags, 0) }

// openFlags: on Unix, O_NONBLOCK spares os.OpenFile four fcntl calls per
// file (it would set and clear non-blocking mode around a failed attempt to
// register the file with the poller). It does not change reads of regular
// files; a FIFO no longer blocks the backup.
var openFlags = func() int {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		return os.O_RDONLY
	}
	return os.O_RDONLY | syscall.O_NONBLOCK
}()

func (osSource) Stat(p string) (fs.FileInfo, error) { return os.Stat(p) }

// OSSource reads from the local file systems.
var OSSource Source = osSource{}

// Options tune the writer. The zero value is usable.
type Options struct {
	Level     int    // flate level 1..9; 0 means 6 (the zip default)
	Workers   int    // compressing goroutines; 0 means one per CPU
	MemPerJob int    // bytes of compressed data held in memory per entry before spilling to a temp file; 0 means 4 MiB
	TempDir   string // where spills go; "" means the system's temp folder
	Attempts  int    // reads of a file that keeps changing before it is kept as it is; 0 means 3
	Source    Source
	OnEvent   func(Event) // called from one goroutine, in archive order
	// Password, when set, encrypts every entry and the manifest with WinZip
	// AES-256 (AE-2); see aes.go.
	Password string
	// NoRecords leaves m.Files empty: the file records go only into the
	// archive's manifest, and memory does not grow with the number of
	// files. For callers that read the manifest back anyway (the job's
	// check); Result.Files + Result.Dirs is the number of records.
	NoRecords bool
}

// Event reports progress: one per entry written, and while an entry takes
// long (a large file being read, or written to the destination) a report
// at most every progressEvery with Reading set.
type Event struct {
	Name        string // the entry written; with Reading, the entry the archive is waiting for or writing
	Files       int    // files written so far
	Bytes       int64  // uncompressed bytes written so far; with Reading, bytes read from the files so far (at least those written)
	Reading     bool   // a report between entries: Name is in progress, not done
	Written     int64  // archive bytes written so far
	TotalFiles  int
	TotalBytes  int64 // as the selection saw them; files may grow
	Skipped     bool  // the entry could not be read
	SkipReason  string
	Unsettled   bool // the file kept changing; the last read was kept
	ChangeCount int
}

// Problem is a file that could not be archived, or was archived while it
// kept changing.
type Problem struct {
	Name   string
	Path   string
	Reason string
	Kept   bool // true: archived anyway (it kept changing); false: not in the archive
}

// Result is the outcome of Write.
type Result struct {
	Files    int
	Dirs     int
	Bytes    int64 // uncompressed
	Written  int64 // archive size
	Problems []Problem
}

type done struct {
	entry   Entry
	sp      *spool
	method  uint16
	crc     uint32
	size    int64
	sha     string
	mtime   time.Time
	mode    fs.FileMode
	err     error
	changes int
	settled bool
	aes     *aesSealer // set when the archive is encrypted (aes.go)
	rec     []byte     // the manifest record as JSON, made by the worker
}

// Write archives entries in order, then the manifest m (its Files and
// Finished are filled in here), streaming the ZIP to w. Entries are
// compressed in parallel and written in order.
func Write(ctx context.Context, w io.Writer, entries []Entry, m *Manifest, opt Options) (*Result, error) {
	if opt.Level == 0 {
		opt.Level = 6
	}
	if opt.Workers <= 0 {
		opt.Workers = runtime.NumCPU()
	}
	if opt.MemPerJob <= 0 {
		opt.MemPerJob = 4 << 20
	}
	if opt.Attempts <= 0 {
		opt.Attempts = 3
	}
	if opt.Source == nil {
		opt.Source = OSSource
	}
	var read atomic.Int64 // bytes read from the files by the workers, for the reports between entries
	if opt.OnEvent != nil {
		opt.Source = countingSource{opt.Source, &read}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var totalBytes int64
	totalFiles := 0
	for _, e := range entries {
		if !isDirName(e.Name) {
			totalFiles++
			totalBytes += e.Size
		}
	}
	// Entries go to the workers in batches: consecutive small files
	// together, a large one alone, so that the hand-over between
	// goroutines costs little per file. One result slot per batch; the
	// window semaphore bounds how far the workers may run ahead of the
	// writer (and so the memory in use).
	batches := makeBatches(entries)
	slots := make([]chan []*done, len(batches))
	for i := range slots {
		slots[i] = make(chan []*done, 1)
	}
	window := make(chan struct{}, 2*opt.Workers)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for i := 0; i < opt.Workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for bi := range jobs {
				b := batches[bi]
				ds := make([]*done, 0, b.to-b.from)
				for idx := b.from; idx < b.to; idx++ {
					d := sealDone(compressEntry(ctx, entries[idx], opt), opt)
					if d.err == nil {
						d.rec = recordJSON(d)
					}
					ds = append(ds, d)
				}
				slots[bi] <- ds
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i := range batches {
			select {
			case window <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	defer func() {
		cancel()
		wg.Wait()
		for _, s := range slots { // release spools nobody wrote
			select {
			case ds := <-s:
				for _, d := range ds {
					if d.sp != nil {
						d.sp.release()
					}
				}
			default:
			}
		}
	}()

	// Headers and small entries reach w in large writes: through an
	// io.Pipe every write is a hand-over between goroutines.
	bw := bufio.NewWriterSize(w, 256<<10)
	cw := &countWriter{w: bw}
	res := &Result{}
	// Reports between entries, from this goroutine (OnEvent's contract):
	// while it waits for a worker, and while it writes a large entry.
	var lastReport time.Time
	inProgress := ""
	report := func() {
		if opt.OnEvent == nil || time.Since(lastReport) < progressEvery {
			return
		}
		lastReport = time.Now()
		opt.OnEvent(Event{Name: inProgress, Reading: true, Files: res.Files, Bytes: max(read.Load(), res.Bytes),
			Written: cw.n, TotalFiles: totalFiles, TotalBytes: totalBytes})
	}
	cw.tick = report
	var tick <-chan time.Time
	if opt.OnEvent != nil {
		t := time.NewTicker(progressEvery)
		defer t.Stop()
		tick = t.C
	}
	zw := newZipWriter(cw, opt.TempDir)
	defer zw.release()
	m.Files = m.Files[:0]
	// The manifest records as JSON, in order, go to a spool as the entries
	// are written (memory up to recsMem, then a temp file), not into a
	// slice that grows with the number of files.
	recs := &records{sp: newSpool(recsMem, opt.TempDir)}
	recs.sp.buffered = true
	defer recs.sp.release()
	for bi := range batches {
		var ds []*done
		inProgress = entries[batches[bi].from].Name
	wait:
		for {
			select {
			case ds = <-slots[bi]:
				break wait
			case <-tick:
				report()
			case <-ctx.Done():
				return res, ctx.Err()
			}
		}
		<-window
		for k, d := range ds {
			inProgress = d.entry.Name
			if err := writeOne(ctx, d, res, m, recs, zw, cw, totalFiles, totalBytes, opt); err != nil {
				for _, rest := range ds[k+1:] {
					if rest.sp != nil {
						rest.sp.release()
					}
				}
				return res, err
			}
		}
	}
	m.Finished = time.Now()
	if m.Format == 0 {
		m.Format = FormatVersion
	}
	mb, err := manifestJSON(m, recs)
	if err != nil {
		return res, err
	}
	fh := fileHeader(ManifestName, m.Finished, 0o644)
	fh.Method = zip.Deflate
	if opt.Password != "" { // encrypted like the files (aes.go)
		if err := writeSealedBytes(zw, fh, mb, opt); err != nil {
			return res, err
		}
	} else if err := writeBytes(ctx, zw, fh, mb, opt); err != nil {
		return res, err
	}
	if err := zw.Close(); err != nil {
		return res, err
	}
	if err := bw.Flush(); err != nil {
		return res, err
	}
	res.Written = cw.n
	return res, nil
}

// batch is a run of entries one worker archives: entries[from:to].
type batch struct{ from, to int }

// Batches hold consecutive small files up to these limits; a file of
// batchFileMax bytes or more goes alone.
const (
	batchFiles   = 64
	batchBytes   = 1 << 20
	batchFileMax = 64 << 10
)

func makeBatches(entries []Entry) []batch {
	var out []batch
	var cur batch
	var bytes int64
	flush := func(at int) {
		if cur.to > cur.from {
			out = append(out, cur)
		}
		cur, bytes = batch{at, at}, 0
	}
	for i, e := range entries {
		if e.Size >= batchFileMax {
			flush(i)
			cur.to = i + 1
			flush(i + 1)
			continue
		}
		cur.to = i + 1
		bytes += e.Size
		if cur.to-cur.from >= batchFiles || bytes >= batchBytes {
			flush(i + 1)
		}
	}
	flush(len(entries))
	return out
}

// record is the manifest record of a finished entry.
func (d *done) record() FileRecord {
	return FileRecord{Name: d.entry.Name, Size: d.size, SHA256: d.sha, ModTime: d.mtime, Mode: uint32(d.mode),
		Dataset: d.entry.Dataset, Kind: d.entry.Kind, Client: d.entry.Client}
}

// recordJSON encodes the record on the worker, in parallel; nil when it
// cannot be encoded (manifestJSON then reports why).
func recordJSON(d *done) []byte {
	r := d.record()
	if b, ok := appendRecord(make([]byte, 0, 96+len(r.Name)+len(r.SHA256)), r); ok {
		return b
	}
	b, err := json.Marshal(r)
	if err != nil {
		return nil
	}
	return b
}

// appendRecord appends r as encoding/json would write it, byte for byte,
// when its strings need no escaping; ok is false otherwise (the caller
// then uses encoding/json). Reflection costs more than reading a small
// file.
func appendRecord(b []byte, r FileRecord) (_ []byte, ok bool) {
	if !recordFieldsKnown || !plainJSON(r.Name) || !plainJSON(r.SHA256) || !plainJSON(r.Dataset) || !plainJSON(r.Kind) {
		return b, false
	}
	mt, err := r.ModTime.MarshalJSON()
	if err != nil {
		return b, false
	}
	b = append(b, `{"name":"`...)
	b = append(b, r.Name...)
	b = append(b, `","size":`...)
	b = strconv.AppendInt(b, r.Size, 10)
	if r.SHA256 != "" {
		b = append(b, `,"sha256":"`...)
		b = append(b, r.SHA256...)
		b = append(b, '"')
	}
	b = append(b, `,"mtime":`...)
	b = append(b, mt...)
	b = append(b, `,"mode":`...)
	b = strconv.AppendUint(b, uint64(r.Mode), 10)
	if r.Dataset != "" {
		b = append(b, `,"dataset":"`...)
		b = append(b, r.Dataset...)
		b = append(b, '"')
	}
	if r.Kind != "" {
		b = append(b, `,"kind":"`...)
		b = append(b, r.Kind...)
		b = append(b, '"')
	}
	if r.Client != 0 {
		b = append(b, `,"client":`...)
		b = strconv.AppendInt(b, int64(r.Client), 10)
	}
	return append(b, '}'), true
}

// recordFieldsKnown: FileRecord has the fields appendRecord writes; a
// field added later sends every record through encoding/json until
// appendRecord learns it.
var recordFieldsKnown = reflect.TypeOf(FileRecord{}).NumField() == 8

// plainJSON: printable ASCII that encoding/json writes as it is (it
// escapes quotes, backslashes and, for HTML, < > &).
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// manifestJSON is m as indented JSON, but with one file record per line:
// the records were encoded by the workers, and a manifest of 100,000 files
// stays readable without costing a second of indenting.
func manifestJSON(m *Manifest, recs *records) ([]byte, error) {
	if recs.err != nil {
		return nil, recs.err
	}
	files := m.Files
	m.Files = nil
	head, err := json.MarshalIndent(m, "", " ")
	m.Files = files
	if err != nil {
		return nil, err
	}
	// The key cannot occur inside a JSON string (its quotes would be
	// escaped there), so the first match is the top-level field.
	const key = `"files": null`
	at := bytes.Index(head, []byte(key))
	if at < 0 {
		return nil, errors.New("manifest: no files field")
	}
	out := bytes.NewBuffer(make([]byte, 0, len(head)+8+int(recs.sp.n)))
	out.Write(head[:at])
	out.WriteString(`"files": [`)
	if _, err := recs.sp.WriteTo(out); err != nil {
		return nil, err
	}
	if recs.n > 0 {
		out.WriteString("\n ")
	}
	out.WriteByte(']')
	out.Write(head[at+len(key):])
	return out.Bytes(), nil
}

// recsMem is how much of the manifest records is held in memory before
// they spill to a temporary file.
const recsMem = 256 << 10

// records collects the manifest's file records as JSON, each on its own
// line as manifestJSON lays them out.
type records struct {
	sp  *spool
	n   int
	err error // the first record that could not be encoded
}

func (r *records) add(rec []byte, d *done) error {
	if r.err != nil {
		return nil
	}
	if rec == nil { // could not be encoded: say why
		fr := d.record()
		if _, err := json.Marshal(fr); err != nil {
			r.err = fmt.Errorf("manifest record of %s: %v", fr.Name, err)
		} else {
			r.err = fmt.Errorf("manifest record of %s could not be encoded", fr.Name)
		}
		return nil
	}
	sep := ",\n  "
	if r.n == 0 {
		sep = "\n  "
	}
	r.n++
	if _, err := io.WriteString(r.sp, sep); err != nil {
		return err
	}
	_, err := r.sp.Write(rec)
	return err
}

// writeBytes writes data as one deflated entry (the manifest), compressed
// on all workers as pigz does, at a low level; stored when it does not
// shrink.
func writeBytes(ctx context.Context, zw *zipWriter, fh *zip.FileHeader, data []byte, opt Options) error {
	sp := newSpool(opt.MemPerJob, opt.TempDir)
	defer sp.release()
	c := crc32.NewIEEE()
	first := data[:min(len(data), blockSize)]
	// Level 2: on a manifest (names, times, hex SHA-256) it is both smaller
	// and about 2.5 times faster than 6 (measured on 20,000 records).
	level := min(opt.Level, 2)
	if _, err := deflateParallel(ctx, first, bytes.NewReader(data[len(first):]), sp, []hash.Hash{c}, level, opt.Workers); err != nil {
		return err
	}
	fh.Method = zip.Deflate
	if sp.n >= int64(len(data)) {
		sp.reset()
		sp.Write(data)
		fh.Method = zip.Store
	}
	fh.CRC32 = c.Sum32()
	fh.UncompressedSize64 = uint64(len(data))
	fh.CompressedSize64 = uint64(sp.n)
	if fh.UncompressedSize64 >= 0xffffffff || fh.CompressedSize64 >= 0xffffffff {
		fh.Flags |= 0x8
		fh.ReaderVersion = max(fh.ReaderVersion, 45)
	}
	fw, err := zw.CreateRaw(fh)
	if err != nil {
		return err
	}
	_, err = sp.WriteTo(fw)
	return err
}

// writeOne writes one finished entry (or records why it is missing) and
// reports it.
func writeOne(ctx context.Context, d *done, res *Result, m *Manifest, recs *records, zw *zipWriter, cw *countWriter, totalFiles int, totalBytes int64, opt Options) error {
	ev := Event{Name: d.entry.Name, TotalFiles: totalFiles, TotalBytes: totalBytes}
	if d.err != nil {
		if errors.Is(d.err, context.Canceled) {
			return ctx.Err()
		}
		var te *TempError
		if errors.As(d.err, &te) {
			return te
		}
		res.Problems = append(res.Problems, Problem{Name: d.entry.Name, Path: d.entry.Path, Reason: d.err.Error()})
		ev.Skipped, ev.SkipReason = true, d.err.Error()
	} else {
		if err := writeDone(zw, d); err != nil {
			if d.sp != nil {
				d.sp.release()
			}
			return err
		}
		if d.sp != nil {
			d.sp.release()
		}
		if isDirName(d.entry.Name) {
			res.Dirs++
		} else {
			res.Files++
			res.Bytes += d.size
		}
		if !d.settled {
			res.Problems = append(res.Problems, Problem{Name: d.entry.Name, Path: d.entry.Path, Kept: true,
				Reason: fmt.Sprintf("changed during each of %d reads; the last read (%d bytes, modified %s) was kept", d.changes, d.size, d.mtime.Format("2006-01-02 15:04:05"))})
			ev.Unsettled, ev.ChangeCount = true, d.changes
		}
		if !opt.NoRecords {
			m.Files = append(m.Files, d.record())
		}
		if err := recs.add(d.rec, d); err != nil {
			return err
		}
	}
	ev.Files, ev.Bytes, ev.Written = res.Files, res.Bytes, cw.n
	if opt.OnEvent != nil {
		opt.OnEvent(ev)
	}
	return nil
}

func writeDone(zw *zipWriter, d *done) error {
	fh := fileHeader(d.entry.Name, d.mtime, d.mode)
	if isDirName(d.entry.Name) {
		_, err := zw.CreateRaw(fh)
		return err
	}
	fh.Method = d.method
	fh.CRC32 = d.crc
	fh.UncompressedSize64 = uint64(d.size)
	fh.CompressedSize64 = uint64(d.sp.n)
	if d.aes != nil {
		d.aes.seal(fh) // method 99, AE-2 extra field, CRC 0 (aes.go)
	}
	if fh.UncompressedSize64 >= 0xffffffff || fh.CompressedSize64 >= 0xffffffff {
		// Zip64: sizes go in a 64-bit data descriptor after the data.
		fh.Flags |= 0x8
		fh.ReaderVersion = max(fh.ReaderVersion, 45)
	}
	fw, err := zw.CreateRaw(fh)
	if err != nil {
		return err
	}
	if d.aes != nil {
		return d.aes.writeFrom(fw, d.sp)
	}
	_, err = d.sp.WriteTo(fw)
	return err
}

// fileHeader builds a header that every common ZIP tool reads: UTF-8 flag
// for non-ASCII names, MS-DOS time clamped to what it can hold, and the
// Info-ZIP extended timestamp (UTC seconds) where it fits in 32 bits.
func fileHeader(name string, mtime time.Time, mode fs.FileMode) *zip.FileHeader {
	fh := &zip.FileHeader{Name: name}
	fh.SetMode(mode)
	fh.CreatorVersion = fh.CreatorVersion&0xff00 | 20
	fh.ReaderVersion = 20
	if !isASCII(name) && utf8.ValidString(name) {
		fh.Flags |= 0x800
	}
	fh.ModifiedDate, fh.ModifiedTime = dosTime(mtime)
	if u := mtime.Unix(); u >= 0 && u < 1<<31 {
		var ext [9]byte
		binary.LittleEndian.PutUint16(ext[0:], 0x5455)
		binary.LittleEndian.PutUint16(ext[2:], 5)
		ext[4] = 1 // modification time present
		binary.LittleEndian.PutUint32(ext[5:], uint32(u))
		fh.Extra = ext[:]
	}
	return fh
}

var (
	dosMin = time.Date(1980, 1, 1, 0, 0, 0, 0, time.Local)
	dosMax = time.Date(2107, 12, 31, 23, 59, 58, 0, time.Local)
)

// dosTime converts to MS-DOS date and time in local time, clamped to
// 1980..2107 (the exact time is in the manifest).
func dosTime(t time.Time) (date, tm uint16) {
	t = t.In(time.Local)
	if t.Before(dosMin) {
		t = dosMin
	} else if t.After(dosMax) {
		t = dosMax
	}
	date = uint16(t.Day() + int(t.Month())<<5 + (t.Year()-1980)<<9)
	tm = uint16(t.Second()/2 + t.Minute()<<5 + t.Hour()<<11)
	return date, tm
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func isDirName(n string) bool { return len(n) > 0 && n[len(n)-1] == '/' }

var flatePools [10]sync.Pool

func getFlate(level int, w io.Writer) *flate.Writer {
	if fw, ok := flatePools[level].Get().(*flate.Writer); ok {
		fw.Reset(w)
		return fw
	}
	fw, _ := flate.NewWriter(w, level)
	return fw
}

func putFlate(level int, fw *flate.Writer) { flatePools[level].Put(fw) }

var readBufPool = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// compressEntry reads one file into a spool, reading again when the file
// changed while it was read.
func compressEntry(ctx context.Context, e Entry, opt Options) *done {
	d := &done{entry: e, mtime: e.ModTime, mode: e.Mode, settled: true}
	if isDirName(e.Name) {
		return d
	}
	if err := ctx.Err(); err != nil {
		d.err = err
		return d
	}
	sp := newSpool(opt.MemPerJob, opt.TempDir)
	var lastErr error
	for attempt := 1; attempt <= opt.Attempts; attempt++ {
		if attempt > 1 {
			sp.reset()
			select {
			case <-time.After(time.Duration(attempt-1) * 100 * time.Millisecond):
			case <-ctx.Done():
				sp.release()
				d.err = ctx.Err()
				return d
			}
		}
		// The first read compares with what the selection saw; a later one
		// with a fresh look at the file.
		var before fileState
		if attempt == 1 && !e.ModTime.IsZero() {
			before = fileState{e.Size, e.ModTime, e.Mode}
		} else {
			st, err := opt.Source.Stat(e.Path)
			if err != nil {
				lastErr = err
				continue
			}
			before = fileState{st.Size(), st.ModTime(), st.Mode()}
		}
		method, crc, size, sha, after, err := compressOnce(ctx, e.Path, sp, opt)
		if err != nil {
			if ctx.Err() != nil {
				sp.release()
				d.err = ctx.Err()
				return d
			}
			lastErr = err
			if te := (*TempError)(nil); errors.As(err, &te) {
				break // reading again cannot help: the temp folder is full
			}
			continue
		}
		lastErr = nil
		if after == nil {
			after, err = opt.Source.Stat(e.Path)
		}
		d.method, d.crc, d.size, d.sha, d.mtime, d.mode = method, crc, size, sha, before.mtime, before.mode
		if err == nil && after.Size() == before.size && after.ModTime().Equal(before.mtime) && size == after.Size() {
			d.settled = true
			d.sp = sp
			return d
		}
		d.changes++
		d.settled = false
		if err == nil {
			d.mtime = after.ModTime()
		}
	}
	if lastErr != nil {
		sp.release()
		if te := (*TempError)(nil); errors.As(lastErr, &te) {
			d.err = te // the temp folder, not the file: fails the whole run
			return d
		}
		d.err = fmt.Errorf("%s", readReason(lastErr))
		return d
	}
	d.sp = sp // kept as last read, reported as unsettled
	return d
}

func readReason(err error) string {
	var own interface{ ReadReason() string } // a Source's error that says it all (snapshot.HeldOpenError)
	if errors.As(err, &own) {
		return own.ReadReason()
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return "cannot be read: " + pe.Err.Error()
	}
	return "cannot be read: " + err.Error()
}

// tinyFile: files smaller than this are stored without a deflate attempt.
// Deflate can only make them Huffman-coded, which saves a few bytes at most
// (Info-ZIP stores nearly all of them too) and costs more CPU than reading
// the file.
const tinyFile = 128

// statter is an open file that can say what it is (an *os.File: fstat).
type statter interface{ Stat() (fs.FileInfo, error) }

// compressOnce reads path once, deflating it into sp. Small files that do
// not get smaller are stored instead. after is the file's state once read,
// taken from the open handle (fstat, no second path lookup) when the
// Source's files can tell; nil otherwise.
func compressOnce(ctx context.Context, path string, sp *spool, opt Options) (method uint16, crc uint32, size int64, sum string, after fs.FileInfo, err error) {
	f, err := opt.Source.Open(path)
	if err != nil {
		return 0, 0, 0, "", nil, err
	}
	defer f.Close()
	sf, _ := f.(statter)
	bp := readBufPool.Get().(*[]byte)
	defer readBufPool.Put(bp)
	buf := *bp
	// Read the first block: if the whole file fits, decide deflate or store
	// on it; otherwise stream-deflate the rest. A small file usually comes
	// in one read: when the open file's size is what was read, that read
	// was all of it.
	n, err := f.Read(buf)
	if err != nil && err != io.EOF {
		return 0, 0, 0, "", nil, err
	}
	if err == nil && n < len(buf) {
		if sf != nil {
			if st, serr := sf.Stat(); serr == nil && st.Mode().IsRegular() && st.Size() == int64(n) {
				after = st
			}
		}
		if after == nil {
			m, rerr := io.ReadFull(f, buf[n:])
			n += m
			if rerr != nil && rerr != io.ErrUnexpectedEOF && rerr != io.EOF {
				return 0, 0, 0, "", nil, rerr
			}
		}
	}
	first := buf[:n]
	err = nil
	if n < len(buf) {
		crc = crc32.ChecksumIEEE(first)
		shaSum := sha256.Sum256(first)
		deflated := false
		if n >= tinyFile {
			fw := getFlate(opt.Level, sp)
			fw.Write(first)
			err = fw.Close()
			putFlate(opt.Level, fw)
			deflated = err == nil && sp.n < int64(n)
		}
		method = zip.Deflate
		if err == nil && !deflated {
			sp.reset()
			_, err = sp.Write(first)
			method = zip.Store
		}
		if err != nil {
			return 0, 0, 0, "", nil, err
		}
		if after == nil && sf != nil {
			after, _ = sf.Stat()
		}
		return method, crc, int64(n), hex.EncodeToString(shaSum[:]), after, nil
	}
	h := sha256.New()
	c := crc32.NewIEEE() // hash.Hash32
	h.Write(first)
	c.Write(first)
	method, size, err = compressRest(ctx, f, buf, sp, h, c, opt)
	if err != nil {
		return 0, 0, 0, "", nil, err
	}
	if sf != nil {
		after, _ = sf.Stat()
	}
	return method, c.Sum32(), size, hex.EncodeToString(h.Sum(nil)), after, nil
}

// compressRest compresses a file larger than buf, whose first len(buf)
// bytes are in buf and already hashed, into sp.
func compressRest(ctx context.Context, f io.Reader, buf []byte, sp *spool, h hash.Hash, c hash.Hash32, opt Options) (method uint16, size int64, err error) {
	first := buf
	n := len(buf)
	// A cheap trial on the first block: data that does not shrink (packed
	// images, archives, encrypted files) is stored, not deflated.
	var trial bytes.Buffer
	tw := getFlate(opt.Level, &trial)
	tw.Write(first)
	tw.Close()
	putFlate(opt.Level, tw)
	if trial.Len() >= n*98/100 {
		if _, err := sp.Write(first); err != nil {
			return 0, 0, err
		}
		rest, err := io.Copy(sp, io.TeeReader(ctxReader{ctx, f}, io.MultiWriter(h, c)))
		if err != nil {
			return 0, 0, err
		}
		return zip.Store, int64(n) + rest, nil
	}
	if opt.Workers > 1 {
		// The first block is hashed by deflateParallel along with the rest.
		h.Reset()
		c.Reset()
		size, err := deflateParallel(ctx, first, f, sp, []hash.Hash{h, c}, opt.Level, opt.Workers)
		if err != nil {
			return 0, 0, err
		}
		return zip.Deflate, size, nil
	}
	fw := getFlate(opt.Level, sp)
	defer putFlate(opt.Level, fw)
	size = int64(n)
	if _, err := fw.Write(first); err != nil {
		return 0, 0, err
	}
	for {
		if err := ctx.Err(); err != nil {
			return 0, 0, err
		}
		n, rerr := f.Read(buf)
		if n > 0 {
			h.Write(buf[:n])
			c.Write(buf[:n])
			size += int64(n)
			if _, err := fw.Write(buf[:n]); err != nil {
				return 0, 0, err
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return 0, 0, rerr
		}
	}
	if err := fw.Close(); err != nil {
		return 0, 0, err
	}
	return zip.Deflate, size, nil
}

type countWriter struct {
	w    io.Writer
	n    int64
	tick func() // a report between entries, when one is due (nil: none)
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	if c.tick != nil {
		c.tick()
	}
	return n, err
}

// progressEvery is how often a large entry is reported while it is read
// or written: a few events per second, whatever the size.
const progressEvery = 250 * time.Millisecond

// countingSource counts the bytes read from the files (for the reports
// between entries). Its files keep the Stat of the files they wrap, so the
// checks for changed files still need no second look-up.
type countingSource struct {
	Source
	read *atomic.Int64
}

func (s countingSource) Open(p string) (io.ReadCloser, error) {
	f, err := s.Source.Open(p)
	if err != nil {
		return nil, err
	}
	return countingFile{f, s.read}, nil
}

type countingFile struct {
	io.ReadCloser
	read *atomic.Int64
}

func (f countingFile) Read(p []byte) (int, error) {
	n, err := f.ReadCloser.Read(p)
	f.read.Add(int64(n))
	return n, err
}

var errNoStat = errors.New("no stat")

func (f countingFile) Stat() (fs.FileInfo, error) {
	if s, ok := f.ReadCloser.(statter); ok {
		return s.Stat()
	}
	return nil, errNoStat
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

type fileState struct {
	size  int64
	mtime time.Time
	mode  fs.FileMode
}
