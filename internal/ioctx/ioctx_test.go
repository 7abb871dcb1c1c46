package ioctx

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

// TestReaderStopsWithContext: reads pass through until the context ends,
// then fail with the context's error without reading further.
func TestReaderStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	src := strings.NewReader("abcdef")
	r := Reader(ctx, src)
	buf := make([]byte, 3)
	if n, err := r.Read(buf); n != 3 || err != nil || string(buf) != "abc" {
		t.Fatalf("first read: %d %v %q", n, err, buf)
	}
	cancel()
	if n, err := r.Read(buf); n != 0 || !errors.Is(err, context.Canceled) {
		t.Fatalf("read after cancel: %d %v", n, err)
	}
	if rest, _ := io.ReadAll(src); string(rest) != "def" {
		t.Fatalf("the reader went on reading after cancel: %q left", rest)
	}
}
