package job

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/posbackup/posbackup/internal/archive"
	"github.com/posbackup/posbackup/internal/dest"
)

// Listed is one backup at a destination.
type Listed struct {
	Name     string            `json:"name"`
	Size     int64             `json:"size"`
	Stored   time.Time         `json:"stored"` // the destination's modification time
	Manifest *archive.Manifest `json:"-"`
	Problem  string            `json:"problem,omitempty"` // why no details could be read
}

// Time is when the backup started, or when it was stored if unknown.
func (l Listed) Time() time.Time {
	if l.Manifest != nil {
		return l.Manifest.Started
	}
	return l.Stored
}

// List returns the ZIP archives at d, newest first, with their manifests.
// Unfinished uploads are not listed.
func List(ctx context.Context, d dest.Destination) ([]Listed, error) {
	return ListPassword(ctx, d, "")
}

// ListPassword is List that also reads the details of archives encrypted
// with password (without it, they are listed with a Problem).
func ListPassword(ctx context.Context, d dest.Destination, password string) ([]Listed, error) {
	infos, err := d.List(ctx)
	if err != nil {
		return nil, err
	}
	var out []Listed
	for _, in := range infos {
		if dest.IsTemp(in.Name) || !strings.HasSuffix(strings.ToLower(in.Name), ".zip") {
			continue
		}
		l := Listed{Name: in.Name, Size: in.Size, Stored: in.ModTime}
		a, err := openDetails(ctx, d, in, password)
		if err != nil {
			l.Problem = err.Error()
		} else {
			l.Manifest = a.Manifest
			if a.ManifestErr != nil {
				l.Problem = a.ManifestErr.Error()
			} else if a.Manifest == nil {
				l.Problem = "not made by posbackup (no manifest)"
			}
			a.Close()
		}
		out = append(out, l)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time().After(out[j].Time()) })
	return out, nil
}
