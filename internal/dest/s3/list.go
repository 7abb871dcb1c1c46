package s3

// Reading the folder: List, Folders, Sub, Stat and Open (ranged GET).

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/minio/minio-go/v7"

	"github.com/posbackup/posbackup/internal/dest"
)

// List returns the objects directly in the folder (not in sub-folders),
// page by page as the server sends them.
func (d *S3) List(ctx context.Context) ([]dest.Info, error) {
	if err := ctx.Err(); err != nil {
		return nil, err // the contract: an ended context fails at once, with its error
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var out []dest.Info
	for o := range d.cl.ListObjects(ctx, d.cfg.Bucket, minio.ListObjectsOptions{Prefix: d.prefix}) {
		if o.Err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, d.plain("list", "", o.Err)
		}
		name := strings.TrimPrefix(o.Key, d.prefix)
		if name == "" || strings.HasSuffix(o.Key, "/") || strings.Contains(name, "/") {
			continue // a sub-folder
		}
		out = append(out, dest.Info{Name: name, Size: o.Size, ModTime: o.LastModified})
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// Folders returns the names of the sub-folders (common prefixes) of the
// folder, e.g. the sites of a chain.
func (d *S3) Folders(ctx context.Context) ([]string, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var out []string
	for o := range d.cl.ListObjects(ctx, d.cfg.Bucket, minio.ListObjectsOptions{Prefix: d.prefix}) {
		if o.Err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, d.plain("list", "", o.Err)
		}
		if strings.HasSuffix(o.Key, "/") {
			if name := strings.TrimSuffix(strings.TrimPrefix(o.Key, d.prefix), "/"); name != "" {
				out = append(out, name)
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// Sub returns the sub-folder name of the folder on the same client.
func (d *S3) Sub(ctx context.Context, name string) (dest.Destination, error) {
	if err := dest.CheckName(name); err != nil {
		return nil, err
	}
	s := *d
	s.prefix = d.prefix + name + "/"
	return &s, nil
}

// Stat returns name's size and time.
func (d *S3) Stat(ctx context.Context, name string) (dest.Info, error) {
	if err := ctx.Err(); err != nil {
		return dest.Info{}, err // the contract: an ended context fails at once, with its error
	}
	key, err := d.key(name)
	if err != nil {
		return dest.Info{}, err
	}
	info, err := d.cl.StatObject(ctx, d.cfg.Bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return dest.Info{}, d.plain("read", name, err)
	}
	return dest.Info{Name: name, Size: info.Size, ModTime: info.LastModified}, nil
}

// Open reads name from offset (a ranged GET).
func (d *S3) Open(ctx context.Context, name string, offset int64) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err // the contract: an ended context fails at once, with its error
	}
	key, err := d.key(name)
	if err != nil {
		return nil, err
	}
	if offset < 0 {
		return nil, fmt.Errorf("cannot read %s from offset %d", name, offset)
	}
	opts := minio.GetObjectOptions{}
	if offset > 0 {
		opts.SetRange(offset, 0)
	}
	obj, err := d.cl.GetObject(ctx, d.cfg.Bucket, key, opts)
	if err == nil {
		_, err = obj.Stat() // sends the request: a missing object fails here
	}
	if err != nil {
		if obj != nil {
			obj.Close()
		}
		if minio.ToErrorResponse(err).Code == "InvalidRange" {
			info, serr := d.Stat(ctx, name)
			if serr != nil {
				return nil, serr
			}
			if offset == info.Size {
				return io.NopCloser(bytes.NewReader(nil)), nil
			}
			return nil, fmt.Errorf("cannot read %s from offset %d: it holds only %d bytes", name, offset, info.Size)
		}
		return nil, d.plain("read", name, err)
	}
	return obj, nil
}
