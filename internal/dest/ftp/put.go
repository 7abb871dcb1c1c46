package ftp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/textproto"

	"github.com/jlaffaye/ftp"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/retry"
)

// Put stores r under name (STOR) and checks the stored size (SIZE). When the
// connection drops, it connects again and resumes (REST) where the server
// allows it, else starts over; resuming or starting over needs r to be an
// io.Seeker unless nothing was lost. When all tries fail, or ctx ends, or r
// fails, the partial file is removed (best effort) and the error returned.
func (d *FTP) Put(ctx context.Context, name string, r io.Reader) (int64, error) {
	if err := dest.CheckName(name); err != nil {
		return 0, err
	}
	src := retry.NewSource(ctx, r)
	noRest := false
	var lastErr error
	for try := 0; try < d.cfg.Retry.Tries(); try++ {
		if try > 0 {
			if err := d.cfg.Retry.Wait(ctx, try); err != nil {
				break
			}
		}
		c, err := d.conn(ctx)
		if err != nil {
			lastErr = err
			if retry.Transient(err) {
				continue
			}
			break
		}
		var offset int64
		if src.N() > 0 {
			if have, ok := d.remoteSize(ctx, c, name); ok && have > 0 && !noRest && src.SeekTo(have) {
				offset = have
			} else if !src.SeekTo(0) {
				lastErr = retry.Plain(fmt.Sprintf("the upload of %s to %s broke off and cannot be started again from this source", quote(name), d.host()), lastErr)
				break
			}
			if !d.connected() { // remoteSize lost the connection
				lastErr = d.netError(io.ErrUnexpectedEOF)
				continue
			}
		}
		err = d.guard(ctx, func() error { return c.StorFrom(name, src, uint64(offset)) })
		if src.Err() != nil || ctx.Err() != nil {
			lastErr = src.Err()
			if ctx.Err() != nil {
				lastErr = ctx.Err()
			}
			break
		}
		if err != nil {
			// The server's answer, when there is one, says more than the
			// broken data connection it may have caused (disk full: the
			// server closes the data connection and answers 451/452/552).
			var te *textproto.Error
			if errors.As(err, &te) && te.Code != 421 && te.Code != 425 && te.Code != 426 {
				err = te
			}
			if offset > 0 && isCode(err, 500, 501, 502, 504) {
				noRest = true // the server cannot resume: start over
				lastErr = d.opError("resume", name, err)
				continue
			}
			lastErr = d.opError("store", name, err)
			if retry.Transient(lastErr) {
				d.drop()
				continue
			}
			break
		}
		var size int64
		err = d.guard(ctx, func() error {
			var err error
			size, err = d.fileSize(c, name)
			return err
		})
		if err != nil {
			lastErr = d.opError("check the size of", name, err)
			if retry.Transient(lastErr) {
				d.drop()
				continue
			}
			break
		}
		if size != src.N() {
			lastErr = retry.Plain(fmt.Sprintf("%s holds %d bytes of %s after sending %d: the upload is incomplete; check free space and quota on the server", d.host(), size, quote(name), src.N()), nil)
			break
		}
		return src.N(), nil
	}
	d.removePartial(name)
	if lastErr == nil {
		lastErr = ctx.Err()
	}
	if retry.Transient(lastErr) || (src.N() > 0 && retry.IsNetError(lastErr)) {
		lastErr = &retry.Error{Msg: fmt.Sprintf("the upload of %s to %s broke off and %d more tries failed; the last one: %s", quote(name), d.host(), d.cfg.Retry.Tries()-1, lastErr), Err: lastErr, Temp: true}
	}
	return src.N(), lastErr
}

// remoteSize is the size of name on the server, ok false when unknown.
func (d *FTP) remoteSize(ctx context.Context, c *ftp.ServerConn, name string) (int64, bool) {
	var size int64
	err := d.guard(ctx, func() error {
		var err error
		size, err = d.fileSize(c, name)
		return err
	})
	if err != nil {
		if retry.IsNetError(err) {
			d.drop()
		}
		return 0, false
	}
	return size, true
}

// removePartial deletes name after a failed upload, on a new connection if
// needed; errors are ignored.
func (d *FTP) removePartial(name string) {
	ctx, cancel := context.WithTimeout(context.Background(), d.cfg.timeout())
	defer cancel()
	c, err := d.conn(ctx)
	if err != nil {
		return
	}
	err = d.guard(ctx, func() error { return c.Delete(name) })
	if err != nil && retry.IsNetError(err) {
		d.drop()
	}
}
