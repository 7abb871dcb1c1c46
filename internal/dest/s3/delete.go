package s3

// Delete: every version of a key, and what a lock leaves.

import (
	"context"
	"errors"

	"github.com/minio/minio-go/v7"

	"github.com/posbackup/posbackup/internal/dest"
)

// Delete removes name, every stored version of it in a versioned bucket.
// A locked archive is left whole and gives a *dest.LockedError.
func (d *S3) Delete(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err // the contract: an ended context fails at once, with its error
	}
	key, err := d.key(name)
	if err != nil {
		return err
	}
	return d.remove(ctx, key, name, false)
}

// remove deletes key's versions, newest first. When the current one is
// locked it returns a *dest.LockedError, or, with hideLocked, puts a
// delete marker over it; an older locked version is hidden by a delete
// marker.
func (d *S3) remove(ctx context.Context, key, name string, hideLocked bool) error {
	for i := 0; ; i++ {
		info, err := d.cl.StatObject(ctx, d.cfg.Bucket, key, minio.StatObjectOptions{})
		if err != nil {
			if i > 0 && errors.Is(d.plain("", "", err), dest.ErrNotFound) {
				return nil
			}
			return d.plain("delete", name, err)
		}
		v := versionOf(info)
		rerr := d.cl.RemoveObject(ctx, d.cfg.Bucket, key, minio.RemoveObjectOptions{VersionID: v})
		if rerr == nil && v != "" && i < 1000 {
			continue // an older version may now be the current one
		}
		if rerr == nil {
			return nil
		}
		until, mode, lerr := d.retention(ctx, key, v)
		if lerr == nil && !until.IsZero() {
			if i == 0 && !hideLocked {
				return &dest.LockedError{Name: name, Until: until, Mode: mode}
			}
			if err := d.cl.RemoveObject(ctx, d.cfg.Bucket, key, minio.RemoveObjectOptions{}); err != nil {
				return d.plain("delete", name, err)
			}
			return nil
		}
		return d.plain("delete", name, rerr)
	}
}
