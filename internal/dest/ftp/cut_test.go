package ftp

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/desttest"
	"github.com/posbackup/posbackup/internal/dest/remote"
	"github.com/posbackup/posbackup/internal/testsrv"
)

// cutter dials real connections and cuts all of them (and refuses new ones
// while refuse is set) once trigger is called: a dropped network.
type cutter struct {
	mu     sync.Mutex
	conns  []net.Conn
	refuse atomic.Bool
	dials  atomic.Int32
	rest   atomic.Int32 // REST commands seen (plain FTP only)
}

type restSpy struct {
	net.Conn
	c *cutter
}

func (r restSpy) Write(p []byte) (int, error) {
	if bytes.HasPrefix(p, []byte("REST ")) {
		r.c.rest.Add(1)
	}
	return r.Conn.Write(p)
}

func (c *cutter) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	c.dials.Add(1)
	if c.refuse.Load() {
		return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("connection refused")}
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.conns = append(c.conns, conn)
	c.mu.Unlock()
	return restSpy{conn, c}, nil
}

func (c *cutter) cut(refuse bool) {
	c.refuse.Store(refuse)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, conn := range c.conns {
		conn.(*net.TCPConn).SetLinger(0) // reset, like a dropped line
		conn.Close()
	}
	c.conns = nil
}

type triggerReader struct {
	r     *bytes.Reader
	n     int64
	at    int64
	fired bool
	fire  func()
}

func (t *triggerReader) Read(p []byte) (int, error) {
	if len(p) > 16<<10 {
		p = p[:16<<10]
	}
	n, err := t.r.Read(p)
	t.n += int64(n)
	if !t.fired && t.n >= t.at {
		t.fired = true
		t.fire()
	}
	return n, err
}

func (t *triggerReader) Seek(off int64, whence int) (int64, error) { return t.r.Seek(off, whence) }

// putCut puts 8 MiB as name into folder on s over connections that are all
// cut (and, with refuse, refused from then on) once at bytes have been
// read from the source.
func putCut(t *testing.T, s *testsrv.FTPServer, folder, name string, at int64, refuse bool) (*cutter, []byte, error) {
	t.Helper()
	c := new(cutter)
	cfg := config(s, folder)
	cfg.DialContext = c.dial
	d := open(t, cfg)
	data := desttest.RandomBytes(8 << 20)
	r := &triggerReader{r: bytes.NewReader(data), at: at, fire: func() { c.cut(refuse) }}
	n, err := d.Put(context.Background(), name, r)
	if err == nil && n != int64(len(data)) {
		t.Fatalf("Put = %d, want %d", n, len(data))
	}
	return c, data, err
}

// putCutOnce is putCut at 3 MiB, without refusing: the upload must end
// whole on the server, resumed or started over.
func putCutOnce(t *testing.T, s *testsrv.FTPServer, folder, name string) *cutter {
	t.Helper()
	c, data, err := putCut(t, s, folder, name, 3<<20, false)
	if err != nil {
		t.Fatalf("Put after one cut: %v", err)
	}
	got, err := os.ReadFile(filepath.Join(s.Root, folder, name))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("stored file differs (%d bytes, %v)", len(got), err)
	}
	return c
}

// TestConnectionCut: the connection drops during the upload of a new
// backup and the server stays unreachable: Put fails after its retries and
// the older backup under the final name is unchanged.
func TestConnectionCut(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			s := server(t, mode)
			old := desttest.RandomBytes(50_000)
			d0 := open(t, config(s, "cut"))
			desttest.Put(t, d0, "M001_Montag.zip", old)

			c, _, err := putCut(t, s, "cut", dest.TempPrefix+"M001_Montag.zip", 2<<20, true)
			expectErr(t, err, s.Host)
			if c.dials.Load() < 3 {
				t.Fatalf("only %d dials: no retry after the cut", c.dials.Load())
			}
			// the job would not rename now; the old backup is whole.
			if got := desttest.Get(t, d0, "M001_Montag.zip", 0); !bytes.Equal(got, old) {
				t.Fatal("the older backup changed")
			}
		})
	}
}

// TestConnectionCutResumed: the connection drops once; Put connects again,
// resumes and the stored file is whole.
func TestConnectionCutResumed(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			s := server(t, mode)
			c := putCutOnce(t, s, "resume", "resumed.zip")
			if mode == "ftp" && c.rest.Load() == 0 {
				t.Fatal("no REST sent: the upload started over instead of resuming")
			}
		})
	}
}

// swallowConn reports data writes as done but drops everything after limit
// bytes, counted over all its data connections (n is shared): a server (or
// middlebox) that keeps only the first bytes of an upload, also when it is
// resumed.
type swallowConn struct {
	net.Conn
	limit int64
	n     *int64
}

func (s *swallowConn) Write(p []byte) (int, error) {
	keep := int64(len(p))
	if *s.n+keep > s.limit {
		keep = max(0, s.limit-*s.n)
	}
	*s.n += int64(len(p))
	if keep > 0 {
		if _, err := s.Conn.Write(p[:keep]); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

func TestTruncatedUploadCaught(t *testing.T) {
	s := server(t, "ftp") // plain: the swallowing happens under TLS otherwise
	first := true
	var swallowed int64
	cfg := config(s, "trunc")
	cfg.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		var nd net.Dialer
		conn, err := nd.DialContext(ctx, network, addr)
		if err != nil || first {
			first = false
			return conn, err
		}
		return &swallowConn{Conn: conn, limit: 1000, n: &swallowed}, nil
	}
	d := open(t, cfg)
	_, err := d.Put(context.Background(), "short.zip", bytes.NewReader(desttest.RandomBytes(5000)))
	expectErr(t, err, "1000 bytes", "5000", "incomplete")
	if _, err := os.Stat(filepath.Join(s.Root, "trunc", "short.zip")); !os.IsNotExist(err) {
		t.Fatalf("the truncated file was left on the server: %v", err)
	}
}

// cutOnceConn closes the first data connection that carries more than
// limit bytes at that point, while reporting every write as done: a
// middlebox resets it, and the server sees it end.
type cutOnceConn struct {
	net.Conn
	limit int64
	n     int64
	done  *atomic.Bool // some connection was cut
	cut   bool         // this one
}

func (c *cutOnceConn) Write(p []byte) (int, error) {
	if c.cut {
		return len(p), nil // swallowed after the cut
	}
	if c.n+int64(len(p)) > c.limit && c.done.CompareAndSwap(false, true) {
		c.Conn.Write(p[:c.limit-c.n])
		c.Conn.Close()
		c.cut = true
		return len(p), nil
	}
	c.n += int64(len(p))
	return c.Conn.Write(p)
}

// Close after the cut succeeds, as closing a reset socket whose writes had
// all been taken does.
func (c *cutOnceConn) Close() error {
	if c.cut {
		return nil
	}
	return c.Conn.Close()
}

// TestDataConnectionCut: the data connection of an upload ends after
// 300 kB while the client's writes all succeed. Plain FTP then answers 226
// with a short file, TLS 426 "Failure reading network stream": either way
// the upload resumes and completes.
func TestDataConnectionCut(t *testing.T) {
	for _, mode := range []string{"ftp", "ftpes"} {
		t.Run(mode, func(t *testing.T) {
			s := server(t, mode)
			cfg := config(s, "datacut")
			var cut atomic.Bool
			d := open(t, cfg)
			d.cfg.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
				conn, err := remote.Dial(ctx, nil, network, addr)
				if err != nil || addr == s.Addr {
					return conn, err
				}
				return &cutOnceConn{Conn: conn, limit: 300_000, done: &cut}, nil
			}
			data := desttest.RandomBytes(3 << 20)
			desttest.Put(t, d, "cut.zip", data)
			if !cut.Load() {
				t.Fatal("no data connection was cut: the test did not exercise the break")
			}
			got, err := os.ReadFile(filepath.Join(s.Root, "datacut", "cut.zip"))
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("stored file differs (%d bytes, %v)", len(got), err)
			}
		})
	}
}
