package job

import (
	"path"
	"sort"
	"strings"
)

// place renames every extracted file into place, now that all of them are
// checked and on the disk.
func (x *extraction) place() error {
	for i := range x.files {
		if err := x.tgt.Place(x.temps[i], x.files[i].Name, x.zfs[i], x.rec(i)); err != nil {
			x.removeTemps()
			return fail("restoring %s failed: %v. %d of %d file(s) were restored before it", x.tgt.Path(x.files[i].Name), err, i, len(x.files))
		}
		x.temps[i] = ""
		restoreFault("rename", i+1)
	}
	return nil
}

// syncDirs syncs the renamed names and the new folders to the disk: each
// folder that got a file, and the parent of each folder made.
func (r *restoreRun) syncDirs() error {
	syncs := r.fileDirs
	for _, d := range r.created {
		syncs[path.Dir(d)] = true
	}
	var syncErrs []string
	for _, d := range sortedKeys(syncs) {
		if err := r.tgt.SyncDir(d); err != nil {
			syncErrs = append(syncErrs, err.Error())
		}
	}
	if len(syncErrs) > 0 {
		return fail("the files were restored, but %s. A power cut now could still lose them: run the restore again", strings.Join(limit(syncErrs, 3), "; "))
	}
	return nil
}

// setDirTimes gives the restored folders their times, last and deepest
// first, since writing files changes them.
func (r *restoreRun) setDirTimes() {
	sort.Slice(r.dirs, func(i, j int) bool { return len(r.dirs[i].Name) > len(r.dirs[j].Name) })
	for _, d := range r.dirs {
		if !d.ModTime.IsZero() {
			if err := r.tgt.SetDirTime(d.Name, d.ModTime); err != nil {
				r.res.Warnings = append(r.res.Warnings, err.Error())
			}
		}
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
