// Package ftp is the FTP server destination: plain FTP (ftp://), FTP with
// explicit TLS (ftpes://, AUTH TLS on the normal port) and FTP with implicit
// TLS (ftps://, TLS from the first byte, usually port 990). It uses passive
// mode, checks TLS certificates against the system roots or a pinned
// fingerprint, and retries uploads over a new connection when the
// connection drops, resuming with REST where the server allows it.
package ftp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jlaffaye/ftp"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/remote"
	"github.com/posbackup/posbackup/internal/dest/retry"
)

// Config says where and how to connect.
type Config struct {
	Scheme      string // "ftp", "ftpes" or "ftps"
	Host        string
	Port        int    // 0: 21, or 990 for ftps
	Folder      string // folder on the server; relative to the login folder unless it starts with "/"
	NoCreate    bool   // a missing Folder is an error, not created (list, info, verify, restore)
	TLSMin      uint16 // lowest TLS version (tls.VersionTLS10 for an old NAS); 0: TLS 1.2
	User        string // "" logs in as anonymous
	Password    string
	Fingerprint string        // "SHA256:..." pins the server certificate (TLS only)
	Timeout     time.Duration // connect and inactivity timeout; 0: 30s
	Retry       retry.Policy  // retries after a dropped connection
	// DialContext opens network connections (control and data); nil uses
	// net.Dialer. Tests use it to cut connections.
	DialContext remote.DialFunc
}

func (c *Config) port() int {
	if c.Port != 0 {
		return c.Port
	}
	if c.Scheme == "ftps" {
		return 990
	}
	return 21
}

func (c *Config) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return remote.DefaultTimeout
}

// FTP is an open FTP destination. It is not safe for concurrent use. A
// reader returned by Open must be closed before the next call.
type FTP struct {
	cfg   Config
	cache tls.ClientSessionCache
	dir   string          // the folder as sent in CWD
	dots  remote.DotNames // learns whether the server refuses names beginning with a dot

	cn *retry.Conn[*ftp.ServerConn] // the control connection, retries
	// List, Stat, Delete and Rename; Rename moves the older archive aside
	// where the server refuses to rename over it.
	remote.Server[*ftp.ServerConn]
	mu    sync.Mutex // guards conns (closed from context.AfterFunc)
	conns []net.Conn // raw connections of the client, to close on cancel

	data  *tlsData // the TLS data connection whose handshake waits for its command
	armed bool     // a transfer command is being written: start data's handshake after it
}

var (
	_ dest.Destination = (*FTP)(nil)
	_ dest.Capable     = (*FTP)(nil)
)

// Open connects, logs in and changes to the folder, creating it (each
// level) when missing. Errors are plain sentences naming the host.
func Open(ctx context.Context, cfg Config) (*FTP, error) {
	switch cfg.Scheme {
	case "ftp", "ftpes", "ftps":
	default:
		return nil, fmt.Errorf("unknown FTP kind %q: use ftp, ftpes or ftps", cfg.Scheme)
	}
	if cfg.Host == "" {
		return nil, errors.New("no server name given")
	}
	d := &FTP{cfg: cfg, cache: tls.NewLRUClientSessionCache(32)}
	d.dir = cfg.Folder
	d.cn = &retry.Conn[*ftp.ServerConn]{
		Policy:  cfg.Retry,
		Timeout: cfg.timeout(),
		Connect: func(ctx context.Context) error { return d.connect(ctx, false) },
		Abort:   d.closeRaw,
		Release: d.release,
	}
	d.Server.Conn = d.cn
	d.Server.Ops = func(c *ftp.ServerConn) remote.Ops { return ops{d, c} }
	d.Server.Where = d.String
	if err := d.connect(ctx, true); err != nil {
		return nil, err
	}
	return d, nil
}

// String is the destination without password, e.g. "ftpes://user@host/folder".
func (d *FTP) String() string {
	s := d.cfg.Scheme + "://"
	if d.cfg.User != "" {
		s += d.cfg.User + "@"
	}
	s += d.cfg.Host
	if d.cfg.Port != 0 {
		s += ":" + strconv.Itoa(d.cfg.Port)
	}
	if d.cfg.Folder != "" {
		s += "/" + d.cfg.Folder // an absolute folder shows as "//folder"
	}
	return s
}

func (d *FTP) host() string { return d.cfg.Host }

// dial is the ftp library's dial function for the control connection (the
// first call) and the data connections.
func (d *FTP) dialFunc(ctx context.Context) func(network, addr string) (net.Conn, error) {
	first := true
	return func(network, addr string) (net.Conn, error) {
		control := first
		first = false
		// Data connections are opened in later operations, when the
		// connect's ctx may have ended: they only get the timeout (guard
		// closes them when the operation's ctx ends).
		base := ctx
		if !control {
			base = context.Background()
		}
		dctx, cancel := context.WithTimeout(base, d.cfg.timeout())
		defer cancel()
		raw, err := remote.Dial(dctx, d.cfg.DialContext, network, addr)
		if err != nil {
			return nil, err
		}
		raw = &remote.IdleConn{Conn: raw, Timeout: d.cfg.timeout(), Reads: true}
		d.mu.Lock()
		if !control && len(d.conns) > 1 {
			d.conns = d.conns[:1] // one data connection at a time: the older ones are closed
		}
		d.conns = append(d.conns, raw)
		d.mu.Unlock()
		if control && d.cfg.Scheme != "ftp" {
			raw = &ctrlConn{Conn: raw, d: d, pause: d.cfg.Scheme == "ftpes"}
		}
		if d.cfg.Scheme == "ftps" && control {
			tc := tls.Client(raw, d.tlsConfig())
			if err := tc.HandshakeContext(dctx); err != nil {
				raw.Close()
				return nil, err
			}
			return tc, nil
		}
		if d.cfg.Scheme != "ftp" && !control {
			// Data connections reuse the control connection's TLS session
			// (same ServerName, same cache): vsftpd requires it.
			return d.newTLSData(raw), nil
		}
		return raw, nil
	}
}

func (d *FTP) tlsConfig() *tls.Config {
	return &tls.Config{
		ServerName:         d.cfg.Host,
		ClientSessionCache: d.cache,
		MinVersion:         d.cfg.tlsMin(),
		InsecureSkipVerify: true, // verified in VerifyConnection: system roots or the pinned fingerprint
		VerifyConnection:   verifyFunc(d.cfg.Host, d.cfg.Fingerprint),
	}
}

// connect opens a new control connection, logs in and changes to the
// folder. first is true for Open: the folder is created when missing.
func (d *FTP) connect(ctx context.Context, first bool) error {
	d.cn.Drop()
	opts := []ftp.DialOption{
		ftp.DialWithContext(ctx),
		ftp.DialWithDialFunc(d.dialFunc(ctx)),
		ftp.DialWithShutTimeout(d.cfg.timeout()),
	}
	if d.cfg.Scheme != "ftp" {
		opts = append(opts, ftp.DialWithDebugOutput(commandWatch{d}))
	}
	switch d.cfg.Scheme {
	case "ftpes":
		opts = append(opts, ftp.DialWithExplicitTLS(d.tlsConfig()))
	case "ftps":
		opts = append(opts, ftp.DialWithTLS(d.tlsConfig()))
	}
	var c *ftp.ServerConn
	err := d.cn.Guard(ctx, func() error {
		var err error
		c, err = ftp.Dial(net.JoinHostPort(d.cfg.Host, strconv.Itoa(d.cfg.port())), opts...)
		return err
	})
	if err != nil {
		d.cn.Drop()
		err = d.connectError(ctx, err)
		if retry.StageOf(err) == "" {
			err = retry.InStage(retry.StageConnect, err)
		}
		return err
	}
	d.cn.Set(c)
	user, pass := d.cfg.User, d.cfg.Password
	if user == "" {
		user, pass = "anonymous", "anonymous"
	}
	if err := d.cn.Guard(ctx, func() error { return c.Login(user, pass) }); err != nil {
		d.cn.Drop()
		return retry.InStage(retry.StageLogin, d.loginError(ctx, err))
	}
	if d.dir != "" {
		if err := d.cn.Guard(ctx, func() error { return d.changeDir(c, first && !d.cfg.NoCreate) }); err != nil {
			d.cn.Drop()
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return retry.InStage(retry.StageFolder, err)
		}
	}
	return nil
}

// changeDir changes to the folder, creating each missing level.
func (d *FTP) changeDir(c *ftp.ServerConn, create bool) error {
	if err := c.ChangeDir(d.dir); err == nil {
		return nil
	} else if retry.IsNetError(err) {
		return d.netError(err)
	}
	if !create {
		return retry.Plain(fmt.Sprintf("the folder %s is missing on %s: check the folder name, or whether it was removed", d.cfg.Folder, d.host()), nil)
	}
	// Walk down with absolute paths, so a level's CWD does not move the base.
	p := "/"
	if !strings.HasPrefix(d.dir, "/") {
		pwd, err := c.CurrentDir()
		if err != nil {
			if retry.IsNetError(err) {
				return d.netError(err)
			}
			return retry.Plain(fmt.Sprintf("cannot find the login folder on %s (%s): write the folder as an absolute path", d.host(), serverText(err)), nil)
		}
		p = pwd
	}
	base := p
	for _, part := range strings.Split(d.dir, "/") {
		if part == "" {
			continue
		}
		p = path.Join(p, part)
		if err := c.ChangeDir(p); err == nil {
			continue
		} else if retry.IsNetError(err) {
			return d.netError(err)
		}
		if err := c.MakeDir(p); err != nil {
			if retry.IsNetError(err) {
				return d.netError(err)
			}
			shown := p
			if !strings.HasPrefix(d.dir, "/") {
				// As typed: relative to the login folder ("/" on a
				// chrooted server).
				shown = strings.TrimPrefix(strings.TrimPrefix(p, base), "/")
			}
			return retry.Plain(fmt.Sprintf("the folder %s is missing on %s and could not be created (%s): create it or check the rights of user %s", shown, d.host(), serverText(err), d.userName()), nil)
		}
	}
	d.dir = path.Join(base, d.dir) // absolute from now on, also after a reconnect
	if err := c.ChangeDir(d.dir); err != nil {
		return retry.Plain(fmt.Sprintf("cannot open the folder %s on %s (%s): check the folder's rights", d.cfg.Folder, d.host(), serverText(err)), nil)
	}
	return nil
}

// closeRaw closes the raw connections, so that a blocked call returns
// (retry.Conn's Abort).
func (d *FTP) closeRaw() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, c := range d.conns {
		c.Close()
	}
}

// release closes the raw connections and forgets them (retry.Conn's
// Release); the client needs no closing of its own.
func (d *FTP) release(*ftp.ServerConn) {
	d.mu.Lock()
	conns := d.conns
	d.conns = nil
	d.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}

// Close ends the session (QUIT) and closes the connection.
func (d *FTP) Close() error {
	d.cn.Close(func(c *ftp.ServerConn) { c.Quit() })
	return nil
}

// ops are the primitives of remote.Server over one control connection.
type ops struct {
	d *FTP
	c *ftp.ServerConn
}

func (o ops) Stat(name string) (dest.Info, error) { return o.d.stat(o.c, name) }

func (o ops) List() ([]dest.Info, error) {
	ents, err := o.c.List(listArg(o.c))
	if err != nil {
		return nil, o.d.opError("list", "", err)
	}
	var out []dest.Info
	for _, e := range ents {
		if e.Type != ftp.EntryTypeFile || e.Name == "." || e.Name == ".." {
			continue
		}
		out = append(out, dest.Info{Name: o.d.dots.Listed(e.Name), Size: int64(e.Size), ModTime: e.Time})
	}
	return out, nil
}

// Delete: the server's 550 does not tell a missing file from a refusal;
// remote.Server asks Stat.
func (o ops) Delete(name string) error {
	if err := o.c.Delete(o.d.dots.Wire(name)); err != nil {
		return o.d.opError("delete", name, err)
	}
	return nil
}

func (o ops) Rename(from, to string) error {
	if err := o.c.Rename(o.d.dots.Wire(from), o.d.dots.Wire(to)); err != nil {
		return o.d.opError("rename "+quote(from)+" to", to, err)
	}
	return nil
}

func quote(s string) string { return remote.Quote(s) }

func isCode(err error, codes ...int) bool {
	var te *textproto.Error
	if !errors.As(err, &te) {
		return false
	}
	for _, c := range codes {
		if te.Code == c {
			return true
		}
	}
	return false
}

func serverText(err error) string {
	var te *textproto.Error
	if errors.As(err, &te) {
		return "server says: " + strings.TrimSpace(te.Msg)
	}
	return "error: " + err.Error()
}

// listArg is the argument of a listing of the current folder: MLSD where
// the server offers it (FEAT, read at connect), which shows every file;
// else LIST -a, as servers hide the unfinished uploads (".posbackup-
// partial-...") from a plain LIST. (jlaffaye/ftp's ForceListHidden would
// turn MLSD off too: choosing it at dial time took a second login.)
func listArg(c *ftp.ServerConn) string {
	if c.IsTimePreciseInList() {
		return ""
	}
	return "-a"
}

func (c Config) tlsMin() uint16 {
	if c.TLSMin != 0 {
		return c.TLSMin
	}
	return tls.VersionTLS12
}
