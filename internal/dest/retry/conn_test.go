package retry

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// fakeServer is a server holding one file, reached over clients whose
// connection breaks where an upload is cut.
type fakeServer struct {
	file     []byte
	connects int
	releases int
}

// fakeClient is one connection; broken once its upload was cut: every
// later use of it is the bug of retrying on a dead connection.
type fakeClient struct{ broken bool }

var errDeadClient = errors.New("used a connection after it broke")

func (s *fakeServer) conn() *Conn[*fakeClient] {
	h := &Conn[*fakeClient]{
		Policy:  Policy{Attempts: 3, Backoff: time.Millisecond},
		Timeout: time.Second,
		Abort:   func() {},
		Release: func(*fakeClient) { s.releases++ },
	}
	h.Connect = func(context.Context) error {
		s.connects++
		h.Set(&fakeClient{})
		return nil
	}
	return h
}

var errLost = &Error{Msg: "lost", Temp: true}

func TestConnDo(t *testing.T) {
	var s fakeServer
	h := s.conn()
	var tries []int
	err := h.Do(context.Background(), func(c *fakeClient, try int) error {
		tries = append(tries, try)
		if try == 0 {
			return errLost
		}
		return nil
	})
	if err != nil || len(tries) != 2 || s.connects != 2 || s.releases != 1 || !h.Connected() {
		t.Fatalf("err %v, tries %v, %d connects, %d releases", err, tries, s.connects, s.releases)
	}
	if err := h.Do(context.Background(), func(*fakeClient, int) error { return errors.New("refused") }); err == nil || s.connects != 2 {
		t.Fatalf("permanent error: %v, %d connects", err, s.connects)
	}
	quit := 0
	h.Close(func(*fakeClient) { quit++ })
	if quit != 1 || h.Connected() {
		t.Fatal("Close")
	}
}

// upload is an Upload to s whose Store breaks off after cutAt bytes, once.
func (s *fakeServer) upload(cutAt int64, resumable bool) Upload[*fakeClient] {
	cut := cutAt > 0
	return Upload[*fakeClient]{
		Name: "a.zip", Host: "host",
		Resume: func(_ context.Context, _ *fakeClient, src *Source, fromStart bool) (int64, error) {
			have := int64(len(s.file))
			if fromStart {
				have = 0
			}
			off, ok := src.Restart(have)
			if !ok {
				return 0, ErrNoRestart
			}
			return off, nil
		},
		Store: func(c *fakeClient, src io.Reader, off int64) error {
			if c.broken {
				return errDeadClient
			}
			if off > 0 && !resumable {
				return errors.New("502 no REST")
			}
			s.file = s.file[:off]
			r := src
			if cut {
				cut, c.broken = false, true
				r = io.LimitReader(src, cutAt)
			}
			b, err := io.ReadAll(r)
			s.file = append(s.file, b...)
			if err == nil && r != src {
				return errLost
			}
			return err
		},
		NoResume: func(err error) bool { return strings.HasPrefix(err.Error(), "502") },
		Size: func(c *fakeClient) (int64, error) {
			if c.broken {
				return 0, errDeadClient
			}
			return int64(len(s.file)), nil
		},
		Explain: func(what string, err error) error { return err },
		Remove:  func(*fakeClient) error { s.file = nil; return nil },
	}
}

func TestConnPut(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), 1000)
	for _, resumable := range []bool{true, false} {
		var s fakeServer
		n, err := s.conn().Put(context.Background(), bytes.NewReader(data), s.upload(3000, resumable))
		if err != nil || n != int64(len(data)) || !bytes.Equal(s.file, data) {
			t.Fatalf("resumable %v: %d, %v, %d bytes stored", resumable, n, err, len(s.file))
		}
		// The cut connection was dropped and a new one made; a refused
		// resume starts over on the same one.
		if s.connects != 2 || s.releases != 1 {
			t.Errorf("resumable %v: %d connects, %d releases, want 2 and 1", resumable, s.connects, s.releases)
		}
	}
	// A source that cannot go back (the server lost the last byte): the
	// partial file is removed.
	var s fakeServer
	u := s.upload(3000, true)
	u.Resume = func(_ context.Context, _ *fakeClient, src *Source, _ bool) (int64, error) {
		if _, ok := src.Restart(int64(len(s.file)) - 1); !ok {
			return 0, ErrNoRestart
		}
		return 0, errors.New("went back")
	}
	_, err := s.conn().Put(context.Background(), io.MultiReader(bytes.NewReader(data)), u)
	if err == nil || !strings.Contains(err.Error(), `the upload of "a.zip" to host broke off and cannot be started again`) || s.file != nil {
		t.Fatalf("%v, %d bytes left", err, len(s.file))
	}
	// Every try breaks off: the message says so, and the error is transient.
	s = fakeServer{}
	u = s.upload(0, true)
	u.Store = func(*fakeClient, io.Reader, int64) error { return errLost }
	_, err = s.conn().Put(context.Background(), bytes.NewReader(data), u)
	if !Transient(err) || !strings.Contains(err.Error(), "broke off and 2 more tries failed; the last one: lost") {
		t.Fatalf("%v", err)
	}
}
