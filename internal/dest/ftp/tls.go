package ftp

import (
	"bytes"
	"crypto/tls"
	"io"
	"net"
	"sync"
	"time"
)

// The TLS handshake of a data connection starts right after the transfer
// command (RETR, STOR, LIST, ...) has been written on the control
// connection, without waiting for the server's 150. Servers differ in when
// they handshake: ftp-srv before it answers 150, vsftpd, ProFTPD and
// Pure-FTPd after it; pyftpdlib closes a data connection that sends
// anything before its command arrived. A client that waits for 150 (or
// starts at its first read or write, after 150) deadlocks with ftp-srv;
// one that starts when it dials breaks pyftpdlib (and, blocking, hangs with
// ProFTPD and Pure-FTPd: jlaffaye/ftp's openDataConn).
//
// commandWatch sees the plain text of the control connection
// (jlaffaye/ftp's debug output: what is read and, before it is sent, what
// is written); ctrlConn is the control connection under TLS, which sees
// when the command went out.

// transferVerbs are the commands that open a data connection.
var transferVerbs = [][]byte{[]byte("RETR "), []byte("STOR "), []byte("APPE "), []byte("STOU"), []byte("LIST"), []byte("MLSD"), []byte("NLST")}

type commandWatch struct{ d *FTP }

func (w commandWatch) Write(p []byte) (int, error) {
	for _, v := range transferVerbs {
		if bytes.HasPrefix(p, v) {
			w.d.mu.Lock()
			w.d.armed = w.d.data != nil
			w.d.mu.Unlock()
			break
		}
	}
	return len(p), nil
}

// AuthPause is how long the client waits after the server's 234 (AUTH TLS
// accepted) before it starts the TLS handshake on the control connection.
// ftp-srv (Node.js) puts its TLS layer on the connection only after its
// write of 234 has completed; a ClientHello that arrives before that is
// read as a command ("502 Command not allowed") and the handshake fails.
// Other servers read the handshake whenever it comes.
const AuthPause = 50 * time.Millisecond

// ctrlConn is the raw control connection of FTPS. After a transfer command
// was written, its next read starts the data connection's handshake;
// with pause (explicit TLS), the first write after a reply "234 ..." waits
// AuthPause.
type ctrlConn struct {
	net.Conn
	d        *FTP
	pause    bool
	after234 bool
}

func (c *ctrlConn) Read(p []byte) (int, error) {
	c.startData()
	n, err := c.Conn.Read(p)
	if c.pause && n > 0 && (bytes.HasPrefix(p[:n], []byte("234 ")) || bytes.Contains(p[:n], []byte("\n234 "))) {
		c.after234 = true
	}
	return n, err
}

func (c *ctrlConn) Write(p []byte) (int, error) {
	if c.after234 {
		c.after234, c.pause = false, false
		time.Sleep(AuthPause)
	}
	return c.Conn.Write(p)
}

// startData starts the handshake of the data connection whose transfer
// command was written, once: at the first read of the control connection
// after it, which comes after the whole command has gone out (a write
// alone may carry part of it: crypto/tls sends 1 byte and then the rest
// under TLS 1.0 with CBC) and before the client waits for the reply.
func (c *ctrlConn) startData() {
	c.d.mu.Lock()
	data := c.d.data
	start := c.d.armed && data != nil
	if start {
		c.d.armed, c.d.data = false, nil
	}
	c.d.mu.Unlock()
	if start {
		data.start()
	}
}

// tlsData is a TLS data connection. Its handshake starts after its
// transfer command went out (see above), at the latest at its first read
// or write; reads and writes wait for it. It shuts down cleanly: it sends
// close_notify and reads what the server still sends (TLS 1.3 session
// tickets) before closing. Closing with unread data makes the kernel send
// a reset, and servers such as vsftpd then drop the end of an upload ("426
// Failure reading network stream").
type tlsData struct {
	*tls.Conn
	raw   net.Conn
	once  sync.Once
	begun chan struct{} // closed when the handshake started
	done  chan struct{} // closed when the handshake ended
	err   error         // the handshake's error, once done
}

// newTLSData wraps a data connection; data connections reuse the control
// connection's TLS session (same ServerName, same cache): vsftpd requires
// it.
func (d *FTP) newTLSData(raw net.Conn) *tlsData {
	c := &tlsData{Conn: tls.Client(raw, d.tlsConfig()), raw: raw, begun: make(chan struct{}), done: make(chan struct{})}
	d.mu.Lock()
	d.data, d.armed = c, false
	d.mu.Unlock()
	return c
}

// start begins the handshake in the background, once. It is bounded by the
// raw connection's idle timeout (remote.IdleConn) and by Close.
func (c *tlsData) start() {
	c.once.Do(func() {
		close(c.begun)
		go func() {
			c.err = c.Conn.Handshake()
			close(c.done)
		}()
	})
}

// Handshake starts the handshake if needed and waits for it (jlaffaye/ftp
// calls it before an empty upload).
func (c *tlsData) Handshake() error {
	c.start()
	<-c.done
	return c.err
}

func (c *tlsData) Read(p []byte) (int, error) {
	if err := c.Handshake(); err != nil {
		return 0, err
	}
	return c.Conn.Read(p)
}

func (c *tlsData) Write(p []byte) (int, error) {
	if err := c.Handshake(); err != nil {
		return 0, err
	}
	return c.Conn.Write(p)
}

func (c *tlsData) Close() error {
	select {
	case <-c.begun:
	default:
		// Never started (the command was refused): nothing to shut down.
		c.once.Do(func() { close(c.begun); close(c.done) })
		return c.raw.Close()
	}
	select {
	case <-c.done:
	default:
		// The transfer never got going: the server will not handshake.
		// Closing ends the handshake.
		err := c.raw.Close()
		<-c.done
		return err
	}
	if c.err == nil {
		if err := c.Conn.CloseWrite(); err == nil {
			by := time.Now().Add(5 * time.Second)
			if ic, ok := c.raw.(interface{ ReadBy(time.Time) error }); ok {
				ic.ReadBy(by) // remote.IdleConn moves a plain deadline at each read
			} else {
				c.raw.SetReadDeadline(by)
			}
			io.Copy(io.Discard, io.LimitReader(c.Conn, 1<<20))
		}
	}
	return c.Conn.Close()
}
