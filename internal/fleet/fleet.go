// Package fleet is a chain's view of its sites. Each site keeps its
// backups in its own folder under the chain's destination (DEST/SITE/, see
// open.SiteOf) and, after every run, successful or not, writes a small
// status record there (RecordName). The head office's fleet view reads
// those records, one per site, not the archives: it is one listing of the
// site folders and one small read per site, whatever the number of
// archives.
package fleet

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"time"

	"github.com/posbackup/posbackup/internal/dest"
)

// RecordName is the status record's file name in a site's folder.
const RecordName = "posbackup-site.json"

// Results of a run.
const (
	ResultOK     = "ok"
	ResultFailed = "failed"
)

// Record is a site's status after its latest run.
type Record struct {
	Format      int       `json:"format"` // 1
	Site        string    `json:"site"`
	Host        string    `json:"host,omitempty"`
	LastAttempt time.Time `json:"last_attempt"`
	Result      string    `json:"result"`          // ResultOK or ResultFailed
	Error       string    `json:"error,omitempty"` // the failed run's sentence
	// The last successful run (kept from the record before when this run failed).
	LastSuccess    time.Time `json:"last_success,omitzero"`
	Archive        string    `json:"archive,omitempty"`
	Size           int64     `json:"size,omitempty"`
	Variant        string    `json:"variant,omitempty"` // "01".."04"
	Clients        []string  `json:"clients,omitempty"`
	ProgramVersion string    `json:"program_version,omitempty"` // the POS suite's, from the backup
	Verified       string    `json:"verified,omitempty"`        // how the archive was checked
	// The site's program and schedule.
	PosbackupVersion string `json:"posbackup_version,omitempty"`
	Schedule         string `json:"schedule,omitempty"` // e.g. "daily 02:00"; "" for runs by hand
	Period           string `json:"period,omitempty"`   // expected time between runs, e.g. "24h0m0s"
}

// PeriodDuration is the record's Period, 0 when unset or unreadable.
func (r *Record) PeriodDuration() time.Duration {
	d, err := time.ParseDuration(r.Period)
	if err != nil || d < 0 {
		return 0
	}
	return d
}

// ErrNoRecord is returned (wrapped) by Read when the site has not written one.
var ErrNoRecord = errors.New("no status record")

// maxRecord bounds what Read accepts, so a wrong file cannot eat memory.
const maxRecord = 64 << 10

// Read reads the status record in d (a site's folder).
func Read(ctx context.Context, d dest.Destination) (*Record, error) {
	rc, err := d.Open(ctx, RecordName, 0)
	if err != nil {
		if errors.Is(err, dest.ErrNotFound) {
			return nil, fmt.Errorf("%s has %w", d, ErrNoRecord)
		}
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxRecord+1))
	if err != nil {
		return nil, fmt.Errorf("the status record in %s cannot be read: %v", d, err)
	}
	if len(b) > maxRecord {
		return nil, fmt.Errorf("the status record in %s is larger than %d KiB: it is not one posbackup wrote", d, maxRecord>>10)
	}
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("the status record in %s is damaged (%v): the site's next run writes it anew", d, err)
	}
	return &r, nil
}

// Run is what a face knows after one run, for Write.
type Run struct {
	Site     string
	Started  time.Time
	Err      error  // nil: the run succeeded
	Sentence string // the error as the user saw it; "" uses Err.Error()
	Archive  string
	Size     int64
	Variant  string
	Clients  []string
	Program  string // the POS suite's version
	Verified string
	Schedule string
	Period   time.Duration
}

// Write records run in d (the site's folder), keeping the last success
// from the record before when run failed. It writes under a temporary
// name and renames, so a reader never sees half a record.
func Write(ctx context.Context, d dest.Destination, run Run) (*Record, error) {
	prev, err := Read(ctx, d)
	if err != nil {
		prev = nil // none yet, or damaged: this run's record replaces it
	}
	host, _ := os.Hostname()
	r := &Record{Format: 1, Site: run.Site, Host: host, LastAttempt: run.Started.UTC(),
		PosbackupVersion: Version(), Schedule: run.Schedule}
	if run.Period > 0 {
		r.Period = run.Period.String()
	}
	if run.Err == nil {
		r.Result = ResultOK
		r.LastSuccess = run.Started.UTC()
		r.Archive, r.Size, r.Variant, r.Clients = run.Archive, run.Size, run.Variant, run.Clients
		r.ProgramVersion, r.Verified = run.Program, run.Verified
	} else {
		r.Result = ResultFailed
		r.Error = run.Sentence
		if r.Error == "" {
			r.Error = run.Err.Error()
		}
		if prev != nil {
			r.LastSuccess, r.Archive, r.Size, r.Variant, r.Clients = prev.LastSuccess, prev.Archive, prev.Size, prev.Variant, prev.Clients
			r.ProgramVersion, r.Verified = prev.ProgramVersion, prev.Verified
		}
		if r.Variant == "" {
			r.Variant = run.Variant
		}
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	var tok [4]byte
	rand.Read(tok[:])
	tmp := dest.TempName(RecordName, host, time.Now(), hex.EncodeToString(tok[:]))
	if _, err := d.Put(ctx, tmp, bytes.NewReader(b)); err != nil {
		return nil, fmt.Errorf("the site's status record could not be written to %s: %v", d, err)
	}
	if err := d.Rename(ctx, tmp, RecordName); err != nil {
		d.Delete(ctx, tmp)
		return nil, fmt.Errorf("the site's status record could not be written to %s: %v", d, err)
	}
	return r, nil
}

// version can be set at build time: -ldflags "-X github.com/posbackup/posbackup/internal/fleet.version=1.2.3".
var version string

// Version is posbackup's version: the one set at build time, else the
// module version or VCS revision Go recorded, else "dev".
func Version() string {
	if version != "" {
		return version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return s.Value[:12]
		}
	}
	return "dev"
}
