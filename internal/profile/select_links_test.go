package profile

// Finding 4 of issue 11: no file vanishes from a backup without a word.
// Links (and, on Windows, junctions and other reparse points, which Go
// reports as irregular files) are followed or named as a problem; names that
// differ only in case are both kept; two extras of one base name get two
// entries.

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for rel, body := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skip("cannot make symbolic links here:", err)
	}
}

func itemsByName(sel *Selection) map[string]Item {
	m := map[string]Item{}
	for _, it := range sel.Items {
		m[it.Name] = it
	}
	return m
}

func itemNames(sel *Selection) []string {
	var out []string
	for _, it := range sel.Items {
		out = append(out, it.Name)
	}
	sort.Strings(out)
	return out
}

// A symlink to a file, inside or outside the installation, is backed up
// with the content it points to, under the link's own name.
func TestSymlinkedFileIsBackedUp(t *testing.T) {
	root := filepath.Join(t.TempDir(), "pos")
	outside := t.TempDir()
	writeFiles(t, root, map[string]string{"Daten/Global/system.cfg": "cfg", "Daten/Global/real.cfg": "inside"})
	writeFiles(t, outside, map[string]string{"drucker.cfg": "printer settings kept elsewhere"})
	symlink(t, filepath.Join(outside, "drucker.cfg"), filepath.Join(root, "Daten", "Global", "drucker.cfg"))
	symlink(t, "real.cfg", filepath.Join(root, "Daten", "Global", "alias.cfg"))

	sel, err := Default().Select(Request{Root: root, Variant: 1})
	if err != nil {
		t.Fatal(err)
	}
	got := itemsByName(sel)
	it, ok := got["Daten/Global/drucker.cfg"]
	if !ok {
		t.Fatalf("a symlinked data file was left out of the backup: %v (problems %v, notes %v)", itemNames(sel), sel.Problems, sel.Notes)
	}
	if it.Size != int64(len("printer settings kept elsewhere")) || !it.Mode.IsRegular() || it.Dataset != "global" {
		t.Errorf("the symlinked file's item describes the link, not the file: %+v", it)
	}
	if b, err := os.ReadFile(it.Path); err != nil || string(b) != "printer settings kept elsewhere" {
		t.Errorf("reading %s gives %q %v", it.Path, b, err)
	}
	if _, ok := got["Daten/Global/alias.cfg"]; !ok {
		t.Errorf("a symlink to a file inside the installation was left out: %v", itemNames(sel))
	}
	if len(sel.Problems) != 0 {
		t.Errorf("problems: %v", sel.Problems)
	}
}

// A symlinked folder is walked like a folder, once: a link inside it back to
// an ancestor is not followed again (a loop), and the selection ends.
func TestSymlinkedFolderIsWalkedOnce(t *testing.T) {
	root := filepath.Join(t.TempDir(), "pos")
	outside := t.TempDir()
	writeFiles(t, root, map[string]string{"Daten/Global/system.cfg": "cfg", "Daten/M001/Journal/a.jrn": "j"})
	writeFiles(t, outside, map[string]string{"artikel.dat": "articles", "sub/preise.dat": "prices"})
	symlink(t, outside, filepath.Join(root, "Daten", "M001", "Stamm"))
	symlink(t, outside, filepath.Join(outside, "sub", "loop"))      // back to the linked folder
	symlink(t, root, filepath.Join(outside, "sub", "installation")) // back to the root

	sel, err := Default().Select(Request{Root: root, Variant: 1})
	if err != nil {
		t.Fatal(err)
	}
	names := itemNames(sel)
	want := []string{"Daten/Global/system.cfg", "Daten/M001/Stamm/artikel.dat", "Daten/M001/Stamm/sub/preise.dat"}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Errorf("selected %v, want %v", names, want)
	}
	if it := itemsByName(sel)["Daten/M001/Stamm/artikel.dat"]; it.Dataset != "stamm" || it.Client != 1 {
		t.Errorf("a file in a symlinked folder is not classified as its place says: %+v", it)
	}
	notes := strings.Join(sel.Notes, "\n")
	if !strings.Contains(notes, "Daten/M001/Stamm/sub/loop") || !strings.Contains(notes, "Daten/M001/Stamm/sub/installation") {
		t.Errorf("the loops were not named in the notes: %q", notes)
	}
	if len(sel.Problems) != 0 {
		t.Errorf("problems: %v", sel.Problems)
	}
}

// A link that leads nowhere is a problem (the backup fails unless missing
// files are allowed), when it lies where the variant backs up; elsewhere it
// does not matter.
func TestDanglingLinkIsAProblem(t *testing.T) {
	root := filepath.Join(t.TempDir(), "pos")
	writeFiles(t, root, map[string]string{"Daten/Global/system.cfg": "cfg", "Programme/kasse.exe": "exe"})
	symlink(t, filepath.Join(root, "gone.cfg"), filepath.Join(root, "Daten", "Global", "broken.cfg"))
	symlink(t, filepath.Join(root, "gone.dll"), filepath.Join(root, "Programme", "broken.dll"))

	sel, err := Default().Select(Request{Root: root, Variant: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(sel.Problems) != 1 || sel.Problems[0].Path != filepath.Join(root, "Daten", "Global", "broken.cfg") {
		t.Fatalf("problems %+v, want one for Daten/Global/broken.cfg", sel.Problems)
	}
	if r := sel.Problems[0].Reason; !strings.Contains(r, "link") || !strings.Contains(r, "gone.cfg") {
		t.Errorf("the reason does not say it is a link to a missing file: %q", r)
	}
	sel, err = Default().Select(Request{Root: root, Variant: 4})
	if err != nil {
		t.Fatal(err)
	}
	if len(sel.Problems) != 2 {
		t.Errorf("variant 04 problems %+v, want both broken links", sel.Problems)
	}
}

// irregularEntry is a directory entry Go reports as irregular, as it does
// for a Windows junction, a OneDrive placeholder or another reparse point.
type irregularEntry struct{ fs.DirEntry }

func (irregularEntry) Type() fs.FileMode { return fs.ModeIrregular }

type irregularInfo struct{ fs.FileInfo }

func (irregularInfo) Mode() fs.FileMode { return fs.ModeIrregular | 0o644 }

// Reparse points (reported as irregular files since Go 1.23): one that
// opens as a regular file is backed up, one that does not (a cloud file
// kept online only) is a problem with a plain reason.
func TestIrregularEntriesAreFollowedOrNamed(t *testing.T) {
	root := filepath.Join(t.TempDir(), "pos")
	writeFiles(t, root, map[string]string{"Daten/Global/system.cfg": "cfg", "Daten/Global/cloud.cfg": "hydrated", "Daten/Global/online.cfg": "online only"})
	oldRead, oldStat := readDir, statFollow
	t.Cleanup(func() { readDir, statFollow = oldRead, oldStat })
	readDir = func(dir string) ([]fs.DirEntry, error) {
		ents, err := os.ReadDir(dir)
		for i, e := range ents {
			if e.Name() == "cloud.cfg" || e.Name() == "online.cfg" {
				ents[i] = irregularEntry{e}
			}
		}
		return ents, err
	}
	statFollow = func(p string) (fs.FileInfo, error) {
		st, err := os.Stat(p)
		if err == nil && filepath.Base(p) == "online.cfg" {
			return irregularInfo{st}, nil
		}
		return st, err
	}
	sel, err := Default().Select(Request{Root: root, Variant: 1})
	if err != nil {
		t.Fatal(err)
	}
	if it, ok := itemsByName(sel)["Daten/Global/cloud.cfg"]; !ok || it.Size != int64(len("hydrated")) {
		t.Errorf("a reparse point that reads as a file was left out: %v", itemNames(sel))
	}
	if _, ok := itemsByName(sel)["Daten/Global/online.cfg"]; ok {
		t.Error("an unreadable placeholder became an item")
	}
	if len(sel.Problems) != 1 || filepath.Base(sel.Problems[0].Path) != "online.cfg" || !strings.Contains(sel.Problems[0].Reason, "OneDrive") {
		t.Errorf("problems %+v, want one for online.cfg naming OneDrive", sel.Problems)
	}
}

// Names that differ only in case are different files on Linux: both are
// backed up, and a note says that Windows cannot hold both.
func TestNamesDifferingInCaseAreBothKept(t *testing.T) {
	root := filepath.Join(t.TempDir(), "pos")
	writeFiles(t, root, map[string]string{"Daten/Global/system.cfg": "lower"})
	if err := os.WriteFile(filepath.Join(root, "Daten", "Global", "SYSTEM.CFG"), []byte("upper"), 0o644); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(filepath.Join(root, "Daten", "Global")); len(ents) != 2 {
		t.Skip("this file system folds case")
	}
	sel, err := Default().Select(Request{Root: root, Variant: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(itemNames(sel), ","); got != "Daten/Global/SYSTEM.CFG,Daten/Global/system.cfg" {
		t.Errorf("selected %s: a file whose name differs only in case was dropped", got)
	}
	if n := strings.Join(sel.Notes, "\n"); !strings.Contains(n, "SYSTEM.CFG") || !strings.Contains(n, "case") {
		t.Errorf("no note about the names differing in case: %q", n)
	}
	// The same file named twice (an extra inside the installation, spelled
	// in another case where the file system folds case) is one entry.
	sel, err = Default().Select(Request{Root: root, Variant: 1, Extras: []string{"Daten/Global/system.cfg"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(sel.Items) != 2 {
		t.Errorf("an extra that is already in the backup was added twice: %v", itemNames(sel))
	}
}

// Two extras with the same base name, from different folders, become two
// entries; a note says where the renamed one came from. Naming the same
// extra twice still gives one.
func TestExtrasWithOneBaseName(t *testing.T) {
	root := filepath.Join(t.TempDir(), "pos")
	writeFiles(t, root, map[string]string{"Daten/Global/system.cfg": "cfg"})
	ext := t.TempDir()
	writeFiles(t, ext, map[string]string{"a/export.csv": "from a", "b/export.csv": "from b", "c/EXPORT.CSV": "from c",
		"d/Berichte/x.txt": "d", "e/Berichte/y.txt": "e"})
	extras := []string{
		filepath.Join(ext, "a", "export.csv"), filepath.Join(ext, "b", "export.csv"), filepath.Join(ext, "c", "EXPORT.CSV"),
		filepath.Join(ext, "a", "export.csv"), // the same file again
		filepath.Join(ext, "d", "Berichte"), filepath.Join(ext, "e", "Berichte"),
	}
	sel, err := Default().Select(Request{Root: root, Variant: 1, Extras: extras})
	if err != nil {
		t.Fatal(err)
	}
	got := itemsByName(sel)
	want := map[string]string{
		"_extra/export.csv":       filepath.Join(ext, "a", "export.csv"),
		"_extra/export-2.csv":     filepath.Join(ext, "b", "export.csv"),
		"_extra/EXPORT-3.CSV":     filepath.Join(ext, "c", "EXPORT.CSV"),
		"_extra/Berichte/x.txt":   filepath.Join(ext, "d", "Berichte", "x.txt"),
		"_extra/Berichte-2/y.txt": filepath.Join(ext, "e", "Berichte", "y.txt"),
	}
	for name, path := range want {
		if it, ok := got[name]; !ok || it.Path != path || it.Kind != KindExtra {
			t.Errorf("%s: %+v (present %v), want from %s", name, it, ok, path)
		}
	}
	if len(sel.Items) != len(want)+1 {
		t.Errorf("items %v", itemNames(sel))
	}
	notes := strings.Join(sel.Notes, "\n")
	for _, s := range []string{"_extra/export-2.csv", filepath.Join(ext, "b", "export.csv"), "_extra/Berichte-2"} {
		if !strings.Contains(notes, s) {
			t.Errorf("the notes do not say %q: %q", s, notes)
		}
	}
	if runtime.GOOS != "windows" && len(sel.Problems) != 0 {
		t.Errorf("problems %v", sel.Problems)
	}
}
