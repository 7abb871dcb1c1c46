package profile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// The walk's file system calls; tests replace them to see entries this
// system cannot make (Windows reparse points).
var (
	readDir    = os.ReadDir
	statFollow = os.Stat // follows links, junctions and other reparse points
)

type walker struct {
	p         *Profile
	sel       *Selection
	keepClass func(rel string, c Class) bool // whether the path of that class is backed up
	descend   func(rel string) bool
	seen      map[string]int    // lower-case archive name -> index in sel.Items
	caseDups  map[string][]int  // the other items of such a name (names differing only in case)
	extras    map[string]string // lower-case name under _extra/ -> the path it came from
	dirs      []string          // the folders being walked, root first (loop guard for linked folders)
	extra     bool              // walking a folder the user added
}

func (w *walker) keep(rel string) bool { return w.keepClass(rel, w.p.Classify(rel)) }

func (w *walker) problem(path string, err error) {
	reason := err.Error()
	var pe *fs.PathError
	if errors.As(err, &pe) {
		reason = pe.Err.Error()
	}
	w.sel.Problems = append(w.sel.Problems, Problem{Path: path, Reason: reason})
}

// add puts an item in the selection once. A second item of the same name
// ignoring case is the same file named twice (an extra spelled otherwise)
// and is dropped; if it is another file (a file system that tells case
// apart), both are kept and a note says that Windows cannot hold both.
func (w *walker) add(it Item) {
	key := strings.ToLower(it.Name)
	if i, ok := w.seen[key]; ok {
		for _, j := range append([]int{i}, w.caseDups[key]...) {
			if prev := w.sel.Items[j]; prev.Name == it.Name || sameFile(prev.Path, it.Path) {
				return
			}
		}
		w.sel.Notes = append(w.sel.Notes, fmt.Sprintf("%s and %s differ only in case: both are in the backup, but a Windows folder cannot hold both, so on Windows restore one of them at a time (--only); better rename one", w.sel.Items[i].Name, it.Name))
		if w.caseDups == nil {
			w.caseDups = map[string][]int{}
		}
		w.caseDups[key] = append(w.caseDups[key], len(w.sel.Items))
	} else {
		w.seen[key] = len(w.sel.Items)
	}
	w.sel.Items = append(w.sel.Items, it)
}

// sameFile reports whether two paths name one file.
func sameFile(a, b string) bool {
	if a == b {
		return true
	}
	sa, err := os.Stat(a)
	if err != nil {
		return false
	}
	sb, err := os.Stat(b)
	return err == nil && os.SameFile(sa, sb)
}

// walk visits dir (path on disk) whose archive name is rel ("" for the
// root, else ending in "/"). It reports whether anything was kept below.
//
// No file is left out without a word. A symbolic link, and what Go reports
// as an irregular file (on Windows a junction, a OneDrive or other cloud
// file, another reparse point), is followed: a link to a file is backed up
// with the content of the file it leads to (inside or outside the
// installation) under the link's own name; a link to a folder is walked as
// a folder, but never into a folder that is already being walked (a loop,
// named in a note). A link that leads nowhere, or a reparse point that does
// not open as a file, is a Problem, which fails the backup unless missing
// files are allowed. Pipes, sockets and devices hold no data: they are left
// out with a note.
func (w *walker) walk(dir, rel string) bool {
	ents, err := readDir(dir)
	if err != nil {
		w.problem(dir, err)
		return true // do not pretend it is empty
	}
	w.dirs = append(w.dirs, dir)
	defer func() { w.dirs = w.dirs[:len(w.dirs)-1] }()
	kept := false
	var fc *folderClass // made at the first file
	fileClass := func(name, base string) Class {
		if fc == nil {
			fc = w.folderClass(rel)
		}
		return fc.of(w.p, name, base)
	}
	for _, e := range ents {
		path, name := filepath.Join(dir, e.Name()), rel+e.Name()
		isDir := e.IsDir()
		var info fs.FileInfo // of what a link leads to
		if e.Type()&(fs.ModeSymlink|fs.ModeIrregular) != 0 {
			var problem bool
			if info, problem = w.follow(e, path, name, fileClass); info == nil {
				kept = kept || problem
				continue
			}
			isDir = isDir || info.IsDir()
		}
		if isDir {
			kept = w.walkFolder(e, path, name, info) || kept
		} else {
			kept = w.addFile(e, path, name, info, fileClass) || kept
		}
	}
	return kept
}

// walkFolder walks the folder e (path on disk, archive name name without
// the "/"; info is what a link to it leads to, or nil), or adds it as an
// empty folder. It reports whether anything was kept.
func (w *walker) walkFolder(e fs.DirEntry, path, name string, info fs.FileInfo) bool {
	if w.p.Excluded(name+"/") || !w.descend(name+"/") {
		return false
	}
	if info != nil {
		if loop := w.walking(info); loop != "" {
			w.sel.Notes = append(w.sel.Notes, fmt.Sprintf("%s is a link to the folder %s, which this backup already walks: not followed again (a loop)", name, loop))
			return false
		}
	}
	if w.walk(path, name+"/") {
		return true
	}
	if !w.keep(name + "/") {
		return false
	}
	var err error
	if info == nil {
		if info, err = e.Info(); err != nil {
			return false
		}
	}
	c := w.p.Classify(name + "/")
	w.add(Item{Name: name + "/", Path: path, ModTime: info.ModTime(), Mode: info.Mode(), Dataset: c.ID(), Kind: c.Kind(), Client: c.Client})
	return true
}

// addFile adds the file e (path on disk, archive name name; info is what a
// link to it leads to, or nil) when its class is backed up. It reports
// whether it was kept.
func (w *walker) addFile(e fs.DirEntry, path, name string, info fs.FileInfo, fileClass func(name, base string) Class) bool {
	if w.p.Excluded(name) {
		return false
	}
	if info == nil && !e.Type().IsRegular() {
		// Pipes, sockets and devices: no data to back up.
		if w.keepClass(name, fileClass(name, e.Name())) {
			w.sel.Notes = append(w.sel.Notes, fmt.Sprintf("%s left out: it is not a file but a %s", path, kindOf(e.Type())))
		}
		return false
	}
	c := fileClass(name, e.Name())
	if !w.keepClass(name, c) {
		return false
	}
	if info == nil {
		var err error
		if info, err = e.Info(); err != nil {
			w.problem(path, err)
			return false
		}
	}
	it := Item{Name: name, Path: path, Size: info.Size(), ModTime: info.ModTime(), Mode: info.Mode(), Dataset: c.ID(), Kind: c.Kind(), Client: c.Client}
	if w.extra && it.Dataset == "" {
		it.Dataset, it.Kind = "extra", KindExtra
	}
	w.add(it)
	return true
}
