package s3

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/demo"
	"github.com/posbackup/posbackup/internal/job"
	"github.com/posbackup/posbackup/internal/profile"
	"github.com/posbackup/posbackup/internal/retention"
	"github.com/posbackup/posbackup/internal/testsrv"
)

// The generations policy on immutable archives: the job's prune meets a
// locked older archive, keeps it, and says until when. Both backups stay
// listed and whole.
func TestRetentionKeepsLocked(t *testing.T) {
	m := testsrv.StartMinIO(t)
	bucket := newBucket(t, m, true)
	cfg := cfgFor(m, bucket, "chain/berlin")
	cfg.ImmutableDays = 2
	d := openS3(t, cfg)
	src := filepath.Join(t.TempDir(), "Hypers-!")
	if _, err := demo.Make(src); err != nil {
		t.Fatal(err)
	}
	day1 := time.Now().Add(-24 * time.Hour)
	run := func(now time.Time) *job.BackupResult {
		res, err := job.Backup(context.Background(), job.BackupRequest{
			Profile: profile.Default(), Source: src, Variant: 2, Dest: d,
			NameTemplate: "{client}_{date}", Job: "nightly", Keep: &retention.Policy{KeepLast: 1},
			Now: func() time.Time { return now },
		})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	first := run(day1)
	second := run(time.Now())
	if first.Archive == second.Archive {
		t.Fatalf("both runs wrote %s", first.Archive)
	}
	if len(second.Deleted) != 0 {
		t.Fatalf("a locked archive was reported deleted: %v", second.Deleted)
	}
	said := strings.Join(second.Warnings, "\n")
	if !strings.Contains(said, first.Archive) || !strings.Contains(said, "immutable until") {
		t.Fatalf("the run does not say the locked archive was kept: %q", said)
	}
	ls, err := job.List(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 2 {
		t.Fatalf("listed %d archives, want both", len(ls))
	}
}
