package archive

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/flate"

	"github.com/posbackup/posbackup/internal/msg"
)

// bombArchive builds an archive whose entry "bomb.dat" declares declared
// bytes but whose deflate data expands to real bytes of zeros; with
// password it is WinZip AES encrypted.
func bombArchive(t testing.TB, declared uint64, real int64, password string) []byte {
	t.Helper()
	comp := zerosDeflate(t, real)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	fh := fileHeader("bomb.dat", time.Now(), 0o644)
	fh.Method = zip.Deflate
	fh.UncompressedSize64 = declared
	fh.CompressedSize64 = uint64(comp.Len())
	var s *aesSealer
	if password != "" {
		var err error
		if s, err = newAESSealer(password, nil); err != nil {
			t.Fatal(err)
		}
		s.seal(fh)
	}
	w, err := zw.CreateRaw(fh)
	if err != nil {
		t.Fatal(err)
	}
	if s != nil {
		err = s.writeFrom(w, comp)
	} else {
		_, err = comp.WriteTo(w)
	}
	if err != nil {
		t.Fatal(err)
	}
	zw.Close()
	return buf.Bytes()
}

// zerosDeflate returns a deflate stream of n zeros (n a multiple of 1 MiB)
// without compressing them all: after the first 1 MiB block, every block
// primed with a dictionary of zeros and ended with a sync flush compresses
// to the same bytes, so one is repeated.
func zerosDeflate(t testing.TB, n int64) *bytes.Buffer {
	t.Helper()
	const blk = 1 << 20
	zero := make([]byte, blk)
	var first, mid, out bytes.Buffer
	fw, _ := flate.NewWriter(&first, 9)
	fw.Write(zero)
	fw.Flush()
	fw.ResetDict(&mid, zero[:32<<10])
	fw.Write(zero)
	fw.Flush()
	out.Write(first.Bytes())
	for i := int64(1); i < n/blk; i++ {
		out.Write(mid.Bytes())
	}
	out.Write([]byte{0x03, 0x00}) // a final, empty fixed-Huffman block
	// Check the construction on a small case.
	if n <= 8*blk {
		got, err := io.ReadAll(flate.NewReader(bytes.NewReader(out.Bytes())))
		if err != nil || int64(len(got)) != n || !bytes.Equal(got, make([]byte, n)) {
			t.Fatalf("zerosDeflate(%d): %d bytes, %v", n, len(got), err)
		}
	}
	return &out
}

func TestZerosDeflate(t *testing.T) { zerosDeflate(t, 8<<20) }

func dirBytes(t *testing.T, dir string) (n int64) {
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if st, err := d.Info(); err == nil {
				n += st.Size()
			}
		}
		return nil
	})
	return n
}

// TestBombStopsAtDeclaredSize: an entry that declares 4 KiB but expands to
// 8 GiB is cut off at its declared size with a plain error; nothing is left
// at the target, and Verify reports it without reading it all.
func TestBombStopsAtDeclaredSize(t *testing.T) {
	real := int64(8 << 30) // beyond 4 GiB, cheap to build: see zerosDeflate
	for _, pw := range []string{"", "pw"} {
		b := bombArchive(t, 4096, real, pw)
		t.Logf("bomb: %d bytes of archive expand to %d (encrypted: %v)", len(b), real, pw != "")
		r, err := NewReaderPassword(bytes.NewReader(b), int64(len(b)), pw)
		if err != nil {
			t.Fatal(err)
		}
		// The header is consistent with itself: the ratio check passes it.
		if err := r.CheckExpansion(nil, DefaultMaxRatio, 1<<40); err != nil {
			t.Errorf("CheckExpansion: %v", err)
		}
		dst := t.TempDir()
		start := time.Now()
		n, err := Extract(r.Lookup("bomb.dat"), nil, filepath.Join(dst, "bomb.dat"))
		if err == nil {
			t.Fatal("the bomb was extracted")
		}
		if strings.Contains(err.Error(), "flate") || strings.Contains(err.Error(), "zip:") {
			t.Errorf("error is not plain: %v", err)
		}
		t.Logf("extract: %v after %d bytes in %v", err, n, time.Since(start))
		if n > 4096+256<<10 {
			t.Errorf("extract wrote %d bytes of a 4096-byte entry", n)
		}
		if got := dirBytes(t, dst); got != 0 {
			t.Errorf("%d bytes left at the target", got)
		}
		rep, err := r.Verify(context.Background(), nil, nil)
		if err != nil || rep.OK() || rep.Bytes > 4096+256<<10 {
			t.Errorf("verify: %+v %v", rep, err)
		}
	}
}

// TestCheckExpansion: headers that declare more than deflate can produce,
// or more than the target can hold, are refused before anything is
// written; a real all-zeros file (about 1000:1) is not.
func TestCheckExpansion(t *testing.T) {
	// A header declaring 100 GiB from a few KiB.
	b := bombArchive(t, 100<<30, 1<<20, "")
	r, err := NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	err = r.CheckExpansion(nil, DefaultMaxRatio, -1)
	if err == nil || !strings.Contains(err.Error(), "zip bomb") {
		t.Errorf("100 GiB from %d bytes: %v", len(b), err)
	}
	t.Log(err)
	if err := r.CheckExpansion(func(string) bool { return false }, DefaultMaxRatio, 0); err != nil {
		t.Errorf("nothing selected: %v", err)
	}

	// A real 64 MiB file of zeros, written by posbackup: passes the ratio
	// check, but not a target with 32 MiB free.
	path, _ := writeTree(t, map[string][]byte{"zeros.dat": make([]byte, 64<<20)}, Options{})
	zr, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	f := zr.Lookup("zeros.dat")
	t.Logf("64 MiB of zeros deflate to %d bytes (%.0f:1)", f.CompressedSize64, float64(f.UncompressedSize64)/float64(f.CompressedSize64))
	if err := zr.CheckExpansion(nil, DefaultMaxRatio, -1); err != nil {
		t.Errorf("all-zeros file refused: %v", err)
	}
	err = zr.CheckExpansion(nil, DefaultMaxRatio, 32<<20)
	if err == nil || !strings.Contains(err.Error(), "free at the target") {
		t.Errorf("64 MiB into 32 MiB free: %v", err)
	}
	t.Log(err)
	if err := zr.CheckExpansion(nil, DefaultMaxRatio, 1<<30); err != nil {
		t.Errorf("64 MiB into 1 GiB free: %v", err)
	}
}

func TestFreeSpace(t *testing.T) {
	dir := t.TempDir()
	n, err := FreeSpace(dir)
	if err != nil || n <= 0 {
		t.Fatalf("FreeSpace(%s) = %d, %v", dir, n, err)
	}
	// A target that does not exist yet: its nearest existing parent.
	m, err := FreeSpace(filepath.Join(dir, "neu", "tiefer"))
	if err != nil || m <= 0 {
		t.Fatalf("FreeSpace of a missing folder = %d, %v", m, err)
	}
	t.Logf("free at %s: %s", dir, msg.Bytes(n))
}
