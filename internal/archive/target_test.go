package archive

// Issue 11, findings 5 and 6: a restore's writes are durable and their late
// errors reported; names Windows cannot create are recognised; nothing is
// written through a link.

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/testutil"
)

func oneEntryArchive(t *testing.T, name, body string) (*Reader, *FileRecord) {
	t.Helper()
	src := filepath.Join(t.TempDir(), "src")
	if err := os.WriteFile(src, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(src)
	var buf bytes.Buffer
	m := &Manifest{Started: time.Now()}
	if _, err := Write(context.Background(), &buf, []Entry{{Name: name, Path: src, Size: st.Size(), ModTime: st.ModTime(), Mode: 0o644}}, m, Options{}); err != nil {
		t.Fatal(err)
	}
	r, err := NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	return r, &r.Manifest.Files[0]
}

// Each late step of a restore can fail; each failure is reported in a
// sentence that names the file, and the user's file stays as it was when
// the step comes before the rename.
func TestRestoreReportsLateErrors(t *testing.T) {
	eio := &os.PathError{Op: "sync", Path: "x", Err: syscall.EIO}
	cases := []struct {
		name    string
		set     func(*fileOps, *int)
		step    string // "extract", "place" or "sync"
		want    string
		oldKept bool
	}{
		{"file sync", func(o *fileOps, n *int) {
			o.syncFile = func(f *os.File) error { *n++; return eio }
		}, "extract", "could not be written to the disk: input/output error", true},
		{"file close", func(o *fileOps, n *int) {
			o.closeFile = func(f *os.File) error { *n++; f.Close(); return eio }
		}, "extract", "could not be written to the disk: input/output error", true},
		{"file time", func(o *fileOps, n *int) {
			o.chtimes = func(*os.Root, string, time.Time) error { *n++; return eio }
		}, "extract", "the time of", true},
		{"rename", func(o *fileOps, n *int) {
			o.rename = func(*os.Root, string, string) error {
				*n++
				return &os.LinkError{Op: "rename", Old: "a", New: "b", Err: syscall.EACCES}
			}
		}, "place", "could not be put in place: permission denied", true},
		{"folder sync", func(o *fileOps, n *int) {
			o.syncDir = func(*os.Root, string) error { *n++; return eio }
		}, "sync", "could not be flushed to the disk: input/output error", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, rec := oneEntryArchive(t, "Daten/a.dat", "new content")
			dir := t.TempDir()
			os.MkdirAll(filepath.Join(dir, "Daten"), 0o755)
			os.WriteFile(filepath.Join(dir, "Daten", "a.dat"), []byte("old content"), 0o644)
			tgt, err := OpenTarget(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer tgt.Close()
			calls := 0
			c.set(&tgt.ops, &calls)
			var stepErr error
			tmp, _, err := tgt.ExtractTemp(r.Lookup(rec.Name), rec, rec.Name)
			if c.step == "extract" {
				stepErr = err
			} else if err != nil {
				t.Fatal(err)
			} else if err := tgt.Place(tmp, rec.Name, r.Lookup(rec.Name), rec); c.step == "place" {
				stepErr = err
			} else if err != nil {
				t.Fatal(err)
			} else {
				stepErr = tgt.SyncDir("Daten")
			}
			if calls == 0 {
				t.Fatal("the injected call was never made")
			}
			if stepErr == nil || !strings.Contains(stepErr.Error(), c.want) || !strings.Contains(stepErr.Error(), dir) {
				t.Fatalf("the %s error was not reported as %q with the path: %v", c.name, c.want, stepErr)
			}
			b, _ := os.ReadFile(filepath.Join(dir, "Daten", "a.dat"))
			if c.oldKept && string(b) != "old content" {
				t.Errorf("the user's file changed although %s failed before the rename: %q", c.name, b)
			}
			if !c.oldKept && string(b) != "new content" {
				t.Errorf("after the rename the file holds %q", b)
			}
			if c.step == "extract" {
				if ents, _ := os.ReadDir(filepath.Join(dir, "Daten")); len(ents) != 1 {
					t.Errorf("a temporary file was left: %v", ents)
				}
			}
		})
	}
}

// Each temporary file is synced before it replaces a file, and the folder
// after: the order of the calls a restore makes.
func TestRestoreSyncsBeforeRename(t *testing.T) {
	r, rec := oneEntryArchive(t, "a.dat", "new")
	dir := t.TempDir()
	tgt, err := OpenTarget(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer tgt.Close()
	var calls []string
	o := tgt.ops
	tgt.ops.syncFile = func(f *os.File) error { calls = append(calls, "sync file"); return o.syncFile(f) }
	tgt.ops.closeFile = func(f *os.File) error { calls = append(calls, "close file"); return o.closeFile(f) }
	tgt.ops.rename = func(r *os.Root, a, b string) error { calls = append(calls, "rename"); return o.rename(r, a, b) }
	tgt.ops.syncDir = func(r *os.Root, n string) error { calls = append(calls, "sync folder"); return o.syncDir(r, n) }
	tgt.ops.chtimes = func(r *os.Root, n string, m time.Time) error {
		calls = append(calls, "set time")
		return o.chtimes(r, n, m)
	}
	tmp, _, err := tgt.ExtractTemp(r.Lookup("a.dat"), rec, "a.dat")
	if err != nil {
		t.Fatal(err)
	}
	if err := tgt.Place(tmp, "a.dat", r.Lookup("a.dat"), rec); err != nil {
		t.Fatal(err)
	}
	if err := tgt.SyncDir("."); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(calls, ", "); got != "sync file, close file, set time, rename, sync folder" {
		t.Errorf("calls: %s", got)
	}
	if st, _ := os.Stat(filepath.Join(dir, "a.dat")); !st.ModTime().Equal(rec.ModTime) {
		t.Errorf("time %v, want %v", st.ModTime(), rec.ModTime)
	}
}

func TestWindowsName(t *testing.T) {
	bad := map[string]string{
		"CON":                  "CON is the name of a device",
		"Daten/con":            "CON is the name of a device",
		"Daten/NUL.txt":        "NUL is the name of a device",
		"aux.dat":              "AUX is the name of a device",
		"Daten/Com1.cfg":       "COM1 is the name",
		"lpt9":                 "LPT9",
		"COM\u00b9.txt":        "device",
		"CON .txt":             "CON is the name",
		"conin$":               "device",
		"Daten/PRN/x.dat":      "a folder named",
		"Daten/a.dat:stream":   "hidden data stream",
		"Daten/a.":             "ends in a dot or a space",
		"Daten/a ":             "ends in a dot or a space",
		"Daten/folder./x":      "ends in a dot",
		"Daten/wh?t.dat":       "'?'",
		"Daten/a<b":            "'<'",
		"Daten/tab\there":      "control character",
		"Daten/Journal/x|y.jr": "'|'",
	}
	for name, want := range bad {
		err := WindowsName(name)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "'"+name+"' that Windows cannot create") {
			t.Errorf("WindowsName(%q) = %v, want it to say %q", name, err, want)
		}
	}
	for _, name := range []string{"Daten/Global/system.cfg", "CONSOLE.ini", "COM10", "LPT", "connect.dat", "Daten/M001/", "auxiliary/x", "a.b.c", ".hidden", "Ä ö ü.txt", "COM1x"} {
		if err := WindowsName(name); err != nil {
			t.Errorf("WindowsName(%q) = %v, want nil", name, err)
		}
	}
}

func TestCaseCollisions(t *testing.T) {
	got := CaseCollisions([]string{"Daten/Global/system.cfg", "Daten/Global/SYSTEM.CFG", "Daten/m001/x", "Daten/M001/y", "Daten/M001/z", "other.txt"})
	want := [][2]string{{"Daten/Global/SYSTEM.CFG", "Daten/Global/system.cfg"}, {"Daten/M001", "Daten/m001"}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("CaseCollisions = %v, want %v", got, want)
	}
	if got := CaseCollisions([]string{"a/b", "a/", "a/c"}); len(got) != 0 {
		t.Errorf("no collisions expected: %v", got)
	}
}

// CheckPath refuses a link anywhere on the way, and os.Root refuses a write
// that a link swapped in after the check would lead outside.
func TestTargetNeverWritesThroughLinks(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "Daten"), 0o755)
	if err := os.Symlink(outside, filepath.Join(dir, "Daten", "Global")); err != nil {
		testutil.Unavailable(t, "no symbolic links here: %v", err)
	}
	tgt, err := OpenTarget(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer tgt.Close()
	if err := tgt.CheckPath("Daten/Global/system.cfg", map[string]bool{}); err == nil || !strings.Contains(err.Error(), "is a link") {
		t.Errorf("CheckPath through a link: %v", err)
	}
	if err := tgt.CheckPath("Daten/M001/x.dat", map[string]bool{}); err != nil {
		t.Errorf("CheckPath of a new path: %v", err)
	}
	// The write itself, were the check skipped or raced.
	r, rec := oneEntryArchive(t, "Daten/Global/system.cfg", "x")
	if tmp, _, err := tgt.ExtractTemp(r.Lookup(rec.Name), rec, rec.Name); err == nil {
		t.Errorf("wrote %s through a link that leads outside the target", tmp)
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 0 {
		t.Errorf("files were written outside the target: %v", ents)
	}
}

type irregular struct{ os.FileInfo }

func (irregular) Mode() os.FileMode { return os.ModeIrregular | 0o755 }

// Since Go 1.23 a Windows junction is reported as an irregular file, not a
// link: CheckPath refuses it all the same.
func TestTargetRefusesJunctions(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "Daten", "Global"), 0o755)
	tgt, err := OpenTarget(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer tgt.Close()
	tgt.ops.lstat = func(r *os.Root, name string) (os.FileInfo, error) {
		st, err := r.Lstat(name)
		if err == nil && name == "Daten/Global" {
			return irregular{st}, nil
		}
		return st, err
	}
	err = tgt.CheckPath("Daten/Global/system.cfg", map[string]bool{})
	if err == nil || !strings.Contains(err.Error(), "junction") || !strings.Contains(err.Error(), filepath.Join(dir, "Daten", "Global")) {
		t.Errorf("CheckPath through a junction: %v", err)
	}
}
