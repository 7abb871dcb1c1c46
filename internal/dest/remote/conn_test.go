package remote

import (
	"errors"
	"net"
	"os"
	"testing"
	"time"
)

// A read deadline set by ReadBy (the FTPS data connection's drain before
// Close, 5 s) holds, though each read otherwise moves the deadline a whole
// Timeout ahead: a server that neither answers close_notify nor closes
// made every upload wait the full timeout.
func TestIdleConnKeepsTheCallersReadDeadline(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	c := &IdleConn{Conn: a, Timeout: time.Minute, Reads: true}
	c.SetReadDeadline(time.Now().Add(time.Minute)) // as jlaffaye/ftp nudges it: moved by the next read
	c.ReadBy(time.Now().Add(100 * time.Millisecond))
	done := make(chan error, 1)
	go func() {
		_, err := c.Read(make([]byte, 1)) // the peer sends nothing
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("read ended with %v, want the deadline", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the read was still waiting 10 s after its 100 ms deadline")
	}
}

// A deadline set the net.Conn way is moved by the next read, as before:
// jlaffaye/ftp sets one on the control connection after each transfer,
// and the connection must go on working after it.
func TestIdleConnMovesAPlainDeadline(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	c := &IdleConn{Conn: a, Timeout: time.Minute, Reads: true}
	c.SetDeadline(time.Now().Add(50 * time.Millisecond))
	time.Sleep(100 * time.Millisecond)
	go b.Write([]byte{1})
	if _, err := c.Read(make([]byte, 1)); err != nil {
		t.Errorf("a read after a passed SetDeadline: %v", err)
	}
}
