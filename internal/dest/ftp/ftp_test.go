package ftp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/desttest"
	"github.com/posbackup/posbackup/internal/dest/remote"
	"github.com/posbackup/posbackup/internal/dest/retry"
	"github.com/posbackup/posbackup/internal/testsrv"
)

var modes = []string{"ftp", "ftpes", "ftps"}

func server(t *testing.T, mode string) *testsrv.FTPServer {
	t.Helper()
	// A server per test keeps the tests apart; vsftpd starts in milliseconds.
	return testsrv.StartFTP(t, mode)
}

func config(s *testsrv.FTPServer, folder string) Config {
	return Config{
		Scheme: s.Mode, Host: s.Host, Port: s.Port, Folder: folder,
		User: s.User, Password: s.Password, Fingerprint: s.Fingerprint,
		Timeout: 10 * time.Second,
		Retry:   retry.Policy{Attempts: 3, Backoff: 50 * time.Millisecond, MaxBackoff: 200 * time.Millisecond},
	}
}

// controlConn dials as usual and passes the control connection to s
// through wrap (data connections go to other ports).
func controlConn(s *testsrv.FTPServer, wrap func(net.Conn) net.Conn) remote.DialFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := remote.Dial(ctx, nil, network, addr)
		if err == nil && addr == s.Addr {
			conn = wrap(conn)
		}
		return conn, err
	}
}

func open(t *testing.T, cfg Config) *FTP {
	t.Helper()
	d, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestConformance(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			s := server(t, mode)
			n := 0
			desttest.Run(t, func(t *testing.T) dest.Destination {
				n++
				return open(t, config(s, "run/"+strings.Repeat("d", n)))
			})
		})
	}
}

func expectErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Fatalf("error %q does not contain %q", err, p)
		}
	}
	if strings.Contains(err.Error(), testsrv.Password) {
		t.Fatalf("error shows the password: %q", err)
	}
	t.Logf("message: %s", err)
}

func TestErrors(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			s := server(t, mode)
			t.Run("WrongPassword", func(t *testing.T) {
				cfg := config(s, "x")
				cfg.Password = "wrong"
				_, err := Open(context.Background(), cfg)
				expectErr(t, err, "refused the login", s.User, s.Host)
			})
			t.Run("UnknownHost", func(t *testing.T) {
				cfg := config(s, "x")
				cfg.Host = "no-such-host.invalid"
				_, err := Open(context.Background(), cfg)
				expectErr(t, err, "no-such-host.invalid", "was not found")
			})
			t.Run("ClosedPort", func(t *testing.T) {
				cfg := config(s, "x")
				cfg.Port = testsrv.FreePort(t)
				_, err := Open(context.Background(), cfg)
				expectErr(t, err, "refused the connection", "check the port")
			})
			t.Run("FolderCreated", func(t *testing.T) {
				d := open(t, config(s, "a/b/c"))
				desttest.Put(t, d, "x.zip", []byte("data"))
				b, err := os.ReadFile(filepath.Join(s.Root, "a", "b", "c", "x.zip"))
				if err != nil || string(b) != "data" {
					t.Fatalf("file on server: %q %v", b, err)
				}
				if !strings.Contains(d.String(), "/a/b/c") || strings.Contains(d.String(), s.Password) {
					t.Fatalf("String() = %q", d.String())
				}
			})
			t.Run("ReadOnlyFolder", func(t *testing.T) {
				ro := filepath.Join(s.Root, "readonly")
				os.Mkdir(ro, 0o555)
				testsrv.Chown(t, ro)
				d := open(t, config(s, "readonly"))
				_, err := d.Put(context.Background(), "x.zip", strings.NewReader("data"))
				expectErr(t, err, "not writable", s.Host, "readonly")
			})
			t.Run("MissingFolderNotCreatable", func(t *testing.T) {
				ro := filepath.Join(s.Root, "ro2")
				os.Mkdir(ro, 0o555)
				testsrv.Chown(t, ro)
				_, err := Open(context.Background(), config(s, "ro2/sub"))
				expectErr(t, err, "missing", "could not be created", s.Host)
			})
			if mode == "ftp" {
				return
			}
			t.Run("SelfSignedRefused", func(t *testing.T) {
				cfg := config(s, "x")
				cfg.Fingerprint = ""
				_, err := Open(context.Background(), cfg)
				var ce *CertError
				if !errors.As(err, &ce) {
					t.Fatalf("want a *CertError, got %v", err)
				}
				expectErr(t, err, "not trusted", "self-signed", s.Fingerprint, "pin")
			})
			t.Run("PinnedAccepted", func(t *testing.T) {
				cfg := config(s, "x")
				cfg.Fingerprint = strings.ToLower(s.Fingerprint[:7]) + s.Fingerprint[7:] + "="
				d := open(t, cfg)
				desttest.Put(t, d, "pinned.zip", []byte("ok"))
			})
			t.Run("ChangedCertRefused", func(t *testing.T) {
				cfg := config(s, "x")
				cfg.Fingerprint = "SHA256:" + strings.Repeat("A", 43)
				_, err := Open(context.Background(), cfg)
				expectErr(t, err, "CHANGED", s.Fingerprint)
			})
			if mode == "ftpes" {
				t.Run("PlainFTPToTLSOnly", func(t *testing.T) {
					cfg := config(s, "x")
					cfg.Scheme = "ftp"
					_, err := Open(context.Background(), cfg)
					expectErr(t, err, "requires an encrypted connection", "ftpes://")
				})
			}
		})
	}
}

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

			var c cutter
			cfg := config(s, "cut")
			cfg.DialContext = c.dial
			d := open(t, cfg)
			data := desttest.RandomBytes(8 << 20)
			r := &triggerReader{r: bytes.NewReader(data), at: 2 << 20, fire: func() { c.cut(true) }}
			tmp := dest.TempPrefix + "M001_Montag.zip"
			_, err := d.Put(context.Background(), tmp, r)
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
			var c cutter
			cfg := config(s, "resume")
			cfg.DialContext = c.dial
			d := open(t, cfg)
			data := desttest.RandomBytes(8 << 20)
			r := &triggerReader{r: bytes.NewReader(data), at: 3 << 20, fire: func() { c.cut(false) }}
			n, err := d.Put(context.Background(), "resumed.zip", r)
			if err != nil {
				t.Fatalf("Put after one cut: %v", err)
			}
			if n != int64(len(data)) {
				t.Fatalf("Put = %d", n)
			}
			if mode == "ftp" && c.rest.Load() == 0 {
				t.Fatal("no REST sent: the upload started over instead of resuming")
			}
			got, err := os.ReadFile(filepath.Join(s.Root, "resume", "resumed.zip"))
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("stored file differs (%d bytes, %v)", len(got), err)
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

// refuseRenameConn makes the server refuse the first RNTO onto target by
// sending it to a folder that does not exist (a server that does not rename
// over an existing file), records every RNTO, and, when cutAfterAside is
// set, cuts the connection at the first RNTO that follows the move aside
// (a connection lost, or a power cut, between the two renames).
type refuseRenameConn struct {
	net.Conn
	target        string
	refused       *atomic.Int32
	cutAfterAside *atomic.Bool
	mu            *sync.Mutex
	rnto          *[]string
}

func (c *refuseRenameConn) Write(p []byte) (int, error) {
	if to, ok := strings.CutPrefix(string(p), "RNTO "); ok {
		to = strings.TrimSuffix(to, "\r\n")
		c.mu.Lock()
		afterAside := len(*c.rnto) > 0 && (*c.rnto)[len(*c.rnto)-1] == dest.AsideName(c.target)
		*c.rnto = append(*c.rnto, to)
		c.mu.Unlock()
		if afterAside && c.cutAfterAside.CompareAndSwap(true, false) {
			c.Conn.Close()
			return 0, net.ErrClosed
		}
		if to == c.target && c.refused.CompareAndSwap(0, 1) {
			if _, err := c.Conn.Write([]byte("RNTO /no-such-folder-posbackup/" + c.target + "\r\n")); err != nil {
				return 0, err
			}
			return len(p), nil
		}
	}
	return c.Conn.Write(p)
}

type refusingServer struct {
	refused       atomic.Int32
	cutAfterAside atomic.Bool
	mu            sync.Mutex
	rnto          []string
}

func (r *refusingServer) config(s *testsrv.FTPServer, folder, target string) Config {
	cfg := config(s, folder)
	cfg.DialContext = controlConn(s, func(conn net.Conn) net.Conn {
		return &refuseRenameConn{Conn: conn, target: target, refused: &r.refused, cutAfterAside: &r.cutAfterAside, mu: &r.mu, rnto: &r.rnto}
	})
	return cfg
}

func (r *refusingServer) renames() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.rnto...)
}

// TestRenameMovesAside: a server that refuses to rename over an existing
// file gets the older archive moved aside under dest.AsideName (a name
// list shows and no sweep deletes), then deleted once the new one is in
// place. Afterwards the destination declares that it does not replace, and
// the next rename over an existing name moves aside at once.
func TestRenameMovesAside(t *testing.T) {
	s := server(t, "ftp")
	const to = "M001_Montag.zip"
	var r refusingServer
	d := open(t, r.config(s, "aside", to))
	desttest.Put(t, d, to, []byte("old"))
	desttest.Put(t, d, "tmp.zip", []byte("new"))
	if err := d.Rename(context.Background(), "tmp.zip", to); err != nil {
		t.Fatal(err)
	}
	if r.refused.Load() != 1 {
		t.Fatal("the rename was not refused: the test did not exercise the fallback")
	}
	if got := string(desttest.Get(t, d, to, 0)); got != "new" {
		t.Fatalf("after Rename: %q", got)
	}
	if got := desttest.Names(t, d); strings.Join(got, ",") != to {
		t.Fatalf("left over: %q", got)
	}
	if want := []string{to, dest.AsideName(to), to}; strings.Join(r.renames(), ",") != strings.Join(want, ",") {
		t.Fatalf("RNTO sequence %q, want %q (refused, move aside, into place)", r.renames(), want)
	}
	if d.Caps().RenameReplaces {
		t.Fatal("after a refusal the destination still declares RenameReplaces")
	}
	desttest.Put(t, d, "tmp2.zip", []byte("newer"))
	if err := d.Rename(context.Background(), "tmp2.zip", to); err != nil {
		t.Fatal(err)
	}
	if want := []string{to, dest.AsideName(to), to, dest.AsideName(to), to}; strings.Join(r.renames(), ",") != strings.Join(want, ",") {
		t.Fatalf("RNTO sequence %q, want %q (the second rename moves aside at once)", r.renames(), want)
	}
	if got := string(desttest.Get(t, d, to, 0)); got != "newer" {
		t.Fatalf("after the second Rename: %q", got)
	}
}

// TestRenameCutBetweenRenames: the connection breaks after the older
// archive was moved aside. Without retries the older archive is left under
// its aside name, which List shows (a later run puts it back); with
// retries the new one goes into place and the aside copy is removed.
func TestRenameCutBetweenRenames(t *testing.T) {
	s := server(t, "ftp")
	const to = "M001_Dienstag.zip"
	for _, attempts := range []int{1, 3} {
		t.Run(strconv.Itoa(attempts), func(t *testing.T) {
			var r refusingServer
			cfg := r.config(s, "cut"+strconv.Itoa(attempts), to)
			cfg.Retry.Attempts = attempts
			d := open(t, cfg)
			desttest.Put(t, d, to, []byte("old"))
			desttest.Put(t, d, "tmp.zip", []byte("new"))
			r.cutAfterAside.Store(true)
			err := d.Rename(context.Background(), "tmp.zip", to)
			if r.cutAfterAside.Load() {
				t.Fatalf("the connection was not cut (RNTO %q)", r.renames())
			}
			names := strings.Join(desttest.Names(t, d), ",")
			if attempts == 1 {
				if err == nil {
					t.Fatal("Rename returned no error after the connection broke")
				}
				if want := dest.AsideName(to) + ",tmp.zip"; names != want {
					t.Fatalf("after the cut List = %s, want %s", names, want)
				}
				if got := string(desttest.Get(t, d, dest.AsideName(to), 0)); got != "old" {
					t.Fatalf("the aside copy holds %q", got)
				}
				t.Logf("message: %v", err)
				return
			}
			if err != nil {
				t.Fatalf("Rename with retries: %v", err)
			}
			if names != to || string(desttest.Get(t, d, to, 0)) != "new" {
				t.Fatalf("after the retried Rename List = %s", names)
			}
		})
	}
}

// noReplaceConn makes vsftpd refuse every RNTO onto a file that exists in
// dir (the folder on the server's disk): a server that never renames over
// a file.
type noReplaceConn struct {
	net.Conn
	dir string
}

func (c noReplaceConn) Write(p []byte) (int, error) {
	if to, ok := strings.CutPrefix(string(p), "RNTO "); ok {
		to = strings.TrimSuffix(to, "\r\n")
		if _, err := os.Stat(filepath.Join(c.dir, to)); err == nil {
			if _, err := c.Conn.Write([]byte("RNTO /no-such-folder-posbackup/" + to + "\r\n")); err != nil {
				return 0, err
			}
			return len(p), nil
		}
	}
	return c.Conn.Write(p)
}

// TestConformanceNoReplace runs the suite against a server that refuses
// every rename over an existing file, so Rename takes the move-aside path.
func TestConformanceNoReplace(t *testing.T) {
	s := server(t, "ftp")
	n := 0
	desttest.Run(t, func(t *testing.T) dest.Destination {
		n++
		folder := "noreplace/" + strings.Repeat("d", n)
		cfg := config(s, folder)
		cfg.DialContext = controlConn(s, func(conn net.Conn) net.Conn { return noReplaceConn{Conn: conn, dir: filepath.Join(s.Root, folder)} })
		return open(t, cfg)
	})
}

// TestDiskFull uploads to a folder on a 1 MiB file system.
func TestDiskFull(t *testing.T) {
	s := server(t, "ftpes")
	full := filepath.Join(s.Root, "full")
	os.Mkdir(full, 0o755)
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", full).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", full).Run() })
	testsrv.Chown(t, full)
	d := open(t, config(s, "full"))
	_, err := d.Put(context.Background(), "big.zip", bytes.NewReader(desttest.RandomBytes(3<<20)))
	expectErr(t, err, s.Host, "full")
	if names := desttest.Names(t, d); len(names) != 0 {
		t.Fatalf("left over: %q", names)
	}
}

func TestOpenStopEarly(t *testing.T) {
	for _, mode := range []string{"ftp", "ftpes"} {
		t.Run(mode, func(t *testing.T) {
			s := server(t, mode)
			d := open(t, config(s, "early"))
			data := desttest.RandomBytes(8 << 20)
			desttest.Put(t, d, "big.zip", data)
			rc, err := d.Open(context.Background(), "big.zip", 0)
			if err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 1000)
			if _, err := io.ReadFull(rc, buf); err != nil {
				t.Fatal(err)
			}
			if err := rc.Close(); err != nil {
				t.Fatalf("Close after reading part: %v", err)
			}
			// The destination works on.
			if got := desttest.Get(t, d, "big.zip", int64(len(data))-10); !bytes.Equal(got, data[len(data)-10:]) {
				t.Fatal("tail differs")
			}
		})
	}
}

// noSizeConn turns SIZE into an unknown command: a server without SIZE.
type noSizeConn struct{ net.Conn }

func (c noSizeConn) Write(p []byte) (int, error) {
	if bytes.HasPrefix(p, []byte("SIZE ")) {
		if _, err := c.Conn.Write(append([]byte("XSIZ"), p[4:]...)); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return c.Conn.Write(p)
}

// TestConformanceWithoutSIZE: sizes come from the listing.
func TestConformanceWithoutSIZE(t *testing.T) {
	s := server(t, "ftp")
	n := 0
	desttest.Run(t, func(t *testing.T) dest.Destination {
		n++
		cfg := config(s, "nosize/"+strings.Repeat("d", n))
		cfg.DialContext = controlConn(s, func(conn net.Conn) net.Conn { return noSizeConn{conn} })
		return open(t, cfg)
	})
}
