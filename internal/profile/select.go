package profile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
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
		if c.Dataset != nil && len(c.Dataset.HeadOfficeClients) > 0 && req.Role == RoleHeadOffice && !slices.Contains(c.Dataset.HeadOfficeClients, c.Client) {
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

func joinInts(s []int) string {
	var parts []string
	for _, n := range s {
		parts = append(parts, fmt.Sprint(n))
	}
	return strings.Join(parts, ", ")
}
