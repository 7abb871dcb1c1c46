package retry

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// ErrNoRestart is returned by Upload.Resume when the source can go back
// neither to where the server's copy ends nor to its start.
var ErrNoRestart = errors.New("the source cannot go back")

// Upload is what Conn.Put needs from a kind to store one file: its name and
// server for messages, and the steps that differ between protocols.
type Upload[T comparable] struct {
	Name string // the file, quoted in messages
	Host string // the server, named in messages

	// Resume is called before a try when an earlier one sent bytes. It
	// finds out how much of the file the server holds, positions src where
	// the upload goes on (Source.Restart) and returns that offset (0: from
	// the start). fromStart is set once the server refused to resume (see
	// NoResume). It returns ErrNoRestart when src cannot go back; any other
	// error means the connection broke meanwhile: the try is given up and
	// the next one made.
	Resume func(ctx context.Context, c T, src *Source, fromStart bool) (int64, error)
	// Store writes what src delivers into the file from offset (0: a new
	// or emptied file) and returns once the server has taken it. It runs
	// under Guard.
	Store func(c T, src io.Reader, offset int64) error
	// NoResume, when set, reports whether Store's error, from an offset
	// above 0, means the server cannot resume: the next try then starts
	// over, on the same connection.
	NoResume func(err error) bool
	// Size returns the size of the file on the server. It runs under Guard.
	Size func(c T) (int64, error)
	// Explain turns an error of Store or Size into a plain one; what is
	// "store", "resume" or "check the size of". A Transient result drops
	// the connection and the next try is made; another ends the upload.
	Explain func(what string, err error) error
	// Remove deletes the partial file after the upload failed. It runs under
	// Guard with Conn.Timeout and returns a Transient error when the
	// connection broke (it is then dropped); other errors are ignored.
	Remove func(c T) error
	// NetBrokeOff makes a network error that is not Transient (such as a
	// deadline), after bytes were sent, also end in the "broke off" message.
	NetBrokeOff bool
	// ShortIsBreak: the protocol cannot tell a data connection that was
	// cut from the end of the file (FTP: the server sees the connection
	// close and answers 226), so a stored size short of the bytes sent,
	// after a try that got bytes through, is resumed like a broken
	// connection; a try that got nothing through ends the upload.
	ShortIsBreak bool
}

// Put stores what r delivers under u, checks the stored size against the
// bytes read from r, and returns that number. When the connection drops it
// connects again (within Policy) and resumes where u.Resume finds it can,
// else starts over; both need r to be an io.Seeker unless nothing was lost.
// When all tries fail, ctx ends or r fails, the partial file is removed
// (best effort) and the error returned: r's or ctx's own, or a plain one;
// after a broken connection it says that the upload broke off and how many
// more tries failed, and is Transient.
func (h *Conn[T]) Put(ctx context.Context, r io.Reader, u Upload[T]) (int64, error) {
	p := &putter[T]{h: h, u: u, src: NewSource(ctx, r)}
	for try := 0; try < h.Policy.Tries(); try++ {
		if try > 0 {
			if err := h.Policy.Wait(ctx, try); err != nil {
				break
			}
		}
		next := p.try(ctx)
		if next == putDone {
			return p.src.N(), nil
		}
		if next == putStop {
			break
		}
	}
	return p.src.N(), p.failed(ctx)
}

// putNext is what Put does after a try.
type putNext int8

const (
	putAgain putNext = iota // the next try (after the policy's wait)
	putStop                 // give up: lastErr says why
	putDone                 // stored and checked
)

// putter is one Put between its tries.
type putter[T comparable] struct {
	h         *Conn[T]
	u         Upload[T]
	src       *Source
	fromStart bool  // the server refused to resume: start over
	lastErr   error // why the last try failed
}

// again is putAgain when the try's error (lastErr, set) is transient,
// after dropping the connection when drop; else putStop.
func (p *putter[T]) again(drop bool) putNext {
	if !Transient(p.lastErr) {
		return putStop
	}
	if drop {
		p.h.Drop()
	}
	return putAgain
}

// try is one try: connect, find where to go on, store, check the size.
func (p *putter[T]) try(ctx context.Context) putNext {
	c, err := p.h.Get(ctx)
	if err != nil {
		p.lastErr = err
		return p.again(false)
	}
	var offset int64
	if p.src.N() > 0 {
		offset, err = p.u.Resume(ctx, c, p.src, p.fromStart)
		if errors.Is(err, ErrNoRestart) {
			p.lastErr = Plain(fmt.Sprintf("the upload of %s to %s broke off and cannot be started again from this source", quote(p.u.Name), p.u.Host), p.lastErr)
			return putStop
		}
		if err != nil {
			p.lastErr = err
			return putAgain
		}
	}
	if next := p.store(ctx, c, offset); next != putDone {
		return next
	}
	return p.checkSize(ctx, c, offset)
}

// store runs u.Store from offset; putDone means the server took it.
func (p *putter[T]) store(ctx context.Context, c T, offset int64) putNext {
	err := p.h.Guard(ctx, func() error { return p.u.Store(c, p.src, offset) })
	if p.src.Err() != nil || ctx.Err() != nil {
		p.lastErr = p.src.Err()
		if ctx.Err() != nil {
			p.lastErr = ctx.Err()
		}
		return putStop
	}
	if err == nil {
		return putDone
	}
	if offset > 0 && p.u.NoResume != nil && p.u.NoResume(err) {
		p.fromStart = true
		p.lastErr = p.u.Explain("resume", err)
		return putAgain
	}
	p.lastErr = p.u.Explain("store", err)
	return p.again(true)
}

// checkSize compares the size the server holds with the bytes sent.
func (p *putter[T]) checkSize(ctx context.Context, c T, offset int64) putNext {
	var size int64
	err := p.h.Guard(ctx, func() error {
		var err error
		size, err = p.u.Size(c)
		return err
	})
	if err != nil {
		p.lastErr = p.u.Explain("check the size of", err)
		return p.again(true)
	}
	sent := p.src.N()
	if size == sent {
		return putDone
	}
	msg := fmt.Sprintf("%s holds %d bytes of %s after sending %d: the upload is incomplete; check free space and quota on the server", p.u.Host, size, quote(p.u.Name), sent)
	if p.u.ShortIsBreak && size > offset && size < sent {
		// The data connection was cut where the protocol cannot tell that
		// from the end of the file, and this try got bytes through: resume
		// from what the server holds, on the same connection.
		p.lastErr = &Error{Msg: msg, Temp: true}
		return putAgain
	}
	p.lastErr = Plain(msg, nil)
	return putStop
}

// failed removes the partial file and returns why the upload failed.
func (p *putter[T]) failed(ctx context.Context) error {
	p.h.removePartial(p.u.Remove)
	err := p.lastErr
	if err == nil {
		err = ctx.Err()
	}
	if Transient(err) || (p.u.NetBrokeOff && p.src.N() > 0 && IsNetError(err)) {
		err = &Error{Msg: fmt.Sprintf("the upload of %s to %s broke off and %d more tries failed; the last one: %s", quote(p.u.Name), p.u.Host, p.h.Policy.Tries()-1, err), Err: err, Temp: true}
	}
	return err
}

// removePartial runs remove on a connection (a new one if needed) with its
// own timeout, as ctx may have ended; errors are ignored.
func (h *Conn[T]) removePartial(remove func(c T) error) {
	ctx, cancel := context.WithTimeout(context.Background(), h.Timeout)
	defer cancel()
	c, err := h.Get(ctx)
	if err != nil {
		return
	}
	if err := h.Guard(ctx, func() error { return remove(c) }); Transient(err) {
		h.Drop()
	}
}

func quote(s string) string { return "\"" + s + "\"" }
