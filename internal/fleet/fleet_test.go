package fleet

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/dest/local"
)

func site(t *testing.T, root, name string) *local.Folder {
	t.Helper()
	f, err := local.Open(filepath.Join(root, name), true)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestWriteKeepsLastSuccess(t *testing.T) {
	ctx := context.Background()
	d := site(t, t.TempDir(), "berlin")
	t0 := time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)
	if _, err := Write(ctx, d, Run{Site: "berlin", Started: t0, Archive: "M001_Monday.zip", Size: 1234, Variant: "03", Program: "26.4.1"}); err != nil {
		t.Fatal(err)
	}
	r, err := Write(ctx, d, Run{Site: "berlin", Started: t0.Add(24 * time.Hour), Err: errors.New("the disk is full"), Variant: "03"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Read(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if got.Result != ResultFailed || got.Error != "the disk is full" || !got.LastSuccess.Equal(t0) || got.Archive != "M001_Monday.zip" || got.Size != 1234 || !got.LastAttempt.Equal(t0.Add(24*time.Hour)) {
		t.Fatalf("record after a failure: %+v (returned %+v)", got, r)
	}
	names, _ := os.ReadDir(d.Dir())
	if len(names) != 1 {
		t.Fatalf("the folder holds %d files, want only the record", len(names))
	}
}

func TestSurveyJudges(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	w := func(name string, run Run) {
		run.Site = name
		if _, err := Write(ctx, site(t, root, name), run); err != nil {
			t.Fatal(err)
		}
	}
	w("fresh", Run{Started: now.Add(-20 * time.Hour), Variant: "02", Program: "26.4.1"})
	w("old", Run{Started: now.Add(-27 * time.Hour), Variant: "02", Program: "26.4.1"})
	w("weekly", Run{Started: now.Add(-6 * 24 * time.Hour), Variant: "02", Program: "26.4.1", Period: 7 * 24 * time.Hour})
	os.MkdirAll(filepath.Join(root, "not-a-site"), 0o755)
	os.MkdirAll(filepath.Join(root, "broken"), 0o755)
	os.WriteFile(filepath.Join(root, "broken", RecordName), []byte("{not json"), 0o644)
	f, _ := local.Open(root, false)
	fs, err := Of(f)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Survey(ctx, fs, root, Options{Now: now, Expected: []string{"fresh", "new-site"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range rep.Sites {
		got = append(got, s.Name+"="+s.State)
	}
	want := "new-site=missing,old=stale,broken=unreadable,weekly=ok,fresh=ok"
	if strings.Join(got, ",") != want {
		t.Fatalf("survey %q, want %q", strings.Join(got, ","), want)
	}
	if !rep.Bad() || rep.Stale != 1 || rep.Missing != 1 {
		t.Fatalf("counts %+v", rep)
	}
	// The config's default threshold applies to sites without a period;
	// --stale-after to all.
	rep, _ = Survey(ctx, fs, root, Options{Now: now, DefaultStaleAfter: 30 * time.Hour})
	for _, s := range rep.Sites {
		if s.Name == "old" && s.Stale {
			t.Fatal("stale_after 30h: a site 27h old is stale")
		}
	}
	rep, _ = Survey(ctx, fs, root, Options{Now: now, StaleAfter: 2 * 24 * time.Hour})
	for _, s := range rep.Sites {
		if s.Name == "weekly" && !s.Stale {
			t.Fatal("--stale-after 48h: a site 6 days old is not stale")
		}
	}
}

func TestMarginAndHuman(t *testing.T) {
	if Margin(24*time.Hour) != 2*time.Hour || Margin(7*24*time.Hour) != 14*time.Hour {
		t.Fatal("margin")
	}
	if Human(74*time.Hour) != "3d 2h" || Human(90*time.Minute) != "1h 30m" {
		t.Fatal(Human(74*time.Hour), Human(90*time.Minute))
	}
}

func TestPeriod(t *testing.T) {
	monSat := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday}
	for _, c := range []struct {
		days []time.Weekday
		want time.Duration
	}{
		{nil, 24 * time.Hour},
		{monSat, 48 * time.Hour},
		{[]time.Weekday{time.Sunday}, 7 * 24 * time.Hour},
		{[]time.Weekday{time.Monday, time.Thursday}, 4 * 24 * time.Hour},
	} {
		if got := Period(c.days); got != c.want {
			t.Errorf("Period(%v) = %v, want %v", c.days, got, c.want)
		}
	}
}
