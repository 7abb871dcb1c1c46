package archive_test

// Zip64 for a stored (incompressible) entry over 4 GiB, made on the fly.

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/archive"
	"github.com/posbackup/posbackup/internal/testutil"
)

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
	const afterBody = "the entry after the big one\n"
	small := filepath.Join(dir, "after.txt")
	if err := os.WriteFile(small, []byte(afterBody), 0o644); err != nil {
		t.Fatal(err)
	}
	mtime := time.Date(2026, 11, 24, 23, 0, 0, 0, time.UTC)
	src := z64GenSource{path: filepath.Join(dir, "generated.dat"), size: size, mtime: mtime}
	entries := []archive.Entry{
		{Name: "Daten/M001/Journal/packed.dat", Path: src.path, Size: size, ModTime: mtime, Mode: 0o644},
		{Name: "Daten/M001/after.txt", Path: small, Size: int64(len(afterBody)), ModTime: mtime, Mode: 0o644},
	}
	shaDone := z64SumAsync(func() (io.ReadCloser, error) { return io.NopCloser(z64Random(size)), nil })

	start := time.Now()
	zipPath, _ := z64Write(t, dir, entries, archive.Options{Source: src, TempDir: spoolDir})
	t.Cleanup(func() { os.Remove(zipPath) })
	zst, _ := os.Stat(zipPath)
	t.Logf("archive.Write took %v (archive %d bytes)", time.Since(start).Round(time.Millisecond), zst.Size())
	if left := testutil.Names(t, spoolDir); len(left) > 0 {
		t.Errorf("archive.Write left spool files behind: %q", left)
	}

	smallSum := sha256.Sum256([]byte(afterBody))
	want := map[string]z64Want{
		entries[0].Name: {size, <-shaDone},
		entries[1].Name: {int64(len(afterBody)), hex.EncodeToString(smallSum[:])},
	}
	z64CheckWritten(t, zipPath, want, func(r *archive.Reader) {
		zf := z64Lookup(t, r, entries[0].Name)
		if zf.Method != zip.Store || zf.CompressedSize64 != size || zf.UncompressedSize64 != size {
			t.Errorf("%s: method %d, sizes %d/%d; want stored, %d/%d", zf.Name, zf.Method, zf.CompressedSize64, zf.UncompressedSize64, int64(size), int64(size))
		}
		after := z64Lookup(t, r, entries[1].Name)
		if off, err := after.DataOffset(); err != nil || off <= 1<<32 {
			t.Errorf("%s starts at %d (%v), want beyond 4 GiB", after.Name, off, err)
		}
	})
	t.Logf("TestZip64BigStoredEntry took %v in all", time.Since(total).Round(time.Millisecond))
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
