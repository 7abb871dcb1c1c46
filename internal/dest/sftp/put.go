package sftp

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/pkg/sftp"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/retry"
)

// window is how far before the stored size a resumed upload starts: writes
// run concurrently, so the last bytes before the stored size may be missing.
const window = concurrency * 32 << 10

// Put stores r under name, syncs it (fsync@openssh.com where offered) and
// checks the stored size. When the connection drops it connects again and
// resumes (r must be an io.Seeker for that, else it starts over only when
// nothing was read yet). When all tries fail, ctx ends or r fails, the
// partial file is removed (best effort) and the error returned.
func (d *SFTP) Put(ctx context.Context, name string, r io.Reader) (int64, error) {
	if err := dest.CheckName(name); err != nil {
		return 0, err
	}
	p := d.path(name)
	src := retry.NewSource(ctx, r)
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
			var have int64
			err := d.guard(ctx, func() error {
				st, err := c.Stat(p)
				if err == nil {
					have = st.Size()
				}
				return err
			})
			if err != nil && isConnLost(err) {
				d.drop()
				lastErr = d.netError(err)
				continue
			}
			if resume := have - window; resume > 0 && src.SeekTo(resume) {
				offset = resume
			} else if !src.SeekTo(0) {
				lastErr = retry.Plain(fmt.Sprintf("the upload of %s to %s broke off and cannot be started again from this source", quote(name), d.host()), lastErr)
				break
			}
		}
		err = d.guard(ctx, func() error { return d.putOnce(c, p, src, offset) })
		if src.Err() != nil || ctx.Err() != nil {
			lastErr = src.Err()
			if ctx.Err() != nil {
				lastErr = ctx.Err()
			}
			break
		}
		if err != nil {
			lastErr = d.opError("store", name, err)
			if retry.Transient(lastErr) {
				d.drop()
				continue
			}
			break
		}
		var size int64
		err = d.guard(ctx, func() error {
			st, err := c.Stat(p)
			if err == nil {
				size = st.Size()
			}
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
	d.removePartial(p)
	if lastErr == nil {
		lastErr = ctx.Err()
	}
	if retry.Transient(lastErr) {
		lastErr = &retry.Error{Msg: fmt.Sprintf("the upload of %s to %s broke off and %d more tries failed; the last one: %s", quote(name), d.host(), d.cfg.Retry.Tries()-1, lastErr), Err: lastErr, Temp: true}
	}
	return src.N(), lastErr
}

func (d *SFTP) putOnce(c *sftp.Client, p string, src io.Reader, offset int64) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if offset > 0 {
		flags = os.O_WRONLY
	}
	f, err := c.OpenFile(p, flags)
	if err != nil {
		return err
	}
	if offset > 0 {
		if _, err := f.Seek(offset, io.SeekStart); err != nil {
			f.Close()
			return err
		}
	}
	if _, err := f.ReadFromWithConcurrency(src, concurrency); err != nil {
		f.Close()
		return err
	}
	if _, ok := c.HasExtension("fsync@openssh.com"); ok {
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}

// removePartial deletes p after a failed upload, on a new connection if
// needed; errors are ignored.
func (d *SFTP) removePartial(p string) {
	ctx, cancel := context.WithTimeout(context.Background(), d.cfg.timeout())
	defer cancel()
	c, err := d.conn(ctx)
	if err != nil {
		return
	}
	if err := d.guard(ctx, func() error { return c.Remove(p) }); err != nil && isConnLost(err) {
		d.drop()
	}
}
