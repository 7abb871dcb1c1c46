package cli

import (
	"context"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/local"
)

// openDest opens what the user gave as --to. create makes a missing folder.
func (a *app) openDest(ctx context.Context, to string, create bool) (dest.Destination, []string, error) {
	if to == "" {
		return nil, nil, usagef("no destination: give --to FOLDER or 'to' in the config file")
	}
	f, err := local.Open(to, create)
	if err != nil {
		return nil, nil, err
	}
	return f, nil, nil
}
