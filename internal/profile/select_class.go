package profile

import "strings"

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
