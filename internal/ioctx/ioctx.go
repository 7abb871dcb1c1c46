// Package ioctx is I/O that stops when its context ends: a reader the
// archive writer and the folder destination copy through, so that a
// cancelled run stops between two reads instead of at the end of a file.
package ioctx

import (
	"context"
	"io"
)

// Reader returns a reader that reads r until ctx ends; from then on each
// Read returns ctx.Err() without reading.
func Reader(ctx context.Context, r io.Reader) io.Reader { return reader{ctx, r} }

type reader struct {
	ctx context.Context
	r   io.Reader
}

func (c reader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
