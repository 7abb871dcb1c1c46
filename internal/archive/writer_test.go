package archive

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/testutil"
)

func writeTestArchive(t *testing.T, files map[string][]byte, opt Options) (string, *Manifest) {
	t.Helper()
	dir := t.TempDir()
	var entries []Entry
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, body, 0o644); err != nil {
			t.Fatal(err)
		}
		entries = append(entries, Entry{Name: name, Path: p, Size: int64(len(body)), ModTime: time.Now(), Mode: 0o644})
	}
	out := filepath.Join(t.TempDir(), "a.zip")
	f, _ := os.Create(out)
	m := &Manifest{}
	if _, err := Write(context.Background(), f, entries, m, opt); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return out, m
}

// TestLargeFilesParallelAndStored: a large compressible file goes through
// the parallel block path (back-references across block borders), a large
// random one is stored; both read back byte for byte with Go, unzip, 7z and
// Python.
func TestLargeFilesParallelAndStored(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	period := make([]byte, 20<<10)
	rng.Read(period)
	var comp bytes.Buffer
	for comp.Len() < 5<<20+12345 {
		comp.Write(period)
		comp.WriteString("Bon 4711;Tisch 12;3,90 EUR\r\n")
	}
	random := make([]byte, 3<<20+7)
	rng.Read(random)
	// Two large compressible files: their parallel block compressions run
	// at the same time and share the buffer pool (a race here once
	// corrupted dictionaries; go test -race watches it).
	files := map[string][]byte{"journal.jrn": comp.Bytes(), "bilder.zip": random, "small.txt": []byte("klein")}
	for i := 0; i < 4; i++ {
		files[fmt.Sprintf("arthist%d.dat", i)] = bytes.ReplaceAll(comp.Bytes(), []byte("Tisch"), []byte(fmt.Sprintf("Thek%d", i)))
	}
	for _, workers := range []int{1, 2, 4} {
		path, m := writeTestArchive(t, files, Options{Workers: workers})
		zr, err := zip.OpenReader(path)
		if err != nil {
			t.Fatal(err)
		}
		methods := map[string]uint16{}
		for _, f := range zr.File {
			methods[f.Name] = f.Method
			want, ok := files[f.Name]
			if !ok {
				continue
			}
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(rc)
			rc.Close()
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("workers=%d: %s reads back wrong (%d bytes, %v)", workers, f.Name, len(got), err)
			}
		}
		zr.Close()
		if methods["journal.jrn"] != zip.Deflate || methods["arthist3.dat"] != zip.Deflate || methods["bilder.zip"] != zip.Store {
			t.Errorf("workers=%d: methods %v: want journal deflated and random data stored", workers, methods)
		}
		for _, rec := range m.Files {
			s := sha256.Sum256(files[rec.Name])
			if rec.SHA256 != hex.EncodeToString(s[:]) || rec.Size != int64(len(files[rec.Name])) {
				t.Errorf("manifest record of %s wrong", rec.Name)
			}
		}
		testutil.CheckWithTools(t, path)
	}
}

func TestParallelDeflateKeepsRatio(t *testing.T) {
	body := bytes.Repeat([]byte("Artikel;Preis;Gruppe\r\n"), 300000)
	a, _ := writeTestArchive(t, map[string][]byte{"a.dat": body}, Options{Workers: 2})
	r, err := OpenFile(a)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rep, err := r.Verify(context.Background(), nil, nil)
	if err != nil || !rep.OK() || rep.Bytes != int64(len(body)) {
		t.Errorf("verify: %+v %v", rep, err)
	}
	if r.Size > int64(len(body))/20 {
		t.Errorf("parallel deflate of repetitive data is poor: %d bytes from %d", r.Size, len(body))
	}
}

func TestCheckName(t *testing.T) {
	for name, ok := range map[string]bool{
		"a/b.txt": true, "Daten/M001/": true, "ä/ö.txt": true,
		"": false, "/etc/passwd": false, "../x": false, "a/../../x": false, `a\b`: false, "C:/x": false, "a//b": false, "./a": false, "a\x00b": false,
	} {
		if err := CheckName(name); (err == nil) != ok {
			t.Errorf("CheckName(%q) = %v", name, err)
		}
	}
}

// writeOrdered archives bodies under names in the order given; the files on
// disk get plain names.
func writeOrdered(t *testing.T, names []string, bodies [][]byte, opt Options) (string, *Manifest) {
	t.Helper()
	dir := t.TempDir()
	var entries []Entry
	for i, name := range names {
		if isDirName(name) {
			entries = append(entries, Entry{Name: name, Path: dir, ModTime: time.Now(), Mode: os.ModeDir | 0o755})
			continue
		}
		p := filepath.Join(dir, fmt.Sprintf("f%06d", i))
		if err := os.WriteFile(p, bodies[i], 0o644); err != nil {
			t.Fatal(err)
		}
		st, _ := os.Stat(p)
		entries = append(entries, Entry{Name: name, Path: p, Size: st.Size(), ModTime: st.ModTime(), Mode: 0o644})
	}
	out := filepath.Join(t.TempDir(), "a.zip")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	m := &Manifest{Started: time.Now(), Warnings: []string{`a warning with "files": null in it`}}
	if _, err := Write(context.Background(), f, entries, m, opt); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return out, m
}

// The manifest is written with one record per line; whatever the names,
// it reads back as exactly the records the writer returned.
func TestManifestRecordsReadBack(t *testing.T) {
	names := []string{"Daten/", "Daten/a \"quoted\" name.cfg", "Daten/ctl\x01char.cfg", "Daten/<html>&amp;.cfg", "Daten/Größe €.cfg", "Daten/tab\tand\u2028sep.cfg", "Daten/empty.cfg", "version.ini"}
	bodies := make([][]byte, len(names))
	for i := range names {
		bodies[i] = []byte(strings.Repeat(fmt.Sprintf("line %d\r\n", i), i*50))
	}
	for _, workers := range []int{1, 2} {
		path, m := writeOrdered(t, names, bodies, Options{Workers: workers})
		r, err := OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if r.Manifest == nil || r.ManifestErr != nil {
			t.Fatalf("manifest: %v", r.ManifestErr)
		}
		got, want := r.Manifest.Files, m.Files
		if len(got) != len(names) || len(got) != len(want) {
			t.Fatalf("workers=%d: %d records read back, %d written, %d entries", workers, len(got), len(want), len(names))
		}
		for i := range got {
			if got[i].Name != names[i] || got[i].Name != want[i].Name || got[i].SHA256 != want[i].SHA256 || got[i].Size != want[i].Size || !got[i].ModTime.Equal(want[i].ModTime) || got[i].Mode != want[i].Mode {
				t.Errorf("record %d: read %+v, wrote %+v", i, got[i], want[i])
			}
		}
		if len(r.Manifest.Warnings) != 1 || !r.Manifest.Finished.Equal(m.Finished) || r.Manifest.Format != FormatVersion {
			t.Errorf("manifest header: %+v", r.Manifest)
		}
		rc, _ := r.Lookup(ManifestName).Open()
		raw, _ := io.ReadAll(rc)
		rc.Close()
		if n := bytes.Count(raw, []byte("\n  {\"name\":")); n != len(names) {
			t.Errorf("%d records on lines of their own, want %d:\n%s", n, len(names), raw)
		}
		if rep, err := r.Verify(context.Background(), nil, nil); err != nil || !rep.OK() {
			t.Errorf("verify: %v %+v", err, rep)
		}
		r.Close()
	}
	// No files at all.
	path, _ := writeOrdered(t, nil, nil, Options{})
	r, err := OpenFile(path)
	if err != nil || r.Manifest == nil || len(r.Manifest.Files) != 0 {
		t.Fatalf("empty archive: %v %v", err, r.ManifestErr)
	}
	r.Close()
}

func TestMakeBatches(t *testing.T) {
	var entries []Entry
	for i := 0; i < 500; i++ {
		size := int64(100 + i)
		switch {
		case i%97 == 0:
			size = batchFileMax // large: alone
		case i%13 == 0:
			size = 60 << 10
		}
		entries = append(entries, Entry{Size: size})
	}
	next := 0
	for _, b := range makeBatches(entries) {
		if b.from != next || b.to <= b.from || b.to-b.from > batchFiles {
			t.Fatalf("batch %+v after %d", b, next)
		}
		var sum int64
		for i := b.from; i < b.to; i++ {
			sum += entries[i].Size
			if entries[i].Size >= batchFileMax && b.to-b.from != 1 {
				t.Errorf("large entry %d shares batch %+v", i, b)
			}
		}
		if b.to-b.from > 1 && sum-entries[b.to-1].Size >= batchBytes {
			t.Errorf("batch %+v holds %d bytes", b, sum)
		}
		next = b.to
	}
	if next != len(entries) {
		t.Errorf("batches end at %d of %d", next, len(entries))
	}
}

// Verify checks runs of small entries from one read of the archive; damage
// anywhere in a run (first, middle, last entry) is found and named, and
// nothing else is reported.
func TestVerifyRunsFindDamage(t *testing.T) {
	var names []string
	var bodies [][]byte
	rng := rand.New(rand.NewSource(5))
	for i := 0; i < 700; i++ {
		if i%100 == 0 {
			names, bodies = append(names, fmt.Sprintf("d%d/", i)), append(bodies, nil)
			continue
		}
		b := []byte(strings.Repeat(fmt.Sprintf("[Artikel]\r\nNr=%d\r\n", i), 1+rng.Intn(40)))
		if i%7 == 0 {
			b = make([]byte, 300) // stored, not deflated
			rng.Read(b)
		}
		names, bodies = append(names, fmt.Sprintf("d%d/f%03d.cfg", i/100*100, i)), append(bodies, b)
	}
	path, _ := writeOrdered(t, names, bodies, Options{})
	clean, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	zr, _ := zip.NewReader(bytes.NewReader(clean), int64(len(clean)))
	r, _ := NewReader(bytes.NewReader(clean), int64(len(clean)))
	rep, err := r.Verify(context.Background(), nil, nil)
	if err != nil || !rep.OK() || rep.Checked != len(names) {
		t.Fatalf("intact archive: %v %+v", err, rep)
	}
	var total int64
	for _, b := range bodies {
		total += int64(len(b))
	}
	if rep.Bytes != total {
		t.Errorf("checked %d bytes, want %d", rep.Bytes, total)
	}
	for _, victim := range []int{1, 2, 7, 255, 256, 257, 350, 698, 699} {
		f := zr.File[victim]
		if f.Name != names[victim] {
			t.Fatalf("entry %d is %s", victim, f.Name)
		}
		off, _ := f.DataOffset()
		b := append([]byte(nil), clean...)
		b[off+int64(f.CompressedSize64)/2] ^= 0x20
		r, err := NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := r.Verify(context.Background(), nil, nil)
		if err != nil || len(rep.Damaged) != 1 || rep.Damaged[0].Name != f.Name {
			t.Errorf("damage in %s (method %d): %v %+v", f.Name, f.Method, err, rep.Damaged)
		}
	}
}

// With thousands of files the manifest records and the central directory
// spill to temp files while the archive is written; the archive reads back
// with every record and entry, and checks.
func TestManyFilesSpillRecordsAndDirectory(t *testing.T) {
	var names []string
	var bodies [][]byte
	long := strings.Repeat("Unterordner-", 8)
	for i := 0; i < 3000; i++ {
		names = append(names, fmt.Sprintf("Daten/%s/maske%05d.cfg", long, i))
		bodies = append(bodies, []byte(fmt.Sprintf("[Maske %d]\r\n", i)))
	}
	path, m := writeOrdered(t, names, bodies, Options{Workers: 2})
	r, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Manifest == nil || len(r.Manifest.Files) != len(names) || len(m.Files) != len(names) {
		t.Fatalf("manifest: %v", r.ManifestErr)
	}
	for i, fr := range r.Manifest.Files {
		if fr.Name != names[i] || fr.SHA256 != m.Files[i].SHA256 {
			t.Fatalf("record %d: %+v", i, fr)
		}
	}
	if rep, err := r.Verify(context.Background(), nil, nil); err != nil || !rep.OK() || rep.Checked < len(names) {
		t.Fatalf("verify: %v %+v", err, rep)
	}
}
