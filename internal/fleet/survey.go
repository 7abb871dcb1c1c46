package fleet

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/posbackup/posbackup/internal/dest"
)

// DefaultPeriod is the period of a site whose record names none (a daily
// backup).
const DefaultPeriod = 24 * time.Hour

// Margin is the time after its period a site is given before it is stale:
// a twelfth of the period, at least two hours (daily: 26h; weekly: 7d 14h).
func Margin(period time.Duration) time.Duration {
	m := period / 12
	if m < 2*time.Hour {
		m = 2 * time.Hour
	}
	return m
}

// Options steer the survey.
type Options struct {
	Now time.Time // zero: time.Now()
	// StaleAfter, when set (--stale-after), is every site's threshold.
	StaleAfter time.Duration
	// DefaultStaleAfter (config stale_after) is the threshold of sites
	// whose record has no period; 0: DefaultPeriod + Margin.
	DefaultStaleAfter time.Duration
	Expected          []string // sites that must have written a record
	Workers           int      // records read at once; 0: 8
}

// Site states, worst first.
const (
	StateMissing = "missing" // expected, never written
	StateStale   = "stale"
	StateFailing = "failing"
	StateBroken  = "unreadable" // the record cannot be read
	StateWarn    = "warning"    // master data only, version differs
	StateOK      = "ok"
)

// Site is one line of the view.
type Site struct {
	Name       string        `json:"site"`
	State      string        `json:"state"`
	Stale      bool          `json:"stale"`
	Failing    bool          `json:"failing"`
	Missing    bool          `json:"missing"`
	Flags      []string      `json:"flags"` // plain sentences, worst first
	Age        time.Duration `json:"-"`
	AgeText    string        `json:"last_success_age,omitempty"`
	StaleAfter time.Duration `json:"-"`
	StaleText  string        `json:"stale_after"`
	Record     *Record       `json:"record,omitempty"`
	ReadError  string        `json:"read_error,omitempty"`

	rank int
}

// Report is the whole view.
type Report struct {
	Destination string    `json:"destination"`
	Checked     time.Time `json:"checked"`
	Sites       []Site    `json:"sites"` // worst first
	Stale       int       `json:"stale"`
	Failing     int       `json:"failing"`
	Missing     int       `json:"missing"`
	// ProgramVersion and PosbackupVersion are the chain's most common ones.
	ProgramVersion   string `json:"program_version,omitempty"`
	PosbackupVersion string `json:"posbackup_version,omitempty"`
}

// Bad reports whether any site is stale, failing or missing.
func (r *Report) Bad() bool { return r.Stale+r.Failing+r.Missing > 0 }

// Folders is what the view needs of the chain's destination: its site
// folders. S3 (common prefixes) and folders implement it; see Of.
type Folders interface {
	Folders(ctx context.Context) ([]string, error)
	Sub(ctx context.Context, name string) (dest.Destination, error)
}

// Survey lists the site folders of root, reads each one's record and
// judges it.
func Survey(ctx context.Context, root Folders, name string, o Options) (*Report, error) {
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	names, err := root.Folders(ctx)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, n := range names {
		known[n] = true
	}
	sites := make([]Site, len(names))
	workers := o.Workers
	if workers <= 0 {
		workers = 8
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				sites[i] = readSite(ctx, root, names[i])
			}
		}()
	}
	for i := range names {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// A folder without a record is not a site (unless expected).
	expected := map[string]bool{}
	for _, e := range o.Expected {
		expected[e] = true
	}
	var kept []Site
	for _, s := range sites {
		if s.Record == nil && s.ReadError == "" && !expected[s.Name] {
			continue
		}
		kept = append(kept, s)
	}
	for _, e := range o.Expected {
		if !known[e] {
			kept = append(kept, Site{Name: e})
		}
	}
	rep := &Report{Destination: name, Checked: now.UTC()}
	rep.ProgramVersion = common(kept, func(r *Record) string { return r.ProgramVersion })
	rep.PosbackupVersion = common(kept, func(r *Record) string { return r.PosbackupVersion })
	for i := range kept {
		judge(&kept[i], now, o, rep)
		switch {
		case kept[i].Missing:
			rep.Missing++
		}
		if kept[i].Stale {
			rep.Stale++
		}
		if kept[i].Failing {
			rep.Failing++
		}
	}
	sort.SliceStable(kept, func(i, j int) bool {
		a, b := kept[i], kept[j]
		if a.rank != b.rank {
			return a.rank > b.rank
		}
		if a.Age != b.Age {
			return a.Age > b.Age
		}
		return a.Name < b.Name
	})
	rep.Sites = kept
	if rep.Sites == nil {
		rep.Sites = []Site{}
	}
	return rep, nil
}

func readSite(ctx context.Context, root Folders, name string) Site {
	s := Site{Name: name}
	d, err := root.Sub(ctx, name)
	if err != nil {
		s.ReadError = err.Error()
		return s
	}
	defer d.Close()
	r, err := Read(ctx, d)
	switch {
	case errors.Is(err, ErrNoRecord):
	case err != nil:
		s.ReadError = err.Error()
	default:
		s.Record = r
	}
	return s
}

// common is the most frequent non-empty value among the records (ties:
// the greater string, so newer versions win).
func common(sites []Site, f func(*Record) string) string {
	n := map[string]int{}
	for _, s := range sites {
		if s.Record != nil {
			if v := f(s.Record); v != "" {
				n[v]++
			}
		}
	}
	best, bestN := "", 0
	for v, c := range n {
		if c > bestN || (c == bestN && v > best) {
			best, bestN = v, c
		}
	}
	return best
}

func judge(s *Site, now time.Time, o Options, rep *Report) {
	r := s.Record
	s.StaleAfter = o.StaleAfter
	if s.StaleAfter == 0 && r != nil && r.PeriodDuration() > 0 {
		s.StaleAfter = r.PeriodDuration() + Margin(r.PeriodDuration())
	}
	if s.StaleAfter == 0 {
		s.StaleAfter = o.DefaultStaleAfter
	}
	if s.StaleAfter == 0 {
		s.StaleAfter = DefaultPeriod + Margin(DefaultPeriod)
	}
	s.StaleText = Human(s.StaleAfter)
	if r == nil && s.ReadError == "" {
		s.Missing, s.State, s.rank = true, StateMissing, 6
		s.Flags = []string{"expected but has never written a status record: check that the site is set up (site = \"" + s.Name + "\") and backs up to this destination"}
		return
	}
	if r == nil {
		s.State, s.rank = StateBroken, 3
		s.Flags = []string{s.ReadError}
		return
	}
	if !r.LastSuccess.IsZero() {
		s.Age = now.Sub(r.LastSuccess)
		s.AgeText = Human(s.Age)
	}
	if r.LastSuccess.IsZero() || s.Age > s.StaleAfter {
		s.Stale = true
		if r.LastSuccess.IsZero() {
			s.Flags = append(s.Flags, "stale: no backup has ever succeeded")
		} else {
			s.Flags = append(s.Flags, fmt.Sprintf("stale: no successful backup for %s (expected within %s)", Human(s.Age), s.StaleText))
		}
	}
	if r.Result != ResultOK {
		s.Failing = true
		msg := "failing: the last run at " + r.LastAttempt.Local().Format("2006-01-02 15:04") + " failed"
		if r.Error != "" {
			msg += ": " + r.Error
		}
		s.Flags = append(s.Flags, msg)
	}
	if r.Variant == "01" {
		s.Flags = append(s.Flags, "master data only (variant 01): the cash journal is not backed up")
	}
	if r.ProgramVersion != "" && rep.ProgramVersion != "" && r.ProgramVersion != rep.ProgramVersion {
		s.Flags = append(s.Flags, fmt.Sprintf("program version %s differs from the chain's %s", r.ProgramVersion, rep.ProgramVersion))
	}
	if r.PosbackupVersion != "" && rep.PosbackupVersion != "" && r.PosbackupVersion != rep.PosbackupVersion {
		s.Flags = append(s.Flags, fmt.Sprintf("posbackup %s differs from the chain's %s", r.PosbackupVersion, rep.PosbackupVersion))
	}
	switch {
	case s.Stale && s.Failing:
		s.State, s.rank = StateStale, 5
	case s.Stale:
		s.State, s.rank = StateStale, 4
	case s.Failing:
		s.State, s.rank = StateFailing, 3
	case len(s.Flags) > 0:
		s.State, s.rank = StateWarn, 1
	default:
		s.State = StateOK
	}
	if s.Flags == nil {
		s.Flags = []string{}
	}
}

// Human writes a duration as "3d 4h", "5h 12m", "40m".
func Human(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	days := int(d / (24 * time.Hour))
	h := int(d % (24 * time.Hour) / time.Hour)
	m := int(d % time.Hour / time.Minute)
	switch {
	case days > 0 && h > 0:
		return fmt.Sprintf("%dd %dh", days, h)
	case days > 0:
		return fmt.Sprintf("%dd", days)
	case h > 0:
		return fmt.Sprintf("%dh %dm", h, m)
	}
	return fmt.Sprintf("%dm", m)
}
