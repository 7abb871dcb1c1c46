package profile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// walking returns the folder being walked that st (a linked folder) is, or "".
func (w *walker) walking(st fs.FileInfo) string {
	for _, d := range w.dirs {
		if ds, err := os.Stat(d); err == nil && os.SameFile(ds, st) {
			return d
		}
	}
	return ""
}

// linkProblem names a link or reparse point that leads nowhere.
func (w *walker) linkProblem(path string, t fs.FileMode, err error) {
	what := "a junction or reparse point"
	if t&fs.ModeSymlink != 0 {
		what = "a link"
	}
	to := ""
	if dst, rerr := os.Readlink(path); rerr == nil {
		to = " to " + dst
	}
	reason := err.Error()
	var pe *fs.PathError
	if errors.As(err, &pe) {
		reason = pe.Err.Error()
	}
	if errors.Is(err, fs.ErrNotExist) {
		w.sel.Problems = append(w.sel.Problems, Problem{Path: path, Reason: fmt.Sprintf("it is %s%s, which does not exist: fix or remove it", what, to)})
		return
	}
	w.sel.Problems = append(w.sel.Problems, Problem{Path: path, Reason: fmt.Sprintf("it is %s%s that cannot be followed: %s", what, to, reason)})
}

func kindOf(t fs.FileMode) string {
	switch {
	case t&fs.ModeNamedPipe != 0:
		return "named pipe"
	case t&fs.ModeSocket != 0:
		return "socket"
	case t&fs.ModeDevice != 0:
		return "device"
	}
	return "special file"
}

// follow stats what the link or reparse point e (path on disk, archive
// name name) leads to. info is nil when it is not followed: it leads
// nowhere, or not to a file or folder; problem then says whether that was
// named as a Problem (only where the backup wants the path).
func (w *walker) follow(e fs.DirEntry, path, name string, fileClass func(name, base string) Class) (info fs.FileInfo, problem bool) {
	wanted := func() bool {
		return (!w.p.Excluded(name) && w.keepClass(name, fileClass(name, e.Name()))) ||
			(!w.p.Excluded(name+"/") && w.descend(name+"/"))
	}
	st, err := statFollow(path)
	switch {
	case err != nil:
		if !wanted() {
			return nil, false
		}
		w.linkProblem(path, e.Type(), err)
		return nil, true
	case !st.IsDir() && !st.Mode().IsRegular():
		if !wanted() {
			return nil, false
		}
		w.sel.Problems = append(w.sel.Problems, Problem{Path: path, Reason: "it does not open as a file (a OneDrive or other cloud file kept online only, or another reparse point): make it available on this device (OneDrive: 'Always keep on this device') and back up again"})
		return nil, true
	}
	return st, false
}
