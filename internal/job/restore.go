package job

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/posbackup/posbackup/internal/archive"
	"github.com/posbackup/posbackup/internal/msg"
	"github.com/posbackup/posbackup/internal/profile"
)

// RestoreRequest says what to restore where.
type RestoreRequest struct {
	Archive *Archive
	Profile *profile.Profile // classifies archives without a manifest
	Target  string
	Only    []string // master, transactions, program, extra, client:N, a data set id, or a path pattern
	DryRun  bool
	// Confirm is asked before existing files are overwritten; nil or false
	// stops the restore before anything is written.
	Confirm func(overwrite []string) bool
	OnEvent func(Event)
}

// RestoreResult tells what a restore did (or, in a dry run, would do).
type RestoreResult struct {
	Target    string   `json:"target"`
	Added     []string `json:"added"`
	Replaced  []string `json:"replaced"`
	Folders   int      `json:"folders"`
	Bytes     int64    `json:"bytes"`
	Warnings  []string `json:"warnings"`
	DryRun    bool     `json:"dry_run"`
	Cancelled bool     `json:"cancelled,omitempty"`
}

// Restore writes the selected part of the archive into the target:
// same-named files are replaced, missing ones added, others left alone.
// Every entry is checked (CRC-32, SHA-256) while it is extracted into a
// temporary file beside its target, and only when all passed are they
// renamed into place: nothing of the user's is replaced when any selected
// entry is damaged.
func Restore(ctx context.Context, req RestoreRequest) (*RestoreResult, error) {
	a := req.Archive
	res := &RestoreResult{Target: req.Target, DryRun: req.DryRun, Warnings: []string{}, Added: []string{}, Replaced: []string{}}
	if err := a.CheckSafe(); err != nil {
		return nil, fail("the archive is refused: %v. Nothing was restored", err)
	}
	if a.ManifestErr != nil {
		return nil, fail("the archive is damaged, so nothing was restored: %v. Run 'posbackup verify' on it for details", a.ManifestErr)
	}
	recs, err := records(a, req.Profile)
	if err != nil {
		return nil, err
	}
	match, err := selector(req.Only, req.Profile)
	if err != nil {
		return nil, err
	}
	var chosen []archive.FileRecord
	for _, r := range recs {
		if match(r) {
			chosen = append(chosen, r)
		}
	}
	if len(chosen) == 0 {
		return nil, fail("nothing in the archive matches %s: see 'posbackup info' for what it holds", strings.Join(req.Only, ", "))
	}
	want := map[string]bool{}
	for _, r := range chosen {
		want[r.Name] = true
	}
	if req.Profile != nil && a.Manifest != nil && a.Manifest.ProgramVersion != "" {
		if have, _ := req.Profile.ReadVersion(req.Target); have != "" && have != a.Manifest.ProgramVersion {
			res.Warnings = append(res.Warnings, fmt.Sprintf("the installed program version is %s but the backup was made with %s: the restored data may not fit the program", have, a.Manifest.ProgramVersion))
		}
	}
	// Refuse zip bombs and archives larger than the target can hold.
	free, err := archive.FreeSpace(req.Target)
	if err != nil {
		free = -1 // unknown: only the expansion ratio is checked
	}
	if err := a.CheckExpansion(func(n string) bool { return want[n] }, archive.DefaultMaxRatio, free); err != nil {
		return nil, fail("the archive is refused: %v. Nothing was restored", err)
	}
	targetAbs, err := filepath.Abs(req.Target)
	if err != nil {
		return nil, fail("the target %s is not a valid path", req.Target)
	}
	// Names Windows cannot create are refused where the files are written
	// on Windows; elsewhere they are ordinary names (see restoreOnWindows).
	if restoreOnWindows {
		for _, r := range chosen {
			if err := archive.WindowsName(r.Name); err != nil {
				return nil, fail("%v. Nothing was restored: restore the other files with --only, or restore this archive on Linux", err)
			}
		}
	}
	chosen = preferExactCase(chosen, req.Only)
	names := make([]string, len(chosen))
	for i, r := range chosen {
		names[i] = r.Name
	}
	collisions := archive.CaseCollisions(names)
	refuseCollisions := func() error {
		c := collisions[0]
		return fail("the backup holds %s and %s, whose names differ only in case, but the target %s cannot tell them apart: restore one of them at a time with --only. Nothing was restored", c[1], c[0], targetAbs)
	}
	// Every path is checked through the target as it is now (it may not
	// exist yet): no link or junction on the way, no file where a folder
	// goes or the other way round.
	var tgt *archive.Target
	defer func() {
		if tgt != nil {
			tgt.Close()
		}
	}()
	if st, err := os.Stat(targetAbs); err == nil {
		if !st.IsDir() {
			return nil, fail("the target %s is a file, not a folder: give a folder with --target", targetAbs)
		}
		if tgt, err = archive.OpenTarget(targetAbs); err != nil {
			return nil, fail("cannot open the target folder %s: %v", targetAbs, plainErr(err))
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fail("cannot check the target folder %s: %v", targetAbs, plainErr(err))
	}
	checked := map[string]bool{}
	for _, r := range chosen {
		p := filepath.Join(targetAbs, filepath.FromSlash(strings.TrimSuffix(r.Name, "/")))
		var st fs.FileInfo
		err := error(fs.ErrNotExist)
		if tgt != nil {
			if err := tgt.CheckPath(r.Name, checked); err != nil {
				return nil, asError(err)
			}
			st, err = tgt.Lstat(r.Name)
		}
		switch {
		case r.IsDir():
			if err == nil && !st.IsDir() {
				return nil, fail("%s is a file in the target but a folder in the backup: move it away and try again", p)
			}
			res.Folders++
		case err == nil && st.IsDir():
			return nil, fail("%s is a folder in the target but a file in the backup: move it away and try again", p)
		case err == nil:
			res.Replaced = append(res.Replaced, r.Name)
			res.Bytes += r.Size
		case errors.Is(err, fs.ErrNotExist):
			res.Added = append(res.Added, r.Name)
			res.Bytes += r.Size
		default:
			return nil, fail("cannot check %s: %v", p, plainErr(err))
		}
	}
	if req.DryRun {
		if len(collisions) > 0 && targetFoldsCase(nil) {
			return nil, refuseCollisions()
		}
		// Nothing is written, so the selection is checked on its own.
		rep, err := a.Verify(ctx, func(n string) bool { return want[n] }, func(name string, n int64) {
			if req.OnEvent != nil {
				req.OnEvent(Event{Phase: "verify", Name: name, Bytes: n})
			}
		})
		if err != nil {
			return nil, err
		}
		if !rep.OK() {
			var bad []string
			for _, d := range rep.Damaged {
				bad = append(bad, d.Name+": "+d.Reason)
			}
			return nil, fail("the archive is damaged, so nothing would be restored: %s", strings.Join(limit(bad, 5), "; "))
		}
		return res, nil
	}
	if len(res.Replaced) > 0 && (req.Confirm == nil || !req.Confirm(res.Replaced)) {
		res.Cancelled = true
		return res, fail("%d file(s) in %s would be overwritten and that was not confirmed: nothing was restored (use --yes to confirm)", len(res.Replaced), targetAbs)
	}
	restoreFault("check", 0)
	// Every selected entry is checked while it is extracted into a
	// temporary file beside its target; only when all of them passed are
	// they renamed into place. Folders this restore had to create are
	// removed again when it writes nothing.
	var outside []string // folders made for the target itself, outside it
	if tgt == nil {
		for q := targetAbs; ; q = filepath.Dir(q) {
			if _, err := os.Stat(q); err == nil || filepath.Dir(q) == q {
				break
			}
			outside = append(outside, q)
		}
		if err := os.MkdirAll(targetAbs, 0o755); err != nil {
			return nil, fail("cannot create the target folder %s: %v", targetAbs, plainErr(err))
		}
		if tgt, err = archive.OpenTarget(targetAbs); err != nil {
			return nil, fail("cannot open the target folder %s: %v", targetAbs, plainErr(err))
		}
	}
	var created []string // folders inside the target, in the order made
	known := map[string]bool{".": true}
	mkdir := func(dir string) error {
		var missing []string
		for q := dir; !known[q]; q = path.Dir(q) {
			if st, err := tgt.Lstat(q); err == nil && st.IsDir() {
				break
			}
			missing = append(missing, q)
		}
		for i := len(missing) - 1; i >= 0; i-- {
			err := tgt.Mkdir(missing[i])
			if err == nil {
				created = append(created, missing[i]) // only these are removed again
			} else if st, serr := tgt.Lstat(missing[i]); serr != nil || !st.IsDir() {
				return err // a file where a folder must go, or no access
			}
			known[missing[i]] = true
		}
		known[dir] = true
		return nil
	}
	undoDirs := func() {
		for i := len(created) - 1; i >= 0; i-- {
			tgt.Remove(created[i]) // only when empty
		}
		if len(outside) > 0 {
			tgt.Close()
			tgt = nil
			for _, d := range outside {
				os.Remove(d)
			}
		}
	}
	if len(collisions) > 0 && targetFoldsCase(tgt) {
		undoDirs()
		return res, refuseCollisions()
	}
	var dirs []archive.FileRecord
	var files []archive.FileRecord
	fileDirs := map[string]bool{}
	for _, r := range chosen {
		dir := strings.TrimSuffix(r.Name, "/")
		if r.IsDir() {
			dirs = append(dirs, r)
		} else {
			files = append(files, r)
			dir = path.Dir(dir)
			fileDirs[dir] = true
		}
		if err := mkdir(dir); err != nil {
			undoDirs()
			return res, fail("cannot create %s: %v. Nothing was restored", tgt.Path(dir), plainErr(err))
		}
	}
	// What an interrupted restore left there goes first (the run lock
	// keeps other restores out of the target meanwhile).
	for dir := range fileDirs {
		if _, err := tgt.RemoveLeftovers(dir); err != nil {
			res.Warnings = append(res.Warnings, fmt.Sprintf("the temporary files of an earlier restore in %s could not be removed: %v", tgt.Path(dir), plainErr(err)))
		}
	}
	if placed, err := extractAll(ctx, a, tgt, files, len(res.Added)+len(res.Replaced), res.Bytes, req.OnEvent); err != nil {
		if !placed {
			undoDirs()
		}
		return res, err
	}
	restoreFault("sync", 0)
	// The renamed names and the new folders on the disk: each folder that
	// got a file, and the parent of each folder made.
	syncs := fileDirs
	for _, d := range created {
		syncs[path.Dir(d)] = true
	}
	var syncErrs []string
	for _, d := range sortedKeys(syncs) {
		if err := tgt.SyncDir(d); err != nil {
			syncErrs = append(syncErrs, err.Error())
		}
	}
	if len(syncErrs) > 0 {
		return res, fail("the files were restored, but %s. A power cut now could still lose them: run the restore again", strings.Join(limit(syncErrs, 3), "; "))
	}
	// Folder times last, deepest first, since writing files changes them.
	sort.Slice(dirs, func(i, j int) bool { return len(dirs[i].Name) > len(dirs[j].Name) })
	for _, d := range dirs {
		if !d.ModTime.IsZero() {
			if err := tgt.SetDirTime(d.Name, d.ModTime); err != nil {
				res.Warnings = append(res.Warnings, err.Error())
			}
		}
	}
	return res, nil
}

// restoreOnWindows: the files are written on Windows, so names Windows
// cannot create (reserved device names, ':', trailing dots and spaces) are
// refused before anything is written. Only there: on Linux they are
// ordinary names, and a Linux installation's own backup must restore there.
// An archive made on Linux and restored on Windows is the case it is for.
// Tests set it to see the refusal on any system.
var restoreOnWindows = runtime.GOOS == "windows"

// targetFoldsCase reports whether names that differ only in case are one
// name in the target (t nil: before the target exists or in a dry run,
// judged by the system alone); tests replace it.
var targetFoldsCase = func(t *archive.Target) bool {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		return true
	}
	return t != nil && probeFoldsCase(t)
}

// probeFoldsCase asks the file system (a Samba share or a FAT stick mounted
// on Linux folds case too).
func probeFoldsCase(t *archive.Target) bool {
	folds, err := t.FoldsCase()
	return err == nil && folds
}

// restoreWorkers: the number of files extracted at once.
func restoreWorkers() int { return 4 * runtime.NumCPU() }

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// records returns what the archive holds: the manifest's records, or, for
// an archive without one, records made from its entries.
func records(a *Archive, p *profile.Profile) ([]archive.FileRecord, error) {
	if a.Manifest != nil {
		return a.Manifest.Files, nil
	}
	var out []archive.FileRecord
	for _, f := range a.Files() {
		if strings.HasPrefix(f.Name, archive.ReservedPrefix) {
			continue
		}
		r := archive.FileRecord{Name: f.Name, Size: int64(f.UncompressedSize64), ModTime: f.Modified, Mode: uint32(f.Mode())}
		if p != nil {
			c := p.Classify(f.Name)
			r.Dataset, r.Kind, r.Client = c.ID(), c.Kind(), c.Client
		}
		out = append(out, r)
	}
	return out, nil
}

// selector turns --only values into a filter; no values select everything.
func selector(only []string, p *profile.Profile) (func(archive.FileRecord) bool, error) {
	if len(only) == 0 {
		return func(archive.FileRecord) bool { return true }, nil
	}
	var tests []func(archive.FileRecord) bool
	for _, o := range only {
		o = strings.TrimSpace(o)
		lo := strings.ToLower(o)
		switch {
		case lo == "master" || lo == "master-data" || lo == "stammdaten":
			tests = append(tests, func(r archive.FileRecord) bool { return r.Kind == profile.KindMaster })
		case lo == "transactions" || lo == "transaction-data" || lo == "journal-data":
			tests = append(tests, func(r archive.FileRecord) bool { return r.Kind == profile.KindTransactions })
		case lo == "program" || lo == "extra":
			tests = append(tests, func(r archive.FileRecord) bool { return r.Kind == lo })
		case strings.HasPrefix(lo, "client:"):
			v := strings.TrimPrefix(lo, "client:")
			n, err := strconv.Atoi(v)
			if err != nil && p != nil {
				var ok bool
				n, ok = p.ClientNumber(v)
				if ok {
					err = nil
				}
			}
			if err != nil || n <= 0 {
				return nil, &UsageError{Msg: fmt.Sprintf("--only %s: give a client number, like client:2", o)}
			}
			tests = append(tests, func(r archive.FileRecord) bool { return r.Client == n })
		case p != nil && p.Dataset(o) != nil:
			tests = append(tests, func(r archive.FileRecord) bool { return r.Dataset == o })
		default:
			pat := strings.TrimPrefix(filepath.ToSlash(o), "/")
			if _, err := path.Match(strings.ToLower(pat), ""); err != nil {
				return nil, &UsageError{Msg: fmt.Sprintf("--only %s is not a valid path pattern", o)}
			}
			tests = append(tests, func(r archive.FileRecord) bool { return pathSelected(pat, r.Name) })
		}
	}
	return func(r archive.FileRecord) bool {
		for _, t := range tests {
			if t(r) {
				return true
			}
		}
		return false
	}, nil
}

// preferExactCase: path patterns match ignoring case, so --only picks both
// of two names that differ only in case. Where a pattern names one of them
// in its exact case, only that one stays chosen, so that one of the two
// can be restored where a folder cannot hold both.
func preferExactCase(chosen []archive.FileRecord, only []string) []archive.FileRecord {
	if len(only) == 0 {
		return chosen
	}
	names := make([]string, len(chosen))
	for i, r := range chosen {
		names[i] = r.Name
	}
	coll := archive.CaseCollisions(names)
	if len(coll) == 0 {
		return chosen
	}
	exact := func(name string) bool {
		for _, o := range only {
			pat := strings.TrimSuffix(strings.TrimPrefix(filepath.ToSlash(strings.TrimSpace(o)), "/"), "/")
			parts := strings.Split(strings.TrimSuffix(name, "/"), "/")
			for i := range parts {
				if ok, _ := path.Match(pat, strings.Join(parts[:i+1], "/")); ok {
					return true
				}
			}
		}
		return false
	}
	drop := map[string]bool{} // lower-case paths whose other spellings go
	keep := map[string]bool{}
	for _, c := range coll {
		a, b := c[0], c[1]
		if exact(a) != exact(b) {
			k := a
			if exact(b) {
				k = b
			}
			keep[k] = true
			drop[strings.ToLower(k)] = true
		}
	}
	var out []archive.FileRecord
	for _, r := range chosen {
		parts := strings.Split(strings.TrimSuffix(r.Name, "/"), "/")
		gone := false
		for i := range parts {
			p := strings.Join(parts[:i+1], "/")
			if drop[strings.ToLower(p)] && !keep[p] {
				gone = true
			}
		}
		if !gone {
			out = append(out, r)
		}
	}
	return out
}

// pathSelected: a pattern selects the entries it matches (case-insensitive,
// path.Match syntax) and everything below a matching folder.
func pathSelected(pattern, name string) bool {
	lp := strings.ToLower(strings.TrimSuffix(pattern, "/"))
	ln := strings.ToLower(strings.TrimSuffix(name, "/"))
	parts := strings.Split(ln, "/")
	for i := range parts {
		prefix := strings.Join(parts[:i+1], "/")
		if ok, _ := path.Match(lp, prefix); ok {
			return true
		}
	}
	return false
}

// UsageError is bad input from the user (exit code 2).
type UsageError struct {
	Msg string
	Key *msg.Message // Msg as a key of the faces' catalogue and its parameters (nil: Msg only)
}

func (e *UsageError) Error() string { return e.Msg }

// Keyed is the message for the faces' catalogue (msg.Of), or nil.
func (e *UsageError) Keyed() *msg.Message { return e.Key }

// Usage is a UsageError with the message format and a (a key of the
// faces' catalogue, which has its German text).
func Usage(format string, a ...any) error {
	m := msg.New(format, a...)
	return &UsageError{Msg: m.String(), Key: m}
}

// extractAll restores files into target in two steps. First every file is
// decompressed into a synced temporary file beside its target while its
// CRC-32 and SHA-256 are checked, on one goroutine per CPU, largest first.
// Only when all of them passed are the temporary files renamed into place;
// when any failed, all of them are removed and nothing of the user's is
// touched (placed is false). placed is true once renaming began.
func extractAll(ctx context.Context, a *Archive, tgt *archive.Target, files []archive.FileRecord, totalFiles int, totalBytes int64, onEvent func(Event)) (placed bool, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	zfs := make([]*zip.File, len(files))
	temps := make([]string, len(files))
	order := make([]int, len(files))
	for i, r := range files {
		zfs[i] = a.Lookup(r.Name)
		order[i] = i
	}
	csize := func(i int) uint64 {
		if zfs[i] == nil {
			return 0
		}
		return zfs[i].CompressedSize64
	}
	// Largest first, so that both cores stay busy to the end.
	sort.SliceStable(order, func(x, y int) bool { return csize(order[x]) > csize(order[y]) })
	rec := func(i int) *archive.FileRecord {
		if a.Manifest == nil {
			return nil
		}
		return &files[i]
	}
	removeTemps := func() {
		for _, t := range temps {
			if t != "" {
				tgt.Remove(t)
			}
		}
	}
	var (
		mu       sync.Mutex
		firstErr error
		done     int
		bytes    int64 // of the files restored
		partial  int64 // written of files still in progress
		lastTell time.Time
	)
	if onEvent != nil {
		// Bytes as they are written, at most 4 events a second, so a large
		// file's restore moves on the page instead of standing at 0.
		tgt.Progress = func(n int64) {
			mu.Lock()
			defer mu.Unlock()
			partial += n
			if now := time.Now(); now.Sub(lastTell) >= 250*time.Millisecond {
				lastTell = now
				onEvent(Event{Phase: "restore", Files: done, TotalFiles: totalFiles, Bytes: bytes + partial, TotalBytes: totalBytes})
			}
		}
		defer func() { tgt.Progress = nil }()
	}
	work := make(chan int)
	var wg sync.WaitGroup
	// More workers than CPUs: each waits for its file's sync to the disk,
	// and the file system commits the syncs of waiting workers together.
	for w := 0; w < restoreWorkers(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				tmp, n, err := tgt.ExtractTemp(zfs[i], rec(i), files[i].Name)
				mu.Lock()
				temps[i] = tmp
				if err != nil && firstErr == nil {
					var de *archive.DamageError
					if errors.As(err, &de) {
						firstErr = fail("the archive is damaged, so nothing was restored: %v", err)
					} else {
						firstErr = fail("restoring %s failed: %v. Nothing was restored", tgt.Path(files[i].Name), plainErr(err))
					}
					cancel()
				}
				nDone := done
				partial -= n // counted whole now (or dropped, when it failed)
				if err == nil {
					done++
					nDone = done
					bytes += n
					if onEvent != nil {
						onEvent(Event{Phase: "restore", Name: files[i].Name, Files: done, TotalFiles: totalFiles, Bytes: bytes, TotalBytes: totalBytes})
					}
				}
				mu.Unlock()
				if err == nil {
					restoreFault("extract", nDone)
				}
			}
		}()
	}
	for _, i := range order {
		select {
		case work <- i:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(work)
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	if firstErr != nil {
		removeTemps()
		return false, firstErr
	}
	// Everything checked and on the disk: put the files in place.
	for i := range files {
		if err := tgt.Place(temps[i], files[i].Name, zfs[i], rec(i)); err != nil {
			removeTemps()
			return true, fail("restoring %s failed: %v. %d of %d file(s) were restored before it", tgt.Path(files[i].Name), err, i, len(files))
		}
		temps[i] = ""
		restoreFault("rename", i+1)
	}
	return true, nil
}
