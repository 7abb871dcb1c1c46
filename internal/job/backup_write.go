package job

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strings"

	"github.com/posbackup/posbackup/internal/archive"
)

// errDestStopped closes the archive pipe when the destination gave up.
var errDestStopped = errors.New("the destination stopped reading")

// write makes the archive and streams it into Destination.Put under the
// temporary name. A server's upload passes a local copy in the temp folder
// (resume after a dropped connection; the quick check reads it); the bytes
// sent to a server are summed (CRC-32) so its read-back can compare the
// whole file.
func (r *run) write(ctx context.Context) error {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pr, pw := io.Pipe()
	wrote := r.startArchive(wctx, pw)
	sum := crc32.NewIEEE()
	var body io.Reader = pr
	if r.server {
		rw, err := newRewindable(io.TeeReader(pr, sum), r.tempDir)
		if err != nil {
			pr.CloseWithError(errDestStopped)
			<-wrote
			return fail("cannot create a temporary file for the upload in %s: %v. Free space there, or set temp_dir in the config", r.tempDir, plainErr(err))
		}
		body, r.copyOf = rw, rw
	}
	r.tmpPut = true
	size, putErr := r.req.Dest.Put(wctx, r.tmp, body)
	pr.CloseWithError(errDestStopped)
	cancel()
	wr := <-wrote
	if err := r.writeFailed(ctx, wr.err, putErr); err != nil {
		return err
	}
	r.size, r.sum = size, sum.Sum32()
	return r.record(wr.r, size)
}

// writeResult is what archive.Write returned.
type writeResult struct {
	r   *archive.Result
	err error
}

// startArchive runs archive.Write into pw in its own goroutine; the
// channel gets its result.
func (r *run) startArchive(ctx context.Context, pw *io.PipeWriter) <-chan writeResult {
	req := r.req
	wrote := make(chan writeResult, 1)
	go func() {
		res, err := archive.Write(ctx, pw, r.entries, r.m, archive.Options{
			Level: req.Level, Workers: req.Workers, Source: req.FileSource, Password: req.Password, TempDir: r.tempDir,
			// The records are read back from the stored archive by the
			// check; keeping them here too would make memory grow with
			// the number of files.
			NoRecords: true,
			OnEvent: func(e archive.Event) {
				r.emit(Event{Phase: "archive", Name: e.Name, Files: e.Files, TotalFiles: e.TotalFiles, Bytes: e.Bytes, TotalBytes: e.TotalBytes, Written: e.Written})
			},
		})
		pw.CloseWithError(err)
		wrote <- writeResult{res, err}
	}()
	return wrote
}

// writeFailed says why the archive was not stored, or returns nil. When the
// destination fails, the writer only sees errDestStopped; when the writer
// fails, the destination sees the writer's error through the pipe. It
// reports whichever side failed first.
func (r *run) writeFailed(ctx context.Context, writeErr, putErr error) error {
	req := r.req
	if ctx.Err() != nil && (putErr != nil || writeErr != nil) {
		if !r.hadOlder() {
			return fail("the backup was cancelled before it was complete. There was no older archive %s at %s, and nothing there was changed", r.name, req.Dest)
		}
		return fail("the backup was cancelled before it was complete. The older archive %s at %s is unchanged", r.name, req.Dest)
	}
	if writeErr != nil && !errors.Is(writeErr, errDestStopped) && !errors.Is(writeErr, context.Canceled) {
		if !r.hadOlder() {
			return fail("the backup could not be written: %v. There was no older archive %s at %s, and nothing there was changed", writeErr, r.name, req.Dest)
		}
		return fail("the backup could not be written: %v. The older archive %s at %s is unchanged", writeErr, r.name, req.Dest)
	}
	if putErr != nil {
		if !r.hadOlder() {
			return fail("the backup could not be stored: %v. There was no older archive %s at %s, and nothing there was changed", putErr, r.name, req.Dest)
		}
		return fail("the backup could not be stored: %v. The older archive %s at %s is unchanged", putErr, r.name, req.Dest)
	}
	return nil
}

// record puts what the archive holds into the result, and fails the run
// when files could not be read (unless missing files are allowed).
func (r *run) record(ar *archive.Result, size int64) error {
	req := r.req
	r.ar = ar
	res := r.res
	res.Files, res.Folders, res.Bytes, res.Size, res.Manifest = ar.Files, ar.Dirs, ar.Bytes, size, r.m
	for _, pr := range r.sel.Problems {
		r.missing = append(r.missing, fmt.Sprintf("%s (%s)", pr.Path, pr.Reason))
	}
	for _, pr := range ar.Problems {
		if pr.Kept {
			res.Warnings = append(res.Warnings, fmt.Sprintf("%s %s", pr.Path, pr.Reason))
		} else {
			r.missing = append(r.missing, fmt.Sprintf("%s (%s)", pr.Path, pr.Reason))
		}
	}
	res.Problems = ar.Problems
	if len(r.missing) > 0 && !req.AllowMissing {
		if !r.hadOlder() {
			return fail("the backup failed: %d file(s) could not be read: %s. Close the program that holds them, or allow missing files; nothing was stored", len(r.missing), strings.Join(limit(r.missing, 5), "; "))
		}
		return fail("the backup failed: %d file(s) could not be read: %s. Close the program that holds them, or allow missing files; the older archive %s is unchanged", len(r.missing), strings.Join(limit(r.missing, 5), "; "), r.name)
	}
	for _, mi := range r.missing {
		res.Warnings = append(res.Warnings, "not in the backup: "+mi)
	}
	res.Warnings = append(res.Warnings, r.sel.Notes...)
	return nil
}
