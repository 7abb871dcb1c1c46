package retry

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestDelay(t *testing.T) {
	p := Policy{Backoff: 100 * time.Millisecond, MaxBackoff: 500 * time.Millisecond}
	want := []time.Duration{100, 200, 400, 500, 500}
	for i, w := range want {
		if got := p.Delay(i + 1); got != w*time.Millisecond {
			t.Errorf("Delay(%d) = %v, want %v", i+1, got, w*time.Millisecond)
		}
	}
	if (Policy{}).Tries() != DefaultAttempts || (Policy{Attempts: 1}).Tries() != 1 {
		t.Fatal("Tries")
	}
}

func TestDo(t *testing.T) {
	p := Policy{Attempts: 3, Backoff: time.Millisecond}
	calls := 0
	err := p.Do(context.Background(), func(int) error {
		calls++
		return &Error{Msg: "dropped", Temp: true}
	})
	if calls != 3 || err == nil {
		t.Fatalf("transient: %d calls, %v", calls, err)
	}
	calls = 0
	err = p.Do(context.Background(), func(int) error {
		calls++
		return errors.New("login refused")
	})
	if calls != 1 || err == nil {
		t.Fatalf("permanent: %d calls", calls)
	}
	calls = 0
	err = p.Do(context.Background(), func(try int) error {
		calls++
		if try < 1 {
			return io.ErrUnexpectedEOF
		}
		return nil
	})
	if calls != 2 || err != nil {
		t.Fatalf("recovering: %d calls, %v", calls, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls = 0
	p.Do(ctx, func(int) error { calls++; return io.EOF })
	if calls != 1 {
		t.Fatalf("cancelled ctx: %d calls", calls)
	}
}

func TestTransient(t *testing.T) {
	for _, err := range []error{io.EOF, syscall.ECONNRESET, &net.OpError{Op: "read", Err: syscall.EPIPE}, &Error{Temp: true}} {
		if !Transient(err) {
			t.Errorf("%v not transient", err)
		}
	}
	for _, err := range []error{context.Canceled, errors.New("550 no"), &Error{Msg: "login", Err: io.EOF}} {
		if Transient(err) {
			t.Errorf("%v transient", err)
		}
	}
}

func TestDialMessage(t *testing.T) {
	_, err := net.Dial("tcp", "no-such-host.invalid:21")
	if m := DialMessage("no-such-host.invalid", 21, "FTP server", err); !strings.Contains(m, "was not found") {
		t.Fatalf("%q", m)
	}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	_, err = net.Dial("tcp", addr)
	if m := DialMessage("127.0.0.1", 1, "FTP server", err); !strings.Contains(m, "refused the connection") {
		t.Fatalf("%q", m)
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func TestSource(t *testing.T) {
	src := NewSource(context.Background(), bytes.NewReader([]byte("0123456789")))
	b := make([]byte, 4)
	src.Read(b)
	if src.N() != 4 || !src.SeekTo(2) || src.N() != 2 {
		t.Fatal("seek")
	}
	rest, _ := io.ReadAll(src)
	if string(rest) != "23456789" || src.Err() != nil {
		t.Fatalf("%q %v", rest, src.Err())
	}
	boom := errors.New("boom")
	s2 := NewSource(context.Background(), io.MultiReader(strings.NewReader("ab"), errReader{boom}))
	io.ReadAll(s2)
	if !errors.Is(s2.Err(), boom) || s2.SeekTo(0) {
		t.Fatal("reader error")
	}
	s3 := NewSource(context.Background(), strings.NewReader("abc")) // strings.Reader seeks
	s4 := NewSource(context.Background(), io.MultiReader(strings.NewReader("abc")))
	io.ReadAll(s4)
	if s4.SeekTo(0) || !s4.SeekTo(3) || !s3.SeekTo(0) {
		t.Fatal("non-seeker")
	}
}

// TestPutShortIsBreak: a try that ends without an error but with the file
// short (FTP: the server took a cut data connection for the end of the
// file) is resumed when the Upload says so and that try got bytes through;
// else, or when a try gets nothing through, it ends in "incomplete".
func TestPutShortIsBreak(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), 1000)
	for _, short := range []bool{true, false} {
		var s fakeServer
		u := s.upload(0, true)
		store := u.Store
		cut := true
		u.Store = func(c *fakeClient, src io.Reader, off int64) error {
			if cut {
				cut = false
				s.file = s.file[:off]
				b, _ := io.ReadAll(src) // every byte taken, a part kept
				s.file = append(s.file, b[:3000]...)
				return nil
			}
			return store(c, src, off)
		}
		u.ShortIsBreak = short
		n, err := s.conn().Put(context.Background(), bytes.NewReader(data), u)
		if short && (err != nil || n != int64(len(data)) || !bytes.Equal(s.file, data)) {
			t.Fatalf("ShortIsBreak: %d, %v, %d bytes stored", n, err, len(s.file))
		}
		if !short && (err == nil || !strings.Contains(err.Error(), "holds 3000 bytes") || s.file != nil) {
			t.Fatalf("without ShortIsBreak: %v, %d bytes left", err, len(s.file))
		}
	}
	// Every try keeps nothing new: incomplete, not retried forever.
	var s fakeServer
	u := s.upload(0, true)
	u.ShortIsBreak = true
	u.Store = func(_ *fakeClient, src io.Reader, off int64) error {
		io.Copy(io.Discard, src)
		if off == 0 {
			s.file = data[:3000]
		}
		return nil
	}
	_, err := s.conn().Put(context.Background(), bytes.NewReader(data), u)
	if err == nil || !strings.Contains(err.Error(), "holds 3000 bytes") || !strings.Contains(err.Error(), "incomplete") {
		t.Fatalf("no progress: %v", err)
	}
}
