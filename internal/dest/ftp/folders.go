package ftp

import (
	"context"

	"github.com/jlaffaye/ftp"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/remote"
)

// Folders lists the sub-folders (remote.Server's Folders filters "." and "..").
func (o ops) Folders() ([]string, error) {
	ents, err := o.c.List(listArg(o.c))
	if err != nil {
		return nil, o.d.opError("list", "", err)
	}
	var out []string
	for _, e := range ents {
		if e.Type == ftp.EntryTypeFolder {
			out = append(out, e.Name)
		}
	}
	return out, nil
}

// Sub opens the sub-folder name with the same access data, on a
// connection of its own; the caller closes it.
func (d *FTP) Sub(ctx context.Context, name string) (dest.Destination, error) {
	cfg := d.cfg
	folder, err := remote.SubFolder(cfg.Folder, name)
	if err != nil {
		return nil, err
	}
	cfg.Folder = folder
	return Open(ctx, cfg)
}
