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

	"github.com/posbackup/posbackup/internal/archive"
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
	for _, r := range chosen {
		p := filepath.Join(targetAbs, filepath.FromSlash(strings.TrimSuffix(r.Name, "/")))
		if err := noLinks(targetAbs, p); err != nil {
			return nil, err
		}
		st, err := os.Stat(p)
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
	// Every selected entry is checked while it is extracted into a
	// temporary file beside its target; only when all of them passed are
	// they renamed into place. Folders this restore had to create are
	// removed again when it writes nothing.
	var created []string
	known := map[string]bool{}
	mkdir := func(p string) error {
		var missing []string
		for q := p; !known[q]; q = filepath.Dir(q) {
			if st, err := os.Stat(q); err == nil && st.IsDir() {
				break
			}
			missing = append(missing, q)
			if filepath.Dir(q) == q {
				break
			}
		}
		for i := len(missing) - 1; i >= 0; i-- {
			err := os.Mkdir(missing[i], 0o755)
			if err == nil {
				created = append(created, missing[i]) // only these are removed again
			} else if st, serr := os.Stat(missing[i]); serr != nil || !st.IsDir() {
				return err // a file where a folder must go, or no access
			}
			known[missing[i]] = true
		}
		known[p] = true
		return nil
	}
	undoDirs := func() {
		for i := len(created) - 1; i >= 0; i-- {
			os.Remove(created[i]) // only when empty
		}
	}
	if err := mkdir(targetAbs); err != nil {
		return nil, fail("cannot create the target folder %s: %v", targetAbs, plainErr(err))
	}
	var dirs []archive.FileRecord
	var files []archive.FileRecord
	for _, r := range chosen {
		p := filepath.Join(targetAbs, filepath.FromSlash(strings.TrimSuffix(r.Name, "/")))
		if r.IsDir() {
			dirs = append(dirs, r)
		} else {
			files = append(files, r)
			p = filepath.Dir(p)
		}
		if err := mkdir(p); err != nil {
			undoDirs()
			return res, fail("cannot create %s: %v. Nothing was restored", p, plainErr(err))
		}
	}
	if placed, err := extractAll(ctx, a, files, targetAbs, len(res.Added)+len(res.Replaced), res.Bytes, req.OnEvent); err != nil {
		if !placed {
			undoDirs()
		}
		return res, err
	}
	// Folder times last, deepest first, since writing files changes them.
	sort.Slice(dirs, func(i, j int) bool { return len(dirs[i].Name) > len(dirs[j].Name) })
	for _, d := range dirs {
		if !d.ModTime.IsZero() {
			os.Chtimes(filepath.Join(targetAbs, filepath.FromSlash(strings.TrimSuffix(d.Name, "/"))), d.ModTime, d.ModTime)
		}
	}
	return res, nil
}

// noLinks refuses a target path that passes through a symbolic link or
// junction: restore never writes through links.
func noLinks(root, p string) error {
	rel, err := filepath.Rel(root, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return fail("%s lies outside the target %s: the archive is refused", p, root)
	}
	cur := root
	for _, part := range strings.Split(rel, string(filepath.Separator)) {
		cur = filepath.Join(cur, part)
		st, err := os.Lstat(cur)
		if err != nil {
			return nil // does not exist yet: nothing below it can be a link
		}
		if st.Mode()&fs.ModeSymlink != 0 {
			return fail("%s in the target is a link: restore never writes through links, remove it and try again", cur)
		}
	}
	return nil
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
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// extractAll restores files into target in two steps. First every file is
// decompressed into a temporary file beside its target while its CRC-32 and
// SHA-256 are checked, on one goroutine per CPU, largest first. Only when
// all of them passed are the temporary files renamed into place; when any
// failed, all of them are removed and nothing of the user's is touched
// (placed is false). placed is true once renaming began.
func extractAll(ctx context.Context, a *Archive, files []archive.FileRecord, target string, totalFiles int, totalBytes int64, onEvent func(Event)) (placed bool, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	zfs := make([]*zip.File, len(files))
	paths := make([]string, len(files))
	temps := make([]string, len(files))
	order := make([]int, len(files))
	for i, r := range files {
		zfs[i] = a.Lookup(r.Name)
		paths[i] = filepath.Join(target, filepath.FromSlash(r.Name))
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
				os.Remove(t)
			}
		}
	}
	var (
		mu       sync.Mutex
		firstErr error
		done     int
		bytes    int64
	)
	work := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < runtime.NumCPU(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				tmp, n, err := archive.ExtractTemp(zfs[i], rec(i), paths[i])
				mu.Lock()
				temps[i] = tmp
				if err != nil && firstErr == nil {
					var de *archive.DamageError
					if errors.As(err, &de) {
						firstErr = fail("the archive is damaged, so nothing was restored: %v", err)
					} else {
						firstErr = fail("restoring %s failed: %v. Nothing was restored", paths[i], plainErr(err))
					}
					cancel()
				}
				if err == nil {
					done++
					bytes += n
					if onEvent != nil {
						onEvent(Event{Phase: "restore", Name: files[i].Name, Files: done, TotalFiles: totalFiles, Bytes: bytes, TotalBytes: totalBytes})
					}
				}
				mu.Unlock()
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
	// Everything checked: put the files in place.
	for i := range files {
		if err := archive.Place(temps[i], paths[i], zfs[i], rec(i)); err != nil {
			removeTemps()
			return true, fail("restoring %s failed: %v. %d of %d file(s) were restored before it", paths[i], plainErr(err), i, len(files))
		}
		temps[i] = ""
	}
	return true, nil
}
