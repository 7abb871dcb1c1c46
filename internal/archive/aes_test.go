package archive

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"hash/crc32"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const testPassword = "Kasse-Geheim 2026!"

// aesTestFiles: compressible journal text (deflated, large enough for the
// parallel block path), random data (stored), a small file, an empty one
// and a non-ASCII name.
func aesTestFiles() map[string][]byte {
	rng := rand.New(rand.NewSource(7))
	var journal bytes.Buffer
	for journal.Len() < 3<<20 {
		journal.WriteString("Bon ")
		journal.WriteString(string(rune('0' + rng.Intn(10))))
		journal.WriteString(";Tisch 12;Schnitzel Wiener Art;14,90 EUR;MwSt 19%\r\n")
	}
	random := make([]byte, 1<<20+3)
	rng.Read(random)
	return map[string][]byte{
		"Daten/M001/Journal/journal.jrn": journal.Bytes(),
		"Daten/M001/Stamm/bilder.bin":    random,
		"Daten/Global/kasse.ini":         []byte("[Kasse]\r\nNummer=1\r\n"),
		"Daten/Global/leer.dat":          {},
		"Daten/M001/Stamm/Größen.dat":    []byte("äöü ß"),
	}
}

// writeTree puts files under a new folder and archives them (with their
// folders) using opt; it returns the archive's path and the source folder.
func writeTree(t testing.TB, files map[string][]byte, opt Options) (string, string) {
	t.Helper()
	path, src, _ := writeTreeResult(t, files, opt)
	return path, src
}

// writeTreeResult is writeTree that also returns Write's Result.
func writeTreeResult(t testing.TB, files map[string][]byte, opt Options) (string, string, *Result) {
	t.Helper()
	src := t.TempDir()
	var entries []Entry
	dirs := map[string]bool{}
	for name, body := range files {
		p := filepath.Join(src, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, body, 0o644); err != nil {
			t.Fatal(err)
		}
		for d := filepath.ToSlash(filepath.Dir(filepath.FromSlash(name))); d != "." && !dirs[d]; d = filepath.ToSlash(filepath.Dir(filepath.FromSlash(d))) {
			dirs[d] = true
			entries = append(entries, Entry{Name: d + "/", Path: filepath.Join(src, filepath.FromSlash(d)), ModTime: time.Now(), Mode: 0o755 | os.ModeDir})
		}
		entries = append(entries, Entry{Name: name, Path: p, Size: int64(len(body)), ModTime: time.Now(), Mode: 0o644})
	}
	out := filepath.Join(t.TempDir(), "enc.zip")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	m := &Manifest{Tool: "posbackup test", Variant: 4, Host: "test"}
	res, err := Write(context.Background(), f, entries, m, opt)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) > 0 {
		t.Fatalf("problems: %+v", res.Problems)
	}
	return out, src, res
}

func TestEncryptedRoundTrip(t *testing.T) {
	files := aesTestFiles()
	for _, workers := range []int{1, 2} {
		path, _ := writeTree(t, files, Options{Password: testPassword, Workers: workers})
		r, err := OpenFilePassword(path, testPassword)
		if err != nil {
			t.Fatal(err)
		}
		if !r.Encrypted || r.Manifest == nil || r.ManifestErr != nil {
			t.Fatalf("encrypted=%v manifest=%v err=%v", r.Encrypted, r.Manifest != nil, r.ManifestErr)
		}
		if len(r.Manifest.Files) != len(r.Files())-1 {
			t.Errorf("manifest lists %d, archive holds %d entries", len(r.Manifest.Files), len(r.Files()))
		}
		for _, f := range r.Files() {
			if isDirName(f.Name) {
				continue
			}
			in, err := parseAESExtra(f.Extra)
			if f.Method != methodAES || err != nil || in.version != 2 || in.strength != 3 || f.CRC32 != 0 || f.Flags&1 == 0 {
				t.Errorf("%s: method %d, AES %+v (%v), CRC %x, flags %x: want AE-2 AES-256", f.Name, f.Method, in, err, f.CRC32, f.Flags)
			}
		}
		rep, err := r.Verify(context.Background(), nil, nil)
		if err != nil || !rep.OK() || rep.Checked != len(r.Files())-1 {
			t.Fatalf("verify: %+v %v", rep, err)
		}
		if err := r.CheckSafe(); err != nil {
			t.Fatal(err)
		}
		dst := t.TempDir()
		for _, rec := range r.Manifest.Files {
			if rec.IsDir() {
				continue
			}
			rec := rec
			p := filepath.Join(dst, filepath.FromSlash(rec.Name))
			if _, err := Extract(r.Lookup(rec.Name), &rec, p); err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(p)
			if !bytes.Equal(got, files[rec.Name]) {
				t.Errorf("%s extracts wrong", rec.Name)
			}
		}
		r.Close()
	}
}

func TestEncryptedPasswordErrors(t *testing.T) {
	path, _ := writeTree(t, map[string][]byte{"a.txt": []byte("geheim")}, Options{Password: testPassword})
	if _, err := OpenFilePassword(path, "falsch"); !errors.Is(err, ErrWrongPassword) || err.Error() != "the archive password is wrong" {
		t.Errorf("wrong password: %v", err)
	}
	if _, err := OpenFile(path); !errors.Is(err, ErrPasswordNeeded) {
		t.Errorf("no password: %v", err)
	}
	// The entries themselves also refuse a wrong password with the plain
	// error, even past the open-time check.
	r, err := OpenFilePassword(path, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := setupAESForTest(r, "falsch"); err != nil {
		t.Fatal(err)
	}
	rc, err := r.Lookup("a.txt").Open()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(rc); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("entry with wrong password: %v", err)
	}
	dst := filepath.Join(t.TempDir(), "a.txt")
	if _, err := Extract(r.Lookup("a.txt"), nil, dst); err == nil || !strings.Contains(err.Error(), ErrWrongPassword.Error()) {
		t.Errorf("extract with wrong password: %v", err)
	}
	if ents, _ := os.ReadDir(filepath.Dir(dst)); len(ents) != 0 {
		t.Errorf("a wrong password left files behind: %v", ents)
	}
}

// setupAESForTest re-registers the decompressor with another password,
// bypassing the open-time check.
func setupAESForTest(r *Reader, password string) error {
	byOffset := map[int64]*aesEntry{}
	for _, f := range r.zr.File {
		if f.Method == methodAES {
			off, _ := f.DataOffset()
			e := &aesEntry{}
			e.info, e.err = parseAESExtra(f.Extra)
			byOffset[off] = e
		}
	}
	r.zr.RegisterDecompressor(methodAES, func(rd io.Reader) io.ReadCloser {
		_, off, n := rd.(*io.SectionReader).Outer()
		return &aesReader{src: rd.(*io.SectionReader), size: n, info: byOffset[off].info, password: password}
	})
	return nil
}

// TestEncryptedTampered: a changed byte in the encrypted data fails the
// HMAC (AE-2 has no CRC); Verify reports it, Extract refuses it.
func TestEncryptedTampered(t *testing.T) {
	body := bytes.Repeat([]byte("Artikel 4711;Preis 3,90\r\n"), 4000)
	path, _ := writeTree(t, map[string][]byte{"x.dat": body}, Options{Password: testPassword})
	r, err := OpenFilePassword(path, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	off, _ := r.Lookup("x.dat").DataOffset()
	r.Close()
	b, _ := os.ReadFile(path)
	b[off+16+2+40] ^= 0x01
	os.WriteFile(path, b, 0o644)
	r, err = OpenFilePassword(path, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rep, err := r.Verify(context.Background(), nil, nil)
	if err != nil || rep.OK() {
		t.Fatalf("tampered archive passes verify: %+v %v", rep, err)
	}
	t.Logf("verify: %+v", rep.Damaged)
	rec := r.Manifest.Files[0]
	if _, err := Extract(r.Lookup("x.dat"), &rec, filepath.Join(t.TempDir(), "x.dat")); err == nil {
		t.Error("extract of tampered entry succeeded")
	}
}

// sealedZip is a ZIP holding one entry fh (filled in for the compressed
// data in body), encrypted by aesSealer with the password "pw"; edit, when
// set, changes the sealed header before it is written.
func sealedZip(t *testing.T, fh *zip.FileHeader, body io.WriterTo, edit func(*zip.FileHeader)) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	s, err := newAESSealer("pw", nil)
	if err != nil {
		t.Fatal(err)
	}
	s.seal(fh)
	if edit != nil {
		edit(fh)
	}
	w, err := zw.CreateRaw(fh)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.writeFrom(w, body); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// readSealed reads the entry name of the archive b with the password "pw".
func readSealed(t *testing.T, b []byte, name string) ([]byte, error) {
	t.Helper()
	r, err := NewReaderPassword(bytes.NewReader(b), int64(len(b)), "pw")
	if err != nil {
		t.Fatal(err)
	}
	rc, err := r.Lookup(name).Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// TestEncryptedDataDescriptor: an AE-2 entry with a data descriptor (as
// posbackup writes Zip64 entries) reads back: archive/zip would otherwise
// compare the plain data's CRC with the stored 0.
func TestEncryptedDataDescriptor(t *testing.T) {
	body := bytes.Repeat([]byte("Z"), 100000)
	var comp bytes.Buffer
	fw := getFlate(6, &comp)
	fw.Write(body)
	fw.Close()
	fh := fileHeader("big.dat", time.Now(), 0o644)
	fh.Method = zip.Deflate
	fh.UncompressedSize64 = uint64(len(body))
	fh.CompressedSize64 = uint64(comp.Len())
	fh.Flags |= 0x8
	b := sealedZip(t, fh, &comp, nil)
	if got, err := readSealed(t, b, "big.dat"); err != nil || !bytes.Equal(got, body) {
		t.Fatalf("read %d bytes, %v", len(got), err)
	}
	// 7-Zip takes it too (AE-2: it ignores the descriptor's CRC of 0).
	if _, err := exec.LookPath("7z"); err == nil {
		p := filepath.Join(t.TempDir(), "dd.zip")
		os.WriteFile(p, b, 0o644)
		if out, err := exec.Command("7z", "t", "-ppw", p).CombinedOutput(); err != nil || !strings.Contains(string(out), "Everything is Ok") {
			t.Errorf("7z t: %v\n%s", err, out)
		}
	}
}

// TestReadAE1: AE-1 entries (CRC stored, as older WinZip and 7-Zip
// versions write) read back, and a wrong CRC is caught.
func TestReadAE1(t *testing.T) {
	body := []byte("Stammdaten Artikel 1..100")
	for _, crc := range []uint32{crc32.ChecksumIEEE(body), 12345} {
		fh := fileHeader("a.dat", time.Now(), 0o644)
		fh.Method = zip.Store
		fh.UncompressedSize64 = uint64(len(body))
		fh.CompressedSize64 = uint64(len(body))
		b := sealedZip(t, fh, bytes.NewBuffer(body), func(fh *zip.FileHeader) {
			fh.Extra = append(fh.Extra[:len(fh.Extra)-11], aesExtra(1, 3, zip.Store)...)
			fh.CRC32 = crc
		})
		got, err := readSealed(t, b, "a.dat")
		if crc == 12345 {
			if !errors.Is(err, zip.ErrChecksum) {
				t.Errorf("wrong AE-1 CRC: %v", err)
			}
		} else if err != nil || !bytes.Equal(got, body) {
			t.Errorf("AE-1: %q %v", got, err)
		}
	}
}

// TestWinzipCTRKeystream checks WinZip's counter (little-endian, from 1)
// against AES applied block by block, fed in uneven pieces. (Interop with
// 7-Zip, in both directions, is the known-answer test of the whole.)
func TestWinzipCTRKeystream(t *testing.T) {
	blk, _, _, err := aesKeys("password", []byte("saltsaltsaltsalt"), 32, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := newWinzipCTR(blk)
	src := make([]byte, 5000)
	dst := make([]byte, len(src))
	// In uneven pieces, to cross the keystream buffer's edges.
	for o, step := 0, 1; o < len(src); o, step = o+step, step*3+1 {
		e := min(len(src), o+step)
		c.XORKeyStream(dst[o:e], src[o:e])
	}
	for i := 0; i*16 < len(src); i++ {
		var ctr, want [16]byte
		ctr[0], ctr[1] = byte(i+1), byte((i+1)>>8)
		blk.Encrypt(want[:], ctr[:])
		got := dst[i*16 : min(len(dst), i*16+16)]
		if !bytes.Equal(got, want[:len(got)]) {
			t.Fatalf("keystream block %d wrong", i)
		}
	}
}
