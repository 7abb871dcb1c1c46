package faulty

import (
	"context"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/remote"
)

// MoveAside wraps a destination whose Rename refuses to replace an existing
// name with the fallback the dest.Destination contract describes: the
// older object is moved aside under dest.AsideName, the new one renamed
// into place, and the aside removed only then. The job sees a kind with
// Caps().RenameReplaces false.
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

// Rename implements dest.Destination with the move-aside fallback the
// server kinds use (remote.RenameOver), so the tests exercise their code.
func (a *aside) Rename(ctx context.Context, from, to string) error {
	return remote.RenameOver(ctx, a.Destination, from, to)
}
