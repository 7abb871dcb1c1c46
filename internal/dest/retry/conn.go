package retry

import (
	"context"
	"sync"
	"time"
)

// Conn holds the connection of a server destination: a client of type T
// (such as *ftp.ServerConn or *sftp.Client) that is opened again, on its
// next use, after a failure dropped it. It runs operations under Policy and
// closes the network connections when an operation's ctx ends, so that a
// blocked network call returns. The kind supplies how to connect and how to
// close; what lies under the client (raw connections, SSH, TLS) stays the
// kind's. Like a Destination, a Conn is not safe for concurrent use, except
// that Abort may run meanwhile (from context.AfterFunc).
type Conn[T comparable] struct {
	Policy Policy // retries of Do and Put
	// Timeout bounds the removal of a partial file after a failed Put.
	Timeout time.Duration
	// Connect opens a new connection and stores its client with Set, or
	// returns an error saying why it could not. Get calls it when no client
	// is held.
	Connect func(ctx context.Context) error
	// Abort closes the network connections under the client so that a
	// blocked call fails; it is called from another goroutine and does not
	// forget them (Release does).
	Abort func()
	// Release closes c (the zero T when no client was set) and the network
	// connections under it, and forgets them. Drop calls it.
	Release func(c T)

	mu sync.Mutex
	c  T
}

// Set stores c as the live client.
func (h *Conn[T]) Set(c T) {
	h.mu.Lock()
	h.c = c
	h.mu.Unlock()
}

// Connected reports whether a client is held (none after Drop).
func (h *Conn[T]) Connected() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	var zero T
	return h.c != zero
}

// Get returns the live client, connecting again (Connect) after a drop. It
// returns ctx's error at once when ctx has ended.
func (h *Conn[T]) Get(ctx context.Context) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	h.mu.Lock()
	c := h.c
	h.mu.Unlock()
	if c != zero {
		return c, nil
	}
	if err := h.Connect(ctx); err != nil {
		return zero, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.c, nil
}

// Drop forgets the client and closes it and the connections under it
// (Release). The next Get connects again.
func (h *Conn[T]) Drop() {
	var zero T
	h.mu.Lock()
	c := h.c
	h.c = zero
	h.mu.Unlock()
	h.Release(c)
}

// Guard runs fn, aborting the connections when ctx ends meanwhile so that a
// blocked network call returns. When ctx ended, the connection is dropped
// and ctx's error is returned in place of a nil one; fn's own error is
// returned as it is.
func (h *Conn[T]) Guard(ctx context.Context, fn func() error) error {
	stop := context.AfterFunc(ctx, h.Abort)
	err := fn()
	if !stop() {
		h.Drop()
		if err == nil {
			err = ctx.Err()
		}
	}
	return err
}

// Do runs op on a client (connecting again when needed) under Guard, and
// retries it within Policy when it fails with a Transient error, after
// dropping the connection it broke on. op gets the try number, 0 for the
// first: a later try may find its work done by an earlier one that lost
// its connection. When ctx ends, ctx's error is returned.
func (h *Conn[T]) Do(ctx context.Context, op func(c T, try int) error) error {
	return h.Policy.Do(ctx, func(try int) error {
		c, err := h.Get(ctx)
		if err != nil {
			return err
		}
		err = h.Guard(ctx, func() error { return op(c, try) })
		if err != nil && Transient(err) {
			h.Drop()
		}
		if err != nil && ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	})
}

// Close ends the session with quit (waiting 5 seconds at most, as a dead
// connection may block it) when a client is held, then drops the
// connection. The Conn may connect again afterwards; destinations do not.
func (h *Conn[T]) Close(quit func(c T)) {
	var zero T
	h.mu.Lock()
	c := h.c
	h.mu.Unlock()
	if c != zero {
		done := make(chan struct{})
		go func() { quit(c); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
		}
	}
	h.Drop()
}
