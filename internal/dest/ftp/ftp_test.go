package ftp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
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
	testsrv.ExpectErr(t, err, parts...)
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

// rewriteConn sends what rewrite makes of a write on the control
// connection (nil: the write as it is), and reports the whole write done.
type rewriteConn struct {
	net.Conn
	rewrite func(p []byte) []byte
}

func (c rewriteConn) Write(p []byte) (int, error) {
	if q := c.rewrite(p); q != nil {
		if _, err := c.Conn.Write(q); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return c.Conn.Write(p)
}

// conformanceRewritten runs the suite against plain vsftpd, with the
// commands rewritten by rewrite(the folder on the server's disk, command).
func conformanceRewritten(t *testing.T, prefix string, rewrite func(dir string, p []byte) []byte) {
	s := server(t, "ftp")
	n := 0
	desttest.Run(t, func(t *testing.T) dest.Destination {
		n++
		folder := prefix + "/" + strings.Repeat("d", n)
		cfg := config(s, folder)
		dir := filepath.Join(s.Root, folder)
		cfg.DialContext = controlConn(s, func(conn net.Conn) net.Conn {
			return rewriteConn{conn, func(p []byte) []byte { return rewrite(dir, p) }}
		})
		return open(t, cfg)
	})
}

// TestConformanceNoReplace runs the suite against a server that refuses
// every rename over an existing file (vsftpd made to refuse an RNTO onto a
// file that exists, by sending it to a folder that does not), so Rename
// takes the move-aside path.
func TestConformanceNoReplace(t *testing.T) {
	conformanceRewritten(t, "noreplace", func(dir string, p []byte) []byte {
		if to, ok := strings.CutPrefix(string(p), "RNTO "); ok {
			to = strings.TrimSuffix(to, "\r\n")
			if _, err := os.Stat(filepath.Join(dir, to)); err == nil {
				return []byte("RNTO /no-such-folder-posbackup/" + to + "\r\n")
			}
		}
		return nil
	})
}

// TestDiskFull uploads to a folder on a 1 MiB file system.
func TestDiskFull(t *testing.T) {
	s := server(t, "ftpes")
	testsrv.FullFolder(t, s.Root, "full")
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

// TestConformanceWithoutSIZE: a server without SIZE (it is sent as an
// unknown command): sizes come from the listing.
func TestConformanceWithoutSIZE(t *testing.T) {
	conformanceRewritten(t, "nosize", func(_ string, p []byte) []byte {
		if bytes.HasPrefix(p, []byte("SIZE ")) {
			return append([]byte("XSIZ"), p[4:]...)
		}
		return nil
	})
}
