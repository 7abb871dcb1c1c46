package fleet

import (
	"context"
	"time"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/open"
	"github.com/posbackup/posbackup/internal/job"
)

// After is what every face calls after a backup run, successful or not
// (cli backup; the service after each job): it writes the site's status
// record into d, the run's destination, when b backs up into a site
// folder (see open.SiteOf), and returns a warning sentence when that
// failed ("" otherwise). The run's own result stands either way. schedule
// ("daily 02:00") and period (the time between runs) are the automatic
// job's, empty for a run by hand.
func After(ctx context.Context, b config.Backup, d dest.Destination, started time.Time, res *job.BackupResult, runErr error, schedule string, period time.Duration) string {
	spec, err := open.ParseDefault(b.To, b.Protocol)
	if err != nil || d == nil {
		return ""
	}
	site, err := open.SiteOf(spec, b.Site)
	if err != nil || site == "" {
		return ""
	}
	run := Run{Site: site, Started: started, Err: runErr, Schedule: schedule, Period: period}
	if runErr != nil {
		run.Sentence = job.Sentence(runErr.Error())
		if b.Variant >= 1 && b.Variant <= 9 {
			run.Variant = "0" + string(rune('0'+b.Variant))
		}
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
	if _, err := Write(wctx, d, run); err != nil {
		return err.Error()
	}
	return ""
}

// Period is the longest time between two runs of a schedule that runs on
// days (empty: every day), which the fleet view gives a site before it is
// stale (plus Margin): Monday to Saturday is 48h (Saturday to Monday).
func Period(days []time.Weekday) time.Duration {
	if len(days) == 0 {
		return 24 * time.Hour
	}
	on := [7]bool{}
	for _, d := range days {
		on[d%7] = true
	}
	longest := 0
	for start := 0; start < 7; start++ {
		if !on[start] {
			continue
		}
		gap := 1
		for !on[(start+gap)%7] {
			gap++
		}
		if gap > longest {
			longest = gap
		}
	}
	return time.Duration(longest) * 24 * time.Hour
}
