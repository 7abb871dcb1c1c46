package ftp

import (
	"context"
	"strings"

	"github.com/jlaffaye/ftp"

	"github.com/posbackup/posbackup/internal/dest"
)

// Folders returns the sub-folders of the folder (a chain's sites, for the
// fleet view).
func (d *FTP) Folders(ctx context.Context) ([]string, error) {
	var out []string
	err := d.cn.Do(ctx, func(c *ftp.ServerConn, _ int) error {
		out = out[:0]
		ents, err := c.List(listArg(c))
		if err != nil {
			return d.opError("list", "", err)
		}
		for _, e := range ents {
			if e.Type == ftp.EntryTypeFolder && e.Name != "." && e.Name != ".." {
				out = append(out, e.Name)
			}
		}
		return nil
	})
	return out, err
}

// Sub opens the sub-folder name with the same access data, on a
// connection of its own; the caller closes it.
func (d *FTP) Sub(ctx context.Context, name string) (dest.Destination, error) {
	if err := dest.CheckName(name); err != nil {
		return nil, err
	}
	cfg := d.cfg
	if cfg.Folder == "" {
		cfg.Folder = name
	} else {
		cfg.Folder = strings.TrimRight(cfg.Folder, "/") + "/" + name
	}
	return Open(ctx, cfg)
}
