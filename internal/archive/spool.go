package archive

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"
)

// spool holds one compressed entry until the writer takes it: in memory up
// to a limit, then in a temporary file, so memory stays bounded whatever the
// size of the files.
type spool struct {
	buf   *bytes.Buffer
	f     *os.File
	limit int
	dir   string
	n     int64
	// removed: the temp file was already unlinked.
	removed bool
	// buffered: many small writes (records); once spilled they reach the
	// file through bw.
	buffered bool
	bw       *bufio.Writer
}

// SpoolPattern names the temporary files of large entries.
const SpoolPattern = "posbackup-spool-*"

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func newSpool(limit int, dir string) *spool {
	b := bufPool.Get().(*bytes.Buffer)
	b.Reset()
	return &spool{buf: b, limit: limit, dir: dir}
}

// TempError is a failure to write the temporary copy of an entry (the
// temp folder is full or cannot be written). It is never a problem of the
// file being backed up: Write fails as a whole instead of leaving the file
// out, which --allow-missing would otherwise accept.
type TempError struct {
	Dir string
	Err error
}

func (e *TempError) Error() string {
	return fmt.Sprintf("the temporary folder %s cannot take the backup's working copy (%v): free space there, or name another temporary folder", e.Dir, e.Err)
}

func (e *TempError) Unwrap() error { return e.Err }

func (s *spool) Write(p []byte) (int, error) {
	n, err := s.write(p)
	if err != nil {
		dir := s.dir
		if dir == "" {
			dir = os.TempDir()
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		err = &TempError{Dir: dir, Err: err}
	}
	return n, err
}

func (s *spool) write(p []byte) (int, error) {
	if s.f == nil && s.buf.Len()+len(p) > s.limit {
		f, err := os.CreateTemp(s.dir, SpoolPattern)
		if err != nil {
			return 0, err
		}
		// Unlinked at once where the system allows it (not Windows), so a
		// killed run leaves nothing behind; otherwise removed on release,
		// and stale ones by the next backup (see job.removeLeftovers).
		s.removed = os.Remove(f.Name()) == nil
		s.f = f
		if s.buffered {
			s.bw = bufio.NewWriterSize(f, 64<<10)
		}
		if _, err := f.Write(s.buf.Bytes()); err != nil {
			return 0, err
		}
		s.buf.Reset()
	}
	var n int
	var err error
	if s.bw != nil {
		n, err = s.bw.Write(p)
	} else if s.f != nil {
		n, err = s.f.Write(p)
	} else {
		n, err = s.buf.Write(p)
	}
	s.n += int64(n)
	return n, err
}

// reset empties the spool for another attempt.
func (s *spool) reset() {
	s.buf.Reset()
	if s.f != nil {
		s.f.Close()
		if !s.removed {
			os.Remove(s.f.Name())
		}
		s.f = nil
		s.bw = nil
	}
	s.n = 0
}

// WriteTo copies the spooled bytes to w.
func (s *spool) WriteTo(w io.Writer) (int64, error) {
	if s.f == nil {
		return s.buf.WriteTo(w)
	}
	if s.bw != nil {
		if err := s.bw.Flush(); err != nil {
			return 0, err
		}
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	return io.Copy(w, s.f)
}

func (s *spool) release() {
	s.reset()
	if s.buf.Cap() <= 4*s.limit {
		bufPool.Put(s.buf)
	}
	s.buf = nil
}
