// Package sftp is the SFTP server destination (sftp://): SSH with a password
// or a private key file, the host key checked against a pinned fingerprint
// or a known_hosts file, replacing renames with posix-rename@openssh.com
// where offered, and uploads retried over a new connection when it drops.
package sftp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/remote"
	"github.com/posbackup/posbackup/internal/dest/retry"
)

// Config says where and how to connect.
type Config struct {
	Host          string
	Port          int    // 0: 22
	Folder        string // folder on the server; relative to the login folder unless it starts with "/"
	NoCreate      bool   // a missing Folder is an error, not created (list, info, verify, restore)
	User          string
	Password      string
	KeyFile       string // private key file (OpenSSH or PEM); used before the password
	KeyPassphrase string
	Fingerprint   string // "SHA256:..." pins the server's host key
	KnownHosts    string // a known_hosts file with the server's host key
	Timeout       time.Duration
	Retry         retry.Policy
	// DialContext opens the network connection; nil uses net.Dialer.
	DialContext remote.DialFunc
}

func (c *Config) port() int {
	if c.Port != 0 {
		return c.Port
	}
	return 22
}

func (c *Config) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return remote.DefaultTimeout
}

// concurrency is the number of write requests in flight during an upload.
const concurrency = 16

// SFTP is an open SFTP destination. It is not safe for concurrent use.
type SFTP struct {
	cfg     Config
	dir     string // the folder as used in paths ("" = the login folder)
	auth    []ssh.AuthMethod
	hostKey ssh.HostKeyCallback
	algos   []string
	noPosix bool // tests: act as if posix-rename@openssh.com were not offered
	// newClient, when set (tests), replaces dialing and SSH.
	newClient func() (*sftp.Client, error)

	cn *retry.Conn[*sftp.Client] // the SFTP client, retries
	// List, Stat, Delete and Rename; Rename moves the older archive aside
	// where the server refuses to rename over it.
	remote.Server[*sftp.Client]
	posix bool       // the server offers posix-rename@openssh.com
	mu    sync.Mutex // guards raw and ssh (raw closed from context.AfterFunc)
	raw   net.Conn
	ssh   *ssh.Client
}

var (
	_ dest.Destination = (*SFTP)(nil)
	_ dest.Capable     = (*SFTP)(nil)
)

// Open connects, logs in and opens the folder, creating it when missing.
func Open(ctx context.Context, cfg Config) (*SFTP, error) {
	if cfg.Host == "" {
		return nil, errors.New("no server name given")
	}
	if cfg.User == "" {
		return nil, fmt.Errorf("no login name given for %s: SFTP needs a user name", cfg.Host)
	}
	d := newSFTP(cfg)
	if err := d.setupAuth(); err != nil {
		return nil, err
	}
	hk, algos, err := hostKeyCallback(cfg.Host, cfg.port(), cfg.Fingerprint, cfg.KnownHosts)
	if err != nil {
		return nil, err
	}
	d.hostKey, d.algos = hk, algos
	if err := d.connect(ctx, true); err != nil {
		return nil, err
	}
	return d, nil
}

// newSFTP returns an SFTP for cfg, not yet connected.
func newSFTP(cfg Config) *SFTP {
	d := &SFTP{cfg: cfg, dir: strings.TrimSuffix(cfg.Folder, "/")}
	d.cn = &retry.Conn[*sftp.Client]{
		Policy:  cfg.Retry,
		Timeout: cfg.timeout(),
		Connect: func(ctx context.Context) error { return d.connect(ctx, false) },
		Abort:   d.closeRaw,
		Release: d.release,
	}
	d.Server.Conn = d.cn
	d.Server.Ops = func(c *sftp.Client) remote.Ops { return ops{d, c} }
	d.Server.Where = d.String
	return d
}

// String is the destination without password, e.g. "sftp://user@host/folder".
func (d *SFTP) String() string {
	s := "sftp://" + d.cfg.User + "@" + d.cfg.Host
	if d.cfg.Port != 0 {
		s += ":" + strconv.Itoa(d.cfg.Port)
	}
	if d.cfg.Folder != "" {
		s += "/" + d.cfg.Folder
	}
	return s
}

func (d *SFTP) host() string { return d.cfg.Host }

func (d *SFTP) path(name string) string {
	if d.dir == "" {
		return name
	}
	return path.Join(d.dir, name)
}

func (d *SFTP) connect(ctx context.Context, first bool) error {
	d.cn.Drop()
	if d.newClient != nil {
		c, err := d.newClient()
		if err != nil {
			return err
		}
		d.cn.Set(c)
		d.learnRename(c)
		return nil
	}
	addr := net.JoinHostPort(d.cfg.Host, strconv.Itoa(d.cfg.port()))
	dctx, cancel := context.WithTimeout(ctx, d.cfg.timeout())
	defer cancel()
	raw, err := remote.Dial(dctx, d.cfg.DialContext, "tcp", addr)
	if err != nil {
		return retry.InStage(retry.StageConnect, d.connectError(ctx, err))
	}
	idle := &remote.IdleConn{Conn: raw, Timeout: d.cfg.timeout()}
	raw = idle
	d.mu.Lock()
	d.raw = raw
	d.mu.Unlock()
	stop := context.AfterFunc(dctx, func() { raw.Close() })
	cc, chans, reqs, err := ssh.NewClientConn(raw, addr, &ssh.ClientConfig{
		User:              d.cfg.User,
		Auth:              d.auth,
		HostKeyCallback:   d.hostKey,
		HostKeyAlgorithms: d.algos,
		Timeout:           d.cfg.timeout(),
	})
	stop()
	if err != nil {
		d.cn.Drop()
		return d.handshakeError(ctx, err)
	}
	sc := ssh.NewClient(cc, chans, reqs)
	go watchStall(sc, idle, d.cfg.timeout())
	d.mu.Lock()
	d.ssh = sc
	d.mu.Unlock()
	var c *sftp.Client
	err = d.cn.Guard(ctx, func() error {
		var err error
		c, err = sftp.NewClient(sc, sftp.UseConcurrentWrites(true), sftp.UseFstat(false))
		return err
	})
	if err != nil {
		d.cn.Drop()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if retry.IsNetError(err) {
			return d.netError(err)
		}
		return &retry.Error{Msg: fmt.Sprintf("%s does not offer SFTP for user %s: check that SFTP is enabled for this account", d.host(), d.cfg.User), Err: err, Stage: retry.StageLogin}
	}
	d.cn.Set(c)
	d.learnRename(c)
	if d.dir != "" {
		if err := d.cn.Guard(ctx, func() error { return d.openDir(c, first && !d.cfg.NoCreate) }); err != nil {
			d.cn.Drop()
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return retry.InStage(retry.StageFolder, err)
		}
	}
	return nil
}

// watchStall closes an SSH connection whose server has stopped answering:
// no reply to a keep-alive request and not one byte from the server for
// timeout. Write deadlines alone do not see it (the kernel's buffers take
// the bytes), and SSH reads in the background all the time, so without
// this an upload to a server that stalls for good waits for ever for the
// replies to its writes. A slow line is not taken for a stall: the server's
// replies to the writes keep arriving. It ends when the connection closes.
func watchStall(c *ssh.Client, conn *remote.IdleConn, timeout time.Duration) {
	every := max(timeout/2, time.Second)
	for {
		time.Sleep(every)
		asked := time.Now()
		reply := make(chan error, 1)
		go func() {
			_, _, err := c.SendRequest("keepalive@openssh.com", true, nil)
			reply <- err
		}()
		for {
			// Wait until timeout has passed with neither the reply nor any
			// other byte from the server.
			wait := timeout - conn.SinceRead(asked)
			if wait <= 0 {
				conn.Close()
				return
			}
			select {
			case err := <-reply:
				if err != nil {
					return // the connection is closed
				}
			case <-time.After(wait):
				continue
			}
			break
		}
	}
}

// learnRename tells the Renamer what the server's rename does: with
// posix-rename@openssh.com it replaces. (The protocol's own rename refuses
// to replace on OpenSSH; on others it is learned on the first rename over
// an existing file.)
func (d *SFTP) learnRename(c *sftp.Client) {
	_, ok := c.HasExtension("posix-rename@openssh.com")
	d.posix = ok && !d.noPosix
	if d.posix {
		d.Server.Renamer.Know(true)
	}
}

func (d *SFTP) openDir(c *sftp.Client, create bool) error {
	st, err := c.Stat(d.dir)
	if err == nil && st.IsDir() {
		return nil
	}
	if err == nil {
		return retry.Plain(fmt.Sprintf("%s on %s is a file, not a folder: choose a folder", d.cfg.Folder, d.host()), nil)
	}
	if retry.IsNetError(err) {
		return d.netError(err)
	}
	if !create || !errors.Is(err, fs.ErrNotExist) {
		if errors.Is(err, fs.ErrPermission) {
			return retry.Plain(fmt.Sprintf("user %s may not open the folder %s on %s: check the folder's rights", d.cfg.User, d.cfg.Folder, d.host()), err)
		}
		return retry.Plain(fmt.Sprintf("the folder %s is missing on %s: check the folder name, or whether it was removed", d.cfg.Folder, d.host()), err)
	}
	if err := c.MkdirAll(d.dir); err != nil {
		if retry.IsNetError(err) {
			return d.netError(err)
		}
		return retry.Plain(fmt.Sprintf("the folder %s is missing on %s and could not be created (%s): create it or check the rights of user %s", d.cfg.Folder, d.host(), serverText(err), d.cfg.User), err)
	}
	return nil
}

// closeRaw closes the network connection, so that a blocked call returns
// (retry.Conn's Abort).
func (d *SFTP) closeRaw() {
	d.mu.Lock()
	raw := d.raw
	d.mu.Unlock()
	if raw != nil {
		raw.Close()
	}
}

// release closes c, the SSH connection and the network connection, and
// forgets them (retry.Conn's Release).
func (d *SFTP) release(c *sftp.Client) {
	d.mu.Lock()
	raw, sc := d.raw, d.ssh
	d.raw, d.ssh = nil, nil
	d.mu.Unlock()
	if c != nil {
		go c.Close() // may block on a dead connection; raw.Close ends it
	}
	if sc != nil {
		sc.Close()
	}
	if raw != nil {
		raw.Close()
	}
}

// Close closes the SFTP session and the SSH connection.
func (d *SFTP) Close() error {
	d.cn.Close(func(c *sftp.Client) { c.Close() })
	return nil
}

func (d *SFTP) stat(c *sftp.Client, name string) (dest.Info, error) {
	st, err := c.Stat(d.path(name))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return dest.Info{}, d.notFound(name)
		}
		return dest.Info{}, d.opError("read the details of", name, err)
	}
	if !st.Mode().IsRegular() {
		return dest.Info{}, d.notFound(name)
	}
	return dest.Info{Name: name, Size: st.Size(), ModTime: st.ModTime()}, nil
}

// Open returns a reader of name from offset.
func (d *SFTP) Open(ctx context.Context, name string, offset int64) (io.ReadCloser, error) {
	if err := dest.CheckName(name); err != nil {
		return nil, err
	}
	var f *sftp.File
	err := d.cn.Do(ctx, func(c *sftp.Client, _ int) error {
		var err error
		f, err = c.Open(d.path(name))
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return d.notFound(name)
			}
			return d.opError("read", name, err)
		}
		if offset > 0 {
			if _, err := f.Seek(offset, io.SeekStart); err != nil {
				f.Close()
				return d.opError("read", name, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &reader{d: d, f: f, stop: context.AfterFunc(ctx, d.closeRaw)}, nil
}

type reader struct {
	d    *SFTP
	f    *sftp.File
	stop func() bool
}

func (r *reader) Read(p []byte) (int, error) {
	n, err := r.f.Read(p)
	if err != nil && err != io.EOF {
		err = r.d.opError("read", path.Base(r.f.Name()), err)
	}
	return n, err
}

func (r *reader) Close() error {
	r.f.Close()
	if !r.stop() {
		r.d.cn.Drop()
	}
	return nil
}

// ops are the primitives of remote.Server over one SFTP client.
type ops struct {
	d *SFTP
	c *sftp.Client
}

func (o ops) Stat(name string) (dest.Info, error) { return o.d.stat(o.c, name) }

// readDir lists the folder.
func (o ops) readDir() ([]os.FileInfo, error) {
	dir := o.d.dir
	if dir == "" {
		dir = "."
	}
	ents, err := o.c.ReadDir(dir)
	if err != nil {
		return nil, o.d.opError("list", "", err)
	}
	return ents, nil
}

func (o ops) List() ([]dest.Info, error) {
	ents, err := o.readDir()
	if err != nil {
		return nil, err
	}
	var out []dest.Info
	for _, e := range ents {
		if e.Mode().IsRegular() {
			out = append(out, dest.Info{Name: e.Name(), Size: e.Size(), ModTime: e.ModTime()})
		}
	}
	return out, nil
}

func (o ops) Delete(name string) error {
	err := o.c.Remove(o.d.path(name))
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fs.ErrNotExist):
		return o.d.notFound(name)
	}
	return o.d.opError("delete", name, err)
}

// Rename uses posix-rename@openssh.com where offered (it replaces), else
// the protocol's rename (which refuses to replace on OpenSSH).
func (o ops) Rename(from, to string) error {
	var err error
	if o.d.posix {
		err = o.c.PosixRename(o.d.path(from), o.d.path(to))
	} else {
		err = o.c.Rename(o.d.path(from), o.d.path(to))
	}
	if err != nil {
		return o.d.opError("rename "+quote(from)+" to", to, err)
	}
	return nil
}

func quote(s string) string { return remote.Quote(s) }
