// Package profile describes installation layouts as data: where a POS suite
// keeps its clients, which folders make up which data set, which data sets
// each backup variant (01-04) takes, and what is never backed up. The
// built-in default profile is embedded from default.toml; users can supply
// another file for a different suite or layout.
package profile

import (
	_ "embed"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

//go:embed default.toml
var defaultTOML []byte

// DefaultTOML returns the text of the built-in profile.
func DefaultTOML() []byte { return append([]byte(nil), defaultTOML...) }

// Kinds of data set, as restore's --only master / --only transactions name them.
const (
	KindMaster       = "master"
	KindTransactions = "transactions"
	KindProgram      = "program"
	KindExtra        = "extra"
)

// Profile is one installation layout.
type Profile struct {
	Name        string    `toml:"name"`
	Description string    `toml:"description"`
	DefaultRoot string    `toml:"default_root"`
	VersionFile string    `toml:"version_file"`
	VersionKey  string    `toml:"version_key"` // the key in the version file that holds the version, before Version=, Suite=, ProgramVersion=
	ClientDir   string    `toml:"client_dir"`
	Never       []string  `toml:"never"`
	Datasets    []Dataset `toml:"dataset"`
	Variants    []Variant `toml:"variant"`

	clientParent string // "daten" (lower case)
	clientPrefix string // "m"
	clientSuffix string
	clientDigits int
	datasetByID  map[string]*Dataset
}

// Dataset is a named part of an installation.
type Dataset struct {
	ID    string   `toml:"id"`
	Title string   `toml:"title"`
	Kind  string   `toml:"kind"`
	Paths []string `toml:"paths"`
	// HeadOfficeClients, when set, limits this data set at a head office to
	// these client numbers (the Arthist rule).
	HeadOfficeClients []int `toml:"head_office_clients"`
}

// Variant is a backup variant the user picks by number.
type Variant struct {
	Number     int      `toml:"number"`
	Title      string   `toml:"title"`
	Datasets   []string `toml:"datasets"`
	Everything bool     `toml:"everything"`
}

// Code is the variant number as users know it: "01".."04".
func (v Variant) Code() string { return fmt.Sprintf("%02d", v.Number) }

// Default returns the built-in profile.
func Default() *Profile {
	p, err := Parse(defaultTOML, "built-in profile")
	if err != nil {
		panic("the built-in profile is invalid: " + err.Error())
	}
	return p
}

// Load reads a profile file.
func Load(path string) (*Profile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the profile %s: %v", path, err)
	}
	return Parse(b, path)
}

// Parse reads a profile from TOML text; where names the source in errors.
func Parse(b []byte, where string) (*Profile, error) {
	var p Profile
	md, err := toml.Decode(string(b), &p)
	if err != nil {
		return nil, fmt.Errorf("the profile %s is not valid TOML: %v", where, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, fmt.Errorf("the profile %s has an unknown setting %q: check its spelling", where, und[0].String())
	}
	if err := p.init(); err != nil {
		return nil, fmt.Errorf("the profile %s: %v", where, err)
	}
	return &p, nil
}

func (p *Profile) init() error {
	if p.ClientDir != "" {
		cd := strings.ToLower(strings.Trim(p.ClientDir, "/"))
		i := strings.LastIndex(cd, "/")
		name := cd
		if i >= 0 {
			p.clientParent, name = cd[:i], cd[i+1:]
		}
		first := strings.Index(name, "#")
		last := strings.LastIndex(name, "#")
		if first < 0 || strings.Count(name[first:last+1], "#") != last-first+1 {
			return fmt.Errorf("client_dir %q needs one run of '#' for the client number, like \"Daten/M###\"", p.ClientDir)
		}
		p.clientPrefix, p.clientSuffix, p.clientDigits = name[:first], name[last+1:], last-first+1
	}
	p.datasetByID = map[string]*Dataset{}
	for i := range p.Datasets {
		d := &p.Datasets[i]
		if d.ID == "" {
			return fmt.Errorf("data set %d has no id", i+1)
		}
		if p.datasetByID[d.ID] != nil {
			return fmt.Errorf("data set id %q is used twice", d.ID)
		}
		if len(d.Paths) == 0 {
			return fmt.Errorf("data set %q has no paths", d.ID)
		}
		for _, pt := range d.Paths {
			if strings.Contains(pt, "{client}") && p.ClientDir == "" {
				return fmt.Errorf("data set %q uses {client} but the profile has no client_dir", d.ID)
			}
			if strings.HasPrefix(pt, "/") || strings.Contains(pt, "\\") || strings.Contains(pt, "..") {
				return fmt.Errorf("data set %q path %q must be relative to the root and use /", d.ID, pt)
			}
		}
		p.datasetByID[d.ID] = d
	}
	seen := map[int]bool{}
	for _, v := range p.Variants {
		if v.Number < 1 || seen[v.Number] {
			return fmt.Errorf("variant number %d is missing, below 1 or used twice", v.Number)
		}
		seen[v.Number] = true
		for _, id := range v.Datasets {
			if p.datasetByID[id] == nil {
				return fmt.Errorf("variant %s names the unknown data set %q", v.Code(), id)
			}
		}
		if !v.Everything && len(v.Datasets) == 0 {
			return fmt.Errorf("variant %s selects nothing: give datasets or everything = true", v.Code())
		}
	}
	if len(p.Variants) == 0 {
		return fmt.Errorf("it defines no variant")
	}
	sort.Slice(p.Variants, func(i, j int) bool { return p.Variants[i].Number < p.Variants[j].Number })
	return nil
}

// Variant returns the variant with number n.
func (p *Profile) Variant(n int) (Variant, error) {
	for _, v := range p.Variants {
		if v.Number == n {
			return v, nil
		}
	}
	var nums []string
	for _, v := range p.Variants {
		nums = append(nums, v.Code())
	}
	return Variant{}, fmt.Errorf("there is no variant %02d: choose one of %s (see 'posbackup variants')", n, strings.Join(nums, ", "))
}

// Dataset returns the data set with the given id, or nil.
func (p *Profile) Dataset(id string) *Dataset { return p.datasetByID[id] }

// ClientName gives the folder name of client n, e.g. "M001".
func (p *Profile) ClientName(n int) string {
	name := p.ClientDir[strings.LastIndex(p.ClientDir, "/")+1:]
	first := strings.Index(name, "#")
	last := strings.LastIndex(name, "#")
	return name[:first] + fmt.Sprintf("%0*d", p.clientDigits, n) + name[last+1:]
}

// ClientNumber parses a client folder name ("M001" -> 1).
func (p *Profile) ClientNumber(name string) (int, bool) {
	if p.clientDigits == 0 {
		return 0, false
	}
	l := strings.ToLower(name)
	if !strings.HasPrefix(l, p.clientPrefix) || !strings.HasSuffix(l, p.clientSuffix) {
		return 0, false
	}
	digits := l[len(p.clientPrefix) : len(l)-len(p.clientSuffix)]
	if len(digits) < p.clientDigits {
		return 0, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(digits)
	return n, err == nil && n > 0
}

// ClientParent is the folder that holds the client folders ("Daten").
func (p *Profile) ClientParent() string {
	if i := strings.LastIndex(p.ClientDir, "/"); i >= 0 {
		return p.ClientDir[:i]
	}
	return ""
}

// Class is what the profile says about one path.
type Class struct {
	Dataset *Dataset // nil when no data set claims the path
	Client  int      // client number, 0 when the path is not in a client folder
}

// Kind is the data set kind, or "" when unclaimed.
func (c Class) Kind() string {
	if c.Dataset == nil {
		return ""
	}
	return c.Dataset.Kind
}

// ID is the data set id, or "".
func (c Class) ID() string {
	if c.Dataset == nil {
		return ""
	}
	return c.Dataset.ID
}

// Classify tells which data set and client a path belongs to. rel is
// relative to the installation root with "/"; a folder ends in "/".
func (p *Profile) Classify(rel string) Class {
	var c Class
	lrel := strings.ToLower(rel)
	clientComp, n := p.clientComponent(lrel)
	c.Client = n
	best := -1
	for i := range p.Datasets {
		d := &p.Datasets[i]
		for _, pt := range d.Paths {
			lp := strings.ToLower(pt)
			if strings.Contains(lp, "{client}") {
				if clientComp == "" {
					continue
				}
				lp = strings.ReplaceAll(lp, "{client}", clientComp)
			}
			if pathMatches(lp, lrel) && len(lp) > best {
				best, c.Dataset = len(lp), d
			}
		}
	}
	return c
}

// pathMatches: a folder pattern ("a/b/") matches everything below it and the
// folder itself; a file pattern matches the file exactly.
func pathMatches(pattern, rel string) bool {
	if strings.HasSuffix(pattern, "/") {
		return strings.HasPrefix(rel, pattern)
	}
	return rel == pattern
}

// Excluded reports whether a path is on the never-list. rel uses "/"; a folder
// ends in "/".
func (p *Profile) Excluded(rel string) bool {
	lrel := strings.ToLower(rel)
	isDir := strings.HasSuffix(lrel, "/")
	lrel = strings.TrimSuffix(lrel, "/")
	parts := strings.Split(lrel, "/")
	for _, pat := range p.Never {
		lp := strings.ToLower(pat)
		dirOnly := strings.HasSuffix(lp, "/")
		lp = strings.TrimSuffix(lp, "/")
		if strings.Contains(lp, "/") { // anchored at the root
			if (isDir || !dirOnly) && globMatch(lp, lrel) {
				return true
			}
			continue
		}
		for i, part := range parts {
			last := i == len(parts)-1
			if dirOnly && last && !isDir {
				continue // "Temp/" does not match a file named Temp
			}
			if globMatch(lp, part) {
				return true
			}
		}
	}
	return false
}

// ReadVersion reads the suite's program version from the profile's version
// file under root (see ReadVersionInfo): "" when the profile names no
// version file, the file does not exist or it holds no version.
func (p *Profile) ReadVersion(root string) (string, error) {
	vi, err := p.ReadVersionInfo(root)
	return vi.Version, err
}

// ParseVersion extracts the version from the text of a version file: the
// value of a Version=, Suite= or ProgramVersion= line (in that order), or
// else, when the file holds no key = value line at all, its first line.
func ParseVersion(text string) string { return parseVersion(text, "") }

// clientComponent returns the client folder (lower case, e.g. "m001") that
// the lower-case relative path lrel lies in, and its number; "" and 0 when
// it lies in none.
func (p *Profile) clientComponent(lrel string) (string, int) {
	if p.clientDigits == 0 {
		return "", 0
	}
	rest, ok := strings.CutPrefix(lrel, p.clientParent+"/")
	if p.clientParent == "" {
		rest, ok = lrel, true
	}
	if !ok {
		return "", 0
	}
	comp, _, _ := strings.Cut(rest, "/")
	if n, ok := p.ClientNumber(comp); ok {
		return comp, n
	}
	return "", 0
}
