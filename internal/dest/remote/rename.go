package remote

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/retry"
)

// Mover is what the rename-over fallback works with: a Stat, a Delete and a
// Rename that may refuse to replace an existing name. Every
// dest.Destination is one; so is a wrapper whose Rename refuses. Errors
// follow the Destination contract (dest.ErrNotFound for missing objects,
// retry.Transient for a broken connection). When the Mover is also a
// fmt.Stringer, messages name it.
type Mover interface {
	Stat(ctx context.Context, name string) (dest.Info, error)
	Rename(ctx context.Context, from, to string) error
	Delete(ctx context.Context, name string) error
}

// RenameOver renames from to to with m's Rename and, where that refuses
// because to exists, replaces to the careful way:
//
//  1. an older aside copy (dest.AsideName(to)), if any, is removed: to is
//     whole;
//  2. to is renamed to dest.AsideName(to), which `list` shows as a backup
//     and no sweep deletes;
//  3. from is renamed to to; when that is refused (or ctx ends), the older
//     one is put back under to, with a fresh context of PutBackTimeout;
//  4. the aside copy is removed.
//
// At no moment is neither the older to nor the new one whole under some
// name a later run sees: after a power cut between 2 and 3 the older
// archive is listed under its aside name (the job puts it back at its next
// start). A transient error (the connection broke) is returned as it is at
// any step, to be retried: a retry finds from and the aside copy, and
// renames from to the now free to. RenameOver first tries the plain rename;
// a Renamer that learned the storage refuses skips that try.
func RenameOver(ctx context.Context, m Mover, from, to string) error {
	r := Renamer{state: replaces}
	return r.Rename(ctx, m, from, to)
}

// Renamer is RenameOver with a memory of what the storage did: after a
// refusal it moves an existing to aside at once, and once a rename over an
// existing name went through in one step it reports Replaces. The zero
// Renamer knows nothing yet. It is safe for concurrent use.
type Renamer struct {
	mu    sync.Mutex
	state int8 // unknown, replaces or refuses
}

const (
	unknown  int8 = 0
	replaces int8 = 1
	refuses  int8 = -1
)

// Know tells the Renamer what the storage does (from the protocol, such as
// SFTP's posix-rename@openssh.com).
func (r *Renamer) Know(replace bool) {
	if replace {
		r.set(replaces)
	} else {
		r.set(refuses)
	}
}

// Replaces reports whether the storage is known to replace an existing
// name in one rename: told by Know(true), or seen doing it. Until then, and
// after a refusal, it is false (the careful assumption of dest.Caps).
func (r *Renamer) Replaces() bool { return r.get() == replaces }

func (r *Renamer) get() int8 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.state
}

func (r *Renamer) set(s int8) {
	r.mu.Lock()
	r.state = s
	r.mu.Unlock()
}

// Rename renames from to to over m as RenameOver does, using and updating
// what the Renamer knows.
func (r *Renamer) Rename(ctx context.Context, m Mover, from, to string) error {
	if r.get() != replaces {
		// Look whether to exists: a refusing storage then goes the careful
		// way at once, and an unknown one shows whether it replaces.
		_, err := m.Stat(ctx, to)
		if err != nil && !IsNotFound(err) {
			return err
		}
		exists := err == nil
		if exists && r.get() == refuses {
			return moveAside(ctx, m, from, to)
		}
		err = m.Rename(ctx, from, to)
		switch {
		case err == nil:
			if exists {
				r.set(replaces)
			}
			return nil
		case !exists || retry.Transient(err) || ctx.Err() != nil || IsNotFound(err):
			return err
		}
		r.set(refuses)
		return moveAside(ctx, m, from, to)
	}
	err := m.Rename(ctx, from, to)
	if err == nil || retry.Transient(err) || ctx.Err() != nil || IsNotFound(err) {
		return err // done, to be retried, or from is missing
	}
	if _, serr := m.Stat(ctx, to); serr != nil {
		if IsNotFound(serr) {
			return err // to does not exist: the refusal has another reason
		}
		return serr
	}
	r.set(refuses)
	return moveAside(ctx, m, from, to)
}

// PutBackTimeout bounds putting the older archive back under its name
// after the new one could not be renamed into place.
const PutBackTimeout = 30 * time.Second

// moveAside replaces the existing to with from by way of the aside name.
func moveAside(ctx context.Context, m Mover, from, to string) error {
	aside := dest.AsideName(to)
	// An aside copy left by an earlier run is older than to, which is whole;
	// a storage that refuses to replace would refuse step 2 while it exists.
	if _, err := m.Stat(ctx, aside); err == nil {
		if err := m.Delete(ctx, aside); err != nil && !IsNotFound(err) {
			return err
		}
	} else if !IsNotFound(err) {
		return err
	}
	if err := m.Rename(ctx, to, aside); err != nil {
		return err // nothing has changed
	}
	if err := m.Rename(ctx, from, to); err != nil {
		if retry.Transient(err) {
			return err // the older archive is listed under aside; a retry renames from to the free to
		}
		// Put the older one back, also when ctx ended meanwhile: that is
		// clean-up, bounded by its own timeout.
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), PutBackTimeout)
		defer cancel()
		if rerr := m.Rename(pctx, aside, to); rerr != nil {
			return &AsideError{Where: where(m), From: from, To: to, Aside: aside, Err: err}
		}
		return err
	}
	if err := m.Delete(ctx, aside); err != nil && retry.Transient(err) {
		return err // a retry finds from gone and to in place
	}
	return nil
}

// AsideError is dest.AsideError, the error of a rename that left the
// older archive under its aside name.
type AsideError = dest.AsideError

func where(m Mover) string {
	if s, ok := m.(fmt.Stringer); ok {
		return s.String()
	}
	return ""
}
