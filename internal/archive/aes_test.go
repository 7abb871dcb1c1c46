package archive

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/pbkdf2"
	"crypto/sha1"
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

	"github.com/posbackup/posbackup/internal/testutil"
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
	return out, src
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

// TestEncryptedDataDescriptor: an AE-2 entry with a data descriptor (as
// posbackup writes Zip64 entries) reads back: archive/zip would otherwise
// compare the plain data's CRC with the stored 0.
func TestEncryptedDataDescriptor(t *testing.T) {
	body := bytes.Repeat([]byte("Z"), 100000)
	var comp bytes.Buffer
	fw := getFlate(6, &comp)
	fw.Write(body)
	fw.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	fh := fileHeader("big.dat", time.Now(), 0o644)
	fh.Method = zip.Deflate
	fh.UncompressedSize64 = uint64(len(body))
	fh.CompressedSize64 = uint64(comp.Len())
	fh.Flags |= 0x8
	s, err := newAESSealer("pw")
	if err != nil {
		t.Fatal(err)
	}
	s.seal(fh)
	w, err := zw.CreateRaw(fh)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.writeFrom(w, &comp); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	r, err := NewReaderPassword(bytes.NewReader(buf.Bytes()), int64(buf.Len()), "pw")
	if err != nil {
		t.Fatal(err)
	}
	rc, _ := r.Lookup("big.dat").Open()
	got, err := io.ReadAll(rc)
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("read %d bytes, %v", len(got), err)
	}
	// 7-Zip takes it too (AE-2: it ignores the descriptor's CRC of 0).
	if _, err := exec.LookPath("7z"); err == nil {
		p := filepath.Join(t.TempDir(), "dd.zip")
		os.WriteFile(p, buf.Bytes(), 0o644)
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
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		fh := fileHeader("a.dat", time.Now(), 0o644)
		fh.Method = zip.Store
		fh.UncompressedSize64 = uint64(len(body))
		fh.CompressedSize64 = uint64(len(body))
		s, err := newAESSealer("pw")
		if err != nil {
			t.Fatal(err)
		}
		s.seal(fh)
		fh.Extra = append(fh.Extra[:len(fh.Extra)-11], aesExtra(1, 3, zip.Store)...)
		fh.CRC32 = crc
		w, _ := zw.CreateRaw(fh)
		if err := s.writeFrom(w, bytes.NewBuffer(body)); err != nil {
			t.Fatal(err)
		}
		zw.Close()
		r, err := NewReaderPassword(bytes.NewReader(buf.Bytes()), int64(buf.Len()), "pw")
		if err != nil {
			t.Fatal(err)
		}
		rc, _ := r.Lookup("a.dat").Open()
		got, err := io.ReadAll(rc)
		if crc == 12345 {
			if !errors.Is(err, zip.ErrChecksum) {
				t.Errorf("wrong AE-1 CRC: %v", err)
			}
		} else if err != nil || !bytes.Equal(got, body) {
			t.Errorf("AE-1: %q %v", got, err)
		}
	}
}

// TestEncryptedWith7Zip: 7-Zip tests the encrypted archive with the
// password and extracts it byte for byte (the manifest too); without the
// password it fails. Info-ZIP unzip and Python's zipfile cannot read
// WinZip AES at all and are not asked.
func TestEncryptedWith7Zip(t *testing.T) {
	sz := testutil.NeedTool(t, "7z")
	files := aesTestFiles()
	path, _ := writeTree(t, files, Options{Password: testPassword})
	out, err := exec.Command(sz, "t", "-p"+testPassword, path).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Everything is Ok") {
		t.Fatalf("7z t: %v\n%s", err, out)
	}
	out, _ = exec.Command(sz, "l", "-slt", "-p"+testPassword, path).CombinedOutput()
	if !strings.Contains(string(out), "AES-256") {
		t.Errorf("7z does not list the entries as AES-256:\n%s", out)
	}
	dst := t.TempDir()
	if out, err := exec.Command(sz, "x", "-y", "-p"+testPassword, "-o"+dst, path).CombinedOutput(); err != nil {
		t.Fatalf("7z x: %v\n%s", err, out)
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(dst, filepath.FromSlash(name)))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("7z extracted %s wrong (%d bytes, %v)", name, len(got), err)
		}
	}
	mb, err := os.ReadFile(filepath.Join(dst, filepath.FromSlash(ManifestName)))
	if err != nil {
		t.Fatal(err)
	}
	if m, err := ParseManifest(mb); err != nil || len(m.Files) == 0 {
		t.Errorf("manifest extracted by 7z: %v", err)
	}
	if out, err := exec.Command(sz, "t", "-pfalsch", path).CombinedOutput(); err == nil {
		t.Errorf("7z t with a wrong password succeeded:\n%s", out)
	}
}

// TestRead7ZipAES: archives 7-Zip encrypts with AES-256 (deflated and
// stored) are read, verified and extracted by posbackup.
func TestRead7ZipAES(t *testing.T) {
	sz := testutil.NeedTool(t, "7z")
	files := aesTestFiles()
	src := t.TempDir()
	for name, body := range files {
		p := filepath.Join(src, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, level := range []string{"-mx=5", "-mx=0"} {
		t.Run(level, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "7z.zip")
			cmd := exec.Command(sz, "a", "-tzip", "-mem=AES256", "-p"+testPassword, level, path, ".")
			cmd.Dir = src
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("7z a: %v\n%s", err, out)
			}
			if _, err := OpenFilePassword(path, "falsch"); !errors.Is(err, ErrWrongPassword) {
				t.Errorf("wrong password: %v", err)
			}
			r, err := OpenFilePassword(path, testPassword)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			versions := map[uint16]int{}
			for _, f := range r.Files() {
				if f.Method == methodAES {
					in, err := parseAESExtra(f.Extra)
					if err != nil || in.strength != 3 {
						t.Errorf("%s: %+v %v", f.Name, in, err)
					}
					versions[in.version]++
				}
			}
			t.Logf("7-Zip wrote WinZip AES versions %v", versions)
			if !r.Encrypted || r.Manifest != nil {
				t.Fatalf("encrypted=%v manifest=%v", r.Encrypted, r.Manifest)
			}
			rep, err := r.Verify(context.Background(), nil, nil)
			if err != nil || !rep.OK() {
				t.Fatalf("verify: %+v %v", rep, err)
			}
			if err := r.CheckSafe(); err != nil {
				t.Fatal(err)
			}
			dst := t.TempDir()
			n := 0
			for _, f := range r.Files() {
				want, ok := files[f.Name]
				if !ok {
					continue
				}
				p := filepath.Join(dst, filepath.FromSlash(f.Name))
				if _, err := Extract(f, nil, p); err != nil {
					t.Fatal(err)
				}
				if got, _ := os.ReadFile(p); !bytes.Equal(got, want) {
					t.Errorf("%s extracts wrong", f.Name)
				}
				n++
			}
			if n != len(files) {
				t.Errorf("extracted %d of %d files", n, len(files))
			}
		})
	}
}

// TestWinzipCTRKeystream checks WinZip's counter (little-endian, from 1)
// against AES applied block by block, fed in uneven pieces. (Interop with
// 7-Zip, in both directions, is the known-answer test of the whole.)
func TestWinzipCTRKeystream(t *testing.T) {
	blk, _, _, err := aesKeys("password", []byte("saltsaltsaltsalt"), 32)
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

// TestPBKDF2SHA1 checks the faster key derivation against crypto/pbkdf2:
// passwords longer than a SHA-1 block, empty salts, odd key lengths, and
// WinZip's 1000 rounds.
func TestPBKDF2SHA1(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	for i := 0; i < 300; i++ {
		pw := make([]byte, rng.Intn(150))
		rng.Read(pw)
		salt := make([]byte, rng.Intn(24))
		rng.Read(salt)
		rounds, keyLen := 1+rng.Intn(40), 1+rng.Intn(100)
		if i%50 == 0 {
			rounds = aesRounds
		}
		want, err := pbkdf2.Key(sha1.New, string(pw), salt, rounds, keyLen)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := pbkdf2SHA1(string(pw), salt, rounds, keyLen)
		if !ok || !bytes.Equal(got, want) {
			t.Fatalf("case %d (password %d bytes, salt %d, rounds %d, key %d): differs from crypto/pbkdf2", i, len(pw), len(salt), rounds, keyLen)
		}
	}
	if dk, err := deriveKey("pw", []byte("0123456789abcdef"), 66); err != nil || !fastOK || len(dk) != 66 {
		t.Errorf("deriveKey: %v, fast path %v", err, fastOK)
	}
}

func BenchmarkDeriveKey(b *testing.B) {
	salt := make([]byte, 16)
	for i := 0; i < b.N; i++ {
		deriveKey(testPassword, salt, 66)
	}
}

func BenchmarkDeriveKeyStdlib(b *testing.B) {
	salt := make([]byte, 16)
	for i := 0; i < b.N; i++ {
		pbkdf2.Key(sha1.New, testPassword, salt, aesRounds, 66)
	}
}

// ---- cost of encryption ----

func benchTree(b *testing.B, files int, size int) []Entry {
	b.Helper()
	rng := rand.New(rand.NewSource(3))
	dir := b.TempDir()
	words := []string{"Bon", "Tisch", "Schnitzel", "Pils 0,5", "EUR", "Kellner 3", "MwSt", "Storno", "Bar", "EC-Karte"}
	var entries []Entry
	for i := 0; i < files; i++ {
		var buf bytes.Buffer
		for buf.Len() < size {
			if i%4 == 3 { // a quarter is incompressible (stored)
				chunk := make([]byte, 4096)
				rng.Read(chunk)
				buf.Write(chunk)
				continue
			}
			buf.WriteString(words[rng.Intn(len(words))])
			buf.WriteByte(';')
			buf.WriteString(string(rune('0' + rng.Intn(10))))
			buf.WriteString(",90\r\n")
		}
		p := filepath.Join(dir, "f"+string(rune('a'+i%26))+string(rune('a'+i/26%26))+string(rune('a'+i/676)))
		os.WriteFile(p, buf.Bytes()[:size], 0o644)
		entries = append(entries, Entry{Name: filepath.Base(p), Path: p, Size: int64(size), Mode: 0o644})
	}
	return entries
}

func benchWrite(b *testing.B, entries []Entry, password string) {
	var total int64
	for _, e := range entries {
		total += e.Size
	}
	b.SetBytes(total)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := &Manifest{}
		if _, err := Write(context.Background(), io.Discard, entries, m, Options{Password: password}); err != nil {
			b.Fatal(err)
		}
	}
}

// 64 MiB in 16 files of 4 MiB, three quarters POS text, one quarter
// random.
func BenchmarkWritePlain(b *testing.B)     { benchWrite(b, benchTree(b, 16, 4<<20), "") }
func BenchmarkWriteEncrypted(b *testing.B) { benchWrite(b, benchTree(b, 16, 4<<20), testPassword) }

// Many small files: the per-entry key derivation (PBKDF2, 1000 rounds)
// dominates here.
func BenchmarkWritePlainSmallFiles(b *testing.B) { benchWrite(b, benchTree(b, 2000, 8<<10), "") }
func BenchmarkWriteEncryptedSmallFiles(b *testing.B) {
	benchWrite(b, benchTree(b, 2000, 8<<10), testPassword)
}

// A real installation (e.g. made by bench/gen): set POSBACKUP_BENCH_DIR.
//
//	go run ./bench/gen -dir /tmp/pos -size 256
//	POSBACKUP_BENCH_DIR=/tmp/pos go test ./internal/archive -run '^$' -bench WriteDir
func BenchmarkWriteDirPlain(b *testing.B)     { benchWrite(b, benchDir(b), "") }
func BenchmarkWriteDirEncrypted(b *testing.B) { benchWrite(b, benchDir(b), testPassword) }

func benchDir(b *testing.B) []Entry {
	root := os.Getenv("POSBACKUP_BENCH_DIR")
	if root == "" {
		b.Skip("POSBACKUP_BENCH_DIR is not set")
	}
	var entries []Entry
	err := filepath.Walk(root, func(p string, st os.FileInfo, err error) error {
		if err != nil || p == root {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		name := filepath.ToSlash(rel)
		if st.IsDir() {
			name += "/"
		}
		entries = append(entries, Entry{Name: name, Path: p, Size: st.Size(), ModTime: st.ModTime(), Mode: st.Mode()})
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return entries
}

// TestVerifyReusesDerivedKeys: reading a just-written encrypted archive back
// needs no second PBKDF2 per entry (the keys are found by the salts read
// from disk), and a salt damaged on disk is still caught.
func TestVerifyReusesDerivedKeys(t *testing.T) {
	path, _ := writeTree(t, aesTestFiles(), Options{Password: testPassword})
	before := derivations.Load()
	r, err := OpenFilePassword(path, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := r.Verify(context.Background(), nil, nil)
	if err != nil || !rep.OK() {
		t.Fatalf("verify: %+v %v", rep, err)
	}
	off, _ := r.Lookup("Daten/Global/kasse.ini").DataOffset()
	r.Close()
	if n := derivations.Load() - before; n != 0 {
		t.Errorf("the read-back check derived %d keys again", n)
	}

	b, _ := os.ReadFile(path)
	b[off+3] ^= 0x40 // inside the entry's salt
	os.WriteFile(path, b, 0o644)
	r, err = OpenFilePassword(path, testPassword)
	if err != nil {
		return // refused at open: caught
	}
	defer r.Close()
	if rep, err := r.Verify(context.Background(), nil, nil); err == nil && rep.OK() {
		t.Errorf("a damaged salt passes the check")
	}
}
