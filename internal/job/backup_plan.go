package job

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/posbackup/posbackup/internal/archive"
	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/profile"
	"github.com/posbackup/posbackup/internal/retention"
)

// plan selects the files, names the archive and its temporary name, reads
// the program version, checks the temp folder's room, puts back an archive
// an interrupted rename left aside, and lists the backups the stale-source
// guard and the retention policy need. It writes nothing but that rename.
func (r *run) plan(ctx context.Context) error {
	req := r.req
	dataBytes, dataTime, err := r.selectFiles()
	if err != nil {
		return err
	}
	if err := r.nameArchive(); err != nil {
		return err
	}
	vi := r.readVersion()
	if err := r.checkTempDir(dataBytes); err != nil {
		return err
	}
	r.restoreAside(ctx)
	if req.GuardStale || req.Keep != nil {
		if r.existing, err = ListPassword(ctx, req.Dest, req.Password); err != nil {
			return fail("cannot list the backups at %s: %v", req.Dest, err)
		}
	}
	if req.GuardStale {
		r.guardStale(dataTime)
	}
	r.tmp = dest.TempName(r.name, r.host, r.started, randomHex())
	r.makeManifest(vi, dataTime)
	return nil
}

// selectFiles walks the installation (profile.Select) and starts the
// result; it returns the size and newest time of the data.
func (r *run) selectFiles() (dataBytes int64, dataTime time.Time, err error) {
	req, p := r.req, r.req.Profile
	r.emit(Event{Phase: "select"})
	sel, err := p.Select(profile.Request{Root: req.Source, Variant: req.Variant, Clients: req.Clients, Role: req.Role, Extras: req.Extras})
	if err != nil {
		return 0, time.Time{}, asError(err)
	}
	r.sel = sel
	res := &BackupResult{Location: req.Dest.String(), Variant: sel.Variant.Code(), Started: r.started, Warnings: []string{}}
	r.res = res
	for _, n := range sel.Clients {
		res.Clients = append(res.Clients, p.ClientName(n))
	}
	files := 0
	for _, it := range sel.Items {
		if !it.IsDir() {
			files++
			dataBytes += it.Size
			if it.ModTime.After(dataTime) {
				dataTime = it.ModTime
			}
		}
	}
	if files == 0 {
		return 0, time.Time{}, fail("nothing to back up: variant %s found no files in %s. Check --source and the variant", sel.Variant.Code(), req.Source)
	}
	if sel.Variant.Number == 1 {
		res.Warnings = append(res.Warnings, "variant 01 backs up master data only: the cash journal (transaction data) is not in this backup")
	}
	return dataBytes, dataTime, nil
}

// nameArchive expands the name template and settles the check to make.
func (r *run) nameArchive() error {
	req, res := r.req, r.res
	name, err := ExpandName(req.NameTemplate, NameTokens{Clients: res.Clients, All: len(req.Clients) == 0, Time: r.started, Host: r.host, Variant: r.sel.Variant.Number, Lang: req.Lang})
	if err != nil {
		return asError(err)
	}
	r.name, res.Archive = name, name
	switch req.Verify {
	case "", VerifyFull:
		res.Verify = VerifyFull
	case VerifyQuick:
		res.Verify = VerifyQuick
		if !r.server {
			res.Verify = VerifyFull // a folder's archive is read back from the medium anyway
		}
	default:
		return fail("unknown verify setting %q: use full or quick", req.Verify)
	}
	return nil
}

// readVersion reads the suite's program version file; what is wrong with
// it is a warning, not a failure.
func (r *run) readVersion() profile.VersionInfo {
	req, p, res := r.req, r.req.Profile, r.res
	vi, err := p.ReadVersionInfo(req.Source)
	switch {
	case err != nil:
		res.Warnings = append(res.Warnings, fmt.Sprintf("the program version file %s cannot be read: %v", p.VersionFile, err))
	case vi.State == profile.VersionMissing:
		res.Warnings = append(res.Warnings, fmt.Sprintf("%s was not found in %s: the backup does not record the program version", p.VersionFile, req.Source))
	case vi.State == profile.VersionNoKey:
		res.Warnings = append(res.Warnings, fmt.Sprintf("%s in %s names no version (no Version=, Suite= or ProgramVersion= line): the backup records its text but no program version", p.VersionFile, req.Source))
	}
	return vi
}

// makeManifest starts the archive's manifest and turns the selection's
// items into the archive's entries.
func (r *run) makeManifest(vi profile.VersionInfo, dataTime time.Time) {
	req, p, sel, res := r.req, r.req.Profile, r.sel, r.res
	r.m = &archive.Manifest{
		Format: archive.FormatVersion, Tool: "posbackup " + Version, ProgramVersion: vi.Version, VersionText: vi.Text,
		Profile: p.Name, Variant: sel.Variant.Number, VariantTitle: sel.Variant.Title,
		Clients: res.Clients, Role: string(req.Role), Host: r.host, Source: req.Source, Started: r.started,
		Job: req.Job, DataTime: dataTime,
	}
	r.entries = make([]archive.Entry, len(sel.Items))
	for i, it := range sel.Items {
		r.entries[i] = archive.Entry{Name: it.Name, Path: it.Path, Size: it.Size, ModTime: it.ModTime, Mode: it.Mode, Dataset: it.Dataset, Kind: it.Kind, Client: it.Client}
	}
	// The entries carry everything of the items from here on: one list per
	// file, not two, while the archive is made.
	sel.Items = nil
	for _, pr := range sel.Problems {
		r.m.Warnings = append(r.m.Warnings, fmt.Sprintf("%s cannot be read: %s", pr.Path, pr.Reason))
	}
	// What the selection says of renamed extras, followed links and left-out
	// pipes belongs to the backup for good, not only to this run's output.
	r.m.Warnings = append(r.m.Warnings, sel.Notes...)
}

// legacyAside is where posbackup before 0.2 moved an older archive aside
// (a temporary name, which the old sweep deleted).
func legacyAside(name string) string { return dest.TempPrefix + "old-" + name }

// restoreAside lists the destination and, when the archive's name is
// missing but an interrupted rename left the older archive aside, renames
// it back: a power cut between the two renames of move-aside must not
// leave the older archive under a name the next runs treat as leftover.
// Asides of a name that is present are removed after the run succeeded.
// A listing that fails is not an error here (Put will say what is wrong),
// but then nothing is swept after the run.
func (r *run) restoreAside(ctx context.Context) {
	d := r.req.Dest
	infos, err := d.List(ctx)
	if err != nil {
		return
	}
	r.infos, r.listed = infos, true
	fold := dest.CapsOf(d).FoldsCase
	has := func(n string) bool {
		for _, in := range r.infos {
			if sameName(in.Name, n, fold) {
				return true
			}
		}
		return false
	}
	present := has(r.name)
	for _, aside := range []string{dest.AsideName(r.name), legacyAside(r.name)} {
		if !has(aside) {
			continue
		}
		if !present {
			if err := d.Rename(ctx, aside, r.name); err == nil {
				present = true
				r.res.Warnings = append(r.res.Warnings, fmt.Sprintf("%s at %s was missing after an interrupted run; the older archive %s was renamed back to it", r.name, d, aside))
				continue
			}
		}
		r.asides = append(r.asides, aside)
	}
}

// guardStale keeps a newer backup already at the destination when the data
// is older: the new archive goes beside it, and nothing is pruned.
func (r *run) guardStale(dataTime time.Time) {
	newer := staleAgainst(r.existing, r.req.Job, r.name, dataTime)
	if len(newer) == 0 {
		return
	}
	r.res.Stale = true
	fold := dest.CapsOf(r.req.Dest).FoldsCase
	taken := map[string]bool{}
	for _, l := range r.existing {
		taken[foldKey(l.Name, fold)] = true
	}
	for _, n := range newer {
		if ofName(n.Name, r.name, fold) {
			r.name = retention.BesideName(r.name, r.started, func(s string) bool { return taken[foldKey(s, fold)] })
			r.res.Archive = r.name
			break
		}
	}
	r.res.Warnings = append(r.res.Warnings, fmt.Sprintf("the data in %s is older than the backup %s already at %s (%s): that backup is kept, this one is written as %s, and nothing is deleted. Check that this is the right computer",
		r.req.Source, newer[0].Name, r.req.Dest, dataTimeOf(newer[0]).Local().Format("2006-01-02 15:04"), r.name))
}

// sameName compares archive names as the destination does: ignoring case
// where it may fold case.
// hadOlder reports whether an archive of this run's name (or one kept
// aside) was at the destination when the run listed it: only then does a
// failure say that the older archive is unchanged. Without a listing it
// says so, the careful guess.
func (r *run) hadOlder() bool {
	if !r.listed {
		return true
	}
	fold := dest.CapsOf(r.req.Dest).FoldsCase
	for _, in := range r.infos {
		if ofName(in.Name, r.name, fold) {
			return true
		}
	}
	return false
}

func sameName(a, b string, fold bool) bool {
	if fold {
		return strings.EqualFold(a, b)
	}
	return a == b
}

func foldKey(s string, fold bool) string {
	if fold {
		return strings.ToLower(s)
	}
	return s
}

func dataTimeOf(l Listed) time.Time {
	if l.Manifest != nil && !l.Manifest.DataTime.IsZero() {
		return l.Manifest.DataTime
	}
	return l.Time()
}

// ofName reports whether n is name or one of its asides (dest.AsideName,
// legacyAside): where the newest good archive of name may be.
func ofName(n, name string, fold bool) bool {
	return sameName(n, name, fold) || sameName(n, dest.AsideName(name), fold) || sameName(n, legacyAside(name), fold)
}

// staleAgainst returns the backups of the same job (or under the same
// name, or kept aside from it) whose data is newer than dataTime.
func staleAgainst(existing []Listed, jobName, name string, dataTime time.Time) []Listed {
	var as []retention.Archive
	byName := map[string]Listed{}
	for _, l := range existing {
		if l.Manifest == nil || (!ofName(l.Name, name, true) && (jobName == "" || l.Manifest.Job != jobName)) {
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
