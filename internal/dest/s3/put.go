package s3

// Put: a streaming multipart upload, its size check, and the clean-up of
// a failed one.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/minio/minio-go/v7"
)

// countingReader counts what Put read from the caller's reader.
type countingReader struct {
	r   io.Reader
	n   int64
	err error // the first error other than EOF
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && err != io.EOF {
		if c.err == nil {
			c.err = err
		}
		// minio-go reads parts with io.ReadFull and takes
		// io.ErrUnexpectedEOF for the end of a short last part: a source
		// that fails so would be stored cut short as if complete.
		return n, errSourceFailed
	}
	return n, err
}

var errSourceFailed = errors.New("the archive being uploaded could not be read to its end")

// Put uploads r under name as a multipart upload with one part in memory.
func (d *S3) Put(ctx context.Context, name string, r io.Reader) (int64, error) {
	key, err := d.key(name)
	if err != nil {
		return 0, err
	}
	cr := &countingReader{r: r}
	_, err = d.cl.PutObject(ctx, d.cfg.Bucket, key, cr, -1, minio.PutObjectOptions{
		PartSize:    d.cfg.PartSize,
		ContentType: "application/zip",
	})
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	if err == nil && cr.err != nil {
		err = cr.err
	}
	if err != nil {
		d.cleanup(key)
		switch {
		case cr.err != nil:
			return cr.n, cr.err // the reader's own error, as the contract says
		case ctx.Err() != nil:
			return cr.n, ctx.Err()
		}
		return cr.n, d.plain("upload", name, err)
	}
	info, err := d.cl.StatObject(ctx, d.cfg.Bucket, key, minio.StatObjectOptions{})
	if err != nil {
		d.cleanup(key)
		return cr.n, d.plain("check the upload of", name, err)
	}
	if info.Size != cr.n {
		d.cleanup(key)
		return cr.n, fmt.Errorf("%s holds %d bytes of %s after the upload, but %d were sent: the upload is incomplete; try again", d, info.Size, name, cr.n)
	}
	return cr.n, nil
}

// cleanup removes the object a failed Put left under key (minio-go
// itself aborts an unfinished multipart upload, on a context of its own:
// TestFailedPutLeavesNoUpload). It has its own short deadline, since the
// run's context may be the one that was cancelled.
func (d *S3) cleanup(key string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if info, err := d.cl.StatObject(ctx, d.cfg.Bucket, key, minio.StatObjectOptions{}); err == nil {
		d.cl.RemoveObject(ctx, d.cfg.Bucket, key, minio.RemoveObjectOptions{VersionID: versionOf(info)})
	}
}
