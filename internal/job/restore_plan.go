package job

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/posbackup/posbackup/internal/archive"
)

// choose picks the entries of the archive the request selects, and refuses
// an archive that is unsafe, damaged, a zip bomb or larger than the
// target can hold.
func (r *restoreRun) choose() error {
	a, req := r.a, r.req
	if err := a.CheckSafe(); err != nil {
		return fail("the archive is refused: %v. Nothing was restored", err)
	}
	if a.ManifestErr != nil {
		return fail("the archive is damaged, so nothing was restored: %v. Run 'posbackup verify' on it for details", a.ManifestErr)
	}
	recs, err := records(a, req.Profile)
	if err != nil {
		return err
	}
	match := selector(req.Only)
	for _, rec := range recs {
		if match(rec) {
			r.chosen = append(r.chosen, rec)
		}
	}
	if len(r.chosen) == 0 {
		return failed(ErrNothingSelected, "nothing in the archive matches %s: see 'posbackup info' for what it holds", partNames(req.Only))
	}
	r.want = map[string]bool{}
	for _, rec := range r.chosen {
		r.want[rec.Name] = true
	}
	if req.Profile != nil && a.Manifest != nil && a.Manifest.ProgramVersion != "" {
		if have, _ := req.Profile.ReadVersion(req.Target); have != "" && have != a.Manifest.ProgramVersion {
			r.res.Warnings = append(r.res.Warnings, fmt.Sprintf("the installed program version is %s but the backup was made with %s: the restored data may not fit the program", have, a.Manifest.ProgramVersion))
		}
	}
	// Refuse zip bombs and archives larger than the target can hold.
	free, err := archive.FreeSpace(req.Target)
	if err != nil {
		free = -1 // unknown: only the expansion ratio is checked
	}
	if err := a.CheckExpansion(r.selected, archive.DefaultMaxRatio, free); err != nil {
		return fail("the archive is refused: %v. Nothing was restored", err)
	}
	return nil
}

// selected reports whether the entry name was chosen.
func (r *restoreRun) selected(name string) bool { return r.want[name] }

// plan checks the chosen entries against the target as it is now (it may
// not exist yet): names Windows cannot create, names that differ only in
// case, no link or junction on the way, no file where a folder goes or the
// other way round. It counts what is added and what replaced.
func (r *restoreRun) plan() error {
	var err error
	if r.targetAbs, err = filepath.Abs(r.req.Target); err != nil {
		return fail("the target %s is not a valid path", r.req.Target)
	}
	// Names Windows cannot create are refused where the files are written
	// on Windows; elsewhere they are ordinary names (see restoreOnWindows).
	if restoreOnWindows {
		for _, rec := range r.chosen {
			if err := archive.WindowsName(rec.Name); err != nil {
				return fail("%v. Nothing was restored: restore the other files with --only, or restore this archive on Linux", err)
			}
		}
	}
	r.chosen = preferExactCase(r.chosen, r.req.Only)
	names := make([]string, len(r.chosen))
	for i, rec := range r.chosen {
		names[i] = rec.Name
	}
	r.collisions = archive.CaseCollisions(names)
	if st, err := os.Stat(r.targetAbs); err == nil {
		if !st.IsDir() {
			return fail("the target %s is a file, not a folder: give a folder with --target", r.targetAbs)
		}
		if r.tgt, err = archive.OpenTarget(r.targetAbs); err != nil {
			return fail("cannot open the target folder %s: %v", r.targetAbs, plainErr(err))
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fail("cannot check the target folder %s: %v", r.targetAbs, plainErr(err))
	}
	checked := map[string]bool{}
	for _, rec := range r.chosen {
		if err := r.planEntry(rec, checked); err != nil {
			return err
		}
	}
	return nil
}

// planEntry checks one chosen entry against the target and counts it.
func (r *restoreRun) planEntry(rec archive.FileRecord, checked map[string]bool) error {
	p := filepath.Join(r.targetAbs, filepath.FromSlash(strings.TrimSuffix(rec.Name, "/")))
	var st fs.FileInfo
	err := error(fs.ErrNotExist)
	if r.tgt != nil {
		if err := r.tgt.CheckPath(rec.Name, checked); err != nil {
			return asError(err)
		}
		st, err = r.tgt.Lstat(rec.Name)
	}
	switch {
	case rec.IsDir():
		if err == nil && !st.IsDir() {
			return fail("%s is a file in the target but a folder in the backup: move it away and try again", p)
		}
		r.res.Folders++
	case err == nil && st.IsDir():
		return fail("%s is a folder in the target but a file in the backup: move it away and try again", p)
	case err == nil:
		r.res.Replaced = append(r.res.Replaced, rec.Name)
		r.res.Bytes += rec.Size
	case errors.Is(err, fs.ErrNotExist):
		r.res.Added = append(r.res.Added, rec.Name)
		r.res.Bytes += rec.Size
	default:
		return fail("cannot check %s: %v", p, plainErr(err))
	}
	return nil
}

// dryRun: nothing is written, so the selection is checked on its own.
func (r *restoreRun) dryRun(ctx context.Context) (*RestoreResult, error) {
	if len(r.collisions) > 0 && targetFoldsCase(nil) {
		return nil, r.refuseCollisions()
	}
	rep, err := r.a.Verify(ctx, r.selected, func(name string, n int64) {
		if r.req.OnEvent != nil {
			r.req.OnEvent(Event{Phase: "verify", Name: name, Bytes: n})
		}
	})
	if err != nil {
		return nil, err
	}
	if !rep.OK() {
		var bad []string
		for _, d := range rep.Damaged {
			bad = append(bad, d.Name+": "+d.Reason)
		}
		return nil, fail("the archive is damaged, so nothing would be restored: %s", strings.Join(limit(bad, 5), "; "))
	}
	return r.res, nil
}

func (r *restoreRun) refuseCollisions() error {
	c := r.collisions[0]
	return fail("the backup holds %s and %s, whose names differ only in case, but the target %s cannot tell them apart: restore one of them at a time with --only. Nothing was restored", c[1], c[0], r.targetAbs)
}

// restoreOnWindows: the files are written on Windows, so names Windows
// cannot create (reserved device names, ':', trailing dots and spaces) are
// refused before anything is written. Only there: on Linux they are
// ordinary names, and a Linux installation's own backup must restore there.
// An archive made on Linux and restored on Windows is the case it is for.
// Tests set it to see the refusal on any system.
var restoreOnWindows = runtime.GOOS == "windows"

// targetFoldsCase reports whether names that differ only in case are one
// name in the target (t nil: before the target exists or in a dry run,
// judged by the system alone); tests replace it.
var targetFoldsCase = func(t *archive.Target) bool {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		return true
	}
	return t != nil && probeFoldsCase(t)
}

// probeFoldsCase asks the file system (a Samba share or a FAT stick mounted
// on Linux folds case too).
func probeFoldsCase(t *archive.Target) bool {
	folds, err := t.FoldsCase()
	return err == nil && folds
}
