// Package job runs posbackup's operations: one backup (select, archive,
// send, verify, rename), list, check and restore. The command line, the
// service and the web page all call this package; it never prints.
package job

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/posbackup/posbackup/internal/archive"
	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/local"
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
	Encrypted bool              `json:"encrypted"`              // WinZip AES-256 with the archive password
	Deleted   []string          `json:"deleted,omitempty"`      // older archives removed by the retention policy
	Stale     bool              `json:"stale_source,omitempty"` // the data is older than a backup already there
}

// errDestStopped closes the archive pipe when the destination gave up.
var errDestStopped = errors.New("the destination stopped reading")

// Error is a failed run with a plain explanation for the user.
type Error struct {
	Msg string
	Err error // the cause, for errors.Is (e.g. archive.ErrPasswordNeeded); not shown
}

func (e *Error) Error() string { return e.Msg }

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

func fail(format string, a ...any) error { return &Error{Msg: fmt.Sprintf(format, a...)} }

// Backup runs one backup.
func Backup(ctx context.Context, req BackupRequest) (*BackupResult, error) {
	now := time.Now
	if req.Now != nil {
		now = req.Now
	}
	emit := func(e Event) {
		if req.OnEvent != nil {
			req.OnEvent(e)
		}
	}
	started := now()
	host := req.Host
	if host == "" {
		host, _ = os.Hostname()
	}
	p := req.Profile
	emit(Event{Phase: "select"})
	sel, err := p.Select(profile.Request{Root: req.Source, Variant: req.Variant, Clients: req.Clients, Role: req.Role, Extras: req.Extras})
	if err != nil {
		return nil, &Error{Msg: err.Error()}
	}
	res := &BackupResult{Location: req.Dest.String(), Variant: sel.Variant.Code(), Started: started, Warnings: []string{}}
	for _, n := range sel.Clients {
		res.Clients = append(res.Clients, p.ClientName(n))
	}
	files := 0
	for _, it := range sel.Items {
		if !it.IsDir() {
			files++
		}
	}
	if files == 0 {
		return nil, fail("nothing to back up: variant %s found no files in %s. Check --source and the variant", sel.Variant.Code(), req.Source)
	}
	if sel.Variant.Number == 1 {
		res.Warnings = append(res.Warnings, "variant 01 backs up master data only: the cash journal (transaction data) is not in this backup")
	}
	if lf, ok := req.Dest.(*local.Folder); ok && local.SameDrive(req.Source, lf.Dir()) {
		res.Warnings = append(res.Warnings, fmt.Sprintf("the backup goes to the same drive as the data (%s): not recommended, one disk failure loses both; use a USB medium, a NAS or a server", lf.Dir()))
	}
	name, err := ExpandName(req.NameTemplate, NameTokens{Clients: res.Clients, All: len(req.Clients) == 0, Time: started, Host: host, Variant: sel.Variant.Number, Lang: req.Lang})
	if err != nil {
		return nil, &Error{Msg: err.Error()}
	}
	res.Archive = name
	version, err := p.ReadVersion(req.Source)
	if err != nil {
		res.Warnings = append(res.Warnings, fmt.Sprintf("the program version file %s cannot be read: %v", p.VersionFile, err))
	} else if version == "" && p.VersionFile != "" {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%s was not found in %s: the backup does not record the program version", p.VersionFile, req.Source))
	}
	removeLeftovers(ctx, req.Dest, now())
	var dataTime time.Time
	for _, it := range sel.Items {
		if it.ModTime.After(dataTime) && !it.IsDir() {
			dataTime = it.ModTime
		}
	}
	var existing []Listed
	if req.GuardStale || req.Keep != nil {
		if existing, err = ListPassword(ctx, req.Dest, req.Password); err != nil {
			return nil, fail("cannot list the backups at %s: %v", req.Dest, err)
		}
	}
	if req.GuardStale {
		if newer := staleAgainst(existing, req.Job, name, dataTime); len(newer) > 0 {
			res.Stale = true
			taken := map[string]bool{}
			for _, l := range existing {
				taken[l.Name] = true
			}
			for _, n := range newer {
				if n.Name == name {
					name = retention.BesideName(name, started, func(s string) bool { return taken[s] })
					res.Archive = name
					break
				}
			}
			res.Warnings = append(res.Warnings, fmt.Sprintf("the data in %s is older than the backup %s already at %s (%s): that backup is kept, this one is written as %s, and nothing is deleted. Check that this is the right computer",
				req.Source, newer[0].Name, req.Dest, dataTimeOf(newer[0]).Local().Format("2006-01-02 15:04"), name))
		}
	}

	m := &archive.Manifest{
		Format: archive.FormatVersion, Tool: "posbackup " + Version, ProgramVersion: version,
		Profile: p.Name, Variant: sel.Variant.Number, VariantTitle: sel.Variant.Title,
		Clients: res.Clients, Role: string(req.Role), Host: host, Source: req.Source, Started: started,
		Job: req.Job, DataTime: dataTime,
	}
	entries := make([]archive.Entry, len(sel.Items))
	for i, it := range sel.Items {
		entries[i] = archive.Entry{Name: it.Name, Path: it.Path, Size: it.Size, ModTime: it.ModTime, Mode: it.Mode, Dataset: it.Dataset, Kind: it.Kind, Client: it.Client}
	}
	// The entries carry everything of the items from here on: one list per
	// file, not two, while the archive is made.
	sel.Items = nil
	for _, pr := range sel.Problems {
		m.Warnings = append(m.Warnings, fmt.Sprintf("%s cannot be read: %s", pr.Path, pr.Reason))
	}

	tmp := dest.TempPrefix + randomHex() + "-" + name
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pr, pw := io.Pipe()
	type writeResult struct {
		r   *archive.Result
		err error
	}
	wrote := make(chan writeResult, 1)
	go func() {
		r, err := archive.Write(wctx, pw, entries, m, archive.Options{
			Level: req.Level, Workers: req.Workers, Source: req.FileSource, Password: req.Password,
			// The records are read back from the stored archive by the
			// check below; keeping them here too would make memory grow
			// with the number of files.
			NoRecords: true,
			OnEvent: func(e archive.Event) {
				emit(Event{Phase: "archive", Name: e.Name, Files: e.Files, TotalFiles: e.TotalFiles, Bytes: e.Bytes, TotalBytes: e.TotalBytes, Written: e.Written})
			},
		})
		pw.CloseWithError(err)
		wrote <- writeResult{r, err}
	}()
	// Server uploads go through a rewindable copy so a dropped connection
	// can resume; folders are written directly.
	var body io.Reader = pr
	var copyOf *rewindable
	if _, isLocal := req.Dest.(dest.Local); !isLocal {
		rw, err := newRewindable(pr)
		if err != nil {
			return nil, fail("cannot create a temporary file for the upload in %s: %v", os.TempDir(), err)
		}
		defer rw.Close()
		body, copyOf = rw, rw
	}
	size, putErr := req.Dest.Put(wctx, tmp, body)
	pr.CloseWithError(errDestStopped)
	cancel()
	wr := <-wrote
	// The destination's reason comes first: when it fails, the writer only
	// sees that nobody reads any more.
	// When the destination fails, the writer only sees errDestStopped; when
	// the writer fails, the destination sees the writer's error through the
	// pipe. Report whichever side failed first.
	if ctx.Err() != nil && (putErr != nil || wr.err != nil) {
		req.Dest.Delete(context.Background(), tmp)
		return nil, fail("the backup was cancelled before it was complete. The older archive %s at %s is unchanged", name, req.Dest)
	}
	if wr.err != nil && !errors.Is(wr.err, errDestStopped) && !errors.Is(wr.err, context.Canceled) {
		req.Dest.Delete(context.Background(), tmp)
		return nil, fail("the backup could not be written: %v. The older archive %s at %s is unchanged", wr.err, name, req.Dest)
	}
	if putErr != nil {
		req.Dest.Delete(context.Background(), tmp)
		return nil, fail("the backup could not be stored: %v. The older archive %s at %s is unchanged", putErr, name, req.Dest)
	}
	ar := wr.r
	res.Files, res.Folders, res.Bytes, res.Size, res.Manifest = ar.Files, ar.Dirs, ar.Bytes, size, m
	var missing []string
	for _, pr := range sel.Problems {
		missing = append(missing, fmt.Sprintf("%s (%s)", pr.Path, pr.Reason))
	}
	for _, pr := range ar.Problems {
		if pr.Kept {
			res.Warnings = append(res.Warnings, fmt.Sprintf("%s %s", pr.Path, pr.Reason))
		} else {
			missing = append(missing, fmt.Sprintf("%s (%s)", pr.Path, pr.Reason))
		}
	}
	res.Problems = ar.Problems
	if len(missing) > 0 && !req.AllowMissing {
		req.Dest.Delete(context.Background(), tmp)
		return res, fail("the backup failed: %d file(s) could not be read: %s. Close the program that holds them, or allow missing files; the older archive %s is unchanged", len(missing), strings.Join(limit(missing, 5), "; "), name)
	}
	for _, mi := range missing {
		res.Warnings = append(res.Warnings, "not in the backup: "+mi)
	}
	res.Warnings = append(res.Warnings, sel.Notes...)

	emit(Event{Phase: "verify", Files: res.Files, TotalFiles: res.Files, Bytes: res.Bytes, TotalBytes: res.Bytes, Written: size})
	stored, err := verifyStored(ctx, req.Dest, tmp, ar.Files+ar.Dirs, copyOf, size, req.Password)
	if err != nil {
		req.Dest.Delete(context.Background(), tmp)
		if ctx.Err() != nil {
			return res, fail("the backup was cancelled before its check was complete. The older archive %s at %s is unchanged", name, req.Dest)
		}
		return res, fail("the backup was written but failed its check at %s: %v. The older archive %s is unchanged", req.Dest, err, name)
	}
	// The records as the checked archive holds them: the same as written.
	m.Files = stored.Files
	res.Verified = true
	res.Encrypted = req.Password != ""
	if err := req.Dest.Rename(ctx, tmp, name); err != nil {
		req.Dest.Delete(context.Background(), tmp)
		return res, fail("the finished backup could not be renamed to %s at %s: %v", name, req.Dest, err)
	}
	if req.Keep != nil && !res.Stale {
		res.Deleted, res.Warnings = prune(ctx, req.Dest, req.Job, name, m.Started, *req.Keep, existing, now(), res.Warnings)
	}
	res.Seconds = now().Sub(started).Seconds()
	emit(Event{Phase: "done", Files: res.Files, TotalFiles: res.Files, Bytes: res.Bytes, TotalBytes: res.Bytes, Written: size})
	return res, nil
}

// verifyStored checks every entry of the stored archive against the
// manifest that was written (records entries, files and folders): a
// folder's archive is read back from the medium; a server's upload was
// size-checked by Put, and its local copy is checked here. It returns the
// manifest read back.
func verifyStored(ctx context.Context, d dest.Destination, name string, records int, copyOf *rewindable, size int64, password string) (*archive.Manifest, error) {
	var r *archive.Reader
	if copyOf != nil {
		ra, n := copyOf.ReaderAt()
		if n != size {
			return nil, fmt.Errorf("the server holds %d bytes but %d were made", size, n)
		}
		var err error
		if r, err = archive.NewReaderPassword(ra, n, password); err != nil {
			return nil, err
		}
	} else {
		a, err := OpenArchivePassword(ctx, d, name, password)
		if err != nil {
			return nil, err
		}
		defer a.Close()
		r = a.Reader
	}
	if r.Manifest == nil || len(r.Manifest.Files) != records {
		return nil, errors.New("its manifest is missing or incomplete")
	}
	rep, err := r.Verify(ctx, nil, nil)
	if err != nil {
		return nil, err
	}
	if !rep.OK() {
		return nil, fmt.Errorf("%s %s", rep.Damaged[0].Name, rep.Damaged[0].Reason)
	}
	return r.Manifest, nil
}

// removeLeftovers deletes unfinished archives of interrupted runs, and
// spool files they left in the temp folder (where files cannot be unlinked
// while open).
func removeLeftovers(ctx context.Context, d dest.Destination, now time.Time) {
	if old, err := filepath.Glob(filepath.Join(os.TempDir(), archive.SpoolPattern)); err == nil {
		for _, p := range old {
			if st, err := os.Stat(p); err == nil && now.Sub(st.ModTime()) > LeftoverAge {
				os.Remove(p)
			}
		}
	}
	infos, err := d.List(ctx)
	if err != nil {
		return
	}
	for _, in := range infos {
		if dest.IsTemp(in.Name) && !in.ModTime.IsZero() && now.Sub(in.ModTime) > LeftoverAge {
			d.Delete(ctx, in.Name)
		}
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

func dataTimeOf(l Listed) time.Time {
	if l.Manifest != nil && !l.Manifest.DataTime.IsZero() {
		return l.Manifest.DataTime
	}
	return l.Time()
}

// staleAgainst returns the backups of the same job (or under the same
// name) whose data is newer than dataTime.
func staleAgainst(existing []Listed, jobName, name string, dataTime time.Time) []Listed {
	var as []retention.Archive
	byName := map[string]Listed{}
	for _, l := range existing {
		if l.Manifest == nil || (l.Name != name && (jobName == "" || l.Manifest.Job != jobName)) {
			continue
		}
		as = append(as, retention.Archive{Name: l.Name, Time: dataTimeOf(l)})
		byName[l.Name] = l
	}
	var out []Listed
	for _, a := range retention.StaleSource(dataTime, as) {
		out = append(out, byName[a.Name])
	}
	return out
}

// prune deletes the job's archives that the policy does not keep. It runs
// only after the new archive is verified and in place.
func prune(ctx context.Context, d dest.Destination, jobName, newName string, newStarted time.Time, p retention.Policy, existing []Listed, now time.Time, warnings []string) ([]string, []string) {
	if jobName == "" || p.IsZero() {
		return nil, warnings
	}
	as := []retention.Archive{{Name: newName, Time: newStarted, Job: jobName}}
	for _, l := range existing {
		if l.Manifest != nil && l.Manifest.Job == jobName && l.Name != newName {
			as = append(as, retention.Archive{Name: l.Name, Time: l.Manifest.Started, Job: jobName})
		}
	}
	_, del := retention.Plan(as, p, now)
	var deleted []string
	for _, a := range del {
		if a.Name == newName {
			continue // never the archive just made
		}
		if err := d.Delete(ctx, a.Name); err != nil {
			warnings = append(warnings, fmt.Sprintf("the old backup %s could not be deleted: %v", a.Name, err))
			continue
		}
		deleted = append(deleted, a.Name)
	}
	return deleted, warnings
}
