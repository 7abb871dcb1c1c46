package cli

import (
	"context"
	"time"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/open"
	"github.com/posbackup/posbackup/internal/fleet"
	"github.com/posbackup/posbackup/internal/job"
)

// siteRecord writes the site's status record after a run (see
// fleet.Write) when the backup goes to a site folder, and returns a
// warning when it could not be written. The run's own result stands.
func (a *app) siteRecord(ctx context.Context, b config.Backup, d dest.Destination, started time.Time, res *job.BackupResult, runErr error) []string {
	spec, err := open.ParseDefault(b.To, b.Protocol)
	if err != nil || d == nil {
		return nil
	}
	site, err := open.SiteOf(spec, b.Site)
	if err != nil || site == "" {
		return nil
	}
	run := fleet.Run{Site: site, Started: started, Err: runErr}
	if runErr != nil {
		run.Sentence = sentence(runErr.Error())
		run.Variant = variantCode(b.Variant)
	} else if res != nil {
		run.Archive, run.Size, run.Variant, run.Clients = res.Archive, res.Size, res.Variant, res.Clients
		if res.Manifest != nil {
			run.Program = res.Manifest.ProgramVersion
		}
		run.Verified = "checked against the manifest"
		if res.Verified {
			run.Verified = "read back from the destination and checked against the manifest"
		}
	}
	// A cancelled run is recorded too, with a deadline of its own.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if _, err := fleet.Write(wctx, d, run); err != nil {
		return []string{err.Error()}
	}
	return nil
}

func variantCode(v int) string {
	if v < 1 || v > 9 {
		return ""
	}
	return "0" + string(rune('0'+v))
}
