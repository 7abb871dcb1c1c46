package ftp

import (
	"context"
	"errors"
	"io"
	"strconv"

	"github.com/jlaffaye/ftp"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/retry"
)

// fileSize asks the size with SIZE, or from the listing when the server
// does not know SIZE. A missing file gives an error wrapping ErrNotFound.
func (d *FTP) fileSize(c *ftp.ServerConn, name string) (int64, error) {
	size, err := c.FileSize(d.dots.Wire(name))
	if err == nil {
		return size, nil
	}
	if isCode(err, 550) {
		return 0, d.notFound(name)
	}
	var ne *strconv.NumError // a reply without a number (ftp-srv: "213 File status")
	if !isCode(err, 500, 501, 502, 504) && !errors.As(err, &ne) {
		return 0, d.opError("read the size of", name, err)
	}
	ents, lerr := c.List(listArg(c))
	if lerr != nil {
		return 0, d.opError("list", "", lerr)
	}
	for _, e := range ents {
		if d.dots.Listed(e.Name) == name && e.Type == ftp.EntryTypeFile {
			return int64(e.Size), nil
		}
	}
	return 0, d.notFound(name)
}

func (d *FTP) stat(c *ftp.ServerConn, name string) (dest.Info, error) {
	size, err := d.fileSize(c, name)
	if err != nil {
		return dest.Info{}, err
	}
	info := dest.Info{Name: name, Size: size}
	if c.IsGetTimeSupported() {
		if t, err := c.GetTime(d.dots.Wire(name)); err == nil {
			info.ModTime = t
		} else if retry.IsNetError(err) {
			return dest.Info{}, d.netError(err)
		}
	}
	return info, nil
}

// Open returns a reader of name from offset (REST). Close it before the next
// call on this destination.
func (d *FTP) Open(ctx context.Context, name string, offset int64) (io.ReadCloser, error) {
	if err := dest.CheckName(name); err != nil {
		return nil, err
	}
	var resp *ftp.Response
	err := d.cn.Do(ctx, func(c *ftp.ServerConn, _ int) error {
		if _, err := d.stat(c, name); err != nil {
			return err
		}
		var err error
		resp, err = c.RetrFrom(d.dots.Wire(name), uint64(offset))
		if err != nil {
			if isCode(err, 550) {
				return d.notFound(name)
			}
			return d.opError("read", name, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	r := &reader{d: d, resp: resp}
	r.stop = context.AfterFunc(ctx, d.closeRaw)
	return r, nil
}

type reader struct {
	d    *FTP
	resp *ftp.Response
	stop func() bool
	err  error
	eof  bool
}

func (r *reader) Read(p []byte) (int, error) {
	n, err := r.resp.Read(p)
	if err == io.EOF {
		r.eof = true
	} else if err != nil {
		r.err = err
		var ce *CertError
		if errors.As(err, &ce) {
			return n, ce // the data connection's certificate is not the trusted one: no retry
		}
		err = r.d.netError(err)
	}
	return n, err
}

// Close ends the transfer. After a complete read, a failure reported by the
// server is returned; when the caller stops early, the server's complaint
// about the aborted transfer is expected and ignored.
func (r *reader) Close() error {
	err := r.resp.Close()
	if !r.stop() || r.err != nil || err != nil {
		r.d.cn.Drop()
	}
	if err != nil && r.err == nil && r.eof {
		return r.d.opError("read", "", err)
	}
	return nil
}
