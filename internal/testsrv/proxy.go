package testsrv

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"
)

// Proxy is a TCP proxy on 127.0.0.1 in front of a server, for tests that
// cut the network: Cut drops every connection (and refuses new ones while
// refusing), CutAfter drops them once n bytes went from client to server.
type Proxy struct {
	Addr   string
	target string
	l      net.Listener

	mu          sync.Mutex
	conns       []net.Conn
	refuse      atomic.Bool
	limit       atomic.Int64 // cut when up reaches limit (0: no limit)
	refuseAfter atomic.Bool
	up          atomic.Int64
	// Accepted counts the connections accepted (refused ones included).
	Accepted atomic.Int32
}

// StartProxy starts a proxy to target (host:port), closed at cleanup.
func StartProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{Addr: l.Addr().String(), target: target, l: l}
	go p.serve()
	t.Cleanup(func() { l.Close(); p.Cut(true) })
	return p
}

// Up is the number of bytes sent from clients to the server so far.
func (p *Proxy) Up() int64 { return p.up.Load() }

// Port is the proxy's port.
func (p *Proxy) Port() int { return p.l.Addr().(*net.TCPAddr).Port }

func (p *Proxy) serve() {
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		p.Accepted.Add(1)
		if p.refuse.Load() {
			reset(c)
			continue
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			reset(c)
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		go p.pipe(s, c, true)
		go p.pipe(c, s, false)
	}
}

func (p *Proxy) pipe(dst, src net.Conn, upstream bool) {
	buf := make([]byte, 16<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if upstream {
				total := p.up.Add(int64(n))
				if lim := p.limit.Load(); lim > 0 && total >= lim {
					p.limit.Store(0)
					p.Cut(p.refuseAfter.Load())
					return
				}
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	dst.Close()
	src.Close()
}

func reset(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	c.Close()
}

// Cut resets every open connection; while refuse is true, new connections
// are reset at once (a server that is gone).
func (p *Proxy) Cut(refuse bool) {
	p.refuse.Store(refuse)
	p.mu.Lock()
	conns := p.conns
	p.conns = nil
	p.mu.Unlock()
	for _, c := range conns {
		reset(c)
	}
}

// Refuse sets whether new connections are refused.
func (p *Proxy) Refuse(refuse bool) { p.refuse.Store(refuse) }

// CutAfter cuts all connections once n more bytes went from clients to the
// server; refuse says whether later connections are refused.
func (p *Proxy) CutAfter(n int64, refuse bool) {
	p.refuse.Store(false)
	p.limit.Store(p.up.Load() + n)
	p.refuseAfter.Store(refuse)
}
