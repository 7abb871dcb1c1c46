package profile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Role says whether an installation is a head office or a location; it
// decides the Arthist rule.
type Role string

const (
	RoleLocation   Role = "location"
	RoleHeadOffice Role = "head-office"
)

// ParseRole accepts "location" and "head-office" (and a few spellings).
func ParseRole(s string) (Role, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "location", "filiale", "branch":
		return RoleLocation, nil
	case "head-office", "headoffice", "head_office", "central", "zentrale":
		return RoleHeadOffice, nil
	}
	return "", fmt.Errorf("unknown role %q: use head-office or location", s)
}

// Request says what to back up.
type Request struct {
	Root    string
	Variant int
	Clients []int // nil or empty: all clients
	Role    Role
	Extras  []string // files or folders added by the user
}

// Item is one file or (empty) folder to archive.
type Item struct {
	Name    string // name in the archive: relative to the root, "/" separated; folders end in "/"
	Path    string // path on disk
	Size    int64
	ModTime time.Time
	Mode    fs.FileMode
	Dataset string // data set id, "" for extras and unclaimed files
	Kind    string
	Client  int
}

// IsDir reports whether the item is a folder.
func (it Item) IsDir() bool { return strings.HasSuffix(it.Name, "/") }

// Problem is a path that should have been backed up but could not be read.
type Problem struct {
	Path   string
	Reason string
}

// Selection is the outcome of applying a variant to an installation.
type Selection struct {
	Variant  Variant
	Clients  []int // the clients whose data is in the backup, ascending
	Items    []Item
	Problems []Problem
	Notes    []string // e.g. what the Arthist rule left out
}

// ParseClients reads "all" or "1,2" (also "M001,M002").
func (p *Profile) ParseClients(s string) ([]int, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "all") {
		return nil, nil
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		n, ok := 0, false
		if _, err := fmt.Sscanf(f, "%d", &n); err == nil && fmt.Sprint(n) == strings.TrimLeft(f, "0") && n > 0 {
			ok = true
		} else {
			n, ok = p.ClientNumber(f)
		}
		if !ok {
			return nil, fmt.Errorf("%q is not a client number: use all, or numbers like 1,2", f)
		}
		out = append(out, n)
	}
	sort.Ints(out)
	return out, nil
}

// Clients lists the client numbers present in an installation.
func (p *Profile) Clients(root string) ([]int, error) {
	if p.clientDigits == 0 {
		return nil, nil
	}
	ents, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(p.ClientParent())))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []int
	for _, e := range ents {
		if n, ok := p.ClientNumber(e.Name()); ok && e.IsDir() {
			out = append(out, n)
		}
	}
	sort.Ints(out)
	return out, nil
}

// Select walks the installation and returns what the request backs up.
func (p *Profile) Select(req Request) (*Selection, error) {
	v, err := p.Variant(req.Variant)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(req.Root)
	if err != nil || !st.IsDir() {
		return nil, fmt.Errorf("the installation folder %s does not exist or is not a folder: check --source", req.Root)
	}
	present, err := p.Clients(req.Root)
	if err != nil {
		return nil, fmt.Errorf("cannot read the client folders in %s: %v", req.Root, err)
	}
	wanted := map[int]bool{}
	clients := present
	if len(req.Clients) > 0 {
		clients = nil
		have := map[int]bool{}
		for _, n := range present {
			have[n] = true
		}
		for _, n := range req.Clients {
			if !have[n] {
				return nil, fmt.Errorf("client %d (%s/%s) does not exist in %s: check --clients", n, p.ClientParent(), p.ClientName(n), req.Root)
			}
			if !wanted[n] {
				clients = append(clients, n)
			}
			wanted[n] = true
		}
	} else {
		for _, n := range present {
			wanted[n] = true
		}
	}
	inVariant := map[string]bool{}
	for _, id := range v.Datasets {
		inVariant[id] = true
	}
	sel := &Selection{Variant: v, Clients: clients}
	w := walker{p: p, sel: sel, seen: map[string]int{}, extras: map[string]string{}}
	w.keepClass = func(rel string, c Class) bool {
		if c.Client != 0 && !wanted[c.Client] {
			return false
		}
		if c.Dataset != nil && len(c.Dataset.HeadOfficeClients) > 0 && req.Role == RoleHeadOffice && !containsInt(c.Dataset.HeadOfficeClients, c.Client) {
			if !strings.HasSuffix(rel, "/") {
				sel.Notes = append(sel.Notes, fmt.Sprintf("%s left out: at a head office the %s is backed up for client %s only", rel, c.Dataset.Title, joinInts(c.Dataset.HeadOfficeClients)))
			}
			return false
		}
		return v.Everything || (c.Dataset != nil && inVariant[c.Dataset.ID])
	}
	w.descend = func(rel string) bool { return v.Everything || p.mayHold(rel, inVariant) }
	w.walk(req.Root, "")
	for _, extra := range req.Extras {
		w.addExtra(req.Root, extra)
	}
	sort.Slice(sel.Items, func(i, j int) bool { return sel.Items[i].Name < sel.Items[j].Name })
	return sel, nil
}

// mayHold reports whether folder dir (ending in "/") can contain a path of
// one of the selected data sets.
func (p *Profile) mayHold(dir string, selected map[string]bool) bool {
	ldir := strings.ToLower(dir)
	dirParts := strings.Split(strings.TrimSuffix(ldir, "/"), "/")
	for id := range selected {
		for _, pt := range p.datasetByID[id].Paths {
			parts := strings.Split(strings.TrimSuffix(strings.ToLower(pt), "/"), "/")
			ok := true
			for i := 0; i < len(parts) && i < len(dirParts); i++ {
				if parts[i] == "{client}" {
					if _, isClient := p.ClientNumber(dirParts[i]); !isClient {
						ok = false
					}
				} else if parts[i] != dirParts[i] {
					ok = false
				}
				if !ok {
					break
				}
			}
			if ok {
				return true
			}
		}
	}
	return false
}

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

// folderClass classifies the files of one folder without matching every
// data set path against each of them. A folder pattern ("a/b/") that
// matches a file matches its folder too (it is a prefix of the file's path
// and ends in "/", so it ends within the folder's path), and a file pattern
// matches one path exactly and is longer than any folder pattern that
// matches it, so it wins. A file's class is therefore its folder's class,
// unless a file pattern names it. Where the client folder's name would be
// the file's own name (files directly in the client parent), each file is
// classified on its own.
type folderClass struct {
	c       Class
	files   map[string]*Dataset // lower-case names that file patterns name; the first pattern wins, as in Classify
	perFile bool
}

func (w *walker) folderClass(rel string) *folderClass {
	p := w.p
	lrel := strings.ToLower(rel)
	if p.clientDigits > 0 && ((p.clientParent == "" && lrel == "") || lrel == p.clientParent+"/") {
		return &folderClass{perFile: true}
	}
	fc := &folderClass{c: p.Classify(rel)}
	clientComp, _ := p.clientComponent(lrel) // as Classify finds it
	for i := range p.Datasets {
		d := &p.Datasets[i]
		for _, pt := range d.Paths {
			lp := strings.ToLower(pt)
			if strings.HasSuffix(lp, "/") {
				continue
			}
			if strings.Contains(lp, "{client}") {
				if clientComp == "" {
					continue
				}
				lp = strings.ReplaceAll(lp, "{client}", clientComp)
			}
			name, ok := strings.CutPrefix(lp, lrel)
			if !ok || name == "" || strings.Contains(name, "/") {
				continue
			}
			if fc.files == nil {
				fc.files = map[string]*Dataset{}
			}
			if _, dup := fc.files[name]; !dup {
				fc.files[name] = d
			}
		}
	}
	return fc
}

// of is the class of the file name (rel is its path) in the folder.
func (fc *folderClass) of(p *Profile, rel, name string) Class {
	if fc.perFile {
		return p.Classify(rel)
	}
	c := fc.c
	if fc.files != nil {
		if d, ok := fc.files[strings.ToLower(name)]; ok {
			c.Dataset = d
		}
	}
	return c
}

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
		path := filepath.Join(dir, e.Name())
		name := rel + e.Name()
		isDir := e.IsDir()
		var info fs.FileInfo // of what a link leads to
		if t := e.Type(); t&(fs.ModeSymlink|fs.ModeIrregular) != 0 {
			wanted := func() bool {
				return (!w.p.Excluded(name) && w.keepClass(name, fileClass(name, e.Name()))) ||
					(!w.p.Excluded(name+"/") && w.descend(name+"/"))
			}
			st, err := statFollow(path)
			switch {
			case err != nil:
				if wanted() {
					w.linkProblem(path, t, err)
					kept = true
				}
				continue
			case st.IsDir():
				isDir = true
			case !st.Mode().IsRegular():
				if wanted() {
					w.sel.Problems = append(w.sel.Problems, Problem{Path: path, Reason: "it does not open as a file (a OneDrive or other cloud file kept online only, or another reparse point): make it available on this device (OneDrive: 'Always keep on this device') and back up again"})
					kept = true
				}
				continue
			}
			info = st
		}
		if isDir {
			if w.p.Excluded(name+"/") || !w.descend(name+"/") {
				continue
			}
			if info != nil {
				if loop := w.walking(info); loop != "" {
					w.sel.Notes = append(w.sel.Notes, fmt.Sprintf("%s is a link to the folder %s, which this backup already walks: not followed again (a loop)", name, loop))
					continue
				}
			}
			if w.walk(path, name+"/") {
				kept = true
			} else if w.keep(name + "/") {
				if info == nil {
					info, err = e.Info()
				}
				if err == nil {
					c := w.p.Classify(name + "/")
					w.add(Item{Name: name + "/", Path: path, ModTime: info.ModTime(), Mode: info.Mode(), Dataset: c.ID(), Kind: c.Kind(), Client: c.Client})
					kept = true
				}
			}
			continue
		}
		if w.p.Excluded(name) {
			continue
		}
		if info == nil && !e.Type().IsRegular() {
			// Pipes, sockets and devices: no data to back up.
			if w.keepClass(name, fileClass(name, e.Name())) {
				w.sel.Notes = append(w.sel.Notes, fmt.Sprintf("%s left out: it is not a file but a %s", path, kindOf(e.Type())))
			}
			continue
		}
		c := fileClass(name, e.Name())
		if !w.keepClass(name, c) {
			continue
		}
		if info == nil {
			info, err = e.Info()
			if err != nil {
				w.problem(path, err)
				continue
			}
		}
		it := Item{Name: name, Path: path, Size: info.Size(), ModTime: info.ModTime(), Mode: info.Mode(), Dataset: c.ID(), Kind: c.Kind(), Client: c.Client}
		if w.extra && it.Dataset == "" {
			it.Dataset, it.Kind = "extra", KindExtra
		}
		w.add(it)
		kept = true
	}
	return kept
}

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

func containsInt(s []int, n int) bool {
	for _, x := range s {
		if x == n {
			return true
		}
	}
	return false
}

func joinInts(s []int) string {
	var parts []string
	for _, n := range s {
		parts = append(parts, fmt.Sprint(n))
	}
	return strings.Join(parts, ", ")
}
