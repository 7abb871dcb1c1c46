package sftp

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pkg/sftp"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/desttest"
	"github.com/posbackup/posbackup/internal/dest/remote"
	"github.com/posbackup/posbackup/internal/dest/retry"
	"github.com/posbackup/posbackup/internal/testsrv"
)

func passwordConfig(s *testsrv.SSHServer, folder string) Config {
	return Config{
		Host: s.Host, Port: s.Port, Folder: folder, User: s.User, Password: s.Password,
		Fingerprint: s.HostKeyFingerprint, Timeout: 10 * time.Second,
		Retry: retry.Policy{Attempts: 3, Backoff: 50 * time.Millisecond, MaxBackoff: 200 * time.Millisecond},
	}
}

func keyConfig(s *testsrv.SSHServer, folder string) Config {
	cfg := passwordConfig(s, folder)
	cfg.Password = ""
	cfg.KeyFile = s.KeyFile
	cfg.Fingerprint = ""
	cfg.KnownHosts = s.KnownHostsFile
	return cfg
}

func open(t *testing.T, cfg Config) *SFTP {
	t.Helper()
	d, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestConformance(t *testing.T) { conformance(t, testsrv.StartSSH(t)) }

// conformance runs the suite against s, logged in by password and by key.
func conformance(t *testing.T, s *testsrv.SSHServer) {
	for _, kind := range []string{"password", "key"} {
		t.Run(kind, func(t *testing.T) {
			n := 0
			desttest.Run(t, func(t *testing.T) dest.Destination {
				n++
				folder := "run-" + kind + "/" + strings.Repeat("d", n)
				if kind == "key" {
					return open(t, keyConfig(s, folder))
				}
				return open(t, passwordConfig(s, folder))
			})
		})
	}
}

func expectErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	testsrv.ExpectErr(t, err, parts...)
}

func TestErrors(t *testing.T) {
	s := testsrv.StartSSH(t)
	ctx := context.Background()
	t.Run("WrongPassword", func(t *testing.T) {
		cfg := passwordConfig(s, "x")
		cfg.Password = "wrong"
		_, err := Open(ctx, cfg)
		expectErr(t, err, "refused the login", s.User, s.Host)
	})
	t.Run("UnauthorizedKey", func(t *testing.T) {
		dir := t.TempDir()
		cfg := keyConfig(s, "x")
		cfg.KeyFile = filepath.Join(dir, "k")
		os.WriteFile(cfg.KeyFile, mustKey(t), 0o600)
		_, err := Open(ctx, cfg)
		expectErr(t, err, "refused the login", "authorized")
	})
	t.Run("KeyWithPassphrase", func(t *testing.T) {
		cfg := keyConfig(s, "x")
		cfg.KeyFile = s.KeyFileEncrypted
		_, err := Open(ctx, cfg)
		expectErr(t, err, "passphrase")
		cfg.KeyPassphrase = "wrong"
		_, err = Open(ctx, cfg)
		expectErr(t, err, "passphrase", "wrong")
		cfg.KeyPassphrase = s.KeyPassphrase
		d := open(t, cfg)
		desttest.Put(t, d, "k.zip", []byte("ok"))
	})
	t.Run("UnknownHost", func(t *testing.T) {
		cfg := passwordConfig(s, "x")
		cfg.Host = "no-such-host.invalid"
		_, err := Open(ctx, cfg)
		expectErr(t, err, "no-such-host.invalid", "was not found")
	})
	t.Run("ClosedPort", func(t *testing.T) {
		cfg := passwordConfig(s, "x")
		cfg.Port = testsrv.FreePort(t)
		_, err := Open(ctx, cfg)
		expectErr(t, err, "refused the connection", "check the port")
	})
	t.Run("FolderCreated", func(t *testing.T) {
		d := open(t, passwordConfig(s, "a/b/c"))
		desttest.Put(t, d, "x.zip", []byte("data"))
		b, err := os.ReadFile(filepath.Join(s.Root, "a", "b", "c", "x.zip"))
		if err != nil || string(b) != "data" {
			t.Fatalf("file on server: %q %v", b, err)
		}
		if got := d.String(); got != "sftp://"+s.User+"@127.0.0.1:"+itoa(s.Port)+"/a/b/c" {
			t.Fatalf("String() = %q", got)
		}
	})
	t.Run("ReadOnlyFolder", func(t *testing.T) {
		ro := filepath.Join(s.Root, "readonly")
		os.Mkdir(ro, 0o555)
		testsrv.Chown(t, ro)
		d := open(t, passwordConfig(s, "readonly"))
		_, err := d.Put(ctx, "x.zip", strings.NewReader("data"))
		expectErr(t, err, "not writable", s.Host, "readonly")
	})
	t.Run("MissingFolderNotCreatable", func(t *testing.T) {
		ro := filepath.Join(s.Root, "ro2")
		os.Mkdir(ro, 0o555)
		testsrv.Chown(t, ro)
		_, err := Open(ctx, passwordConfig(s, "ro2/sub"))
		expectErr(t, err, "missing", "could not be created", s.Host)
	})
	t.Run("UnknownHostKey", func(t *testing.T) {
		cfg := passwordConfig(s, "x")
		cfg.Fingerprint = ""
		_, err := Open(ctx, cfg)
		expectErr(t, err, "not known", s.HostKeyFingerprint, "fingerprint")
	})
	t.Run("UnknownHostKeyKnownHostsFile", func(t *testing.T) {
		kh := filepath.Join(t.TempDir(), "known_hosts")
		os.WriteFile(kh, nil, 0o600)
		cfg := passwordConfig(s, "x")
		cfg.Fingerprint = ""
		cfg.KnownHosts = kh
		_, err := Open(ctx, cfg)
		expectErr(t, err, "not known", s.HostKeyFingerprint, kh)
	})
	t.Run("PinnedLowercasePadded", func(t *testing.T) {
		cfg := passwordConfig(s, "x")
		cfg.Fingerprint = "sha256:" + s.HostKeyFingerprint[7:] + "="
		open(t, cfg)
	})
	t.Run("ChangedKeyPin", func(t *testing.T) {
		cfg := passwordConfig(s, "x")
		cfg.Fingerprint = "SHA256:" + strings.Repeat("A", 43)
		_, err := Open(ctx, cfg)
		expectErr(t, err, "CHANGED", s.HostKeyFingerprint)
	})
	t.Run("ChangedKeyKnownHosts", func(t *testing.T) {
		kh := filepath.Join(t.TempDir(), "known_hosts")
		other := strings.TrimSpace(string(mustPub(t)))
		os.WriteFile(kh, []byte("[127.0.0.1]:"+itoa(s.Port)+" "+other+"\n"), 0o600)
		cfg := passwordConfig(s, "x")
		cfg.Fingerprint = ""
		cfg.KnownHosts = kh
		_, err := Open(ctx, cfg)
		expectErr(t, err, "CHANGED", s.HostKeyFingerprint)
	})
	t.Run("NotSSH", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		go func() {
			c, err := l.Accept()
			if err == nil {
				c.Write([]byte("220 FTP server ready\r\n"))
				time.Sleep(200 * time.Millisecond)
				c.Close()
			}
		}()
		cfg := passwordConfig(s, "x")
		cfg.Port = l.Addr().(*net.TCPAddr).Port
		_, err = Open(ctx, cfg)
		expectErr(t, err, "127.0.0.1")
	})
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestConnectionCut: a proxy drops the connection during the upload and
// refuses new ones: Put fails after its retries and the older backup under
// the final name is unchanged.
func TestConnectionCut(t *testing.T) {
	s := testsrv.StartSSH(t)
	old := desttest.RandomBytes(50_000)
	d0 := open(t, passwordConfig(s, "cut"))
	desttest.Put(t, d0, "M001_Montag.zip", old)

	p := testsrv.StartProxy(t, s.Addr)
	cfg := passwordConfig(s, "cut")
	cfg.Port = p.Port()
	d := open(t, cfg)
	p.CutAfter(2<<20, true)
	tmp := dest.TempPrefix + "M001_Montag.zip"
	_, err := d.Put(context.Background(), tmp, bytes.NewReader(desttest.RandomBytes(8<<20)))
	expectErr(t, err, s.Host, "broke off")
	if p.Accepted.Load() < 3 {
		t.Fatalf("only %d connections: no retry after the cut", p.Accepted.Load())
	}
	if got := desttest.Get(t, d0, "M001_Montag.zip", 0); !bytes.Equal(got, old) {
		t.Fatal("the older backup changed")
	}
}

// TestConnectionCutResumed: the proxy drops the connection once; Put
// connects again, resumes, and the stored file is whole.
func TestConnectionCutResumed(t *testing.T) {
	s := testsrv.StartSSH(t)
	p := testsrv.StartProxy(t, s.Addr)
	cfg := passwordConfig(s, "resume")
	cfg.Port = p.Port()
	d := open(t, cfg)
	data := desttest.RandomBytes(8 << 20)
	p.CutAfter(3<<20, false)
	n, err := d.Put(context.Background(), "resumed.zip", bytes.NewReader(data))
	if err != nil {
		t.Fatalf("Put after one cut: %v", err)
	}
	if n != int64(len(data)) || p.Accepted.Load() < 2 {
		t.Fatalf("Put = %d bytes over %d connections", n, p.Accepted.Load())
	}
	// Resumed, not started over: about 8 MiB + the resume window went up.
	if up := p.Up(); up > 10<<20 {
		t.Fatalf("%d bytes sent for 8 MiB: the upload started over instead of resuming", up)
	}
	got, err := os.ReadFile(filepath.Join(s.Root, "resume", "resumed.zip"))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("stored file differs (%d bytes, %v)", len(got), err)
	}
}

// truncHandler is an in-memory SFTP server that silently drops everything
// written past limit: an upload that the server accepts truncated.
type truncWriter struct {
	io.WriterAt
	limit int64
}

func (w truncWriter) WriteAt(p []byte, off int64) (int, error) {
	if off >= w.limit {
		return len(p), nil
	}
	keep := p
	if off+int64(len(p)) > w.limit {
		keep = p[:w.limit-off]
	}
	if _, err := w.WriterAt.WriteAt(keep, off); err != nil {
		return 0, err
	}
	return len(p), nil
}

type truncPut struct {
	sftp.FileWriter
	limit int64
}

func (t truncPut) Filewrite(r *sftp.Request) (io.WriterAt, error) {
	w, err := t.FileWriter.Filewrite(r)
	if err != nil {
		return nil, err
	}
	return truncWriter{WriterAt: w, limit: t.limit}, nil
}

func TestTruncatedUploadCaught(t *testing.T) {
	h := sftp.InMemHandler()
	h.FilePut = truncPut{FileWriter: h.FilePut, limit: 1000}
	c1, c2 := net.Pipe()
	srv := sftp.NewRequestServer(c1, h)
	go srv.Serve()
	defer srv.Close()
	client, err := sftp.NewClientPipe(c2, c2)
	if err != nil {
		t.Fatal(err)
	}
	d := newSFTP(Config{Host: "fake", User: "u", Retry: retry.Policy{Attempts: 1}})
	d.cn.Set(client)
	defer d.Close()
	_, err = d.Put(context.Background(), "short.zip", bytes.NewReader(desttest.RandomBytes(5000)))
	expectErr(t, err, "1000 bytes", "5000", "incomplete")
	if _, err := client.Stat("short.zip"); err == nil {
		t.Fatal("the truncated file was left on the server")
	}
}

func mustKey(t *testing.T) []byte {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", filepath.Join(dir, "k")).CombinedOutput()
	if err != nil {
		t.Fatalf("ssh-keygen: %v %s", err, out)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "k"))
	return b
}

func mustPub(t *testing.T) []byte {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", filepath.Join(dir, "k")).CombinedOutput()
	if err != nil {
		t.Fatalf("ssh-keygen: %v %s", err, out)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "k.pub"))
	return b
}

// memServer returns a destination on a fresh in-memory SFTP server (the
// pkg/sftp request server), whose plain rename refuses to replace.
func memServer(t *testing.T, folder string) *SFTP {
	d, _ := memServerLogged(t, folder)
	return d
}

// cmdLog records the Rename and Remove requests an in-memory server gets.
type cmdLog struct {
	sftp.FileCmder
	mu  sync.Mutex
	log []string
}

func (c *cmdLog) Filecmd(r *sftp.Request) error {
	if r.Method == "Rename" || r.Method == "Remove" {
		c.mu.Lock()
		e := r.Method + " " + path.Base(r.Filepath)
		if r.Method == "Rename" {
			e += " " + path.Base(r.Target)
		}
		c.log = append(c.log, e)
		c.mu.Unlock()
	}
	return c.FileCmder.Filecmd(r)
}

func (c *cmdLog) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.log, "; ")
}

func memServerLogged(t *testing.T, folder string) (*SFTP, *cmdLog) {
	h := sftp.InMemHandler()
	cl := &cmdLog{FileCmder: h.FileCmd}
	h.FileCmd = cl
	connect := func() (*sftp.Client, error) {
		c1, c2 := net.Pipe()
		srv := sftp.NewRequestServer(c1, h)
		go srv.Serve()
		t.Cleanup(func() { srv.Close() })
		return sftp.NewClientPipe(c2, c2)
	}
	client, err := connect()
	if err != nil {
		t.Fatal(err)
	}
	d := newSFTP(Config{Host: "memory", User: "u", Folder: folder, Retry: retry.Policy{Attempts: 1}})
	d.cn.Set(client)
	d.noPosix, d.newClient = true, connect
	if err := d.openDir(client, true); err != nil {
		t.Fatal(err)
	}
	return d, cl
}

// TestRenameMovesAside: without posix-rename, Rename over an existing file
// moves the older one aside under dest.AsideName (a name list shows and no
// sweep deletes), renames the new one into place and removes the aside
// copy; afterwards the destination declares that it does not replace, and
// the next rename moves aside at once. With posix-rename it declares
// RenameReplaces from the start.
func TestRenameMovesAside(t *testing.T) {
	d, cl := memServerLogged(t, "/aside")
	const to = "M001_Montag.zip"
	aside := dest.AsideName(to)
	if d.Caps().RenameReplaces {
		t.Fatal("a server without posix-rename declares RenameReplaces before any rename")
	}
	desttest.Put(t, d, to, []byte("old"))
	desttest.Put(t, d, "tmp.zip", []byte("new"))
	if err := d.Rename(context.Background(), "tmp.zip", to); err != nil {
		t.Fatal(err)
	}
	want := "Rename tmp.zip " + to + "; Rename " + to + " " + aside + "; Rename tmp.zip " + to + "; Remove " + aside
	if got := cl.String(); got != want {
		t.Fatalf("requests %q, want %q", got, want)
	}
	if got := strings.Join(desttest.Names(t, d), ","); got != to || string(desttest.Get(t, d, to, 0)) != "new" {
		t.Fatalf("after Rename List = %s", got)
	}
	if d.Caps().RenameReplaces {
		t.Fatal("after a refused rename the destination declares RenameReplaces")
	}
	desttest.Put(t, d, "tmp2.zip", []byte("newer"))
	if err := d.Rename(context.Background(), "tmp2.zip", to); err != nil {
		t.Fatal(err)
	}
	want += "; Rename " + to + " " + aside + "; Rename tmp2.zip " + to + "; Remove " + aside
	if got := cl.String(); got != want {
		t.Fatalf("requests %q, want %q (the second rename moves aside at once)", got, want)
	}

	s := testsrv.StartSSH(t)
	p := open(t, passwordConfig(s, "posix"))
	if !p.Caps().RenameReplaces {
		t.Fatal("OpenSSH offers posix-rename, but the destination does not declare RenameReplaces")
	}
}

// TestConformanceNoPosixRename runs the suite on a server without
// posix-rename, so Rename over an existing file takes the move-aside path.
func TestConformanceNoPosixRename(t *testing.T) {
	n := 0
	desttest.Run(t, func(t *testing.T) dest.Destination {
		n++
		return memServer(t, "/run/"+strings.Repeat("d", n))
	})
}

// TestConformanceOpenSSHPlainRename runs the suite against the real sshd
// with posix-rename@openssh.com left unused: OpenSSH's plain rename
// refuses to replace, so Rename over an existing file takes the move-aside
// path on a real server.
func TestConformanceOpenSSHPlainRename(t *testing.T) {
	s := testsrv.StartSSH(t)
	n := 0
	desttest.Run(t, func(t *testing.T) dest.Destination {
		n++
		d := open(t, passwordConfig(s, "plain/"+strings.Repeat("d", n)))
		d.noPosix = true
		d.cn.Drop() // the next call connects again, without posix-rename
		d.Server.Renamer = remote.Renamer{}
		return d
	})
}

// TestDiskFull uploads to a folder on a 1 MiB file system.
func TestDiskFull(t *testing.T) {
	s := testsrv.StartSSH(t)
	testsrv.FullFolder(t, s.Root, "full")
	d := open(t, passwordConfig(s, "full"))
	_, err := d.Put(context.Background(), "big.zip", bytes.NewReader(desttest.RandomBytes(3<<20)))
	expectErr(t, err, s.Host, "full")
	if names := desttest.Names(t, d); len(names) != 0 {
		t.Fatalf("left over: %q", names)
	}
}
