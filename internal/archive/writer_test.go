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
