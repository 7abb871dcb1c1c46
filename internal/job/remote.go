package job

import (
	"context"
	"io"
	"sync"

	"github.com/posbackup/posbackup/internal/archive"
	"github.com/posbackup/posbackup/internal/dest"
)

// remoteReaderAt reads an archive on a server in blocks, fetched with
// Destination.Open at an offset and cached, so that reading the central
// directory and the manifest (list, the stale-source guard, retention)
// costs a few requests instead of a download of the whole archive.
type remoteReaderAt struct {
	ctx   context.Context
	d     dest.Destination
	name  string
	size  int64
	mu    sync.Mutex
	cache map[int64][]byte
	order []int64
}

const remoteBlock = 256 << 10
const remoteCacheBlocks = 64 // 16 MiB at most

func (r *remoteReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		if pos >= r.size {
			return n, io.EOF
		}
		blk := pos / remoteBlock * remoteBlock
		b, err := r.block(blk)
		if err != nil {
			return n, err
		}
		n += copy(p[n:], b[pos-blk:])
	}
	return n, nil
}

func (r *remoteReaderAt) block(start int64) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if b, ok := r.cache[start]; ok {
		return b, nil
	}
	want := int64(remoteBlock)
	if start+want > r.size {
		want = r.size - start
	}
	rc, err := r.d.Open(r.ctx, r.name, start)
	if err != nil {
		return nil, err
	}
	b := make([]byte, want)
	_, err = io.ReadFull(rc, b)
	rc.Close()
	if err != nil {
		return nil, err
	}
	if len(r.order) >= remoteCacheBlocks {
		delete(r.cache, r.order[0])
		r.order = r.order[1:]
	}
	r.cache[start] = b
	r.order = append(r.order, start)
	return b, nil
}

// openDetails opens an archive to read its manifest: in place for folders,
// by blocks for servers.
func openDetails(ctx context.Context, d dest.Destination, in dest.Info, password string) (*Archive, error) {
	if l, ok := d.(dest.Local); ok {
		return OpenPathPassword(l.Path(in.Name), password)
	}
	r, err := archive.NewReaderPassword(&remoteReaderAt{ctx: ctx, d: d, name: in.Name, size: in.Size, cache: map[int64][]byte{}}, in.Size, password)
	if err != nil {
		if pe := passwordErr(in.Name+" at "+d.String(), err); pe != nil {
			return nil, pe
		}
		return nil, err
	}
	return &Archive{Reader: r}, nil
}
