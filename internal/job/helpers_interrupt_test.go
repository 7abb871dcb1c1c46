package job_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/posbackup/posbackup/internal/archive"
	"github.com/posbackup/posbackup/internal/demo"
	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/local"
	"github.com/posbackup/posbackup/internal/job"
	"github.com/posbackup/posbackup/internal/profile"
)

// intrFixedName is the --name every interruption test backs up under, so
// that each new backup replaces the older archive of the same name.
const (
	intrFixedName = "fixed"
	intrFixedZip  = "fixed.zip"
)

// intrSource makes a demo installation under a new temporary folder and adds
// files of poorly compressible data (n files of size bytes each) to client
// 1's open-period journal, which variant 2 backs up.
func intrSource(t *testing.T, n int, size int64) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "pos")
	if _, err := demo.Make(root); err != nil {
		t.Fatalf("demo.Make: %v", err)
	}
	dir := filepath.Join(root, "Daten", "M001", "Journal")
	for i := 0; i < n; i++ {
		intrRandomFile(t, filepath.Join(dir, fmt.Sprintf("big-%03d.jrn", i)), size, uint64(i+1))
	}
	return root
}

// intrRandomFile writes size pseudo-random (incompressible) bytes to p.
func intrRandomFile(t *testing.T, p string, size int64, seed uint64) {
	t.Helper()
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	src := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), 0x5a})
	if _, err := io.CopyN(f, src, size); err != nil {
		f.Close()
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// intrBackup runs one variant 2 backup of source into d under the fixed name.
func intrBackup(ctx context.Context, source string, d dest.Destination, onEvent func(job.Event)) (*job.BackupResult, error) {
	return job.Backup(ctx, job.BackupRequest{
		Profile: profile.Default(), Source: source, Variant: 2, Role: profile.RoleLocation,
		Dest: d, NameTemplate: intrFixedName, Lang: "en", Host: "till1", OnEvent: onEvent,
	})
}

// intrMustBackup makes a successful backup and returns the SHA-256 of the
// archive it stored.
func intrMustBackup(t *testing.T, source string, d *local.Folder) string {
	t.Helper()
	res, err := intrBackup(context.Background(), source, d, nil)
	if err != nil {
		t.Fatalf("the first backup failed: %v", err)
	}
	if res.Archive != intrFixedZip || !res.Verified {
		t.Fatalf("first backup: archive %q verified %v, want %s verified", res.Archive, res.Verified, intrFixedZip)
	}
	p := d.Path(intrFixedZip)
	intrVerify(t, p)
	return intrSHA(t, p)
}

// intrSHA is the SHA-256 of the file at p.
func intrSHA(t *testing.T, p string) string {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatalf("cannot open %s: %v", p, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatalf("cannot read %s: %v", p, err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// intrVerify opens the archive at p and checks every entry against its
// manifest.
func intrVerify(t *testing.T, p string) {
	t.Helper()
	r, err := archive.OpenFile(p)
	if err != nil {
		t.Fatalf("archive.OpenFile(%s): %v", p, err)
	}
	defer r.Close()
	if r.Manifest == nil {
		t.Fatalf("%s has no manifest", p)
	}
	rep, err := r.Verify(context.Background(), nil, nil)
	if err != nil {
		t.Fatalf("Verify(%s): %v", p, err)
	}
	if !rep.OK() {
		t.Fatalf("Verify(%s) found damage: %+v", p, rep.Damaged)
	}
	if rep.Checked == 0 || rep.Checked < r.Manifest.FileCount() {
		t.Fatalf("Verify(%s) checked %d entries, the manifest lists %d files", p, rep.Checked, r.Manifest.FileCount())
	}
}

// intrDirNames lists every name in dir, sorted.
func intrDirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("cannot list %s: %v", dir, err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// intrTemps are the names in dir that start with dest.TempPrefix.
func intrTemps(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for _, n := range intrDirNames(t, dir) {
		if dest.IsTemp(n) {
			out = append(out, n)
		}
	}
	return out
}

// intrAssertOnlyOld checks that dir holds nothing but fixed.zip, byte for
// byte the archive with SHA-256 oldSHA, and that it still verifies.
func intrAssertOnlyOld(t *testing.T, dir, oldSHA string) {
	t.Helper()
	if names := intrDirNames(t, dir); len(names) != 1 || names[0] != intrFixedZip {
		t.Errorf("the destination holds %q, want only %s (no temporary file left behind)", names, intrFixedZip)
	}
	p := filepath.Join(dir, intrFixedZip)
	if got := intrSHA(t, p); got != oldSHA {
		t.Fatalf("the older archive %s changed: SHA-256 %s, was %s", p, got, oldSHA)
	}
	intrVerify(t, p)
}

// intrFailingFolder is a folder destination whose medium is pulled while an
// archive is stored: Put writes the first failAfter bytes to the file, then
// fails with an I/O error and, like a vanished medium, leaves the partial
// file behind (it could not remove it either).
type intrFailingFolder struct {
	*local.Folder
	failAfter int64
	wrote     int64
}

var _ dest.Destination = (*intrFailingFolder)(nil)

func (f *intrFailingFolder) Put(ctx context.Context, name string, r io.Reader) (int64, error) {
	if err := dest.CheckName(name); err != nil {
		return 0, err
	}
	p := f.Path(name)
	out, err := os.Create(p)
	if err != nil {
		return 0, err
	}
	n, err := io.CopyN(out, r, f.failAfter)
	out.Close()
	f.wrote = n
	if err != nil {
		return n, fmt.Errorf("writing %s failed after %d bytes: %v", p, n, err)
	}
	return n, fmt.Errorf("writing %s failed: input/output error", p)
}
