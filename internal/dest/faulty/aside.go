package faulty

import (
	"context"
	"errors"

	"github.com/posbackup/posbackup/internal/dest"
)

// MoveAside wraps a destination whose Rename refuses to replace an existing
// name with the fallback the dest.Destination contract describes: the
// older object is moved aside under dest.AsideName, the new one renamed
// into place, and the aside removed only then. The job sees a kind with
// Caps().RenameReplaces false.
//
// TODO(destglue): replace with the shared rename-over fallback package the
// destglue branch adds under internal/dest (used by dest/ftp and dest/sftp)
// once it is on main, so the tests exercise the code the servers run.
func MoveAside(inner dest.Destination) dest.Destination {
	a := &aside{Destination: inner}
	if l, ok := inner.(dest.Local); ok {
		return &localAside{aside: a, Local: l}
	}
	return a
}

type aside struct {
	dest.Destination
}

type localAside struct {
	*aside
	dest.Local
}

// Caps implements dest.Capable.
func (a *aside) Caps() dest.Caps {
	c := dest.CapsOf(a.Destination)
	c.RenameReplaces = false
	return c
}

// Rename implements dest.Destination with the move-aside fallback.
func (a *aside) Rename(ctx context.Context, from, to string) error {
	err := a.Destination.Rename(ctx, from, to)
	if err == nil || errors.Is(err, dest.ErrNotFound) {
		return err
	}
	if _, serr := a.Destination.Stat(ctx, to); serr != nil {
		return err // to is not there: the refusal has another reason
	}
	old := dest.AsideName(to)
	if _, serr := a.Destination.Stat(ctx, old); serr == nil {
		// An aside of an earlier interrupted run; to is whole, so the
		// aside is not the only copy.
		if derr := a.Destination.Delete(ctx, old); derr != nil {
			return derr
		}
	}
	if err := a.Destination.Rename(ctx, to, old); err != nil {
		return err
	}
	if err := a.Destination.Rename(ctx, from, to); err != nil {
		if rerr := a.Destination.Rename(ctx, old, to); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	// The aside is removed by the job after the run succeeded if this
	// fails; it is listed, never swept.
	a.Destination.Delete(ctx, old)
	return nil
}
