package archive

import (
	"bytes"
	"context"
	"hash"
	"io"
	"sync"

	"github.com/klauspost/compress/flate"
)

// Parallel deflate of one large file, as pigz does it: the file is cut into
// blocks that are compressed at the same time, each primed with the 32 KiB
// before it as dictionary and ended with a sync flush (the last one with the
// final block), so that the pieces joined in order are one valid deflate
// stream. Reading, CRC-32 and SHA-256 stay sequential in the caller's
// goroutine; only compression fans out.

const (
	blockSize = 1 << 20
	dictSize  = 32 << 10
)

type block struct {
	data []byte
	dict []byte
	last bool
	out  bytes.Buffer
	err  error
	done chan struct{}
}

var (
	blockBufPool = sync.Pool{New: func() any { b := make([]byte, blockSize); return &b }}
	dictPools    [10]sync.Pool // flate writers used with a dictionary, kept apart from the plain ones
)

func compressBlock(b *block, level int) {
	defer close(b.done)
	fw, _ := dictPools[level].Get().(*flate.Writer)
	if fw == nil {
		fw, _ = flate.NewWriter(&b.out, level)
	}
	fw.ResetDict(&b.out, b.dict)
	if _, err := fw.Write(b.data); err != nil {
		b.err = err
		return
	}
	if b.last {
		b.err = fw.Close()
	} else {
		b.err = fw.Flush()
	}
	dictPools[level].Put(fw)
}

// deflateParallel compresses first and then the rest of r into w, feeding
// every byte read through the hashes. It returns the bytes read.
func deflateParallel(ctx context.Context, first []byte, r io.Reader, w io.Writer, hashes []hash.Hash, level, workers int) (int64, error) {
	work := make(chan *block)
	inOrder := make(chan *block, 2*workers) // bounds blocks in flight
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				compressBlock(b, level)
			}
		}()
	}
	// The writer: takes blocks in order and appends their output.
	werr := make(chan error, 1)
	go func() {
		var err error
		for b := range inOrder {
			<-b.done
			if err == nil {
				err = b.err
			}
			if err == nil {
				_, err = w.Write(b.out.Bytes())
			}
			bp := b.data[:cap(b.data)]
			blockBufPool.Put(&bp)
		}
		werr <- err
	}()
	finish := func(err error) (int64, error) {
		close(work)
		wg.Wait()
		close(inOrder)
		if e := <-werr; err == nil {
			err = e
		}
		return 0, err
	}

	var total int64
	var dict []byte
	pending := append((*blockBufPool.Get().(*[]byte))[:0], first...)
	for {
		if err := ctx.Err(); err != nil {
			_, err = finish(err)
			return total, err
		}
		// Read the next block before sending this one, to know which is last.
		nb := blockBufPool.Get().(*[]byte)
		n, rerr := io.ReadFull(r, (*nb)[:blockSize])
		if rerr != nil && rerr != io.EOF && rerr != io.ErrUnexpectedEOF {
			blockBufPool.Put(nb)
			_, err := finish(rerr)
			return total, err
		}
		next := (*nb)[:n]
		for _, h := range hashes {
			h.Write(pending)
		}
		total += int64(len(pending))
		// The next block's dictionary is taken now: once b is sent, the
		// writer may hand its buffer back to the pool for another file.
		nextDict := lastBytes(dict, pending, dictSize)
		b := &block{data: pending, dict: dict, last: n == 0, done: make(chan struct{})}
		inOrder <- b
		work <- b
		dict = nextDict
		if n == 0 {
			blockBufPool.Put(nb)
			break
		}
		pending = next
	}
	_, err := finish(nil)
	return total, err
}

// lastBytes returns a new slice holding the last max bytes of a followed
// by b.
func lastBytes(a, b []byte, max int) []byte {
	if len(b) >= max {
		return append([]byte(nil), b[len(b)-max:]...)
	}
	if keep := max - len(b); len(a) > keep {
		a = a[len(a)-keep:]
	}
	return append(append(make([]byte, 0, len(a)+len(b)), a...), b...)
}
