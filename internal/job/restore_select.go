package job

import (
	"errors"
	"path"
	"strconv"
	"strings"

	"github.com/posbackup/posbackup/internal/archive"
	"github.com/posbackup/posbackup/internal/profile"
)

// records returns what the archive holds: the manifest's records, or, for
// an archive without one, records made from its entries.
func records(a *Archive, p *profile.Profile) ([]archive.FileRecord, error) {
	if a.Manifest != nil {
		return a.Manifest.Files, nil
	}
	var out []archive.FileRecord
	for _, f := range a.Files() {
		if strings.HasPrefix(f.Name, archive.ReservedPrefix) {
			continue
		}
		r := archive.FileRecord{Name: f.Name, Size: int64(f.UncompressedSize64), ModTime: f.Modified, Mode: uint32(f.Mode())}
		if p != nil {
			c := p.Classify(f.Name)
			r.Dataset, r.Kind, r.Client = c.ID(), c.Kind(), c.Client
		}
		out = append(out, r)
	}
	return out, nil
}

// Part is one part of an archive a restore can be limited to
// (RestoreRequest.Only); exactly one field is set. The faces make them
// from the words users type or tick (package only).
type Part struct {
	Kind    string // a kind of data: profile.KindMaster, KindTransactions, KindProgram or KindExtra
	Client  int    // a client by its number (1 is M001)
	Dataset string // a data set of the profile by its ID (global, stamm, arthist, ...)
	Pattern string // a path pattern: path.Match syntax, any case, with slashes, relative to the archive root; a folder selects all below it
}

// String is the part as the command line's --only writes it.
func (p Part) String() string {
	switch {
	case p.Kind != "":
		return p.Kind
	case p.Client != 0:
		return "client:" + strconv.Itoa(p.Client)
	case p.Dataset != "":
		return p.Dataset
	}
	return p.Pattern
}

// ErrNothingSelected is the cause of the error Restore returns when no
// entry of the archive is of a part asked for.
var ErrNothingSelected = errors.New("nothing in the archive is of the parts asked for")

// partNames are the parts as --only writes them, for messages.
func partNames(only []Part) string {
	s := make([]string, len(only))
	for i, p := range only {
		s[i] = p.String()
	}
	return strings.Join(s, ", ")
}

// selector turns the parts into a filter; no parts select everything.
func selector(only []Part) func(archive.FileRecord) bool {
	if len(only) == 0 {
		return func(archive.FileRecord) bool { return true }
	}
	return func(r archive.FileRecord) bool {
		for _, p := range only {
			switch {
			case p.Kind != "":
				if r.Kind == p.Kind {
					return true
				}
			case p.Client != 0:
				if r.Client == p.Client {
					return true
				}
			case p.Dataset != "":
				if r.Dataset == p.Dataset {
					return true
				}
			default:
				if pathSelected(p.Pattern, r.Name) {
					return true
				}
			}
		}
		return false
	}
}

// preferExactCase: path patterns match ignoring case, so --only picks both
// of two names that differ only in case. Where a pattern names one of them
// in its exact case, only that one stays chosen, so that one of the two
// can be restored where a folder cannot hold both.
func preferExactCase(chosen []archive.FileRecord, only []Part) []archive.FileRecord {
	if len(only) == 0 {
		return chosen
	}
	names := make([]string, len(chosen))
	for i, r := range chosen {
		names[i] = r.Name
	}
	coll := archive.CaseCollisions(names)
	if len(coll) == 0 {
		return chosen
	}
	exact := func(name string) bool {
		for _, o := range only {
			if o.Pattern == "" {
				continue
			}
			pat := strings.TrimSuffix(o.Pattern, "/")
			parts := strings.Split(strings.TrimSuffix(name, "/"), "/")
			for i := range parts {
				if ok, _ := path.Match(pat, strings.Join(parts[:i+1], "/")); ok {
					return true
				}
			}
		}
		return false
	}
	drop := map[string]bool{} // lower-case paths whose other spellings go
	keep := map[string]bool{}
	for _, c := range coll {
		a, b := c[0], c[1]
		if exact(a) != exact(b) {
			k := a
			if exact(b) {
				k = b
			}
			keep[k] = true
			drop[strings.ToLower(k)] = true
		}
	}
	var out []archive.FileRecord
	for _, r := range chosen {
		parts := strings.Split(strings.TrimSuffix(r.Name, "/"), "/")
		gone := false
		for i := range parts {
			p := strings.Join(parts[:i+1], "/")
			if drop[strings.ToLower(p)] && !keep[p] {
				gone = true
			}
		}
		if !gone {
			out = append(out, r)
		}
	}
	return out
}

// pathSelected: a pattern selects the entries it matches (case-insensitive,
// path.Match syntax) and everything below a matching folder.
func pathSelected(pattern, name string) bool {
	lp := strings.ToLower(strings.TrimSuffix(pattern, "/"))
	ln := strings.ToLower(strings.TrimSuffix(name, "/"))
	parts := strings.Split(ln, "/")
	for i := range parts {
		prefix := strings.Join(parts[:i+1], "/")
		if ok, _ := path.Match(lp, prefix); ok {
			return true
		}
	}
	return false
}
