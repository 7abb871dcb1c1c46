package retry

import (
	"context"
	"io"
)

// Source wraps the reader given to Put. It counts the bytes delivered,
// keeps the reader's own error apart from network errors, stops when ctx
// ends, and can go back for a retry when the reader is an io.Seeker (such as
// the *os.File of a finished archive).
type Source struct {
	ctx    context.Context
	r      io.Reader
	seeker io.Seeker
	pos0   int64
	n      int64
	err    error
}

// NewSource wraps r for an upload under ctx.
func NewSource(ctx context.Context, r io.Reader) *Source {
	s := &Source{ctx: ctx, r: r}
	if sk, ok := r.(io.Seeker); ok {
		if p, err := sk.Seek(0, io.SeekCurrent); err == nil {
			s.seeker, s.pos0 = sk, p
		}
	}
	return s
}

func (s *Source) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	if err := s.ctx.Err(); err != nil {
		s.err = err
		return 0, err
	}
	n, err := s.r.Read(p)
	s.n += int64(n)
	if err != nil && err != io.EOF {
		s.err = err
	}
	return n, err
}

// N is the number of bytes delivered, counted from the start position.
func (s *Source) N() int64 { return s.n }

// Err is the reader's own error (or ctx's), nil at EOF or while reading.
func (s *Source) Err() error { return s.err }

// SeekTo positions the source at off bytes from its start. Without an
// io.Seeker it works only when off equals N (continue where it stopped).
func (s *Source) SeekTo(off int64) bool {
	if s.err != nil {
		return false
	}
	if s.seeker == nil {
		return off == s.n
	}
	if _, err := s.seeker.Seek(s.pos0+off, io.SeekStart); err != nil {
		return false
	}
	s.n = off
	return true
}

// Restart positions the source at off when off > 0 and SeekTo can go there,
// else at its start. It returns where the source now is, and false when it
// can go to neither.
func (s *Source) Restart(off int64) (int64, bool) {
	if off > 0 && s.SeekTo(off) {
		return off, true
	}
	return 0, s.SeekTo(0)
}

// WriteTo copies what the source delivers to w in reads of up to 256 KiB.
// io.Copy into a network connection (an FTP STOR) would read 32 KiB at a
// time, and every read of an archive being made is a hand-over from its
// writer through a pipe and a write to the upload's local copy.
func (s *Source) WriteTo(w io.Writer) (int64, error) {
	buf := make([]byte, 256<<10)
	var n int64
	for {
		nr, er := s.Read(buf)
		if nr > 0 {
			nw, ew := w.Write(buf[:nr])
			n += int64(nw)
			if ew != nil {
				return n, ew
			}
			if nw != nr {
				return n, io.ErrShortWrite
			}
		}
		if er == io.EOF {
			return n, nil
		}
		if er != nil {
			return n, er
		}
	}
}
