package job

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/retention"
)

// OtherHostLeftoverAge is how old (by the start time in its name) another
// computer's unfinished archive must be before a run here removes it: that
// computer may still be uploading over a slow line.
var OtherHostLeftoverAge = 24 * time.Hour

// serverTimeSlack is how far a server's file times may be off this
// computer's clock (FTP LIST times carry no zone: up to 14 hours).
const serverTimeSlack = 15 * time.Hour

// putBackTimeout bounds putting the older archive back under its name
// after the commit failed; the run's context may be cancelled by then.
const putBackTimeout = 30 * time.Second

// commit renames the checked archive over the older one. Where the kind
// cannot replace in one step, Rename moves the older one aside first
// (dest.AsideName). When the rename fails after that (the run was
// cancelled, the retries were used up), commit puts the older one back
// before it returns, so NAME is not missing until the next run's plan.
func (r *run) commit(ctx context.Context) error {
	if err := r.req.Dest.Rename(ctx, r.tmp, r.name); err != nil {
		if r.putBack(ctx) {
			var ae *dest.AsideError
			if errors.As(err, &ae) {
				err = ae.Err // it says the older one is kept aside: no longer so
			}
			return fail("the finished backup could not be renamed to %s at %s: %v. The older archive is back under its name, unchanged", r.name, r.req.Dest, err)
		}
		return fail("the finished backup could not be renamed to %s at %s: %v", r.name, r.req.Dest, err)
	}
	r.tmpPut = false
	r.committed = true
	return nil
}

// putBack renames dest.AsideName(r.name) back to r.name when r.name is
// missing after a failed commit, with a fresh context of putBackTimeout.
// It reports whether it did.
func (r *run) putBack(ctx context.Context) bool {
	d := r.req.Dest
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), putBackTimeout)
	defer cancel()
	if _, err := d.Stat(pctx, r.name); !errors.Is(err, dest.ErrNotFound) {
		return false // in place (the new one, or the older one), or the storage cannot say
	}
	aside := dest.AsideName(r.name)
	if _, err := d.Stat(pctx, aside); err != nil {
		return false
	}
	return d.Rename(pctx, aside, r.name) == nil
}

// prune deletes the job's archives that the retention policy does not
// keep. It runs only after the new archive is checked and in place, and
// never deletes a name equal to the new one ignoring case (on a kind that
// folds case that is the new archive), nor an archive kept aside.
func (r *run) prune(ctx context.Context) error {
	req := r.req
	if req.Keep == nil || r.res.Stale || req.Job == "" || req.Keep.IsZero() {
		return nil
	}
	d := req.Dest
	fold := dest.CapsOf(d).FoldsCase
	as := []retention.Archive{{Name: r.name, Time: r.m.Started, Job: req.Job}}
	seen := map[string]bool{foldKey(r.name, fold): true}
	for _, l := range r.existing {
		if l.Manifest == nil || l.Manifest.Job != req.Job || isAside(l.Name) || seen[foldKey(l.Name, fold)] {
			continue
		}
		seen[foldKey(l.Name, fold)] = true
		as = append(as, retention.Archive{Name: l.Name, Time: l.Manifest.Started, Job: req.Job})
	}
	_, del := retention.Plan(as, *req.Keep, r.now())
	for _, a := range del {
		if sameName(a.Name, r.name, true) {
			continue // never the archive just made, whatever the case
		}
		if err := d.Delete(ctx, a.Name); err != nil {
			if le := (*dest.LockedError)(nil); errors.As(err, &le) {
				// Object Lock: retention waits for the date, as it must.
				r.res.Warnings = append(r.res.Warnings, fmt.Sprintf("retention would delete the old backup %s, but %v", a.Name, le))
				continue
			}
			r.res.Warnings = append(r.res.Warnings, fmt.Sprintf("the old backup %s could not be deleted: %v", a.Name, err))
			continue
		}
		r.res.Deleted = append(r.res.Deleted, a.Name)
	}
	return nil
}

// unchanged reports whether a leftover has not grown since this run listed
// the destination at its start: an upload still going on (a long one, or
// another posbackup on this computer) would have. The size only: FTP's LIST
// and MDTM give times of other precision. A run that is only checking or
// renaming its archive does not grow it, so this alone never makes a
// leftover deletable: it is asked only of one that is LeftoverAge old.
func (r *run) unchanged(ctx context.Context, in dest.Info) bool {
	now, err := r.req.Dest.Stat(ctx, in.Name)
	return err == nil && now.Size == in.Size
}

// asideDeletable reports whether the sweep may remove aside: never in a
// run from stale data (which keeps what is there), and only while the
// name it was moved away from is present. An aside whose name is missing
// may hold the newest good archive (a put-back that failed).
func (r *run) asideDeletable(ctx context.Context, aside string) bool {
	if r.res.Stale {
		return false
	}
	name, ok := dest.AsideOf(aside)
	if !ok {
		name, ok = strings.CutPrefix(aside, legacyAside(""))
	}
	if !ok {
		return false
	}
	_, err := r.req.Dest.Stat(ctx, name)
	return err == nil
}

func isAside(name string) bool {
	_, ok := dest.AsideOf(name)
	return ok
}

// sweep runs only after the run succeeded: it removes the asides of this
// archive's name (the new one is in place), and unfinished archives of
// interrupted runs, judged by the start time and host in their names
// (dest.ParseTemp), not by the destination's file times: this computer's
// after LeftoverAge, another's after OtherHostLeftoverAge. Names from
// before time and host were in them fall back to the file time. An
// older archive kept aside is never swept as a leftover.
func (r *run) sweep(ctx context.Context) error {
	if !r.listed {
		return nil
	}
	d := r.req.Dest
	for _, a := range r.asides {
		if !r.asideDeletable(ctx, a) {
			continue
		}
		if err := d.Delete(ctx, a); err != nil && !errors.Is(err, dest.ErrNotFound) {
			r.res.Warnings = append(r.res.Warnings, fmt.Sprintf("the older archive %s kept aside at %s could not be removed: %v", a, d, err))
		}
	}
	now := r.now()
	self, _ := dest.ParseTemp(dest.TempName("x", r.host, now, "x"))
	fold := dest.CapsOf(d).FoldsCase
	present := map[string]bool{}
	for _, in := range r.infos {
		present[foldKey(in.Name, fold)] = true
	}
	for _, in := range r.infos {
		if !dest.IsTemp(in.Name) || in.Name == r.tmp {
			continue
		}
		if t, ok := dest.ParseTemp(in.Name); ok {
			if t.Host == self.Host {
				if now.Sub(t.Started) > LeftoverAge && r.unchanged(ctx, in) {
					d.Delete(ctx, in.Name)
				}
				continue
			}
			// Another computer's: old by its name, and not written to
			// lately by the server's time either (which may be off by a
			// time zone, never by a day): a till whose clock is far
			// behind may still be uploading.
			if now.Sub(t.Started) > OtherHostLeftoverAge && (in.ModTime.IsZero() || now.Sub(in.ModTime) > serverTimeSlack) {
				d.Delete(ctx, in.Name)
			}
			continue
		}
		if rest, ok := strings.CutPrefix(in.Name, legacyAside("")); ok && !present[foldKey(rest, fold)] {
			continue // an older archive moved aside by an earlier version: maybe the only copy
		}
		if !in.ModTime.IsZero() && now.Sub(in.ModTime) > LeftoverAge {
			d.Delete(ctx, in.Name)
		}
	}
	return nil
}
