// Package retry holds what the server destinations share: a bounded retry
// policy with backoff, the classification of errors into transient
// (connection dropped, worth a new try) and permanent ones, plain messages
// for network errors, the connection holder Conn (reconnect after a drop,
// retried operations, closing on cancel) and its resumable Put loop, to
// which each kind gives its protocol's steps.
package retry

import (
	"context"
	"time"
)

// Policy bounds the retries of an operation that failed because the
// connection broke.
type Policy struct {
	// Attempts is the number of tries in all, the first included. Zero means
	// DefaultAttempts; 1 means no retry.
	Attempts int
	// Backoff is the wait before the second try; it doubles for every
	// further try up to MaxBackoff. Zero means DefaultBackoff.
	Backoff    time.Duration
	MaxBackoff time.Duration
}

// Defaults of a zero Policy.
const (
	DefaultAttempts   = 4
	DefaultBackoff    = 2 * time.Second
	DefaultMaxBackoff = 30 * time.Second
)

// Tries returns the number of tries in all.
func (p Policy) Tries() int {
	if p.Attempts <= 0 {
		return DefaultAttempts
	}
	return p.Attempts
}

// Delay returns the wait before try number n (n >= 1 is the first retry).
func (p Policy) Delay(n int) time.Duration {
	d := p.Backoff
	if d <= 0 {
		d = DefaultBackoff
	}
	maxd := p.MaxBackoff
	if maxd <= 0 {
		maxd = DefaultMaxBackoff
	}
	for i := 1; i < n && d < maxd; i++ {
		d *= 2
	}
	if d > maxd {
		d = maxd
	}
	return d
}

// Wait sleeps before retry n, or returns ctx's error when it ends first.
func (p Policy) Wait(ctx context.Context, n int) error {
	t := time.NewTimer(p.Delay(n))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Do calls fn until it returns nil or an error that is not Transient, the
// tries are used up, or ctx ends. fn gets the try number, 0 for the first.
// The last error is returned.
func (p Policy) Do(ctx context.Context, fn func(try int) error) error {
	var err error
	for try := 0; try < p.Tries(); try++ {
		if try > 0 {
			if werr := p.Wait(ctx, try); werr != nil {
				return err
			}
		}
		err = fn(try)
		if err == nil || !Transient(err) || ctx.Err() != nil {
			return err
		}
	}
	return err
}
