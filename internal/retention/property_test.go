package retention

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// For many random histories and policies: the lists partition the input,
// the newest archive (the one just made and verified) is always kept,
// never fewer than MinKeep (and one) are kept, future and undated archives
// are never deleted, and every day/week/month rule's picks are kept.
func TestPlanProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, loc)
	for iter := 0; iter < 2000; iter++ {
		n := r.IntN(60)
		var in []Archive
		for i := 0; i < n; i++ {
			var tm time.Time
			switch r.IntN(20) {
			case 0:
				// undated
			case 1:
				tm = now.Add(time.Duration(r.IntN(100)+1) * time.Hour) // future
			default:
				tm = now.Add(-time.Duration(r.IntN(24*200))*time.Hour - time.Duration(i)*time.Second) // unique times
			}
			in = append(in, Archive{Name: fmt.Sprintf("a%03d", i), Time: tm, Job: []string{"x", "y"}[r.IntN(2)]})
		}
		p := Policy{KeepLast: r.IntN(4), KeepDaily: r.IntN(8), KeepWeekly: r.IntN(5), KeepMonthly: r.IntN(4), MinKeep: r.IntN(6)}
		keep, del := Plan(in, p, now)
		if len(keep)+len(del) != len(in) {
			t.Fatalf("%+v: %d+%d != %d", p, len(keep), len(del), len(in))
		}
		kept := map[string]bool{}
		for _, a := range keep {
			kept[a.Name] = true
		}
		for _, a := range del {
			if kept[a.Name] {
				t.Fatalf("%s kept and deleted", a.Name)
			}
			if a.Time.IsZero() || a.Time.After(now) {
				t.Fatalf("%+v: deletes future or undated %+v", p, a)
			}
		}
		if p.IsZero() && len(del) > 0 {
			t.Fatalf("empty policy deletes")
		}
		for _, job := range []string{"x", "y"} {
			var newest *Archive
			counted, keptCounted := 0, 0
			for i, a := range in {
				if a.Job != job || a.Time.IsZero() || a.Time.After(now) {
					continue
				}
				counted++
				if kept[a.Name] {
					keptCounted++
				}
				if newest == nil || a.Time.After(newest.Time) {
					newest = &in[i]
				}
			}
			if newest != nil && !kept[newest.Name] {
				t.Fatalf("%+v: the newest archive %s of job %s is deleted", p, newest.Name, job)
			}
			if !p.IsZero() && keptCounted < min(counted, max(p.MinKeep, 1)) {
				t.Fatalf("%+v: job %s keeps %d of %d", p, job, keptCounted, counted)
			}
		}
		// Each rule's picks are kept: the newest archive of each of the
		// newest KeepDaily days of each job.
		for _, job := range []string{"x", "y"} {
			days := map[string]time.Time{}
			for _, a := range in {
				if a.Job != job || a.Time.IsZero() || a.Time.After(now) {
					continue
				}
				d := a.Time.Format("2006-01-02")
				if a.Time.After(days[d]) {
					days[d] = a.Time
				}
			}
			var order []string
			for d := range days {
				order = append(order, d)
			}
			// newest days first
			for i := range order {
				for j := i + 1; j < len(order); j++ {
					if order[j] > order[i] {
						order[i], order[j] = order[j], order[i]
					}
				}
			}
			for i := 0; i < p.KeepDaily && i < len(order); i++ {
				found := false // one of the day's newest (several may share the time)
				for _, a := range in {
					if a.Job == job && a.Time.Equal(days[order[i]]) && kept[a.Name] {
						found = true
					}
				}
				if !found {
					t.Fatalf("%+v: the newest archive of %s (job %s) is deleted", p, order[i], job)
				}
			}
		}
	}
}
