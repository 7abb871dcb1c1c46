package fleet

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/local"
)

// Of returns the site folders of a chain's destination d: S3 and the
// server kinds list them themselves (they implement Folders); a folder on
// this computer is read here.
func Of(d dest.Destination) (Folders, error) {
	switch v := d.(type) {
	case Folders:
		return v, nil
	case *local.Folder:
		return localFolders{v}, nil
	}
	return nil, fmt.Errorf("the fleet view cannot list the site folders of %s: this kind of destination does not list folders", d)
}

type localFolders struct{ f *local.Folder }

func (l localFolders) Folders(ctx context.Context) ([]string, error) {
	ents, err := os.ReadDir(l.f.Dir())
	if err != nil {
		return nil, fmt.Errorf("the folder %s cannot be listed: %v", l.f.Dir(), err)
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

func (l localFolders) Sub(ctx context.Context, name string) (dest.Destination, error) {
	if err := dest.CheckName(name); err != nil {
		return nil, err
	}
	return local.Open(filepath.Join(l.f.Dir(), name), false)
}
