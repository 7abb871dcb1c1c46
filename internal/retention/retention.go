// Package retention decides which of a job's archives at a destination to
// keep and which to delete (generations), and guards against a stale
// source: a computer whose data is older than the backups already there.
//
// The functions here only decide; they delete nothing. The caller's duties:
//
//   - Delete only after the new archive has been written, verified at the
//     destination and renamed to its final name (job.Backup returns with
//     BackupResult.Verified set), and pass the new archive in the list so
//     that it counts as the newest generation. If the backup failed, delete
//     nothing.
//   - Pass only archives of this job (made by posbackup, with a manifest);
//     Archive.Time is the manifest's start time, Job the job's name.
//   - A name template that rotates by itself, such as {client}_{weekday},
//     replaces the archive of the same weekday and so never holds more than
//     seven archives: it needs no deletion at all. Such a job has an empty
//     Policy, or one whose counts are at least 7; Plan then deletes nothing.
//     Both schemes work together: {weekday} names with KeepLast 3 keep the
//     three newest weekdays.
package retention

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Archive is one backup at the destination.
type Archive struct {
	Name string    `json:"name"`
	Time time.Time `json:"time"` // the manifest's start time
	Job  string    `json:"job,omitempty"`
}

// Policy says which generations to keep. Zero counts are off; a Policy
// with every count zero keeps everything. The counts work like restic's
// "forget": walking from the newest archive to the oldest,
//
//   - KeepLast keeps the newest n archives;
//   - KeepDaily keeps the newest archive of each of the last n days that
//     have archives; KeepWeekly likewise per ISO week (Monday to Sunday),
//     KeepMonthly per calendar month;
//   - when a daily, weekly or monthly count is not used up by the end, the
//     oldest archive is kept too, so that the history is as long as the
//     counts allow;
//   - MinKeep: however few the counts give, never fewer than this many
//     (the newest ones), and never fewer than one.
//
// An archive is kept when any rule keeps it.
type Policy struct {
	KeepLast    int `json:"keep_last,omitempty" toml:"keep_last,omitempty"`
	KeepDaily   int `json:"keep_daily,omitempty" toml:"keep_daily,omitempty"`
	KeepWeekly  int `json:"keep_weekly,omitempty" toml:"keep_weekly,omitempty"`
	KeepMonthly int `json:"keep_monthly,omitempty" toml:"keep_monthly,omitempty"`
	MinKeep     int `json:"min_keep,omitempty" toml:"min_keep,omitempty"`
}

// IsZero reports whether the policy keeps everything (no counts set).
func (p Policy) IsZero() bool {
	return p.KeepLast == 0 && p.KeepDaily == 0 && p.KeepWeekly == 0 && p.KeepMonthly == 0
}

// Validate rejects negative counts.
func (p Policy) Validate() error {
	for _, c := range []struct {
		n    int
		name string
	}{{p.KeepLast, "keep-last"}, {p.KeepDaily, "keep-daily"}, {p.KeepWeekly, "keep-weekly"}, {p.KeepMonthly, "keep-monthly"}, {p.MinKeep, "min-keep"}} {
		if c.n < 0 {
			return fmt.Errorf("%s is %d: use 0 (off) or a positive number", c.name, c.n)
		}
	}
	return nil
}

// String describes the policy in a sentence.
func (p Policy) String() string {
	if p.IsZero() {
		return "keep every backup"
	}
	var parts []string
	if p.KeepLast > 0 {
		parts = append(parts, fmt.Sprintf("the last %d", p.KeepLast))
	}
	if p.KeepDaily > 0 {
		parts = append(parts, fmt.Sprintf("one a day for %d days", p.KeepDaily))
	}
	if p.KeepWeekly > 0 {
		parts = append(parts, fmt.Sprintf("one a week for %d weeks", p.KeepWeekly))
	}
	if p.KeepMonthly > 0 {
		parts = append(parts, fmt.Sprintf("one a month for %d months", p.KeepMonthly))
	}
	return fmt.Sprintf("keep %s, and never fewer than %d", strings.Join(parts, ", "), max(p.MinKeep, 1))
}

// Plan divides archives into those to keep and those to delete, each
// newest first. Archives are taken per Job (each job's generations are
// counted separately). Days, weeks and months are those of now's time zone.
//
// Never deleted, and not counted as generations: archives dated after now
// (made on a computer whose clock is ahead, or newer than this computer's
// data: see StaleSource) and archives without a time. With an empty
// Policy nothing is deleted.
func Plan(archives []Archive, policy Policy, now time.Time) (keep, delete []Archive) {
	groups := map[string][]Archive{}
	var order []string
	for _, a := range archives {
		if _, ok := groups[a.Job]; !ok {
			order = append(order, a.Job)
		}
		groups[a.Job] = append(groups[a.Job], a)
	}
	for _, job := range order {
		k, d := planGroup(groups[job], policy, now)
		keep = append(keep, k...)
		delete = append(delete, d...)
	}
	sortNewestFirst(keep)
	sortNewestFirst(delete)
	return keep, delete
}

func sortNewestFirst(as []Archive) {
	sort.SliceStable(as, func(i, j int) bool {
		if !as[i].Time.Equal(as[j].Time) {
			return as[i].Time.After(as[j].Time)
		}
		return as[i].Name > as[j].Name
	})
}

func planGroup(all []Archive, p Policy, now time.Time) (keep, delete []Archive) {
	var list []Archive
	for _, a := range all {
		if a.Time.IsZero() || a.Time.After(now) {
			keep = append(keep, a)
		} else {
			list = append(list, a)
		}
	}
	if p.IsZero() || len(list) == 0 {
		return append(keep, list...), nil
	}
	sortNewestFirst(list)
	loc := now.Location()
	buckets := []struct {
		count int
		key   func(t time.Time, i int) int
		last  int
		atEnd bool // keep the oldest when counts are left
	}{
		{p.KeepLast, func(_ time.Time, i int) int { return i }, -1, false},
		{p.KeepDaily, func(t time.Time, _ int) int { y, m, d := t.Date(); return y*10000 + int(m)*100 + d }, -1, true},
		{p.KeepWeekly, func(t time.Time, _ int) int { y, w := t.ISOWeek(); return y*100 + w }, -1, true},
		{p.KeepMonthly, func(t time.Time, _ int) int { y, m, _ := t.Date(); return y*100 + int(m) }, -1, true},
	}
	kept := make([]bool, len(list))
	for i, a := range list {
		t := a.Time.In(loc)
		for b := range buckets {
			bk := &buckets[b]
			if bk.count <= 0 {
				continue
			}
			k := bk.key(t, i)
			if k != bk.last || (bk.atEnd && i == len(list)-1) {
				kept[i] = true
				bk.last = k
				bk.count--
			}
		}
	}
	// Never fewer than MinKeep (and one): add the newest not yet kept.
	n := 0
	for _, k := range kept {
		if k {
			n++
		}
	}
	for i := range list {
		if n >= max(p.MinKeep, 1) {
			break
		}
		if !kept[i] {
			kept[i] = true
			n++
		}
	}
	for i, a := range list {
		if kept[i] {
			keep = append(keep, a)
		} else {
			delete = append(delete, a)
		}
	}
	return keep, delete
}

// StaleSource returns the archives in existing (newest first) that are
// newer than the backup starting now: the stale-source guard. When a
// computer is switched on after weeks, or its clock is behind, the data it
// backs up can be older than backups already at the destination. Such a
// run must not replace or prune them: when the new archive's name is
// among them the caller writes it under another name (BesideName) and
// warns; Plan never deletes them as long as now is this computer's clock.
//
// newStarted is when the new backup's data was taken: the manifest's start
// time (a caller that knows a later time for the data, such as the newest
// file's modification time, may pass that for a stricter check).
func StaleSource(newStarted time.Time, existing []Archive) (newer []Archive) {
	for _, a := range existing {
		if a.Time.After(newStarted) {
			newer = append(newer, a)
		}
	}
	sortNewestFirst(newer)
	return newer
}

// BesideName returns a name for a new archive that must not replace the
// archive called name: name with the start time added before the
// extension ("M001_Monday.zip" becomes "M001_Monday_2026-11-25_0200.zip"),
// and a counter when that is taken too (exists reports taken names).
func BesideName(name string, started time.Time, exists func(string) bool) string {
	base, ext := name, ""
	if i := strings.LastIndex(name, "."); i > 0 {
		base, ext = name[:i], name[i:]
	}
	cand := base + "_" + started.Format("2006-01-02_1504") + ext
	for n := 2; exists != nil && exists(cand); n++ {
		cand = fmt.Sprintf("%s_%s_%d%s", base, started.Format("2006-01-02_1504"), n, ext)
	}
	return cand
}
