package job

import (
	"archive/zip"
	"context"
	"errors"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/posbackup/posbackup/internal/archive"
)

// restoreWorkers: the number of files extracted at once.
func restoreWorkers() int { return 4 * runtime.NumCPU() }

// extraction is one restore's files on their way into the target: their
// entries, the temporary files they were extracted into, and the counts
// its events report.
type extraction struct {
	a          *Archive
	tgt        *archive.Target
	files      []archive.FileRecord
	zfs        []*zip.File
	temps      []string // beside each file's target, once extracted
	totalFiles int
	totalBytes int64
	onEvent    func(Event)
	cancel     context.CancelFunc

	mu       sync.Mutex
	firstErr error
	done     int
	bytes    int64 // of the files restored
	partial  int64 // written of files still in progress
	lastTell time.Time
}

// extractAll restores files into target in two steps. First every file is
// decompressed into a synced temporary file beside its target while its
// CRC-32 and SHA-256 are checked, on one goroutine per CPU, largest first.
// Only when all of them passed are the temporary files renamed into place;
// when any failed, all of them are removed and nothing of the user's is
// touched (placed is false). placed is true once renaming began.
func extractAll(ctx context.Context, a *Archive, tgt *archive.Target, files []archive.FileRecord, totalFiles int, totalBytes int64, onEvent func(Event)) (placed bool, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	x := &extraction{a: a, tgt: tgt, files: files, zfs: make([]*zip.File, len(files)), temps: make([]string, len(files)),
		totalFiles: totalFiles, totalBytes: totalBytes, onEvent: onEvent, cancel: cancel}
	for i, r := range files {
		x.zfs[i] = a.Lookup(r.Name)
	}
	if onEvent != nil {
		// Bytes as they are written, at most 4 events a second, so a large
		// file's restore moves on the page instead of standing at 0.
		tgt.Progress = x.progress
		defer func() { tgt.Progress = nil }()
	}
	if err := x.extract(ctx); err != nil {
		x.removeTemps()
		return false, err
	}
	return true, x.place()
}

// extract writes every file into its temporary file, on restoreWorkers
// goroutines, largest first; it stops at the first failure.
func (x *extraction) extract(ctx context.Context) error {
	order := make([]int, len(x.files))
	for i := range order {
		order[i] = i
	}
	csize := func(i int) uint64 {
		if x.zfs[i] == nil {
			return 0
		}
		return x.zfs[i].CompressedSize64
	}
	// Largest first, so that both cores stay busy to the end.
	sort.SliceStable(order, func(p, q int) bool { return csize(order[p]) > csize(order[q]) })
	work := make(chan int)
	var wg sync.WaitGroup
	// More workers than CPUs: each waits for its file's sync to the disk,
	// and the file system commits the syncs of waiting workers together.
	for w := 0; w < restoreWorkers(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				x.extractOne(i)
			}
		}()
	}
	for _, i := range order {
		select {
		case work <- i:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(work)
	wg.Wait()
	if x.firstErr == nil && ctx.Err() != nil {
		x.firstErr = ctx.Err()
	}
	return x.firstErr
}

// extractOne writes file i into its temporary file and counts it; the
// first failure cancels the others.
func (x *extraction) extractOne(i int) {
	name := x.files[i].Name
	tmp, n, err := x.tgt.ExtractTemp(x.zfs[i], x.rec(i), name)
	x.mu.Lock()
	x.temps[i] = tmp
	if err != nil && x.firstErr == nil {
		var de *archive.DamageError
		if errors.As(err, &de) {
			x.firstErr = fail("the archive is damaged, so nothing was restored: %v", err)
		} else {
			x.firstErr = fail("restoring %s failed: %v. Nothing was restored", x.tgt.Path(name), plainErr(err))
		}
		x.cancel()
	}
	nDone := x.done
	x.partial -= n // counted whole now (or dropped, when it failed)
	if err == nil {
		x.done++
		nDone = x.done
		x.bytes += n
		if x.onEvent != nil {
			x.onEvent(Event{Phase: "restore", Name: name, Files: x.done, TotalFiles: x.totalFiles, Bytes: x.bytes, TotalBytes: x.totalBytes})
		}
	}
	x.mu.Unlock()
	if err == nil {
		restoreFault("extract", nDone)
	}
}

// progress counts bytes written of files still in progress, and tells
// them at most 4 times a second.
func (x *extraction) progress(n int64) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.partial += n
	if now := time.Now(); now.Sub(x.lastTell) >= 250*time.Millisecond {
		x.lastTell = now
		x.onEvent(Event{Phase: "restore", Files: x.done, TotalFiles: x.totalFiles, Bytes: x.bytes + x.partial, TotalBytes: x.totalBytes})
	}
}

// rec is file i's manifest record, which the extraction checks against;
// nil for an archive without a manifest.
func (x *extraction) rec(i int) *archive.FileRecord {
	if x.a.Manifest == nil {
		return nil
	}
	return &x.files[i]
}

func (x *extraction) removeTemps() {
	for _, t := range x.temps {
		if t != "" {
			x.tgt.Remove(t)
		}
	}
}
