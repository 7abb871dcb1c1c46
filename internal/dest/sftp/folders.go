package sftp

import (
	"context"

	"github.com/pkg/sftp"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/remote"
)

// Folders returns the sub-folders of the folder (a chain's sites, for the
// fleet view).
func (d *SFTP) Folders(ctx context.Context) ([]string, error) {
	var out []string
	err := d.cn.Do(ctx, func(c *sftp.Client, _ int) error {
		out = out[:0]
		dir := d.dir
		if dir == "" {
			dir = "."
		}
		ents, err := c.ReadDir(dir)
		if err != nil {
			return d.opError("list", "", err)
		}
		for _, e := range ents {
			if e.IsDir() && e.Name() != "." && e.Name() != ".." {
				out = append(out, e.Name())
			}
		}
		return nil
	})
	return out, err
}

// Sub opens the sub-folder name with the same access data, on a
// connection of its own; the caller closes it.
func (d *SFTP) Sub(ctx context.Context, name string) (dest.Destination, error) {
	cfg := d.cfg
	folder, err := remote.SubFolder(cfg.Folder, name)
	if err != nil {
		return nil, err
	}
	cfg.Folder = folder
	return Open(ctx, cfg)
}
