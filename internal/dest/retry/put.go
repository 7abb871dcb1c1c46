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
	src := NewSource(ctx, r)
	fromStart := false
	var lastErr error
	for try := 0; try < h.Policy.Tries(); try++ {
		if try > 0 {
			if err := h.Policy.Wait(ctx, try); err != nil {
				break
			}
		}
		c, err := h.Get(ctx)
		if err != nil {
			lastErr = err
			if Transient(err) {
				continue
			}
			break
		}
		var offset int64
		if src.N() > 0 {
			offset, err = u.Resume(ctx, c, src, fromStart)
			if errors.Is(err, ErrNoRestart) {
				lastErr = Plain(fmt.Sprintf("the upload of %s to %s broke off and cannot be started again from this source", quote(u.Name), u.Host), lastErr)
				break
			}
			if err != nil {
				lastErr = err
				continue
			}
		}
		err = h.Guard(ctx, func() error { return u.Store(c, src, offset) })
		if src.Err() != nil || ctx.Err() != nil {
			lastErr = src.Err()
			if ctx.Err() != nil {
				lastErr = ctx.Err()
			}
			break
		}
		if err != nil {
			if offset > 0 && u.NoResume != nil && u.NoResume(err) {
				fromStart = true
				lastErr = u.Explain("resume", err)
				continue
			}
			lastErr = u.Explain("store", err)
			if Transient(lastErr) {
				h.Drop()
				continue
			}
			break
		}
		var size int64
		err = h.Guard(ctx, func() error {
			var err error
			size, err = u.Size(c)
			return err
		})
		if err != nil {
			lastErr = u.Explain("check the size of", err)
			if Transient(lastErr) {
				h.Drop()
				continue
			}
			break
		}
		if size != src.N() {
			msg := fmt.Sprintf("%s holds %d bytes of %s after sending %d: the upload is incomplete; check free space and quota on the server", u.Host, size, quote(u.Name), src.N())
			if u.ShortIsBreak && size > offset && size < src.N() {
				// The data connection was cut where the protocol cannot
				// tell that from the end of the file, and this try got
				// bytes through: resume from what the server holds, on the
				// same connection.
				lastErr = &Error{Msg: msg, Temp: true}
				continue
			}
			lastErr = Plain(msg, nil)
			break
		}
		return src.N(), nil
	}
	h.removePartial(u.Remove)
	if lastErr == nil {
		lastErr = ctx.Err()
	}
	if Transient(lastErr) || (u.NetBrokeOff && src.N() > 0 && IsNetError(lastErr)) {
		lastErr = &Error{Msg: fmt.Sprintf("the upload of %s to %s broke off and %d more tries failed; the last one: %s", quote(u.Name), u.Host, h.Policy.Tries()-1, lastErr), Err: lastErr, Temp: true}
	}
	return src.N(), lastErr
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
