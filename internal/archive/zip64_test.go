package archive_test

// Zip64: archives with more than 65,535 entries and with an entry over
// 4 GiB must be read by posbackup itself and by Info-ZIP unzip, 7-Zip and
// Python's zipfile.

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/archive"
	"github.com/posbackup/posbackup/internal/testutil"
)

// z64Write archives entries with opt into a new file in dir and returns its
// path.
func z64Write(t *testing.T, dir string, entries []archive.Entry, opt archive.Options) (string, *archive.Manifest) {
	t.Helper()
	zipPath := filepath.Join(dir, "test.zip")
	f, err := os.Create(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	m := &archive.Manifest{Format: archive.FormatVersion, Tool: "posbackup test", Profile: "default", Variant: 4,
		VariantTitle: "Complete installation folder", Host: "test", Source: dir, Started: time.Now()}
	res, err := archive.Write(context.Background(), f, entries, m, opt)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("archive.Write: %v", err)
	}
	if len(res.Problems) > 0 {
		t.Fatalf("archive.Write reported problems: %+v", res.Problems[:min(5, len(res.Problems))])
	}
	if res.Files != len(entries) {
		t.Fatalf("archive.Write wrote %d files, want %d", res.Files, len(entries))
	}
	st, err := os.Stat(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() != res.Written {
		t.Fatalf("the archive file holds %d bytes, Write says it wrote %d", st.Size(), res.Written)
	}
	return zipPath, m
}

// z64Verify checks the archive with posbackup's own reader and returns the
// report.
func z64Verify(t *testing.T, zipPath string, wantEntries int) *archive.VerifyReport {
	t.Helper()
	r, err := archive.OpenFile(zipPath)
	if err != nil {
		t.Fatalf("archive.OpenFile: %v", err)
	}
	defer r.Close()
	if r.Manifest == nil {
		t.Fatal("the archive has no manifest")
	}
	if got := len(r.Files()); got != wantEntries+1 {
		t.Errorf("the archive has %d entries, want %d and the manifest", got, wantEntries)
	}
	if got := len(r.Manifest.Files); got != wantEntries {
		t.Errorf("the manifest lists %d files, want %d", got, wantEntries)
	}
	rep, err := r.Verify(context.Background(), nil, nil)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if !rep.OK() {
		t.Fatalf("Verify found damage: %+v", rep.Damaged[:min(5, len(rep.Damaged))])
	}
	if rep.Checked != wantEntries {
		t.Errorf("Verify checked %d entries, want %d", rep.Checked, wantEntries)
	}
	return rep
}

// TestZip64ManyEntries archives 70,000 files, more than the 65,535 a ZIP
// without Zip64 can count.
func TestZip64ManyEntries(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 70,000 files; skipped with -short")
	}
	const n = 70000
	total := time.Now()
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	entries := make([]archive.Entry, n)
	mtime := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	for d := 0; d < n/1000; d++ {
		if err := os.MkdirAll(filepath.Join(src, fmt.Sprintf("d%02d", d)), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < n; i += 2 {
				name := fmt.Sprintf("d%02d/f%05d.txt", i/1000, i)
				p := filepath.Join(src, filepath.FromSlash(name))
				body := fmt.Sprintf("file %d\n", i)
				if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
					errs <- err
					return
				}
				// The entry must describe the file as the selection saw it.
				if err := os.Chtimes(p, mtime, mtime); err != nil {
					errs <- err
					return
				}
				entries[i] = archive.Entry{Name: name, Path: p, Size: int64(len(body)), ModTime: mtime, Mode: 0o644, Dataset: "test", Kind: "master"}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	t.Logf("created %d files in %v", n, time.Since(total).Round(time.Millisecond))

	start := time.Now()
	zipPath, _ := z64Write(t, dir, entries, archive.Options{})
	st, _ := os.Stat(zipPath)
	t.Logf("archive.Write took %v (%d bytes)", time.Since(start).Round(time.Millisecond), st.Size())

	if got := z64EOCD64Entries(t, zipPath); got != n+1 {
		t.Errorf("the Zip64 end record counts %d entries, want %d", got, n+1)
	}

	start = time.Now()
	z64Verify(t, zipPath, n)
	t.Logf("Verify took %v", time.Since(start).Round(time.Millisecond))

	z64CheckUnzip7z(t, zipPath, n+1)
	t.Run("python", func(t *testing.T) {
		py := testutil.NeedTool(t, "python3")
		script := `import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
print(repr(z.testzip()), len(z.namelist()))`
		start := time.Now()
		out, err := exec.Command(py, "-c", script, zipPath).CombinedOutput()
		t.Logf("python zipfile took %v", time.Since(start).Round(time.Millisecond))
		if err != nil {
			t.Fatalf("python zipfile: %v\n%s", err, z64Tail(out))
		}
		if got, want := strings.TrimSpace(string(out)), fmt.Sprintf("None %d", n+1); got != want {
			t.Errorf("python zipfile: testzip() and len(namelist()) = %q, want %q", got, want)
		}
	})
	t.Logf("TestZip64ManyEntries took %v in all", time.Since(total).Round(time.Millisecond))
}

// z64SumAsync computes the SHA-256 of what open gives, independently of the
// writer and while it runs (it compresses a single entry on one core).
func z64SumAsync(open func() (io.ReadCloser, error)) <-chan string {
	sum := make(chan string, 1)
	go func() {
		h := sha256.New()
		in, err := open()
		if err != nil {
			sum <- "error: " + err.Error()
			return
		}
		defer in.Close()
		if _, err := io.Copy(h, in); err != nil {
			sum <- "error: " + err.Error()
			return
		}
		sum <- hex.EncodeToString(h.Sum(nil))
	}()
	return sum
}

// z64Lookup is the entry name of r, failing the test when it is missing.
func z64Lookup(t *testing.T, r *archive.Reader, name string) *zip.File {
	t.Helper()
	zf := r.Lookup(name)
	if zf == nil {
		t.Fatalf("%s is not in the archive", name)
	}
	return zf
}

// z64CheckWritten checks an archive of the files in want, as both 4 GiB
// cases need: the manifest records each file's size and SHA-256, inspect
// looks at the central directory, posbackup's Verify reads every byte, and
// unzip, 7-Zip and Python's zipfile read it too.
func z64CheckWritten(t *testing.T, zipPath string, want map[string]z64Want, inspect func(r *archive.Reader)) {
	t.Helper()
	r, err := archive.OpenFile(zipPath)
	if err != nil {
		t.Fatalf("archive.OpenFile: %v", err)
	}
	var total int64
	for _, rec := range r.Manifest.Files {
		w, ok := want[rec.Name]
		if !ok || rec.Size != w.size || rec.SHA256 != w.sha {
			t.Errorf("the manifest records %s %d bytes SHA-256 %s, want %d bytes %s (listed: %v)", rec.Name, rec.Size, rec.SHA256, w.size, w.sha, ok)
		}
		total += w.size
	}
	inspect(r)
	r.Close()

	start := time.Now()
	rep := z64Verify(t, zipPath, len(want))
	t.Logf("Verify took %v", time.Since(start).Round(time.Millisecond))
	if rep.Bytes != total {
		t.Errorf("Verify read %d bytes, want %d", rep.Bytes, total)
	}
	z64CheckUnzip7z(t, zipPath, len(want)+1)
	z64CheckPython(t, zipPath, want)
}

// TestZip64BigEntry archives a sparse file of 4 GiB + 1 MiB, larger than a
// ZIP without Zip64 can record.
func TestZip64BigEntry(t *testing.T) {
	if testing.Short() {
		t.Skip("reads a 4 GiB file several times; skipped with -short")
	}
	const size = 4<<30 + 1<<20
	total := time.Now()
	dir := t.TempDir()
	big := filepath.Join(dir, "Journal", "big.jrn")
	if err := os.MkdirAll(filepath.Dir(big), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(big) })
	if err := f.Truncate(size); err != nil {
		f.Close()
		t.Fatal(err)
	}
	// Not all zeros: marks at the start, in the middle, across the 4 GiB
	// boundary and at the end.
	for i, off := range []int64{0, 1<<20 + 7, 2 << 30, 4<<30 - 1, size - 1} {
		if _, err := f.WriteAt([]byte(fmt.Sprintf("#%d", i))[:min(2, size-off)], off); err != nil {
			f.Close()
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(big)
	if err != nil || st.Size() != size {
		t.Fatalf("the sparse file is %v bytes (%v), want %d", st.Size(), err, size)
	}
	shaDone := z64SumAsync(func() (io.ReadCloser, error) { return os.Open(big) })

	entry := archive.Entry{Name: "Daten/M001/Journal/big.jrn", Path: big, Size: size, ModTime: st.ModTime(), Mode: 0o644, Dataset: "journal", Kind: "transactions", Client: 1}
	start := time.Now()
	zipPath, _ := z64Write(t, dir, []archive.Entry{entry}, archive.Options{})
	t.Cleanup(func() { os.Remove(zipPath) })
	zst, _ := os.Stat(zipPath)
	t.Logf("archive.Write took %v (archive %d bytes)", time.Since(start).Round(time.Millisecond), zst.Size())
	wantSHA := <-shaDone
	if strings.HasPrefix(wantSHA, "error") {
		t.Fatal(wantSHA)
	}

	z64CheckWritten(t, zipPath, map[string]z64Want{entry.Name: {size, wantSHA}}, func(r *archive.Reader) {
		zf := z64Lookup(t, r, entry.Name)
		if zf.UncompressedSize64 != size || zf.UncompressedSize != 0xffffffff {
			t.Errorf("the central directory gives %d bytes (32-bit field %#x), want %d with the 32-bit field 0xFFFFFFFF (Zip64)", zf.UncompressedSize64, zf.UncompressedSize, int64(size))
		}
	})
	t.Logf("TestZip64BigEntry took %v in all", time.Since(total).Round(time.Millisecond))
}
