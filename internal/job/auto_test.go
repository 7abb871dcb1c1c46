package job

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/demo"
	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/profile"
	"github.com/posbackup/posbackup/internal/retention"
)

func names(t *testing.T, d dest.Destination) []string {
	t.Helper()
	ls, err := List(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range ls {
		out = append(out, l.Name)
	}
	sort.Strings(out)
	return out
}

// retentionCase runs five daily backups of a job and checks that only the
// generations the policy keeps are left, and that an archive made by hand
// (no job) is never touched.
func retentionCase(t *testing.T, d dest.Destination) {
	src := filepath.Join(t.TempDir(), "pos")
	if _, err := demo.Make(src); err != nil {
		t.Fatal(err)
	}
	if _, err := Backup(context.Background(), BackupRequest{Profile: profile.Default(), Source: src, Variant: 1, Dest: d, NameTemplate: "by-hand"}); err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 11, 16, 23, 30, 0, 0, time.Local)
	for i := 0; i < 5; i++ {
		now := day.AddDate(0, 0, i)
		res, err := Backup(context.Background(), BackupRequest{Profile: profile.Default(), Source: src, Variant: 1, Dest: d,
			NameTemplate: "{client}_{date}", Job: "nightly", Keep: &retention.Policy{KeepLast: 2}, GuardStale: true,
			Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		if i >= 2 && len(res.Deleted) != 1 {
			t.Errorf("run %d deleted %v, want one", i, res.Deleted)
		}
	}
	want := "M001-M002_2026-11-19.zip,M001-M002_2026-11-20.zip,by-hand.zip"
	if got := strings.Join(names(t, d), ","); got != want {
		t.Errorf("left %s, want %s", got, want)
	}
}

func TestRetentionFolder(t *testing.T) {
	retentionCase(t, folder(t, t.TempDir()))
}

// TestStaleSourceGuard: a computer whose data is older than the backup
// already at the destination writes beside it and deletes nothing.
func TestStaleSourceGuard(t *testing.T) {
	d := folder(t, t.TempDir())
	newPC := filepath.Join(t.TempDir(), "new")
	oldPC := filepath.Join(t.TempDir(), "old")
	for _, p := range []string{newPC, oldPC} {
		if _, err := demo.Make(p); err != nil {
			t.Fatal(err)
		}
	}
	// The old PC was last used a month before.
	month := -30 * 24 * time.Hour
	filepath.Walk(oldPC, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			os.Chtimes(p, info.ModTime().Add(month), info.ModTime().Add(month))
		}
		return nil
	})
	req := BackupRequest{Profile: profile.Default(), Source: newPC, Variant: 2, Dest: d, NameTemplate: "{client}_{weekday}", Job: "nightly", Keep: &retention.Policy{KeepLast: 1}, GuardStale: true}
	first, err := Backup(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(d.Dir(), first.Archive))
	req.Source = oldPC
	res, err := Backup(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Stale || res.Archive == first.Archive || len(res.Deleted) != 0 {
		t.Errorf("stale run: stale=%v archive=%s deleted=%v", res.Stale, res.Archive, res.Deleted)
	}
	if !strings.Contains(strings.Join(res.Warnings, "\n"), "older than the backup "+first.Archive) {
		t.Errorf("no warning: %v", res.Warnings)
	}
	after, _ := os.ReadFile(filepath.Join(d.Dir(), first.Archive))
	if string(before) != string(after) {
		t.Error("the newer backup was overwritten")
	}
	if got := names(t, d); len(got) != 2 {
		t.Errorf("destination holds %v, want both", got)
	}
	// The normal PC again: its data is newest, it replaces its own archive
	// and the policy (keep 1) removes the stale one.
	req.Source = newPC
	res, err = Backup(context.Background(), req)
	if err != nil || res.Stale {
		t.Fatalf("back on the right PC: %v stale=%v", err, res.Stale)
	}
	if got := names(t, d); strings.Join(got, ",") != first.Archive {
		t.Errorf("after the right PC ran again: %v", got)
	}
}
