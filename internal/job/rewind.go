package job

import (
	"errors"
	"io"
	"os"
)

// rewindable streams an archive from r to a server upload and keeps a copy
// of every byte delivered in an unlinked temporary file. An upload that
// breaks off can seek back to where the server stopped (the retry logic of
// the server kinds needs an io.Seeker), and once the upload is complete the
// copy is what the job checks, instead of downloading the archive again.
// Memory stays bounded; local disk use is the archive's size.
type rewindable struct {
	r       io.Reader
	f       *os.File
	stored  int64 // bytes read from r and kept in f
	pos     int64 // next byte to deliver
	removed bool
	closed  bool
}

// newRewindable keeps its copy in dir ("" is the system's temp folder).
func newRewindable(r io.Reader, dir string) (*rewindable, error) {
	f, err := os.CreateTemp(dir, "posbackup-upload-*")
	if err != nil {
		return nil, err
	}
	rw := &rewindable{r: r, f: f}
	rw.removed = os.Remove(f.Name()) == nil
	return rw, nil
}

func (rw *rewindable) Read(p []byte) (int, error) {
	if rw.pos < rw.stored {
		if int64(len(p)) > rw.stored-rw.pos {
			p = p[:rw.stored-rw.pos]
		}
		n, err := rw.f.ReadAt(p, rw.pos)
		rw.pos += int64(n)
		if err == io.EOF {
			err = nil
		}
		return n, err
	}
	n, err := rw.r.Read(p)
	if n > 0 {
		if _, werr := rw.f.WriteAt(p[:n], rw.stored); werr != nil {
			return 0, werr
		}
		rw.stored += int64(n)
		rw.pos += int64(n)
	}
	return n, err
}

// Seek moves within the bytes already delivered (or to the next one).
func (rw *rewindable) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		off += rw.pos
	case io.SeekStart:
	default:
		return rw.pos, errors.New("rewindable: only SeekStart and SeekCurrent")
	}
	if off < 0 || off > rw.stored {
		return rw.pos, errors.New("rewindable: cannot seek past what was read")
	}
	rw.pos = off
	return off, nil
}

// ReaderAt gives the stored copy for checking.
func (rw *rewindable) ReaderAt() (io.ReaderAt, int64) { return rw.f, rw.stored }

func (rw *rewindable) Close() error {
	if rw.closed {
		return nil
	}
	rw.closed = true
	err := rw.f.Close()
	if !rw.removed {
		os.Remove(rw.f.Name())
	}
	return err
}
