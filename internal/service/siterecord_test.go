package service

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/dest/local"
	"github.com/posbackup/posbackup/internal/fleet"
	"github.com/posbackup/posbackup/internal/testutil"
)

// TestServiceRunWritesTheSiteRecord: a job the service runs leaves the
// site's status record beside its backups, with its schedule, after a
// success and after a failure, so the head office sees a failing site as
// failing.
func TestServiceRunWritesTheSiteRecord(t *testing.T) {
	dir := t.TempDir()
	in, err := testutil.MakeInstallation(filepath.Join(dir, "Hypers-!"))
	if err != nil {
		t.Fatal(err)
	}
	to := filepath.Join(dir, "chain")
	cfg := &config.Config{Jobs: map[string]*config.Job{"nightly": {Time: "02:00", Backup: config.Backup{
		Source: in.Root, To: to, Variant: 3, Site: "filiale-7", Name: "{client}"}}}}
	cfgPath := filepath.Join(dir, "posbackup.toml")
	if _, err := RunJob(context.Background(), cfg, cfgPath, "nightly"); err != nil {
		t.Fatal(err)
	}
	read := func() *fleet.Record {
		t.Helper()
		d, err := local.Open(filepath.Join(to, "filiale-7"), false)
		if err != nil {
			t.Fatal(err)
		}
		r, err := fleet.Read(context.Background(), d)
		if err != nil {
			t.Fatalf("no site record after the service's run: %v", err)
		}
		return r
	}
	r := read()
	if r.Result != fleet.ResultOK || r.Schedule != "daily 02:00" || r.Period == "" || r.Variant != "03" {
		t.Errorf("record after a success: %+v", r)
	}
	cfg.Jobs["nightly"].Source = filepath.Join(dir, "gone")
	if _, err := RunJob(context.Background(), cfg, cfgPath, "nightly"); err == nil {
		t.Fatal("a job with a missing installation succeeded")
	}
	if r2 := read(); r2.Result != fleet.ResultFailed || r2.Error == "" || !r2.LastSuccess.Equal(r.LastSuccess) {
		t.Errorf("record after a failure: %+v", r2)
	}
}
