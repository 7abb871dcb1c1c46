package job

import (
	"context"

	"github.com/posbackup/posbackup/internal/archive"
	"github.com/posbackup/posbackup/internal/profile"
)

// RestoreRequest says what to restore where.
type RestoreRequest struct {
	Archive *Archive
	Profile *profile.Profile // classifies archives without a manifest
	Target  string
	Only    []Part // the parts to restore (any of them); none: the whole archive
	DryRun  bool
	// Confirm is asked before existing files are overwritten; nil or false
	// stops the restore before anything is written.
	Confirm func(overwrite []string) bool
	OnEvent func(Event)
}

// RestoreResult tells what a restore did (or, in a dry run, would do).
type RestoreResult struct {
	Target    string   `json:"target"`
	Added     []string `json:"added"`
	Replaced  []string `json:"replaced"`
	Folders   int      `json:"folders"`
	Bytes     int64    `json:"bytes"`
	Warnings  []string `json:"warnings"`
	DryRun    bool     `json:"dry_run"`
	Cancelled bool     `json:"cancelled,omitempty"`
}

// restoreRun is one restore as it goes through its steps: choose the
// entries (restore_select.go), plan them against the target
// (restore_plan.go), make the folders (restore_prepare.go), extract the
// files (restore_extract.go), put them in place and sync
// (restore_commit.go).
type restoreRun struct {
	req RestoreRequest
	a   *Archive
	res *RestoreResult

	chosen     []archive.FileRecord // the selected entries
	want       map[string]bool      // their names
	collisions [][2]string          // chosen names that differ only in case
	targetAbs  string
	tgt        *archive.Target // nil until the target folder exists

	outside  []string             // folders made for the target itself, outside it
	created  []string             // folders inside the target, in the order made
	known    map[string]bool      // folders known to exist in the target
	dirs     []archive.FileRecord // the chosen folders
	files    []archive.FileRecord // the chosen files
	fileDirs map[string]bool      // the folders that get a file
}

// Restore writes the selected part of the archive into the target:
// same-named files are replaced, missing ones added, others left alone.
// Every entry is checked (CRC-32, SHA-256) while it is extracted into a
// temporary file beside its target, and only when all passed are they
// renamed into place: nothing of the user's is replaced when any selected
// entry is damaged.
func Restore(ctx context.Context, req RestoreRequest) (*RestoreResult, error) {
	r := &restoreRun{req: req, a: req.Archive,
		res: &RestoreResult{Target: req.Target, DryRun: req.DryRun, Warnings: []string{}, Added: []string{}, Replaced: []string{}}}
	defer r.close()
	if err := r.choose(); err != nil {
		return nil, err
	}
	if err := r.plan(); err != nil {
		return nil, err
	}
	if req.DryRun {
		return r.dryRun(ctx)
	}
	if len(r.res.Replaced) > 0 && (req.Confirm == nil || !req.Confirm(r.res.Replaced)) {
		r.res.Cancelled = true
		return r.res, fail("%d file(s) in %s would be overwritten and that was not confirmed: nothing was restored (use --yes to confirm)", len(r.res.Replaced), r.targetAbs)
	}
	restoreFault("check", 0)
	// Every selected entry is checked while it is extracted into a
	// temporary file beside its target; only when all of them passed are
	// they renamed into place. Folders this restore had to create are
	// removed again when it writes nothing.
	if err := r.createTarget(); err != nil {
		return nil, err
	}
	if len(r.collisions) > 0 && targetFoldsCase(r.tgt) {
		r.undoDirs()
		return r.res, r.refuseCollisions()
	}
	if err := r.makeDirs(); err != nil {
		return r.res, err
	}
	r.removeLeftovers()
	if placed, err := extractAll(ctx, r.a, r.tgt, r.files, len(r.res.Added)+len(r.res.Replaced), r.res.Bytes, req.OnEvent); err != nil {
		if !placed {
			r.undoDirs()
		}
		return r.res, err
	}
	restoreFault("sync", 0)
	if err := r.syncDirs(); err != nil {
		return r.res, err
	}
	r.setDirTimes()
	return r.res, nil
}

func (r *restoreRun) close() {
	if r.tgt != nil {
		r.tgt.Close()
	}
}
