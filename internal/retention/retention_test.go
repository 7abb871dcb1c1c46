package retention

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

var loc = time.FixedZone("POS", 3600)

func ts(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, loc) }

// daily makes one archive a day at 02:00 for n days ending on the given
// day, named by date.
func daily(end time.Time, n int) []Archive {
	var out []Archive
	for i := 0; i < n; i++ {
		t := end.AddDate(0, 0, -i)
		out = append(out, Archive{Name: t.Format("2006-01-02T15") + ".zip", Time: t, Job: "j"})
	}
	return out
}

func names(as []Archive) []string {
	out := []string{}
	for _, a := range as {
		out = append(out, a.Name)
	}
	return out
}

func checkPartition(t *testing.T, in, keep, del []Archive) {
	t.Helper()
	if len(keep)+len(del) != len(in) {
		t.Fatalf("%d kept + %d deleted != %d archives", len(keep), len(del), len(in))
	}
	seen := map[string]bool{}
	for _, a := range append(append([]Archive{}, keep...), del...) {
		if seen[a.Name] {
			t.Fatalf("%s in both lists or twice", a.Name)
		}
		seen[a.Name] = true
	}
}

func TestEmptyPolicyKeepsAll(t *testing.T) {
	in := daily(ts(2026, 11, 25, 2), 40)
	keep, del := Plan(in, Policy{MinKeep: 3}, ts(2026, 11, 25, 12))
	if len(del) != 0 || len(keep) != 40 {
		t.Fatalf("kept %d, deleted %d", len(keep), len(del))
	}
}

func TestKeepLast(t *testing.T) {
	in := daily(ts(2026, 11, 25, 2), 10)
	keep, del := Plan(in, Policy{KeepLast: 3}, ts(2026, 11, 25, 12))
	checkPartition(t, in, keep, del)
	want := []string{"2026-11-25T02.zip", "2026-11-24T02.zip", "2026-11-23T02.zip"}
	if !reflect.DeepEqual(names(keep), want) {
		t.Fatalf("kept %v, want %v", names(keep), want)
	}
	if del[0].Name != "2026-11-22T02.zip" || del[len(del)-1].Name != "2026-11-16T02.zip" {
		t.Errorf("deleted not newest first: %v", names(del))
	}
}

func TestKeepDailyTakesNewestOfEachDay(t *testing.T) {
	var in []Archive
	for d := 20; d <= 25; d++ {
		for _, h := range []int{2, 12, 20} {
			in = append(in, Archive{Name: fmt.Sprintf("%02d-%02d", d, h), Time: ts(2026, 11, d, h), Job: "j"})
		}
	}
	keep, del := Plan(in, Policy{KeepDaily: 3}, ts(2026, 11, 25, 23))
	checkPartition(t, in, keep, del)
	if want := []string{"25-20", "24-20", "23-20"}; !reflect.DeepEqual(names(keep), want) {
		t.Fatalf("kept %v, want %v", names(keep), want)
	}
	// More days asked for than there are: every day's newest, and the
	// oldest archive too (restic's rule: counts left keep the oldest).
	keep, _ = Plan(in, Policy{KeepDaily: 10}, ts(2026, 11, 25, 23))
	if want := []string{"25-20", "24-20", "23-20", "22-20", "21-20", "20-20", "20-02"}; !reflect.DeepEqual(names(keep), want) {
		t.Fatalf("kept %v, want %v", names(keep), want)
	}
}

func TestKeepDailyCountsDaysWithArchives(t *testing.T) {
	// Gaps (the PC was off): the last 3 days that have archives count.
	in := []Archive{
		{Name: "a", Time: ts(2026, 11, 25, 2)},
		{Name: "b", Time: ts(2026, 11, 20, 2)},
		{Name: "c", Time: ts(2026, 11, 10, 2)},
		{Name: "d", Time: ts(2026, 11, 1, 2)},
	}
	keep, _ := Plan(in, Policy{KeepDaily: 3}, ts(2026, 11, 25, 12))
	if want := []string{"a", "b", "c"}; !reflect.DeepEqual(names(keep), want) {
		t.Fatalf("kept %v, want %v", names(keep), want)
	}
}

func TestKeepWeeklyUsesISOWeeksAcrossTheYear(t *testing.T) {
	// 2026-12-28 (Mon) to 2027-01-03 (Sun) is ISO week 53 of 2026.
	in := []Archive{
		{Name: "sun-03", Time: ts(2027, 1, 3, 2)},
		{Name: "fri-01", Time: ts(2027, 1, 1, 2)},
		{Name: "mon-28", Time: ts(2026, 12, 28, 2)},
		{Name: "sun-27", Time: ts(2026, 12, 27, 2)},
		{Name: "wed-23", Time: ts(2026, 12, 23, 2)},
		{Name: "mon-14", Time: ts(2026, 12, 14, 2)},
	}
	keep, del := Plan(in, Policy{KeepWeekly: 2}, ts(2027, 1, 4, 12))
	checkPartition(t, in, keep, del)
	if want := []string{"sun-03", "sun-27"}; !reflect.DeepEqual(names(keep), want) {
		t.Fatalf("kept %v, want %v", names(keep), want)
	}
}

func TestKeepMonthlyAndUnion(t *testing.T) {
	in := daily(ts(2026, 11, 25, 2), 120) // 2026-07-29 .. 2026-11-25
	keep, del := Plan(in, Policy{KeepLast: 2, KeepMonthly: 3}, ts(2026, 11, 25, 12))
	checkPartition(t, in, keep, del)
	want := []string{"2026-11-25T02.zip", "2026-11-24T02.zip", "2026-10-31T02.zip", "2026-09-30T02.zip"}
	if !reflect.DeepEqual(names(keep), want) {
		t.Fatalf("kept %v, want %v", names(keep), want)
	}
}

func TestMinKeep(t *testing.T) {
	var in []Archive
	for h := 1; h <= 6; h++ {
		in = append(in, Archive{Name: fmt.Sprint(h), Time: ts(2026, 11, 25, h)})
	}
	keep, del := Plan(in, Policy{KeepDaily: 1}, ts(2026, 11, 25, 12))
	checkPartition(t, in, keep, del)
	if want := []string{"6"}; !reflect.DeepEqual(names(keep), want) {
		t.Fatalf("kept %v, want %v", names(keep), want)
	}
	if want := []string{"5", "4", "3", "2", "1"}; !reflect.DeepEqual(names(del), want) {
		t.Fatalf("deleted %v, want %v", names(del), want)
	}
	keep, del = Plan(in, Policy{KeepDaily: 1, MinKeep: 4}, ts(2026, 11, 25, 12))
	checkPartition(t, in, keep, del)
	if want := []string{"6", "5", "4", "3"}; !reflect.DeepEqual(names(keep), want) {
		t.Fatalf("kept %v, want %v", names(keep), want)
	}
	keep, del = Plan(in, Policy{KeepLast: 1, MinKeep: 100}, ts(2026, 11, 25, 12))
	if len(keep) != 6 || len(del) != 0 {
		t.Fatalf("MinKeep above the count: kept %d, deleted %v", len(keep), names(del))
	}
}

func TestFutureAndUndatedArchivesAreKeptAndNotCounted(t *testing.T) {
	now := ts(2026, 11, 25, 12)
	in := []Archive{
		{Name: "future", Time: ts(2026, 12, 1, 2)}, // made on a PC whose clock is ahead
		{Name: "undated"},
		{Name: "a", Time: ts(2026, 11, 25, 2)},
		{Name: "b", Time: ts(2026, 11, 24, 2)},
		{Name: "c", Time: ts(2026, 11, 23, 2)},
	}
	keep, del := Plan(in, Policy{KeepLast: 2}, now)
	checkPartition(t, in, keep, del)
	if want := []string{"future", "a", "b", "undated"}; !reflect.DeepEqual(names(keep), want) {
		t.Fatalf("kept %v, want %v", names(keep), want)
	}
	if want := []string{"c"}; !reflect.DeepEqual(names(del), want) {
		t.Fatalf("deleted %v, want %v", names(del), want)
	}
}

func TestJobsAreCountedSeparately(t *testing.T) {
	var in []Archive
	for d := 20; d <= 25; d++ {
		in = append(in, Archive{Name: fmt.Sprintf("M001-%d", d), Time: ts(2026, 11, d, 2), Job: "m1"})
		in = append(in, Archive{Name: fmt.Sprintf("M002-%d", d), Time: ts(2026, 11, d, 3), Job: "m2"})
	}
	keep, del := Plan(in, Policy{KeepLast: 2}, ts(2026, 11, 25, 12))
	checkPartition(t, in, keep, del)
	if want := []string{"M002-25", "M001-25", "M002-24", "M001-24"}; !reflect.DeepEqual(names(keep), want) {
		t.Fatalf("kept %v, want %v", names(keep), want)
	}
}

// A {client}_{weekday} template holds at most seven archives: with no
// policy, or counts of seven, nothing is deleted; KeepLast 3 keeps the
// three newest weekdays.
func TestWeekdayTemplateRotation(t *testing.T) {
	var in []Archive
	for i := 0; i < 7; i++ {
		t0 := ts(2026, 11, 25, 2).AddDate(0, 0, -i)
		in = append(in, Archive{Name: "M001_" + t0.Weekday().String() + ".zip", Time: t0, Job: "j"})
	}
	now := ts(2026, 11, 25, 12)
	for _, p := range []Policy{{}, {KeepLast: 7}, {KeepDaily: 7}, {KeepLast: 7, MinKeep: 7}} {
		if _, del := Plan(in, p, now); len(del) != 0 {
			t.Errorf("%+v deletes %v", p, names(del))
		}
	}
	keep, _ := Plan(in, Policy{KeepLast: 3}, now)
	if want := []string{"M001_Wednesday.zip", "M001_Tuesday.zip", "M001_Monday.zip"}; !reflect.DeepEqual(names(keep), want) {
		t.Errorf("kept %v", names(keep))
	}
}

func TestPlanEmpty(t *testing.T) {
	keep, del := Plan(nil, Policy{KeepLast: 3}, time.Now())
	if len(keep) != 0 || len(del) != 0 {
		t.Fatal("something from nothing")
	}
}

func TestStaleSource(t *testing.T) {
	existing := []Archive{
		{Name: "M001_Monday.zip", Time: ts(2026, 11, 23, 2)},
		{Name: "M001_Tuesday.zip", Time: ts(2026, 11, 24, 2)},
		{Name: "M001_Sunday.zip", Time: ts(2026, 11, 22, 2)},
	}
	// This PC's clock says Monday the 23rd, 01:00: Monday's and Tuesday's
	// archives at the destination are newer than its data.
	newer := StaleSource(ts(2026, 11, 23, 1), existing)
	if want := []string{"M001_Tuesday.zip", "M001_Monday.zip"}; !reflect.DeepEqual(names(newer), want) {
		t.Fatalf("newer %v, want %v", names(newer), want)
	}
	if n := StaleSource(ts(2026, 11, 25, 2), existing); len(n) != 0 {
		t.Fatalf("an up-to-date source is stale: %v", names(n))
	}
	// Same start time is not newer.
	if n := StaleSource(ts(2026, 11, 24, 2), existing); len(n) != 0 {
		t.Fatalf("equal time counted as newer: %v", names(n))
	}
	// Plan with this PC's clock never deletes them.
	_, del := Plan(existing, Policy{KeepLast: 1}, ts(2026, 11, 23, 1))
	for _, d := range del {
		for _, n := range newer {
			if d.Name == n.Name {
				t.Errorf("Plan deletes the newer archive %s", d.Name)
			}
		}
	}
}

func TestBesideName(t *testing.T) {
	st := time.Date(2026, 11, 23, 2, 0, 0, 0, loc)
	if got := BesideName("M001_Monday.zip", st, nil); got != "M001_Monday_2026-11-23_0200.zip" {
		t.Errorf("got %s", got)
	}
	taken := map[string]bool{"M001_Monday_2026-11-23_0200.zip": true, "M001_Monday_2026-11-23_0200_2.zip": true}
	if got := BesideName("M001_Monday.zip", st, func(n string) bool { return taken[n] }); got != "M001_Monday_2026-11-23_0200_3.zip" {
		t.Errorf("got %s", got)
	}
	if got := BesideName("noext", st, nil); got != "noext_2026-11-23_0200" {
		t.Errorf("got %s", got)
	}
}

func TestPolicyValidateAndString(t *testing.T) {
	if err := (Policy{KeepDaily: -1}).Validate(); err == nil || !strings.Contains(err.Error(), "keep-daily is -1") {
		t.Errorf("Validate: %v", err)
	}
	if err := (Policy{KeepLast: 3}).Validate(); err != nil {
		t.Error(err)
	}
	if s := (Policy{}).String(); s != "keep every backup" {
		t.Errorf("%q", s)
	}
	if s := (Policy{KeepLast: 7, KeepMonthly: 12, MinKeep: 3}).String(); s != "keep the last 7, one a month for 12 months, and never fewer than 3" {
		t.Errorf("%q", s)
	}
}
