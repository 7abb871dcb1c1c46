package cli

import (
	"context"
	"time"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/fleet"
	"github.com/posbackup/posbackup/internal/job"
)

// siteRecord writes the site's status record after a run by hand (see
// fleet.After) and returns a warning when it could not be written.
func (a *app) siteRecord(ctx context.Context, b config.Backup, d dest.Destination, started time.Time, res *job.BackupResult, runErr error) []string {
	if w := fleet.After(ctx, b, d, started, res, runErr, "", 0); w != "" {
		return []string{w}
	}
	return nil
}
