package archive

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// The pipeline of Write: workers compress batches of entries in parallel
// (compress.go), at most a window ahead; one goroutine, Write's own, takes
// the results in archive order and writes them (headers.go, zipw.go), then
// the manifest (manifestw.go).

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
	keys     *Keys // the keys this Write derives, for Result.Keys (aes_keys.go)
	// NoRecords leaves m.Files empty: the file records go only into the
	// archive's manifest, and memory does not grow with the number of
	// files. For callers that read the manifest back anyway (the job's
	// check); Result.Files + Result.Dirs is the number of records.
	NoRecords bool
}

// withDefaults fills in what the zero value of each option means.
func (opt Options) withDefaults() Options {
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
	opt.keys = newKeys(opt.Password)
	return opt
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
	// Keys: the keys of an encrypted archive, for the check that reads it
	// back (NewReaderKeys); nil when not encrypted. Drop them with the run.
	Keys *Keys
}

// Write archives entries in order, then the manifest m (its Files and
// Finished are filled in here), streaming the ZIP to w. Entries are
// compressed in parallel and written in order.
func Write(ctx context.Context, w io.Writer, entries []Entry, m *Manifest, opt Options) (*Result, error) {
	opt = opt.withDefaults()
	var read atomic.Int64 // bytes read from the files by the workers, for the reports between entries
	if opt.OnEvent != nil {
		opt.Source = countingSource{opt.Source, &read}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p := startPipeline(ctx, entries, opt)
	defer p.stop(cancel)
	aw := newArchiveWriter(w, entries, m, &read, opt)
	defer aw.release()
	if err := aw.writeEntries(ctx, p); err != nil {
		return aw.res, err
	}
	if err := writeManifest(ctx, aw.zw, m, aw.recs, opt); err != nil {
		return aw.res, err
	}
	return aw.close()
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

// pipeline hands entries to the workers in batches: consecutive small
// files together, a large one alone, so that the hand-over between
// goroutines costs little per file. One result slot per batch; the window
// semaphore bounds how far the workers may run ahead of the writer (and
// so the memory in use).
type pipeline struct {
	entries []Entry
	batches []batch
	slots   []chan []*compressed
	window  chan struct{}
	jobs    chan int
	wg      sync.WaitGroup
	opt     Options
}

// startPipeline starts the workers and the goroutine that feeds them.
func startPipeline(ctx context.Context, entries []Entry, opt Options) *pipeline {
	p := &pipeline{entries: entries, batches: makeBatches(entries), window: make(chan struct{}, 2*opt.Workers),
		jobs: make(chan int), opt: opt}
	p.slots = make([]chan []*compressed, len(p.batches))
	for i := range p.slots {
		p.slots[i] = make(chan []*compressed, 1)
	}
	for i := 0; i < opt.Workers; i++ {
		p.wg.Add(1)
		go p.work(ctx)
	}
	go p.feed(ctx)
	return p
}

// work is one worker: it compresses each batch it is handed, with the
// entries' manifest records, into the batch's slot.
func (p *pipeline) work(ctx context.Context) {
	defer p.wg.Done()
	for bi := range p.jobs {
		b := p.batches[bi]
		ds := make([]*compressed, 0, b.to-b.from)
		for idx := b.from; idx < b.to; idx++ {
			d := sealDone(compressEntry(ctx, p.entries[idx], p.opt), p.opt)
			if d.err == nil {
				d.encodeRecord()
			}
			ds = append(ds, d)
		}
		p.slots[bi] <- ds
	}
}

// feed hands out the batches in order, each when the window has room.
func (p *pipeline) feed(ctx context.Context) {
	defer close(p.jobs)
	for i := range p.batches {
		select {
		case p.window <- struct{}{}:
		case <-ctx.Done():
			return
		}
		select {
		case p.jobs <- i:
		case <-ctx.Done():
			return
		}
	}
}

// next waits for batch bi, reporting progress on each tick, and frees its
// place in the window.
func (p *pipeline) next(ctx context.Context, bi int, pr *progress) ([]*compressed, error) {
	for {
		select {
		case ds := <-p.slots[bi]:
			<-p.window
			return ds, nil
		case <-pr.tick:
			pr.report()
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// stop ends the workers and releases the spools of batches nobody wrote.
func (p *pipeline) stop(cancel context.CancelFunc) {
	cancel()
	p.wg.Wait()
	for _, s := range p.slots {
		select {
		case ds := <-s:
			releaseAll(ds)
		default:
		}
	}
}

func releaseAll(ds []*compressed) {
	for _, d := range ds {
		d.release()
	}
}

// archiveWriter writes the compressed entries in archive order, and
// collects their manifest records and the Result.
type archiveWriter struct {
	bw       *bufio.Writer
	cw       *countWriter
	zw       *zipWriter
	recs     *records
	m        *Manifest
	res      *Result
	progress *progress
	opt      Options
}

func newArchiveWriter(w io.Writer, entries []Entry, m *Manifest, read *atomic.Int64, opt Options) *archiveWriter {
	// Headers and small entries reach w in large writes: through an
	// io.Pipe every write is a hand-over between goroutines.
	bw := bufio.NewWriterSize(w, 256<<10)
	aw := &archiveWriter{bw: bw, cw: &countWriter{w: bw}, m: m, res: &Result{Keys: opt.keys}, opt: opt}
	aw.progress = newProgress(entries, aw.res, aw.cw, read, opt.OnEvent)
	aw.zw = newZipWriter(aw.cw, opt.TempDir)
	m.Files = m.Files[:0]
	aw.recs = newRecords(opt.TempDir)
	return aw
}

func (aw *archiveWriter) release() {
	aw.progress.stop()
	aw.zw.release()
	aw.recs.release()
}

// writeEntries writes every batch in order as the workers finish it.
func (aw *archiveWriter) writeEntries(ctx context.Context, p *pipeline) error {
	for bi, b := range p.batches {
		aw.progress.inProgress = p.entries[b.from].Name
		ds, err := p.next(ctx, bi, aw.progress)
		if err != nil {
			return err
		}
		for k, d := range ds {
			aw.progress.inProgress = d.entry.Name
			if err := aw.writeOne(ctx, d); err != nil {
				releaseAll(ds[k+1:])
				return err
			}
		}
	}
	return nil
}

// writeOne writes one finished entry (or records why it is missing) and
// reports it.
func (aw *archiveWriter) writeOne(ctx context.Context, d *compressed) error {
	res := aw.res
	ev := Event{Name: d.entry.Name}
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
		aw.progress.written(ev)
		return nil
	}
	err := writeCompressed(aw.zw, d)
	d.release()
	if err != nil {
		return err
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
	if !aw.opt.NoRecords {
		aw.m.Files = append(aw.m.Files, d.record())
	}
	if err := aw.recs.add(d); err != nil {
		return err
	}
	aw.progress.written(ev)
	return nil
}

// close ends the ZIP (central directory) and flushes it to w.
func (aw *archiveWriter) close() (*Result, error) {
	if err := aw.zw.Close(); err != nil {
		return aw.res, err
	}
	if err := aw.bw.Flush(); err != nil {
		return aw.res, err
	}
	aw.res.Written = aw.cw.n
	return aw.res, nil
}

// progress makes the events of Write, all from Write's goroutine
// (OnEvent's contract): one per entry written, and reports between
// entries while Write waits for a worker or writes a large entry.
type progress struct {
	onEvent    func(Event)
	res        *Result
	cw         *countWriter
	read       *atomic.Int64
	totalFiles int
	totalBytes int64
	inProgress string // the entry being waited for or written
	lastReport time.Time
	ticker     *time.Ticker
	tick       <-chan time.Time // nil without OnEvent: never ready
}

func newProgress(entries []Entry, res *Result, cw *countWriter, read *atomic.Int64, onEvent func(Event)) *progress {
	pr := &progress{onEvent: onEvent, res: res, cw: cw, read: read}
	for _, e := range entries {
		if !isDirName(e.Name) {
			pr.totalFiles++
			pr.totalBytes += e.Size
		}
	}
	cw.tick = pr.report
	if onEvent != nil {
		pr.ticker = time.NewTicker(progressEvery)
		pr.tick = pr.ticker.C
	}
	return pr
}

func (pr *progress) stop() {
	if pr.ticker != nil {
		pr.ticker.Stop()
	}
}

// report is a report between entries, when one is due.
func (pr *progress) report() {
	if pr.onEvent == nil || time.Since(pr.lastReport) < progressEvery {
		return
	}
	pr.lastReport = time.Now()
	pr.onEvent(Event{Name: pr.inProgress, Reading: true, Files: pr.res.Files, Bytes: max(pr.read.Load(), pr.res.Bytes),
		Written: pr.cw.n, TotalFiles: pr.totalFiles, TotalBytes: pr.totalBytes})
}

// written reports an entry written (or skipped), with the totals so far.
func (pr *progress) written(ev Event) {
	if pr.onEvent == nil {
		return
	}
	ev.TotalFiles, ev.TotalBytes = pr.totalFiles, pr.totalBytes
	ev.Files, ev.Bytes, ev.Written = pr.res.Files, pr.res.Bytes, pr.cw.n
	pr.onEvent(ev)
}

// progressEvery is how often a large entry is reported while it is read
// or written: a few events per second, whatever the size.
const progressEvery = 250 * time.Millisecond

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
