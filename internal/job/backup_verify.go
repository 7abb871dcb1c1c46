package job

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"time"

	"github.com/posbackup/posbackup/internal/archive"
	"github.com/posbackup/posbackup/internal/dest"
)

// verify checks the stored archive before it may replace the older one:
// every entry's CRC-32 and SHA-256 against the manifest, read from where
// the archive is kept (a folder's medium; a server's copy, downloaded).
// With VerifyQuick a server's archive is checked by the size the server
// reports and the local copy of what was sent.
func (r *run) verify(ctx context.Context) error {
	res := r.res
	r.emit(Event{Phase: "verify", TotalFiles: res.Files + res.Folders, TotalBytes: res.Bytes, Written: r.size})
	var stored *archive.Manifest
	var err error
	switch {
	case !r.server:
		stored, err = r.verifyMedium(ctx)
	case res.Verify == VerifyQuick:
		stored, err = r.verifyCopy(ctx)
	default:
		stored, err = r.verifyDownload(ctx)
	}
	if err != nil {
		if ctx.Err() != nil {
			if !r.hadOlder() {
				return fail("the backup was cancelled before its check was complete. There was no older archive %s at %s, and nothing there was changed", r.name, r.req.Dest)
			}
			return fail("the backup was cancelled before its check was complete. The older archive %s at %s is unchanged", r.name, r.req.Dest)
		}
		if !r.hadOlder() {
			return fail("the backup was written but failed its check at %s: %v. Nothing was stored under %s", r.req.Dest, err, r.name)
		}
		return fail("the backup was written but failed its check at %s: %v. The older archive %s is unchanged", r.req.Dest, err, r.name)
	}
	// The records as the checked archive holds them: the same as written.
	r.m.Files = stored.Files
	res.Verified = true
	res.Encrypted = r.req.Password != ""
	return nil
}

// verifyMedium reads a folder's archive back from the medium (not the
// operating system's cache of it).
func (r *run) verifyMedium(ctx context.Context) (*archive.Manifest, error) {
	f, err := r.req.Dest.(dest.Local).OpenMedium(r.tmp)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() != r.size {
		return nil, fmt.Errorf("the medium holds %d bytes of the %d written", st.Size(), r.size)
	}
	return r.check(ctx, f, st.Size())
}

// verifyCopy is the quick check of a server's archive: Put compared the
// size the server reports; the local copy of what was sent is checked.
func (r *run) verifyCopy(ctx context.Context) (*archive.Manifest, error) {
	ra, n := r.copyOf.ReaderAt()
	if n != r.size {
		return nil, fmt.Errorf("the server holds %d bytes but %d were made", r.size, n)
	}
	return r.check(ctx, ra, n)
}

// verifyDownload reads the server's copy back into the temp folder (one
// sequential download: the fastest read a server offers) and checks it:
// every entry against the manifest, and the whole file against the CRC-32
// of the bytes sent. The upload's local copy is dropped first, so the
// temp folder needs room for one archive, not two.
func (r *run) verifyDownload(ctx context.Context) (*archive.Manifest, error) {
	r.copyOf.Close()
	rc, err := r.req.Dest.Open(ctx, r.tmp, 0)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	f, err := os.CreateTemp(r.tempDir, "posbackup-download-*.zip")
	if err != nil {
		return nil, fmt.Errorf("cannot make a temporary file in %s to read the archive back: %v", r.tempDir, plainErr(err))
	}
	removed := os.Remove(f.Name()) == nil // Unix: gone even if the process dies
	defer func() {
		f.Close()
		if !removed {
			os.Remove(f.Name())
		}
	}()
	sum := crc32.NewIEEE()
	n, err := io.Copy(io.MultiWriter(f, sum), rc)
	if err != nil {
		return nil, fmt.Errorf("reading the archive back failed after %d bytes: %v", n, err)
	}
	if n != r.size {
		return nil, fmt.Errorf("the server gives back %d bytes of the %d sent", n, r.size)
	}
	m, err := r.check(ctx, f, n)
	if err != nil {
		return nil, err
	}
	if sum.Sum32() != r.sum {
		return nil, errors.New("the server's copy differs from the bytes sent (checksum of the whole file)")
	}
	return m, nil
}

// check verifies every entry of the archive in ra against its manifest,
// which must list every file and folder written.
func (r *run) check(ctx context.Context, ra io.ReaderAt, size int64) (*archive.Manifest, error) {
	rd, err := archive.NewReaderKeys(ra, size, r.req.Password, r.ar.Keys)
	if err != nil {
		return nil, err
	}
	if rd.Manifest == nil || len(rd.Manifest.Files) != r.ar.Files+r.ar.Dirs {
		return nil, errors.New("its manifest is missing or incomplete")
	}
	rep, err := rd.Verify(ctx, nil, r.verifyProgress())
	if err != nil {
		return nil, err
	}
	if !rep.OK() {
		return nil, fmt.Errorf("%s is damaged in the stored copy: %s", rep.Damaged[0].Name, rep.Damaged[0].Reason)
	}
	return rd.Manifest, nil
}

// verifyProgress reports the check entry by entry (archive.Reader.Verify
// calls it one at a time), at most 4 events a second, so the page's bar
// moves while a large archive is checked instead of jumping to the end.
func (r *run) verifyProgress() func(name string, n int64) {
	if r.req.OnEvent == nil {
		return nil
	}
	var files int
	var bytes int64
	var last time.Time
	return func(name string, n int64) {
		files++
		bytes += n
		if now := time.Now(); now.Sub(last) >= 250*time.Millisecond {
			last = now
			r.emit(Event{Phase: "verify", Name: name, Files: files, TotalFiles: r.res.Files + r.res.Folders, Bytes: bytes, TotalBytes: r.res.Bytes, Written: r.size})
		}
	}
}
