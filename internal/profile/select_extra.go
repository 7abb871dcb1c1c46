package profile

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// addExtra adds a file or folder the user named. Inside the root it keeps
// its place; outside it goes under "_extra/<name>".
func (w *walker) addExtra(root, extra string) {
	path := extra
	if !filepath.IsAbs(path) {
		path = filepath.Join(root, path)
	}
	path = filepath.Clean(path)
	info, err := os.Stat(path)
	if err != nil {
		w.problem(path, err)
		return
	}
	name := ""
	if rel, err := filepath.Rel(root, path); err == nil && rel != "." && !strings.HasPrefix(rel, "..") && !filepath.IsAbs(rel) {
		name = filepath.ToSlash(rel)
	} else {
		var ok bool
		if name, ok = w.extraName(path, info.IsDir()); !ok {
			return // the same file or folder named twice
		}
	}
	if !info.IsDir() {
		if w.p.Excluded(name) {
			return
		}
		w.add(Item{Name: name, Path: path, Size: info.Size(), ModTime: info.ModTime(), Mode: info.Mode(), Dataset: "extra", Kind: KindExtra})
		return
	}
	saveKeep, saveDescend := w.keepClass, w.descend
	w.keepClass = func(string, Class) bool { return true }
	w.descend = func(string) bool { return true }
	w.extra = true
	if !w.walk(path, name+"/") {
		w.add(Item{Name: name + "/", Path: path, ModTime: info.ModTime(), Mode: info.Mode(), Dataset: "extra", Kind: KindExtra})
	}
	w.keepClass, w.descend, w.extra = saveKeep, saveDescend, false
}

// extraName is the archive name of an extra outside the installation:
// "_extra/NAME", or, when an earlier extra from another place already has
// that name (ignoring case, as Windows does), "_extra/NAME-2" ("-3", ...;
// before a file's extension), with a note saying where it came from. ok is
// false when the same path was added before.
func (w *walker) extraName(path string, dir bool) (name string, ok bool) {
	base := filepath.Base(path)
	stem, ext := base, ""
	if !dir {
		ext = filepath.Ext(base)
		if ext == base {
			ext = ""
		}
		stem = strings.TrimSuffix(base, ext)
	}
	for i := 1; ; i++ {
		name = "_extra/" + base
		if i > 1 {
			name = fmt.Sprintf("_extra/%s-%d%s", stem, i, ext)
		}
		prev, taken := w.extras[strings.ToLower(name)]
		if !taken {
			break
		}
		if sameFile(prev, path) {
			return "", false
		}
	}
	w.extras[strings.ToLower(name)] = path
	if name != "_extra/"+base {
		shown := name
		if dir {
			shown += "/"
		}
		w.sel.Notes = append(w.sel.Notes, fmt.Sprintf("%s is backed up as %s: another added file or folder is also called %s", path, shown, base))
	}
	return name, true
}
