package job

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/archive"
	"github.com/posbackup/posbackup/internal/dest/local"
	"github.com/posbackup/posbackup/internal/profile"
	"github.com/posbackup/posbackup/internal/testutil"
)

func fixture(t *testing.T) *testutil.Installation {
	t.Helper()
	in, err := testutil.MakeInstallation(filepath.Join(t.TempDir(), "Hypers-!"))
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func folder(t *testing.T, dir string) *local.Folder {
	t.Helper()
	f, err := local.Open(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func backup(t *testing.T, req BackupRequest) *BackupResult {
	t.Helper()
	if req.Profile == nil {
		req.Profile = profile.Default()
	}
	res, err := Backup(context.Background(), req)
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	return res
}

// archiveNames lists the non-folder entries of a posbackup archive.
func archiveNames(t *testing.T, path string) (files []string, dirs []string) {
	t.Helper()
	a, err := OpenPath(path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, f := range a.Files() {
		switch {
		case f.Name == archive.ManifestName:
		case strings.HasSuffix(f.Name, "/"):
			dirs = append(dirs, f.Name)
		default:
			files = append(files, f.Name)
		}
	}
	sort.Strings(files)
	sort.Strings(dirs)
	return files, dirs
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestEveryVariantRoundTrip backs up the awkward installation with each
// variant, checks the archive with unzip, 7-Zip and Python, restores it
// into an empty folder and compares bytes, times and the read-only flag.
func TestEveryVariantRoundTrip(t *testing.T) {
	in := fixture(t)
	for v := 1; v <= 4; v++ {
		t.Run(fmt.Sprintf("variant%02d", v), func(t *testing.T) {
			to := folder(t, filepath.Join(t.TempDir(), "Backup"))
			res := backup(t, BackupRequest{Source: in.Root, Variant: v, Dest: to, NameTemplate: "{variant}_{client}"})
			want := in.Expected(v, nil, false)
			if res.Files != len(want) {
				t.Errorf("result says %d files, want %d", res.Files, len(want))
			}
			zipPath := filepath.Join(to.Dir(), res.Archive)
			if res.Archive != fmt.Sprintf("%02d_M001-M002-M003.zip", v) {
				t.Errorf("archive name %q", res.Archive)
			}
			files, dirs := archiveNames(t, zipPath)
			if got, exp := strings.Join(files, "\n"), strings.Join(keys(want), "\n"); got != exp {
				t.Fatalf("variant %02d holds\n%s\nwant\n%s", v, got, exp)
			}
			var wantDirs []string
			for d, minV := range in.EmptyDirs {
				if minV <= v {
					wantDirs = append(wantDirs, d)
				}
			}
			sort.Strings(wantDirs)
			if strings.Join(dirs, ",") != strings.Join(wantDirs, ",") {
				t.Errorf("empty folders %v, want %v", dirs, wantDirs)
			}
			testutil.CheckWithTools(t, zipPath)

			target := filepath.Join(t.TempDir(), "restored")
			a, err := OpenPath(zipPath)
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			rr, err := Restore(context.Background(), RestoreRequest{Archive: a, Profile: profile.Default(), Target: target})
			if err != nil {
				t.Fatalf("restore: %v", err)
			}
			if len(rr.Added) != len(want) || len(rr.Replaced) != 0 {
				t.Errorf("restore added %d replaced %d, want %d added", len(rr.Added), len(rr.Replaced), len(want))
			}
			for rel, f := range want {
				p := filepath.Join(target, filepath.FromSlash(rel))
				got, err := os.ReadFile(p)
				if err != nil {
					t.Errorf("restored %s: %v", rel, err)
					continue
				}
				if !bytes.Equal(got, f.Body) {
					t.Errorf("%s differs after restore", rel)
				}
				st, _ := os.Stat(p)
				if !st.ModTime().Equal(f.ModTime) {
					t.Errorf("%s restored with time %v, want %v", rel, st.ModTime(), f.ModTime)
				}
				if st.Mode().Perm() != f.Mode.Perm() {
					t.Errorf("%s restored with mode %v, want %v", rel, st.Mode().Perm(), f.Mode.Perm())
				}
			}
			for _, d := range wantDirs {
				if st, err := os.Stat(filepath.Join(target, filepath.FromSlash(d))); err != nil || !st.IsDir() {
					t.Errorf("empty folder %s not restored", d)
				}
			}
			if _, err := os.Stat(filepath.Join(target, ".posbackup")); !os.IsNotExist(err) {
				t.Errorf("restore wrote the reserved .posbackup folder into the target")
			}
		})
	}
}

// TestTimesOutsideDOSRange: what other tools see for files dated before
// 1980 and after 2107 is clamped, not garbage.
func TestTimesOutsideDOSRange(t *testing.T) {
	in := fixture(t)
	to := folder(t, t.TempDir())
	res := backup(t, BackupRequest{Source: in.Root, Variant: 1, Dest: to, NameTemplate: "x"})
	py := `import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
for n in ("Daten/Global/alt.cfg", "Daten/Global/zukunft.cfg", "Daten/Global/system.cfg"):
    print(z.getinfo(n).date_time[0])`
	out, err := testutilRun(t, "python3", "-c", py, filepath.Join(to.Dir(), res.Archive))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Fields(out); strings.Join(got, ",") != "1980,2107,2026" {
		t.Errorf("years seen by Python: %v, want 1980,2107,2026", got)
	}
}

func TestClientsAndArthistRule(t *testing.T) {
	in := fixture(t)
	cases := []struct {
		variant    int
		clients    []int
		headOffice bool
	}{
		{2, nil, true}, {2, nil, false}, {3, []int{2, 3}, true}, {3, []int{1}, true}, {1, []int{3}, false}, {4, []int{2}, true}, {4, nil, true},
	}
	for _, c := range cases {
		name := fmt.Sprintf("v%d_%v_head%v", c.variant, c.clients, c.headOffice)
		t.Run(name, func(t *testing.T) {
			to := folder(t, t.TempDir())
			role := profile.RoleLocation
			if c.headOffice {
				role = profile.RoleHeadOffice
			}
			res := backup(t, BackupRequest{Source: in.Root, Variant: c.variant, Clients: c.clients, Role: role, Dest: to, NameTemplate: "b"})
			files, _ := archiveNames(t, filepath.Join(to.Dir(), res.Archive))
			want := keys(in.Expected(c.variant, c.clients, c.headOffice))
			if strings.Join(files, "\n") != strings.Join(want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(files, "\n"), strings.Join(want, "\n"))
			}
			if c.headOffice && c.variant >= 2 && (c.clients == nil || len(c.clients) > 1 || c.clients[0] != 1) {
				found := false
				for _, w := range res.Warnings {
					found = found || strings.Contains(w, "Arthist.dat left out")
				}
				if !found {
					t.Errorf("no note says that Arthist.dat was left out: %v", res.Warnings)
				}
			}
		})
	}
}

func TestExtrasAndNeverList(t *testing.T) {
	in := fixture(t)
	outside := filepath.Join(t.TempDir(), "Kassenbuch")
	os.MkdirAll(filepath.Join(outside, "2026"), 0o755)
	os.WriteFile(filepath.Join(outside, "2026", "november.csv"), []byte("a;b\n"), 0o644)
	os.WriteFile(filepath.Join(outside, "skip.tmp"), []byte("x"), 0o644)
	to := folder(t, t.TempDir())
	res := backup(t, BackupRequest{Source: in.Root, Variant: 1, Dest: to, NameTemplate: "b",
		Extras: []string{"Programme/Lies mich.txt", outside, "Log"}})
	files, _ := archiveNames(t, filepath.Join(to.Dir(), res.Archive))
	set := map[string]bool{}
	for _, f := range files {
		set[f] = true
	}
	for _, must := range []string{"Programme/Lies mich.txt", "_extra/Kassenbuch/2026/november.csv", "Daten/Global/system.cfg"} {
		if !set[must] {
			t.Errorf("%s missing; have %v", must, files)
		}
	}
	for _, never := range []string{"_extra/Kassenbuch/skip.tmp", "Log/kasse.log", "Programme/kasse.exe"} {
		if set[never] {
			t.Errorf("%s must not be in the archive", never)
		}
	}
	a, _ := OpenPath(filepath.Join(to.Dir(), res.Archive))
	defer a.Close()
	for _, f := range a.Manifest.Files {
		if strings.HasPrefix(f.Name, "_extra/") && f.Kind != profile.KindExtra {
			t.Errorf("%s recorded as kind %q, want extra", f.Name, f.Kind)
		}
	}
}

func TestManifestRecordsEverything(t *testing.T) {
	in := fixture(t)
	to := folder(t, t.TempDir())
	res := backup(t, BackupRequest{Source: in.Root, Variant: 2, Clients: []int{1, 3}, Role: profile.RoleHeadOffice, Dest: to, NameTemplate: "m", Host: "kasse1"})
	a, err := OpenPath(filepath.Join(to.Dir(), res.Archive))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	m := a.Manifest
	if m.ProgramVersion != "26.4.1" || m.Variant != 2 || m.Role != "head-office" || m.Host != "kasse1" ||
		strings.Join(m.Clients, ",") != "M001,M003" || !strings.HasPrefix(m.Tool, "posbackup ") || m.Finished.Before(m.Started) {
		t.Errorf("manifest header wrong: %+v", *m)
	}
	want := in.Expected(2, []int{1, 3}, true)
	n := 0
	for _, f := range m.Files {
		if f.IsDir() {
			continue
		}
		n++
		w, ok := want[f.Name]
		if !ok {
			t.Errorf("manifest lists unexpected %s", f.Name)
			continue
		}
		if f.Size != int64(len(w.Body)) || f.SHA256 != sha(w.Body) || !f.ModTime.Equal(w.ModTime) {
			t.Errorf("record of %s wrong: %+v", f.Name, f)
		}
	}
	if n != len(want) {
		t.Errorf("manifest has %d files, want %d", n, len(want))
	}
}

// changingSource rewrites a file each time it is opened, up to n times.
type changingSource struct {
	mu     sync.Mutex
	target string
	n      int
	opens  int
}

func (c *changingSource) Open(p string) (io.ReadCloser, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if p == c.target {
		c.opens++
		if c.opens <= c.n {
			// The POS writes while we read: the content grows and the
			// modification time moves on.
			data, _ := io.ReadAll(f)
			f.Close()
			body := append(data, []byte(fmt.Sprintf("Bon %d\r\n", c.opens))...)
			os.WriteFile(p, body, 0o644)
			mt := time.Now().Add(time.Duration(c.opens) * time.Second)
			os.Chtimes(p, mt, mt)
			return io.NopCloser(bytes.NewReader(data)), nil
		}
	}
	return f, nil
}

func (c *changingSource) Stat(p string) (fs.FileInfo, error) { return os.Stat(p) }

func TestFileChangingDuringBackup(t *testing.T) {
	for _, tc := range []struct {
		name    string
		changes int
		settled bool
	}{{"settles", 2, true}, {"never settles", 10, false}} {
		t.Run(tc.name, func(t *testing.T) {
			in := fixture(t)
			jrn := filepath.Join(in.Root, "Daten", "M001", "Journal", "2026-11.jrn")
			src := &changingSource{target: jrn, n: tc.changes}
			to := folder(t, t.TempDir())
			res := backup(t, BackupRequest{Source: in.Root, Variant: 2, Dest: to, NameTemplate: "c", FileSource: src})
			a, _ := OpenPath(filepath.Join(to.Dir(), res.Archive))
			defer a.Close()
			rc, err := a.Lookup("Daten/M001/Journal/2026-11.jrn").Open()
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(rc)
			rc.Close()
			now, _ := os.ReadFile(jrn)
			warned := strings.Contains(strings.Join(res.Warnings, "\n"), "2026-11.jrn changed during each of 3 reads")
			if tc.settled {
				if !bytes.Equal(got, now) {
					t.Errorf("archived journal (%d bytes) is not the settled file (%d bytes)", len(got), len(now))
				}
				if warned {
					t.Errorf("warned although the file settled: %v", res.Warnings)
				}
			} else {
				if !warned {
					t.Errorf("no warning names the unsettled file: %v", res.Warnings)
				}
				if rep, _ := a.Verify(context.Background(), nil, nil); !rep.OK() {
					t.Errorf("archive with unsettled file does not verify: %v", rep.Damaged)
				}
			}
			if src.opens < 3 && !tc.settled {
				t.Errorf("the file was read %d times, want 3", src.opens)
			}
		})
	}
}

// failingSource cannot open one file, like a file locked by the POS.
type failingSource struct{ target string }

func (f failingSource) Open(p string) (io.ReadCloser, error) {
	if p == f.target {
		return nil, &fs.PathError{Op: "open", Path: p, Err: fmt.Errorf("The process cannot access the file because it is being used by another process")}
	}
	return os.Open(p)
}
func (f failingSource) Stat(p string) (fs.FileInfo, error) { return os.Stat(p) }

func TestUnreadableFileFailsUnlessAllowed(t *testing.T) {
	in := fixture(t)
	to := folder(t, t.TempDir())
	old := backup(t, BackupRequest{Source: in.Root, Variant: 1, Dest: to, NameTemplate: "same"})
	oldBytes, _ := os.ReadFile(filepath.Join(to.Dir(), old.Archive))
	locked := filepath.Join(in.Root, "Daten", "M001", "Stamm", "artikel.dat")
	_, err := Backup(context.Background(), BackupRequest{Profile: profile.Default(), Source: in.Root, Variant: 1, Dest: to, NameTemplate: "same", FileSource: failingSource{locked}})
	if err == nil {
		t.Fatal("backup with an unreadable file succeeded")
	}
	if !strings.Contains(err.Error(), locked) || !strings.Contains(err.Error(), "unchanged") {
		t.Errorf("error does not name the file and the kept archive: %v", err)
	}
	now, _ := os.ReadFile(filepath.Join(to.Dir(), old.Archive))
	if !bytes.Equal(now, oldBytes) {
		t.Error("the older archive changed after a failed backup")
	}
	assertOnly(t, to.Dir(), old.Archive)

	res := backup(t, BackupRequest{Source: in.Root, Variant: 1, Dest: to, NameTemplate: "same", FileSource: failingSource{locked}, AllowMissing: true})
	if !strings.Contains(strings.Join(res.Warnings, "\n"), "not in the backup: "+locked) {
		t.Errorf("warnings do not name the missing file: %v", res.Warnings)
	}
	files, _ := archiveNames(t, filepath.Join(to.Dir(), res.Archive))
	for _, f := range files {
		if f == "Daten/M001/Stamm/artikel.dat" {
			t.Error("unreadable file is in the archive")
		}
	}
}

func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	sort.Strings(names)
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Errorf("%s holds %v, want %v", dir, got, names)
	}
}

func TestNothingToBackUpIsAnError(t *testing.T) {
	src := t.TempDir()
	os.MkdirAll(filepath.Join(src, "Programme"), 0o755)
	os.WriteFile(filepath.Join(src, "Programme", "a.exe"), []byte("x"), 0o644)
	_, err := Backup(context.Background(), BackupRequest{Profile: profile.Default(), Source: src, Variant: 1, Dest: folder(t, t.TempDir())})
	if err == nil || !strings.Contains(err.Error(), "nothing to back up") {
		t.Errorf("got %v", err)
	}
}
