package job

import (
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

// Restore checks the selected part of the archive, then writes it into the
// target: same-named files are replaced, missing ones added, others left
// alone. Nothing is written when any selected entry is damaged.
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
	// Check before writing anything.
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
		return nil, fail("the archive is damaged, so nothing was restored: %s", strings.Join(limit(bad, 5), "; "))
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
		return res, nil
	}
	if len(res.Replaced) > 0 && (req.Confirm == nil || !req.Confirm(res.Replaced)) {
		res.Cancelled = true
		return res, fail("%d file(s) in %s would be overwritten and that was not confirmed: nothing was restored (use --yes to confirm)", len(res.Replaced), targetAbs)
	}
	if err := os.MkdirAll(targetAbs, 0o755); err != nil {
		return nil, fail("cannot create the target folder %s: %v", targetAbs, plainErr(err))
	}
	var dirs []archive.FileRecord
	var files []archive.FileRecord
	for _, r := range chosen {
		p := filepath.Join(targetAbs, filepath.FromSlash(strings.TrimSuffix(r.Name, "/")))
		if r.IsDir() {
			if err := os.MkdirAll(p, 0o755); err != nil {
				return res, fail("cannot create %s: %v", p, plainErr(err))
			}
			dirs = append(dirs, r)
			continue
		}
		files = append(files, r)
	}
	if err := extractAll(ctx, a, files, targetAbs, len(res.Added)+len(res.Replaced), res.Bytes, req.OnEvent); err != nil {
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

// extractAll writes files into target on one goroutine per CPU; the first
// error stops the rest.
func extractAll(ctx context.Context, a *Archive, files []archive.FileRecord, target string, totalFiles int, totalBytes int64, onEvent func(Event)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		firstErr error
		done     int
		bytes    int64
	)
	work := make(chan archive.FileRecord)
	var wg sync.WaitGroup
	for i := 0; i < runtime.NumCPU(); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range work {
				p := filepath.Join(target, filepath.FromSlash(r.Name))
				var recp *archive.FileRecord
				if a.Manifest != nil {
					rec := r
					recp = &rec
				}
				n, err := archive.Extract(a.Lookup(r.Name), recp, p)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = fail("restoring %s failed: %v. %d file(s) were restored before it", p, plainErr(err), done)
					cancel()
				}
				if err == nil {
					done++
					bytes += n
					if onEvent != nil {
						onEvent(Event{Phase: "restore", Name: r.Name, Files: done, TotalFiles: totalFiles, Bytes: bytes, TotalBytes: totalBytes})
					}
				}
				mu.Unlock()
			}
		}()
	}
	for _, r := range files {
		select {
		case work <- r:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}
