package job

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/posbackup/posbackup/internal/archive"
	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/msg"
	"github.com/posbackup/posbackup/internal/profile"
	"github.com/posbackup/posbackup/internal/retention"
)

// Version is posbackup's own version, recorded in every manifest.
var Version = "0.1.0"

// LeftoverAge is how long an unfinished archive must have been untouched
// before a later run removes it as a leftover of an interrupted run.
var LeftoverAge = time.Hour

// BackupRequest says what to back up and where.
type BackupRequest struct {
	Profile      *profile.Profile
	Source       string // installation root
	Variant      int
	Clients      []int // empty: all
	Role         profile.Role
	Extras       []string
	Dest         dest.Destination
	NameTemplate string
	Lang         string
	AllowMissing bool // a backup with unreadable files still succeeds (with warnings)
	Level        int
	Workers      int
	Now          func() time.Time
	Host         string
	OnEvent      func(Event)
	FileSource   archive.Source // nil: the operating system (tests replace it)
	// Password, when set, encrypts every entry and the manifest (WinZip
	// AES-256, which 7-Zip opens with the password).
	Password string

	// Job names the automatic backup this run belongs to ("" by hand); it
	// is recorded in the manifest, and Keep prunes only that job's archives.
	Job string
	// Keep, when set, deletes the job's older archives beyond the policy,
	// only after the new archive is verified at the destination.
	Keep *retention.Policy
	// GuardStale keeps archives at the destination whose data is newer
	// than the data backed up now: the new archive goes beside them under
	// another name and nothing is pruned.
	GuardStale bool

	// Verify is the check made before the archive replaces the older one:
	// VerifyFull ("" too) reads the stored archive back from the
	// destination and checks every entry's CRC-32 and SHA-256 against the
	// manifest; VerifyQuick (for very slow lines) checks the size the
	// server reports and the local copy of what was sent.
	Verify string
	// TempDir is where the upload's resume copy, the read-back download
	// and the archive writer's spools go; "" is the system's temp folder.
	TempDir string
	// BeforeStep, when set, is called before each step of the run
	// ("plan", "write", "verify", "commit", "prune", "sweep"); an error
	// ends the run there, as a failure of that step would. Tests stop a
	// run between any two steps with it.
	BeforeStep func(step string) error
}

// The checks BackupRequest.Verify names.
const (
	VerifyFull  = "full"
	VerifyQuick = "quick"
)

// Steps are the names of a backup's steps, in order (BackupRequest.BeforeStep).
var Steps = func() []string {
	var out []string
	for _, s := range steps {
		out = append(out, s.name)
	}
	return out
}()

// steps are the steps of Backup, in order; each has its own file.
var steps = []struct {
	name string
	fn   func(*run, context.Context) error
}{
	{"plan", (*run).plan}, {"write", (*run).write}, {"verify", (*run).verify},
	{"commit", (*run).commit}, {"prune", (*run).prune}, {"sweep", (*run).sweep},
}

// Event reports progress of a run.
type Event struct {
	Phase      string // "select", "archive", "verify", "done"
	Name       string // current file
	Files      int
	TotalFiles int
	Bytes      int64
	TotalBytes int64
	Written    int64
}

// BackupResult is the outcome of a backup.
type BackupResult struct {
	Archive   string            `json:"archive"`  // file name at the destination
	Location  string            `json:"location"` // destination, never with a password
	Files     int               `json:"files"`
	Folders   int               `json:"folders"`
	Bytes     int64             `json:"bytes"`                  // uncompressed
	Size      int64             `json:"size"`                   // archive size
	Variant   string            `json:"variant"`                // "03"
	Clients   []string          `json:"clients"`                // M001, ...
	Warnings  []string          `json:"warnings"`               // never nil
	Problems  []archive.Problem `json:"-"`                      // also in Warnings or the error
	Seconds   float64           `json:"seconds"`                // wall time
	Started   time.Time         `json:"started"`                //
	Manifest  *archive.Manifest `json:"-"`                      //
	Verified  bool              `json:"verified"`               // read back and checked at the destination
	Verify    string            `json:"verify,omitempty"`       // the check made: "full" (read back from where it is kept) or "quick" (size and local copy)
	Encrypted bool              `json:"encrypted"`              // WinZip AES-256 with the archive password
	Deleted   []string          `json:"deleted,omitempty"`      // older archives removed by the retention policy
	Stale     bool              `json:"stale_source,omitempty"` // the data is older than a backup already there
}

// Error is a failed run with a plain explanation for the user.
type Error struct {
	Msg string
	Err error        // the cause, for errors.Is (e.g. archive.ErrPasswordNeeded); not shown
	Key *msg.Message // Msg as a key of the catalogue and its parameters, for the faces (nil: Msg only)
}

func (e *Error) Error() string { return e.Msg }

// Keyed is the message for the faces' catalogue (msg.Of), or nil.
func (e *Error) Keyed() *msg.Message { return e.Key }

func (e *Error) Unwrap() error { return e.Err }

// Sentence makes a message start upper case and end with a full stop, as
// every face shows errors.
func Sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	if s[0] >= 'a' && s[0] <= 'z' {
		s = strings.ToUpper(s[:1]) + s[1:]
	}
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "?") && !strings.HasSuffix(s, "!") {
		s += "."
	}
	return s
}

// fail is a failed run with the message format and a; the faces show it
// in their language from the catalogue (internal/msg), which has a German
// text for every format given here (msg's tests check that).
func fail(format string, a ...any) error { return failed(nil, format, a...) }

// failed is fail with a cause kept for errors.Is.
func failed(cause error, format string, a ...any) error {
	m := msg.New(format, a...)
	return &Error{Msg: m.String(), Err: cause, Key: m}
}

// asError is err as a failed run, keeping the message it carries.
func asError(err error) *Error { return &Error{Msg: err.Error(), Key: msg.KeyOf(err)} }

// Backup runs one backup, step by step: plan (select the files, name the
// archive, put back an archive a cut left aside, list what is there),
// write (the archive under a temporary name), verify (read it back from
// where it is kept), commit (rename it over the older one), prune (the
// retention policy) and sweep (leftovers of interrupted runs, only now that
// this one succeeded).
func Backup(ctx context.Context, req BackupRequest) (*BackupResult, error) {
	r := newRun(req)
	defer r.close()
	for _, s := range steps {
		if req.BeforeStep != nil {
			if err := req.BeforeStep(s.name); err != nil {
				state := msg.New("the backups at %s are unchanged", req.Dest)
				if r.committed {
					state = msg.New("the new archive %s at %s is in place", r.name, req.Dest)
				}
				return r.failed(failed(err, "the backup was stopped before its %s step: %v; %s", s.name, err, state))
			}
		}
		if err := s.fn(r, ctx); err != nil {
			return r.failed(err)
		}
	}
	r.res.Seconds = r.now().Sub(r.started).Seconds()
	r.emit(Event{Phase: "done", Files: r.res.Files, TotalFiles: r.res.Files, Bytes: r.res.Bytes, TotalBytes: r.res.Bytes, Written: r.size})
	return r.res, nil
}

// run is one backup between its steps.
type run struct {
	req     BackupRequest
	now     func() time.Time
	started time.Time
	host    string
	tempDir string
	server  bool // not a dest.Local: the upload goes through a local copy
	res     *BackupResult

	// plan
	sel      *profile.Selection
	name     string // the archive's name at the destination
	tmp      string // its temporary name while it is written and checked
	infos    []dest.Info
	listed   bool     // infos is the destination's listing at the start
	asides   []string // names left aside by interrupted renames, removed after success
	existing []Listed
	m        *archive.Manifest
	entries  []archive.Entry

	// write
	ar        *archive.Result
	size      int64
	sum       uint32 // CRC-32 of the bytes sent
	copyOf    *rewindable
	tmpPut    bool // tmp may exist at the destination
	missing   []string
	committed bool // the new archive is checked and in place
}

func newRun(req BackupRequest) *run {
	r := &run{req: req, now: time.Now}
	if req.Now != nil {
		r.now = req.Now
	}
	r.started = r.now()
	r.host = req.Host
	if r.host == "" {
		r.host, _ = os.Hostname()
	}
	r.tempDir = req.TempDir
	if r.tempDir == "" {
		r.tempDir = os.TempDir()
	}
	_, isLocal := req.Dest.(dest.Local)
	r.server = !isLocal
	return r
}

func (r *run) emit(e Event) {
	if r.req.OnEvent != nil {
		r.req.OnEvent(e)
	}
}

// failed removes the temporary archive and returns err, with the result
// once the archive was written (it tells what was in it).
func (r *run) failed(err error) (*BackupResult, error) {
	if r.tmpPut {
		r.req.Dest.Delete(context.Background(), r.tmp)
	}
	if r.ar == nil {
		return nil, err
	}
	return r.res, err
}

func (r *run) close() {
	if r.copyOf != nil {
		r.copyOf.Close()
	}
}

func randomHex() string {
	var b [4]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func limit(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(s[:n:n], fmt.Sprintf("and %d more", len(s)-n))
}
