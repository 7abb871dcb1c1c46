package sftp

import (
	"context"
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
	return d.cn.Put(ctx, r, retry.Upload[*sftp.Client]{
		Name: name,
		Host: d.host(),
		Resume: func(ctx context.Context, c *sftp.Client, src *retry.Source, _ bool) (int64, error) {
			var have int64
			err := d.cn.Guard(ctx, func() error {
				st, err := c.Stat(p)
				if err == nil {
					have = st.Size()
				}
				return err
			})
			if err != nil && isConnLost(err) {
				d.cn.Drop()
				return 0, d.netError(err)
			}
			offset, ok := src.Restart(have - window)
			if !ok {
				return 0, retry.ErrNoRestart
			}
			return offset, nil
		},
		Store: func(c *sftp.Client, src io.Reader, offset int64) error { return d.putOnce(c, p, src, offset) },
		Size: func(c *sftp.Client) (int64, error) {
			st, err := c.Stat(p)
			if err != nil {
				return 0, err
			}
			return st.Size(), nil
		},
		Explain: func(what string, err error) error { return d.opError(what, name, err) },
		Remove: func(c *sftp.Client) error {
			if err := c.Remove(p); err != nil && isConnLost(err) {
				return d.netError(err)
			}
			return nil
		},
	})
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
