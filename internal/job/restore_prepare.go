package job

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/posbackup/posbackup/internal/archive"
)

// createTarget makes the target folder when it does not exist yet,
// remembering the folders made for it (removed again when the restore
// writes nothing), and opens it.
func (r *restoreRun) createTarget() error {
	if r.tgt != nil {
		return nil
	}
	for q := r.targetAbs; ; q = filepath.Dir(q) {
		if _, err := os.Stat(q); err == nil || filepath.Dir(q) == q {
			break
		}
		r.outside = append(r.outside, q)
	}
	if err := os.MkdirAll(r.targetAbs, 0o755); err != nil {
		return fail("cannot create the target folder %s: %v", r.targetAbs, plainErr(err))
	}
	var err error
	if r.tgt, err = archive.OpenTarget(r.targetAbs); err != nil {
		return fail("cannot open the target folder %s: %v", r.targetAbs, plainErr(err))
	}
	return nil
}

// makeDirs sorts the chosen entries into folders and files and makes every
// folder they need in the target. When one cannot be made, the folders
// made so far are removed again.
func (r *restoreRun) makeDirs() error {
	r.known = map[string]bool{".": true}
	r.fileDirs = map[string]bool{}
	for _, rec := range r.chosen {
		dir := strings.TrimSuffix(rec.Name, "/")
		if rec.IsDir() {
			r.dirs = append(r.dirs, rec)
		} else {
			r.files = append(r.files, rec)
			dir = path.Dir(dir)
			r.fileDirs[dir] = true
		}
		if err := r.mkdir(dir); err != nil {
			where := r.tgt.Path(dir) // before undoDirs, which may close the target
			r.undoDirs()
			return fail("cannot create %s: %v. Nothing was restored", where, plainErr(err))
		}
	}
	return nil
}

// mkdir makes dir and the folders above it that are missing, noting the
// ones it made.
func (r *restoreRun) mkdir(dir string) error {
	var missing []string
	for q := dir; !r.known[q]; q = path.Dir(q) {
		if st, err := r.tgt.Lstat(q); err == nil && st.IsDir() {
			break
		}
		missing = append(missing, q)
	}
	for i := len(missing) - 1; i >= 0; i-- {
		err := r.tgt.Mkdir(missing[i])
		if err == nil {
			r.created = append(r.created, missing[i]) // only these are removed again
		} else if st, serr := r.tgt.Lstat(missing[i]); serr != nil || !st.IsDir() {
			return err // a file where a folder must go, or no access
		}
		r.known[missing[i]] = true
	}
	r.known[dir] = true
	return nil
}

// undoDirs removes the folders this restore made (only when empty), and
// those it made for the target itself.
func (r *restoreRun) undoDirs() {
	for i := len(r.created) - 1; i >= 0; i-- {
		r.tgt.Remove(r.created[i]) // only when empty
	}
	if len(r.outside) > 0 {
		r.tgt.Close()
		r.tgt = nil
		for _, d := range r.outside {
			os.Remove(d)
		}
	}
}

// removeLeftovers removes what an interrupted restore left in the folders
// that get files (the run lock keeps other restores out of the target
// meanwhile).
func (r *restoreRun) removeLeftovers() {
	for dir := range r.fileDirs {
		if _, err := r.tgt.RemoveLeftovers(dir); err != nil {
			r.res.Warnings = append(r.res.Warnings, fmt.Sprintf("the temporary files of an earlier restore in %s could not be removed: %v", r.tgt.Path(dir), plainErr(err)))
		}
	}
}
