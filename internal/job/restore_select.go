package job

import (
	"fmt"
	"path"
	"path/filepath"
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

// selector turns --only values into a filter; no values select everything.
func selector(only []string, p *profile.Profile) (func(archive.FileRecord) bool, error) {
	if len(only) == 0 {
		return func(archive.FileRecord) bool { return true }, nil
	}
	var tests []func(archive.FileRecord) bool
	for _, o := range only {
		o = strings.TrimSpace(o)
		lo := strings.ToLower(o)
		switch {
		case lo == "master" || lo == "master-data" || lo == "stammdaten":
			tests = append(tests, func(r archive.FileRecord) bool { return r.Kind == profile.KindMaster })
		case lo == "transactions" || lo == "transaction-data" || lo == "journal-data":
			tests = append(tests, func(r archive.FileRecord) bool { return r.Kind == profile.KindTransactions })
		case lo == "program" || lo == "extra":
			tests = append(tests, func(r archive.FileRecord) bool { return r.Kind == lo })
		case strings.HasPrefix(lo, "client:"):
			v := strings.TrimPrefix(lo, "client:")
			n, err := strconv.Atoi(v)
			if err != nil && p != nil {
				var ok bool
				n, ok = p.ClientNumber(v)
				if ok {
					err = nil
				}
			}
			if err != nil || n <= 0 {
				return nil, &UsageError{Msg: fmt.Sprintf("--only %s: give a client number, like client:2", o)}
			}
			tests = append(tests, func(r archive.FileRecord) bool { return r.Client == n })
		case p != nil && p.Dataset(o) != nil:
			tests = append(tests, func(r archive.FileRecord) bool { return r.Dataset == o })
		default:
			pat := strings.TrimPrefix(filepath.ToSlash(o), "/")
			if _, err := path.Match(strings.ToLower(pat), ""); err != nil {
				return nil, &UsageError{Msg: fmt.Sprintf("--only %s is not a valid path pattern", o)}
			}
			tests = append(tests, func(r archive.FileRecord) bool { return pathSelected(pat, r.Name) })
		}
	}
	return func(r archive.FileRecord) bool {
		for _, t := range tests {
			if t(r) {
				return true
			}
		}
		return false
	}, nil
}

// preferExactCase: path patterns match ignoring case, so --only picks both
// of two names that differ only in case. Where a pattern names one of them
// in its exact case, only that one stays chosen, so that one of the two
// can be restored where a folder cannot hold both.
func preferExactCase(chosen []archive.FileRecord, only []string) []archive.FileRecord {
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
			pat := strings.TrimSuffix(strings.TrimPrefix(filepath.ToSlash(strings.TrimSpace(o)), "/"), "/")
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
