package job

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/posbackup/posbackup/internal/archive"
	"github.com/posbackup/posbackup/internal/profile"
	"github.com/posbackup/posbackup/internal/testutil"
)

// made returns an archive of the fixture (variant 04, all clients).
func made(t *testing.T) (string, *fixtureT) {
	t.Helper()
	in := fixture(t)
	to := folder(t, t.TempDir())
	res := backup(t, BackupRequest{Source: in.Root, Variant: 4, Dest: to, NameTemplate: "full"})
	return filepath.Join(to.Dir(), res.Archive), &fixtureT{in.Root}
}

type fixtureT struct{ root string }

func restore(t *testing.T, zipPath string, req RestoreRequest) (*RestoreResult, error) {
	t.Helper()
	a, err := OpenPath(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	req.Archive = a
	if req.Profile == nil {
		req.Profile = profile.Default()
	}
	return Restore(context.Background(), req)
}

func TestCompleteRestoreOverwritesAddsAndLeavesOthers(t *testing.T) {
	zipPath, _ := made(t)
	target := t.TempDir()
	os.MkdirAll(filepath.Join(target, "Daten", "Global"), 0o755)
	os.WriteFile(filepath.Join(target, "Daten", "Global", "system.cfg"), []byte("changed since"), 0o644)
	os.WriteFile(filepath.Join(target, "Daten", "Global", "schreibgeschützt.cfg"), []byte("ro"), 0o444)
	os.WriteFile(filepath.Join(target, "mine.txt"), []byte("keep me"), 0o644)

	// Without confirmation nothing is written.
	_, err := restore(t, zipPath, RestoreRequest{Target: target})
	if err == nil || !strings.Contains(err.Error(), "not confirmed") {
		t.Fatalf("restore over existing files without confirmation: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(target, "Daten", "Global", "system.cfg")); string(b) != "changed since" {
		t.Fatal("a file was overwritten without confirmation")
	}
	if got := testutil.Files(t, target); len(got) != 3 {
		t.Fatalf("unconfirmed restore wrote files: %v", got)
	}

	var asked []string
	res, err := restore(t, zipPath, RestoreRequest{Target: target, Confirm: func(o []string) bool { asked = o; return true }})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(asked)
	if strings.Join(asked, ",") != "Daten/Global/schreibgeschützt.cfg,Daten/Global/system.cfg" {
		t.Errorf("asked about %v", asked)
	}
	if len(res.Replaced) != 2 {
		t.Errorf("replaced %v", res.Replaced)
	}
	if b, _ := os.ReadFile(filepath.Join(target, "Daten", "Global", "system.cfg")); string(b) != "[Drucker]\r\nBon=1\r\n" {
		t.Errorf("system.cfg not restored: %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(target, "mine.txt")); string(b) != "keep me" {
		t.Error("a file not in the backup was touched")
	}
	for _, p := range testutil.Files(t, target) {
		if strings.Contains(p, ".posbackup") {
			t.Errorf("left %s in the target", p)
		}
	}
}

func TestIndividualRestore(t *testing.T) {
	zipPath, _ := made(t)
	cases := map[string]struct {
		only []Part
		want func(string) bool
	}{
		"master":       {[]Part{{Kind: profile.KindMaster}}, func(n string) bool { return strings.HasPrefix(n, "Daten/Global/") || strings.Contains(n, "/Stamm/") }},
		"transactions": {[]Part{{Kind: profile.KindTransactions}}, func(n string) bool { return strings.Contains(n, "/Journal/") || strings.HasSuffix(n, "Arthist.dat") }},
		"program":      {[]Part{{Kind: profile.KindProgram}}, func(n string) bool { return strings.HasPrefix(n, "Programme/") }},
		"client 2":     {[]Part{{Client: 2}}, func(n string) bool { return strings.HasPrefix(n, "Daten/M002/") }},
		"path":         {[]Part{{Pattern: "Daten/M001/Stamm"}}, func(n string) bool { return strings.HasPrefix(n, "Daten/M001/Stamm/") }},
		"any case":     {[]Part{{Pattern: "daten/m001/STAMM"}}, func(n string) bool { return strings.HasPrefix(n, "Daten/M001/Stamm/") }},
		"glob":         {[]Part{{Pattern: "*.ini"}}, func(n string) bool { return n == "version.ini" }},
		"dataset+client": {[]Part{{Dataset: "arthist"}, {Client: 3}}, func(n string) bool {
			return strings.HasSuffix(n, "Arthist.dat") || strings.HasPrefix(n, "Daten/M003/")
		}},
	}
	a, _ := OpenPath(zipPath)
	all := a.Manifest.Files
	a.Close()
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			target := t.TempDir()
			if _, err := restore(t, zipPath, RestoreRequest{Target: target, Only: c.only}); err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, f := range all {
				if !f.IsDir() && c.want(f.Name) {
					want = append(want, f.Name)
				}
			}
			sort.Strings(want)
			if got := testutil.Files(t, target); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("restored\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
	if _, err := restore(t, zipPath, RestoreRequest{Target: t.TempDir(), Only: []Part{{Pattern: "Daten/M009"}}}); err == nil || !strings.Contains(err.Error(), "nothing in the archive matches") {
		t.Errorf("a selection matching nothing: %v", err)
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	zipPath, _ := made(t)
	target := t.TempDir()
	os.WriteFile(filepath.Join(target, "version.ini"), []byte("Version=26.4.1\r\n"), 0o644)
	res, err := restore(t, zipPath, RestoreRequest{Target: target, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Replaced) != 1 || len(res.Added) == 0 {
		t.Errorf("dry run plan: %d added, replaced %v", len(res.Added), res.Replaced)
	}
	if got := testutil.Files(t, target); len(got) != 1 {
		t.Errorf("dry run wrote: %v", got)
	}
}

func TestVersionWarning(t *testing.T) {
	zipPath, _ := made(t)
	target := t.TempDir()
	os.WriteFile(filepath.Join(target, "version.ini"), []byte("[Suite]\r\nVersion=27.1.0\r\n"), 0o644)
	res, err := restore(t, zipPath, RestoreRequest{Target: target, Only: []Part{{Kind: profile.KindMaster}}})
	if err != nil {
		t.Fatal(err)
	}
	if w := strings.Join(res.Warnings, "\n"); !strings.Contains(w, "27.1.0") || !strings.Contains(w, "26.4.1") {
		t.Errorf("no version warning: %v", res.Warnings)
	}
	target2 := t.TempDir()
	os.WriteFile(filepath.Join(target2, "version.ini"), []byte("Version=26.4.1\n"), 0o644)
	res, err = restore(t, zipPath, RestoreRequest{Target: target2, Only: []Part{{Kind: profile.KindMaster}}})
	if err != nil {
		t.Fatalf("restore where the versions match: %v", err)
	}
	if len(res.Added) == 0 {
		t.Errorf("restore where the versions match restored nothing: %+v", res)
	}
	if len(res.Warnings) != 0 {
		t.Errorf("warned although versions match: %v", res.Warnings)
	}
}

func TestDamagedArchiveRestoresNothing(t *testing.T) {
	zipPath, _ := made(t)
	b, _ := os.ReadFile(zipPath)
	// Flip a byte inside the data of the largest entry.
	zr, _ := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	var big *zip.File
	for _, f := range zr.File {
		if f.Name == archive.ManifestName {
			continue
		}
		if big == nil || f.CompressedSize64 > big.CompressedSize64 {
			big = f
		}
	}
	off, _ := big.DataOffset()
	b[off+int64(big.CompressedSize64)/2] ^= 0x55
	os.WriteFile(zipPath, b, 0o644)

	target := t.TempDir()
	_, err := restore(t, zipPath, RestoreRequest{Target: target})
	if err == nil || !strings.Contains(err.Error(), "damaged") || !strings.Contains(err.Error(), big.Name) {
		t.Fatalf("restore of a damaged archive: %v", err)
	}
	if got := testutil.Files(t, target); len(got) != 0 {
		t.Errorf("files written from a damaged archive: %v", got)
	}
	// A selection that does not touch the damaged entry still restores.
	other := "version.ini"
	if big.Name == other {
		other = "Daten/Global/system.cfg"
	}
	if _, err := restore(t, zipPath, RestoreRequest{Target: target, Only: []Part{{Pattern: other}}}); err != nil {
		t.Errorf("restoring an intact entry of a damaged archive: %v", err)
	}
}

func writeZip(t *testing.T, entries map[string]string, symlink string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "evil.zip")
	f, _ := os.Create(p)
	zw := zip.NewWriter(f)
	for n, body := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if symlink != "" {
		fh := &zip.FileHeader{Name: symlink}
		fh.SetMode(os.ModeSymlink | 0o777)
		w, _ := zw.CreateHeader(fh)
		w.Write([]byte("/etc"))
	}
	zw.Close()
	f.Close()
	return p
}

func TestZipSlipRefused(t *testing.T) {
	outside := t.TempDir()
	for name, entries := range map[string]map[string]string{
		"dotdot":      {"ok.txt": "x", "../../" + filepath.Base(outside) + "/pwned.txt": "x"},
		"deep dotdot": {"a/b/../../../pwned.txt": "x"},
		"absolute":    {"/tmp/pwned.txt": "x"},
		"drive":       {"C:/Windows/pwned.txt": "x"},
		"backslash":   {`..\pwned.txt`: "x"},
	} {
		t.Run(name, func(t *testing.T) {
			p := writeZip(t, entries, "")
			target := t.TempDir()
			_, err := restore(t, p, RestoreRequest{Target: target, Confirm: func([]string) bool { return true }})
			if err == nil || !strings.Contains(err.Error(), "refused") {
				t.Errorf("unsafe archive restored: %v", err)
			}
			if got := testutil.Files(t, target); len(got) != 0 {
				t.Errorf("wrote %v", got)
			}
		})
	}
	t.Run("symlink entry", func(t *testing.T) {
		p := writeZip(t, map[string]string{"a.txt": "x"}, "link")
		_, err := restore(t, p, RestoreRequest{Target: t.TempDir()})
		if err == nil || !strings.Contains(err.Error(), "link") {
			t.Errorf("archive with a link restored: %v", err)
		}
	})
	t.Run("link in target", func(t *testing.T) {
		p := writeZip(t, map[string]string{"Daten/x.txt": "x"}, "")
		target := t.TempDir()
		if err := os.Symlink(outside, filepath.Join(target, "Daten")); err != nil {
			testutil.Unavailable(t, "no symbolic links here: %v", err)
		}
		_, err := restore(t, p, RestoreRequest{Target: target})
		if err == nil || !strings.Contains(err.Error(), "link") {
			t.Errorf("restore wrote through a link: %v", err)
		}
		if _, err := os.Stat(filepath.Join(outside, "x.txt")); err == nil {
			t.Error("a file was written outside the target")
		}
	})
}

func TestForeignArchiveRestores(t *testing.T) {
	p := writeZip(t, map[string]string{"Daten/M001/Stamm/a.dat": "a", "Daten/Global/g.cfg": "g"}, "")
	target := t.TempDir()
	if _, err := restore(t, p, RestoreRequest{Target: target, Only: []Part{{Client: 1}}}); err != nil {
		t.Fatal(err)
	}
	if got := testutil.Files(t, target); strings.Join(got, ",") != "Daten/M001/Stamm/a.dat" {
		t.Errorf("restored %v", got)
	}
}

func TestDamagedManifestRestoresNothing(t *testing.T) {
	zipPath, _ := made(t)
	b, _ := os.ReadFile(zipPath)
	zr, _ := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	for _, f := range zr.File {
		if f.Name == archive.ManifestName {
			off, _ := f.DataOffset()
			b[off+int64(f.CompressedSize64)/2] ^= 0x55
		}
	}
	os.WriteFile(zipPath, b, 0o644)
	a, err := OpenPath(zipPath)
	if err != nil {
		t.Fatalf("an archive with a damaged manifest cannot even be checked: %v", err)
	}
	rep, _ := a.Verify(context.Background(), nil, nil)
	a.Close()
	if rep.OK() || rep.Damaged[0].Name != archive.ManifestName {
		t.Errorf("verify did not report the damaged manifest: %+v", rep)
	}
	target := t.TempDir()
	if _, err := restore(t, zipPath, RestoreRequest{Target: target}); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("restore with a damaged manifest: %v", err)
	}
	if got := testutil.Files(t, target); len(got) != 0 {
		t.Errorf("wrote %v", got)
	}
}

// TestRestoreRefusesMoreThanFreeSpace: a tmpfs of 8 MiB cannot take a
// backup of 20 MiB; the restore is refused before writing.
func TestRestoreRefusesMoreThanFreeSpace(t *testing.T) {
	if os.Geteuid() != 0 {
		testutil.Unavailable(t, "needs root to mount a small tmpfs")
	}
	src := t.TempDir()
	os.MkdirAll(filepath.Join(src, "Daten", "Global"), 0o755)
	big := bytes.Repeat([]byte("0123456789abcdef"), 20<<16) // 20 MiB, compresses well
	os.WriteFile(filepath.Join(src, "Daten", "Global", "big.dat"), big, 0o644)
	to := folder(t, t.TempDir())
	res := backup(t, BackupRequest{Source: src, Variant: 1, Dest: to, NameTemplate: "big"})
	target := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", target).CombinedOutput(); err != nil {
		testutil.Unavailable(t, "cannot mount a small tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", target).Run() })
	_, err := restore(t, filepath.Join(to.Dir(), res.Archive), RestoreRequest{Target: target})
	if err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("restore onto a too small disk: %v", err)
	}
	if got := testutil.Files(t, target); len(got) != 0 {
		t.Errorf("wrote %v", got)
	}
}

// A damaged entry late in the archive must leave every existing file in the
// target as it was, and no temporary files behind, although the entries
// before it were already extracted when the damage is found.
func TestDamagedLateEntryLeavesTargetUntouched(t *testing.T) {
	src := t.TempDir()
	var names []string
	for i := 0; i < 60; i++ {
		name := filepath.ToSlash(filepath.Join("Daten", "M001", "Stamm", fmt.Sprintf("g%d", i%3), fmt.Sprintf("artikel-%03d.cfg", i)))
		p := filepath.Join(src, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		body := strings.Repeat(fmt.Sprintf("[Artikel]\r\nNr=%d\r\n", i), 50+i*40)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	os.WriteFile(filepath.Join(src, "version.ini"), []byte("[Suite]\r\nVersion=26.4.1\r\n"), 0o644)
	to := folder(t, t.TempDir())
	res := backup(t, BackupRequest{Source: src, Variant: 4, Dest: to, NameTemplate: "late"})
	zipPath := filepath.Join(to.Dir(), res.Archive)

	// Damage the last file entry in the archive's stored order.
	b, err := os.ReadFile(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var last *zip.File
	for _, f := range zr.File {
		if f.Name != archive.ManifestName && !strings.HasSuffix(f.Name, "/") {
			last = f
		}
	}
	off, _ := last.DataOffset()
	b[off+int64(last.CompressedSize64)/2] ^= 0x55
	if err := os.WriteFile(zipPath, b, 0o644); err != nil {
		t.Fatal(err)
	}

	// The target holds its own (good) version of every file.
	target := t.TempDir()
	want := map[string]string{}
	for _, n := range append(names, "version.ini") {
		p := filepath.Join(target, filepath.FromSlash(n))
		os.MkdirAll(filepath.Dir(p), 0o755)
		want[n] = "the user's own " + n
		if err := os.WriteFile(p, []byte(want[n]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err = restore(t, zipPath, RestoreRequest{Target: target, Confirm: func([]string) bool { return true }})
	if err == nil || !strings.Contains(err.Error(), "damaged") || !strings.Contains(err.Error(), last.Name) {
		t.Fatalf("restore of an archive damaged in %s: %v", last.Name, err)
	}
	got := testutil.Files(t, target)
	if len(got) != len(want) {
		t.Errorf("the target holds %d files after the failed restore, want %d: %v", len(got), len(want), got)
	}
	for _, n := range got {
		if strings.Contains(n, ".posbackup-restore-") {
			t.Errorf("temporary file left behind: %s", n)
		}
	}
	for n, body := range want {
		if b, err := os.ReadFile(filepath.Join(target, filepath.FromSlash(n))); err != nil || string(b) != body {
			t.Errorf("%s was changed by a restore from a damaged archive: %q, %v", n, b, err)
		}
	}
	// Into an empty folder: nothing at all is left, not even folders.
	empty := t.TempDir()
	if _, err := restore(t, zipPath, RestoreRequest{Target: empty}); err == nil {
		t.Fatal("restore of a damaged archive into an empty folder succeeded")
	}
	if ents, _ := os.ReadDir(empty); len(ents) != 0 {
		t.Errorf("a failed restore left %d entries in an empty target", len(ents))
	}
}

// A file in the target where the backup needs a folder stops the restore;
// the file stays (the folders the restore made are removed, nothing else).
// The plan does not see it when only an empty folder below it is selected.
func TestFileWhereFolderGoesIsKept(t *testing.T) {
	src := t.TempDir()
	os.MkdirAll(filepath.Join(src, "Daten", "M001", "Stamm", "leer"), 0o755)
	os.WriteFile(filepath.Join(src, "Daten", "M001", "Stamm", "artikel.dat"), []byte("Artikel"), 0o644)
	os.WriteFile(filepath.Join(src, "version.ini"), []byte("[Suite]\r\nVersion=26.4.1\r\n"), 0o644)
	to := folder(t, t.TempDir())
	res := backup(t, BackupRequest{Source: src, Variant: 4, Dest: to, NameTemplate: "leer"})
	zipPath := filepath.Join(to.Dir(), res.Archive)

	target := t.TempDir()
	os.MkdirAll(filepath.Join(target, "Daten", "M001"), 0o755)
	blocker := filepath.Join(target, "Daten", "M001", "Stamm")
	if err := os.WriteFile(blocker, []byte("a file, not a folder"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := restore(t, zipPath, RestoreRequest{Target: target, Only: []Part{{Pattern: "Daten/M001/Stamm/leer"}}, Confirm: func([]string) bool { return true }})
	if err == nil {
		t.Fatal("restore through a file succeeded")
	}
	if b, err := os.ReadFile(blocker); err != nil || string(b) != "a file, not a folder" {
		t.Errorf("the file in the way was changed or removed: %q %v", b, err)
	}
	if got := testutil.Files(t, target); len(got) != 1 {
		t.Errorf("target after the failed restore: %v", got)
	}
}
