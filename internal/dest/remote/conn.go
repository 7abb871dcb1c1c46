package remote

import (
	"context"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"github.com/posbackup/posbackup/internal/dest"
)

// DefaultTimeout is the connect and inactivity timeout of a server
// destination whose configuration gives none.
const DefaultTimeout = 30 * time.Second

// DialFunc opens a network connection (tests use one to cut connections).
type DialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// Dial opens a connection to addr with dial, or with a net.Dialer when
// dial is nil.
func Dial(ctx context.Context, dial DialFunc, network, addr string) (net.Conn, error) {
	if dial != nil {
		return dial(ctx, network, addr)
	}
	var nd net.Dialer
	return nd.DialContext(ctx, network, addr)
}

// IdleConn sets a deadline Timeout ahead before each write, and before
// each read when Reads is set, so a connection that stops moving fails
// after the timeout instead of hanging. (SSH reads in the background all
// the time, so an SSH connection leaves Reads off; TCP keep-alive finds a
// silent dead peer.)
type IdleConn struct {
	net.Conn
	Timeout time.Duration
	Reads   bool

	lastRead atomic.Int64 // unix nanoseconds of the last read that got bytes
	until    atomic.Int64 // the deadline ReadBy set (unix nanoseconds), 0 for none
}

// ReadBy sets a read deadline that the per-read timeout never moves past,
// for the rest of the connection's life (a drain before Close that must
// end within seconds). SetReadDeadline and SetDeadline stay as net.Conn's,
// moved by the next read: jlaffaye/ftp nudges the control connection's.
func (c *IdleConn) ReadBy(t time.Time) error {
	c.until.Store(t.UnixNano())
	return c.Conn.SetReadDeadline(t)
}

func (c *IdleConn) Read(p []byte) (int, error) {
	if c.Reads {
		d := time.Now().Add(c.Timeout)
		if u := c.until.Load(); u != 0 && time.Unix(0, u).Before(d) {
			d = time.Unix(0, u)
		}
		c.Conn.SetReadDeadline(d)
	}
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.lastRead.Store(time.Now().UnixNano())
	}
	return n, err
}

// SinceRead is how long the peer has sent no bytes, counted from since at
// the earliest.
func (c *IdleConn) SinceRead(since time.Time) time.Duration {
	if last := time.Unix(0, c.lastRead.Load()); last.After(since) {
		since = last
	}
	return time.Since(since)
}

func (c *IdleConn) Write(p []byte) (int, error) {
	c.Conn.SetWriteDeadline(time.Now().Add(c.Timeout))
	return c.Conn.Write(p)
}

// SubFolder is the folder a server kind's Sub opens: name (a plain name)
// inside folder, "" being the login folder.
func SubFolder(folder, name string) (string, error) {
	if err := dest.CheckName(name); err != nil {
		return "", err
	}
	if folder == "" {
		return name, nil
	}
	return strings.TrimRight(folder, "/") + "/" + name, nil
}
