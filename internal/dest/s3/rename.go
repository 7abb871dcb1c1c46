package s3

// Rename: the server-side copy over the final key, then the removal of
// the temporary one.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/posbackup/posbackup/internal/dest"
)

// Rename copies from over to inside the storage (locking it when archives
// are immutable), checks the copy's size, then removes from.
func (d *S3) Rename(ctx context.Context, from, to string) error {
	if err := ctx.Err(); err != nil {
		return err // the contract: an ended context fails at once, with its error
	}
	src, err := d.key(from)
	if err != nil {
		return err
	}
	dst, err := d.key(to)
	if err != nil {
		return err
	}
	info, err := d.cl.StatObject(ctx, d.cfg.Bucket, src, minio.StatObjectOptions{})
	if err != nil {
		return d.plain("rename", from, err)
	}
	lock := d.cfg.ImmutableDays > 0 && !dest.IsTemp(to) && strings.HasSuffix(strings.ToLower(to), ".zip")
	dopts := minio.CopyDestOptions{Bucket: d.cfg.Bucket, Object: dst, PartSize: d.cfg.CopyPartSize}
	var until time.Time
	if lock {
		until = d.now().Add(time.Duration(d.cfg.ImmutableDays) * 24 * time.Hour).UTC().Truncate(time.Second)
		dopts.Mode = d.lockMode
		dopts.RetainUntilDate = until
	}
	sopts := minio.CopySrcOptions{Bucket: d.cfg.Bucket, Object: src, VersionID: versionOf(info), MatchETag: info.ETag}
	if _, err := d.cl.ComposeObject(ctx, dopts, sopts); err != nil {
		return d.plain("copy "+from+" to", to, err)
	}
	got, err := d.cl.StatObject(ctx, d.cfg.Bucket, dst, minio.StatObjectOptions{})
	if err != nil {
		return d.plain("check the copy", to, err)
	}
	if got.Size != info.Size {
		return fmt.Errorf("the copy of %s to %s in %s holds %d bytes instead of %d: the storage did not copy it whole; try again", from, to, d, got.Size, info.Size)
	}
	if lock {
		if err := d.ensureLocked(ctx, dst, versionOf(got), until); err != nil {
			return err
		}
	}
	// Remove the source, every version of it in a versioned bucket (so an
	// older one does not come back under the name). One that a bucket's
	// default retention locked gets a delete marker: it is gone from the
	// listing and its data expires with the lock. The new archive is in
	// place and checked by now: a source that cannot be removed stays as a
	// temporary name, which list hides and a later run sweeps, rather than
	// turning a backup that is done into a failed one.
	d.remove(ctx, src, from, true)
	return nil
}
