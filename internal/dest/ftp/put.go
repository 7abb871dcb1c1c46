package ftp

import (
	"bytes"
	"context"
	"errors"
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
	return d.cn.Put(ctx, r, retry.Upload[*ftp.ServerConn]{
		Name: name,
		Host: d.host(),
		Resume: func(ctx context.Context, c *ftp.ServerConn, src *retry.Source, fromStart bool) (int64, error) {
			have, ok := d.remoteSize(ctx, c, name)
			if !ok || fromStart {
				have = 0
			}
			offset, ok := src.Restart(have)
			if !ok {
				return 0, retry.ErrNoRestart
			}
			if !d.cn.Connected() { // remoteSize lost the connection
				return 0, d.netError(io.ErrUnexpectedEOF)
			}
			return offset, nil
		},
		Store: func(c *ftp.ServerConn, src io.Reader, offset int64) error {
			// A source that fails before its first byte is not sent at all:
			// a TLS data connection closed before its handshake makes
			// vsftpd end the session, and the empty file could not be
			// removed.
			var first [1]byte
			n, err := io.ReadAtLeast(src, first[:], 1)
			if n == 0 && err != io.EOF {
				return err
			}
			body := &countingReader{r: io.MultiReader(bytes.NewReader(first[:n]), src)}
			err = c.StorFrom(d.dots.Wire(name), body, uint64(offset))
			if isCode(err, 553) && body.n == 0 && !d.dots.Refused() && d.dots.Refuse(name) {
				// 553: the server refuses the name (Pure-FTPd -x: names
				// beginning with a dot). Temporary names go without it.
				err = c.StorFrom(d.dots.Wire(name), body, uint64(offset))
			}
			if err != nil && body.n == 0 && offset == 0 && isCode(err, 550, 553) {
				err = d.storeOver(c, name, body, err)
			}
			return d.storeError(err)
		},
		// The server cannot resume (REST refused), or refuses to write into
		// the partial file (ProFTPD AllowOverwrite off: "550 Overwrite
		// permission denied"): start over (storeOver replaces it).
		NoResume: func(err error) bool { return isCode(err, 500, 501, 502, 504, 550) },
		Size:     func(c *ftp.ServerConn) (int64, error) { return d.fileSize(c, name) },
		Explain:  func(what string, err error) error { return d.opError(what, name, err) },
		Remove: func(c *ftp.ServerConn) error {
			if err := c.Delete(d.dots.Wire(name)); err != nil && retry.IsNetError(err) {
				return d.netError(err)
			}
			return nil
		},
		NetBrokeOff:  true,
		ShortIsBreak: true,
	})
}

// storeOver stores body under name after the server refused a STOR
// (storeErr) before any byte was sent, where the refusal is because name
// exists and the server does not overwrite files (ProFTPD "AllowOverwrite
// off": "550 NAME: Overwrite permission denied"): the existing file is
// deleted and the STOR made again. Put replaces by contract, and the job
// only puts under fresh temporary names, so what is deleted is a partial
// upload of an earlier try or an object the caller replaces. Otherwise
// storeErr is returned.
func (d *FTP) storeOver(c *ftp.ServerConn, name string, body io.Reader, storeErr error) error {
	if _, err := d.fileSize(c, name); err != nil {
		if retry.Transient(err) {
			return err
		}
		return storeErr // name does not exist: the refusal has another reason
	}
	if err := c.Delete(d.dots.Wire(name)); err != nil {
		if retry.IsNetError(err) {
			return err
		}
		return storeErr
	}
	return c.StorFrom(d.dots.Wire(name), body, 0)
}

// remoteSize is the size of name on the server, ok false when unknown.
func (d *FTP) remoteSize(ctx context.Context, c *ftp.ServerConn, name string) (int64, bool) {
	var size int64
	err := d.cn.Guard(ctx, func() error {
		var err error
		size, err = d.fileSize(c, name)
		return err
	})
	if err != nil {
		if retry.IsNetError(err) {
			d.cn.Drop()
		}
		return 0, false
	}
	return size, true
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// storeError classifies a failed STOR. A data connection whose certificate
// is not the trusted one fails as such, not as a broken line to retry (the
// library joins the handshake's error with the server's 425/426). Else the
// server's answer, when there is one, says more than the broken data
// connection it may have caused (disk full: the server closes the data
// connection and answers 451/452/552).
func (d *FTP) storeError(err error) error {
	var ce *CertError
	if errors.As(err, &ce) {
		return ce
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		if te.Code == 421 || te.Code == 425 || te.Code == 426 {
			// The data connection broke (426 "Failure reading network
			// stream"), also when every byte had left this computer.
			return d.netError(err)
		}
		return te
	}
	return err
}
