package archive_test

// Zip64: archives with more than 65,535 entries and with an entry over
// 4 GiB must be read by posbackup itself and by Info-ZIP unzip, 7-Zip and
// Python's zipfile.

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/archive"
)

// z64Tool returns the path of a ZIP tool, skipping the calling (sub)test
// when it is missing, except with CI=true, where that is a failure.
func z64Tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed (CI=true: every ZIP tool must be present): %v", name, err)
		}
		t.Skipf("%s is not installed, this check is skipped: %v", name, err)
	}
	return p
}

func z64Tail(b []byte) string {
	if len(b) > 2000 {
		return "..." + string(b[len(b)-2000:])
	}
	return string(b)
}

// z64Write archives entries into a new file in dir and returns its path.
func z64Write(t *testing.T, dir string, entries []archive.Entry) (string, *archive.Manifest) {
	t.Helper()
	zipPath := filepath.Join(dir, "test.zip")
	f, err := os.Create(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	m := &archive.Manifest{Format: archive.FormatVersion, Tool: "posbackup test", Profile: "default", Variant: 4,
		VariantTitle: "Complete installation folder", Host: "test", Source: dir, Started: time.Now()}
	res, err := archive.Write(context.Background(), f, entries, m, archive.Options{})
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

// z64CheckUnzip7z runs `unzip -t` and `7z t` as subtests.
func z64CheckUnzip7z(t *testing.T, zipPath string, wantFiles int) {
	t.Run("unzip", func(t *testing.T) {
		start := time.Now()
		out, err := exec.Command(z64Tool(t, "unzip"), "-t", zipPath).CombinedOutput()
		t.Logf("unzip -t took %v", time.Since(start).Round(time.Millisecond))
		if err != nil {
			t.Fatalf("unzip -t: %v\n%s", err, z64Tail(out))
		}
		if !strings.Contains(string(out), "No errors detected") {
			t.Errorf("unzip -t did not report the archive intact:\n%s", z64Tail(out))
		}
	})
	t.Run("7z", func(t *testing.T) {
		start := time.Now()
		out, err := exec.Command(z64Tool(t, "7z"), "t", zipPath).CombinedOutput()
		t.Logf("7z t took %v", time.Since(start).Round(time.Millisecond))
		if err != nil || !strings.Contains(string(out), "Everything is Ok") {
			t.Fatalf("7z t: %v\n%s", err, z64Tail(out))
		}
		if want := fmt.Sprintf("Files: %d", wantFiles); !strings.Contains(string(out), want) {
			t.Errorf("7z t does not report %q:\n%s", want, z64Tail(out))
		}
	})
}

// z64EOCD64Entries reads the total entry count from the Zip64 end of
// central directory record, checking that the classic record defers to it.
func z64EOCD64Entries(t *testing.T, zipPath string) uint64 {
	t.Helper()
	f, err := os.Open(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	// No archive comment: the classic record is the last 22 bytes, the
	// Zip64 locator the 20 before it.
	tail := make([]byte, 42)
	if _, err := f.ReadAt(tail, st.Size()-42); err != nil {
		t.Fatal(err)
	}
	loc, eocd := tail[:20], tail[20:]
	if binary.LittleEndian.Uint32(eocd) != 0x06054b50 {
		t.Fatalf("no end of central directory record at the end of the archive")
	}
	if n := binary.LittleEndian.Uint16(eocd[10:]); n != 0xffff {
		t.Errorf("the classic end record gives %d entries, want 0xFFFF (see Zip64 record)", n)
	}
	if binary.LittleEndian.Uint32(loc) != 0x07064b50 {
		t.Fatalf("no Zip64 end of central directory locator")
	}
	rec := make([]byte, 56)
	if _, err := f.ReadAt(rec, int64(binary.LittleEndian.Uint64(loc[8:]))); err != nil {
		t.Fatal(err)
	}
	if binary.LittleEndian.Uint32(rec) != 0x06064b50 {
		t.Fatalf("the Zip64 locator does not point at a Zip64 end record")
	}
	if onDisk, total := binary.LittleEndian.Uint64(rec[24:]), binary.LittleEndian.Uint64(rec[32:]); onDisk != total {
		t.Errorf("Zip64 end record: %d entries on this disk, %d in total", onDisk, total)
	}
	return binary.LittleEndian.Uint64(rec[32:])
}

type z64Want struct {
	size int64
	sha  string
}

// z64CheckPython reads every entry in want with Python's zipfile, streaming
// (which checks the CRC-32 at the end), and compares the length and a
// SHA-256 computed in Python with want and with the archive's manifest.
func z64CheckPython(t *testing.T, zipPath string, want map[string]z64Want) {
	t.Run("python", func(t *testing.T) {
		py := z64Tool(t, "python3")
		script := `import sys, json, hashlib, zipfile
z = zipfile.ZipFile(sys.argv[1])
m = json.loads(z.read(".posbackup/manifest.json"))
recs = {r["name"]: r for r in m["files"]}
out = {"names": len(z.namelist()), "entries": {}}
for name in sys.argv[2:]:
    info = z.getinfo(name)
    h = hashlib.sha256()
    n = 0
    with z.open(info) as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            h.update(b)
            n += len(b)
    out["entries"][name] = {"file_size": info.file_size, "read": n, "sha256": h.hexdigest(),
        "manifest_size": recs[name]["size"], "manifest_sha256": recs[name]["sha256"]}
print(json.dumps(out))`
		args := []string{"-c", script, zipPath}
		for name := range want {
			args = append(args, name)
		}
		start := time.Now()
		out, err := exec.Command(py, args...).CombinedOutput()
		t.Logf("python zipfile took %v", time.Since(start).Round(time.Millisecond))
		if err != nil {
			t.Fatalf("python zipfile: %v\n%s", err, z64Tail(out))
		}
		var got struct {
			Names   int `json:"names"`
			Entries map[string]struct {
				FileSize       int64  `json:"file_size"`
				Read           int64  `json:"read"`
				SHA256         string `json:"sha256"`
				ManifestSize   int64  `json:"manifest_size"`
				ManifestSHA256 string `json:"manifest_sha256"`
			} `json:"entries"`
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("python output %q: %v", out, err)
		}
		if got.Names != len(want)+1 {
			t.Errorf("python: %d names, want %d (the files and the manifest)", got.Names, len(want)+1)
		}
		for name, w := range want {
			g := got.Entries[name]
			if g.FileSize != w.size || g.Read != w.size || g.ManifestSize != w.size {
				t.Errorf("python %s: file_size %d, read %d, manifest size %d; want %d", name, g.FileSize, g.Read, g.ManifestSize, w.size)
			}
			if g.SHA256 != g.ManifestSHA256 || g.SHA256 != w.sha {
				t.Errorf("python %s: SHA-256 read %s, manifest %s; want %s", name, g.SHA256, g.ManifestSHA256, w.sha)
			}
		}
	})
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
	zipPath, _ := z64Write(t, dir, entries)
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
		py := z64Tool(t, "python3")
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

	// Its SHA-256, computed here independently of the writer, while the
	// writer runs (it compresses the single entry on one core).
	shaDone := make(chan string, 1)
	go func() {
		h := sha256.New()
		in, err := os.Open(big)
		if err != nil {
			shaDone <- "error: " + err.Error()
			return
		}
		defer in.Close()
		if _, err := io.Copy(h, in); err != nil {
			shaDone <- "error: " + err.Error()
			return
		}
		shaDone <- hex.EncodeToString(h.Sum(nil))
	}()

	entry := archive.Entry{Name: "Daten/M001/Journal/big.jrn", Path: big, Size: size, ModTime: st.ModTime(), Mode: 0o644, Dataset: "journal", Kind: "transactions", Client: 1}
	start := time.Now()
	zipPath, _ := z64Write(t, dir, []archive.Entry{entry})
	t.Cleanup(func() { os.Remove(zipPath) })
	zst, _ := os.Stat(zipPath)
	t.Logf("archive.Write took %v (archive %d bytes)", time.Since(start).Round(time.Millisecond), zst.Size())
	wantSHA := <-shaDone
	if strings.HasPrefix(wantSHA, "error") {
		t.Fatal(wantSHA)
	}

	r, err := archive.OpenFile(zipPath)
	if err != nil {
		t.Fatalf("archive.OpenFile: %v", err)
	}
	rec := r.Manifest.Files[0]
	if rec.Name != entry.Name || rec.Size != size || rec.SHA256 != wantSHA {
		t.Errorf("the manifest records %s %d bytes SHA-256 %s, want %s %d bytes %s", rec.Name, rec.Size, rec.SHA256, entry.Name, int64(size), wantSHA)
	}
	zf := r.Lookup(entry.Name)
	if zf == nil {
		t.Fatalf("%s is not in the archive", entry.Name)
	}
	if zf.UncompressedSize64 != size || zf.UncompressedSize != 0xffffffff {
		t.Errorf("the central directory gives %d bytes (32-bit field %#x), want %d with the 32-bit field 0xFFFFFFFF (Zip64)", zf.UncompressedSize64, zf.UncompressedSize, int64(size))
	}
	r.Close()

	start = time.Now()
	rep := z64Verify(t, zipPath, 1)
	t.Logf("Verify took %v", time.Since(start).Round(time.Millisecond))
	if rep.Bytes != size {
		t.Errorf("Verify read %d bytes, want %d", rep.Bytes, int64(size))
	}

	z64CheckUnzip7z(t, zipPath, 2)
	z64CheckPython(t, zipPath, map[string]z64Want{entry.Name: {size, wantSHA}})
	t.Logf("TestZip64BigEntry took %v in all", time.Since(total).Round(time.Millisecond))
}

// z64GenSource serves one path as size bytes of pseudo-random data made on
// the fly (no disk for the source) and every other path from the disk.
type z64GenSource struct {
	path  string
	size  int64
	mtime time.Time
}

func z64Random(size int64) io.Reader {
	return io.LimitReader(rand.NewChaCha8([32]byte{'p', 'o', 's', 'b', 'a', 'c', 'k', 'u', 'p'}), size)
}

func (g z64GenSource) Open(p string) (io.ReadCloser, error) {
	if p == g.path {
		return io.NopCloser(z64Random(g.size)), nil
	}
	return os.Open(p)
}

func (g z64GenSource) Stat(p string) (fs.FileInfo, error) {
	if p == g.path {
		return z64Info{g}, nil
	}
	return os.Stat(p)
}

type z64Info struct{ g z64GenSource }

func (i z64Info) Name() string       { return filepath.Base(i.g.path) }
func (i z64Info) Size() int64        { return i.g.size }
func (i z64Info) Mode() fs.FileMode  { return 0o644 }
func (i z64Info) ModTime() time.Time { return i.g.mtime }
func (i z64Info) IsDir() bool        { return false }
func (i z64Info) Sys() any           { return nil }

// TestZip64BigStoredEntry archives 4 GiB + 1 MiB of incompressible data,
// which is stored, not deflated: its compressed size is over 4 GiB too, and
// the entry after it starts beyond 4 GiB, so its offset needs Zip64 as well.
// It needs about 8.5 GiB of disk for a while (the writer's spool in the
// system temp folder and the archive).
func TestZip64BigStoredEntry(t *testing.T) {
	if testing.Short() {
		t.Skip("writes over 8 GiB; skipped with -short")
	}
	const size = 4<<30 + 1<<20
	total := time.Now()
	dir := t.TempDir()
	if free, ok := z64FreeBytes(dir); ok && free < 10<<30 {
		t.Skipf("needs about 8.5 GiB of free disk in %s, %d MiB are free", dir, free>>20)
	}
	spoolDir := filepath.Join(dir, "spool")
	if err := os.Mkdir(spoolDir, 0o755); err != nil {
		t.Fatal(err)
	}
	small := filepath.Join(dir, "after.txt")
	if err := os.WriteFile(small, []byte("the entry after the big one\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mtime := time.Date(2026, 11, 24, 23, 0, 0, 0, time.UTC)
	src := z64GenSource{path: filepath.Join(dir, "generated.dat"), size: size, mtime: mtime}
	entries := []archive.Entry{
		{Name: "Daten/M001/Journal/packed.dat", Path: src.path, Size: size, ModTime: mtime, Mode: 0o644},
		{Name: "Daten/M001/after.txt", Path: small, Size: 28, ModTime: mtime, Mode: 0o644},
	}
	shaDone := make(chan string, 1)
	go func() {
		h := sha256.New()
		io.Copy(h, z64Random(size))
		shaDone <- hex.EncodeToString(h.Sum(nil))
	}()

	zipPath := filepath.Join(dir, "stored.zip")
	t.Cleanup(func() { os.Remove(zipPath) })
	f, err := os.Create(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	m := &archive.Manifest{Format: archive.FormatVersion, Tool: "posbackup test", Variant: 4, Started: time.Now()}
	start := time.Now()
	res, err := archive.Write(context.Background(), f, entries, m, archive.Options{Source: src, TempDir: spoolDir})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("archive.Write: %v", err)
	}
	if res.Files != 2 || len(res.Problems) > 0 {
		t.Fatalf("archive.Write: %d files, problems %+v", res.Files, res.Problems)
	}
	t.Logf("archive.Write took %v (archive %d bytes)", time.Since(start).Round(time.Millisecond), res.Written)
	if left := z64Names(t, spoolDir); len(left) > 0 {
		t.Errorf("archive.Write left spool files behind: %q", left)
	}
	wantSHA := <-shaDone

	r, err := archive.OpenFile(zipPath)
	if err != nil {
		t.Fatalf("archive.OpenFile: %v", err)
	}
	zf := r.Lookup(entries[0].Name)
	if zf == nil {
		t.Fatalf("%s is not in the archive", entries[0].Name)
	}
	if zf.Method != zip.Store || zf.CompressedSize64 != size || zf.UncompressedSize64 != size {
		t.Errorf("%s: method %d, sizes %d/%d; want stored, %d/%d", zf.Name, zf.Method, zf.CompressedSize64, zf.UncompressedSize64, int64(size), int64(size))
	}
	after := r.Lookup(entries[1].Name)
	if after == nil {
		t.Fatalf("%s is not in the archive", entries[1].Name)
	}
	if off, err := after.DataOffset(); err != nil || off <= 1<<32 {
		t.Errorf("%s starts at %d (%v), want beyond 4 GiB", after.Name, off, err)
	}
	r.Close()

	start = time.Now()
	rep := z64Verify(t, zipPath, 2)
	t.Logf("Verify took %v", time.Since(start).Round(time.Millisecond))
	if rep.Bytes != size+28 {
		t.Errorf("Verify read %d bytes, want %d", rep.Bytes, int64(size+28))
	}
	z64CheckUnzip7z(t, zipPath, 3)
	smallSum := sha256.Sum256([]byte("the entry after the big one\n"))
	z64CheckPython(t, zipPath, map[string]z64Want{
		entries[0].Name: {size, wantSHA},
		entries[1].Name: {28, hex.EncodeToString(smallSum[:])},
	})
	t.Logf("TestZip64BigStoredEntry took %v in all", time.Since(total).Round(time.Millisecond))
}

func z64Names(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

// z64FreeBytes asks df for the free space of dir's file system; ok is false
// when df is missing or its answer is not understood.
func z64FreeBytes(dir string) (free int64, ok bool) {
	out, err := exec.Command("df", "-Pk", dir).Output()
	if err != nil {
		return 0, false
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	fields := strings.Fields(lines[len(lines)-1])
	if len(fields) < 4 {
		return 0, false
	}
	var kb int64
	if _, err := fmt.Sscan(fields[3], &kb); err != nil {
		return 0, false
	}
	return kb << 10, true
}
