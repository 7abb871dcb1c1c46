package archive

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"sync"
	"time"

	"github.com/klauspost/compress/flate"
	"github.com/posbackup/posbackup/internal/ioctx"
)

// compressed is one entry as a worker made it ready for the writer: its
// data compressed into a spool with CRC-32, size and SHA-256, the state
// of the file it was read in, and its manifest record; or the reason it
// could not be read.
type compressed struct {
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
	recErr  error      // why rec could not be made
}

// release frees the entry's spool (its temp file), if it has one.
func (c *compressed) release() {
	if c.sp != nil {
		c.sp.release()
		c.sp = nil
	}
}

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
func compressEntry(ctx context.Context, e Entry, opt Options) *compressed {
	d := &compressed{entry: e, mtime: e.ModTime, mode: e.Mode, settled: true}
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
			if err := pause(ctx, time.Duration(attempt-1)*100*time.Millisecond); err != nil {
				sp.release()
				d.err = err
				return d
			}
		}
		before, err := stateBefore(e, attempt, opt.Source)
		if err != nil {
			lastErr = err
			continue
		}
		got, err := compressOnce(ctx, e.Path, sp, opt)
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
		if d.keep(got, before, opt.Source) {
			d.sp = sp
			return d
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

// pause waits d, or until ctx ends.
func pause(ctx context.Context, d time.Duration) error {
	select {
	case <-time.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// stateBefore is what a read of e is compared with: the first read with
// what the selection saw, a later one with a fresh look at the file.
func stateBefore(e Entry, attempt int, src Source) (fileState, error) {
	if attempt == 1 && !e.ModTime.IsZero() {
		return fileState{e.Size, e.ModTime, e.Mode}, nil
	}
	st, err := src.Stat(e.Path)
	if err != nil {
		return fileState{}, err
	}
	return fileState{st.Size(), st.ModTime(), st.Mode()}, nil
}

// keep takes the result of one read into d, and reports whether the file
// stayed as it was before the read (settled); otherwise d counts a change.
func (d *compressed) keep(got onceResult, before fileState, src Source) bool {
	after, err := got.after, error(nil)
	if after == nil {
		after, err = src.Stat(d.entry.Path)
	}
	d.method, d.crc, d.size, d.sha, d.mtime, d.mode = got.method, got.crc, got.size, got.sha, before.mtime, before.mode
	if err == nil && after.Size() == before.size && after.ModTime().Equal(before.mtime) && got.size == after.Size() {
		d.settled = true
		return true
	}
	d.changes++
	d.settled = false
	if err == nil {
		d.mtime = after.ModTime()
	}
	return false
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

// onceResult is what one read of a file gave: how its data went into the
// spool, its CRC-32, size and SHA-256 (hex), and after, the file's state
// once read, taken from the open handle (fstat, no second path lookup)
// when the Source's files can tell; nil otherwise.
type onceResult struct {
	method uint16
	crc    uint32
	size   int64
	sha    string
	after  fs.FileInfo
}

// compressOnce reads path once, deflating it into sp. Small files that do
// not get smaller are stored instead.
func compressOnce(ctx context.Context, path string, sp *spool, opt Options) (onceResult, error) {
	f, err := opt.Source.Open(path)
	if err != nil {
		return onceResult{}, err
	}
	defer f.Close()
	sf, _ := f.(statter)
	bp := readBufPool.Get().(*[]byte)
	defer readBufPool.Put(bp)
	buf := *bp
	// Read the first block: if the whole file fits, decide deflate or store
	// on it; otherwise stream-deflate the rest.
	n, after, err := readFirst(f, sf, buf)
	if err != nil {
		return onceResult{}, err
	}
	if n < len(buf) {
		return compressSmall(buf[:n], sp, sf, after, opt.Level)
	}
	h := sha256.New()
	c := crc32.NewIEEE() // hash.Hash32
	h.Write(buf)
	c.Write(buf)
	method, size, err := compressRest(ctx, f, buf, sp, h, c, opt)
	if err != nil {
		return onceResult{}, err
	}
	if sf != nil {
		after, _ = sf.Stat()
	}
	return onceResult{method, c.Sum32(), size, hex.EncodeToString(h.Sum(nil)), after}, nil
}

// readFirst fills buf from f as far as the file goes. A small file usually
// comes in one read: when the open file's size is what was read, that read
// was all of it, and after is the file's state (otherwise nil).
func readFirst(f io.Reader, sf statter, buf []byte) (n int, after fs.FileInfo, err error) {
	n, err = f.Read(buf)
	if err != nil && err != io.EOF {
		return 0, nil, err
	}
	if err == nil && n < len(buf) {
		if sf != nil {
			if st, serr := sf.Stat(); serr == nil && st.Mode().IsRegular() && st.Size() == int64(n) {
				return n, st, nil
			}
		}
		m, rerr := io.ReadFull(f, buf[n:])
		n += m
		if rerr != nil && rerr != io.ErrUnexpectedEOF && rerr != io.EOF {
			return 0, nil, rerr
		}
	}
	return n, nil, nil
}

// compressSmall puts a file read whole into sp: deflated, or stored when
// it is tiny or does not get smaller.
func compressSmall(data []byte, sp *spool, sf statter, after fs.FileInfo, level int) (onceResult, error) {
	res := onceResult{method: zip.Deflate, crc: crc32.ChecksumIEEE(data), size: int64(len(data))}
	shaSum := sha256.Sum256(data)
	res.sha = hex.EncodeToString(shaSum[:])
	var err error
	deflated := false
	if len(data) >= tinyFile {
		fw := getFlate(level, sp)
		fw.Write(data)
		err = fw.Close()
		putFlate(level, fw)
		deflated = err == nil && sp.n < int64(len(data))
	}
	if err == nil && !deflated {
		sp.reset()
		_, err = sp.Write(data)
		res.method = zip.Store
	}
	if err != nil {
		return onceResult{}, err
	}
	if after == nil && sf != nil {
		after, _ = sf.Stat()
	}
	res.after = after
	return res, nil
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
		rest, err := io.Copy(sp, io.TeeReader(ioctx.Reader(ctx, f), io.MultiWriter(h, c)))
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
	size, err = deflateSerial(ctx, f, buf, sp, h, c, opt.Level)
	return zip.Deflate, size, err
}

// deflateSerial deflates buf, then the rest of f through buf, into sp on
// this goroutine, hashing what it reads after buf.
func deflateSerial(ctx context.Context, f io.Reader, buf []byte, sp *spool, h hash.Hash, c hash.Hash32, level int) (int64, error) {
	fw := getFlate(level, sp)
	defer putFlate(level, fw)
	size := int64(len(buf))
	if _, err := fw.Write(buf); err != nil {
		return 0, err
	}
	for {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		n, rerr := f.Read(buf)
		if n > 0 {
			h.Write(buf[:n])
			c.Write(buf[:n])
			size += int64(n)
			if _, err := fw.Write(buf[:n]); err != nil {
				return 0, err
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return 0, rerr
		}
	}
	if err := fw.Close(); err != nil {
		return 0, err
	}
	return size, nil
}
