package archive

// Fuzz targets for everything that reads an archive someone else may have
// made: the ZIP reader with Verify, CheckSafe and CheckExpansion, the
// manifest parser, and the decryption of WinZip AES entries. None may
// panic, hang or allocate without bound, whatever the input.
//
//	go test ./internal/archive -run '^$' -fuzz '^FuzzReader$' -fuzztime 20000x
//
// Crashers found are kept under testdata/fuzz/<Target>/ and run with every
// 'go test'.

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

const fuzzPassword = "pw"

// fuzzSeedArchives makes small real archives with Write: plain and
// encrypted, with folders, deflated, stored and empty files.
func fuzzSeedArchives(f *testing.F) [][]byte {
	f.Helper()
	src := f.TempDir()
	files := map[string][]byte{
		"Daten/Global/kasse.ini":   []byte("[Kasse]\r\nNummer=1\r\nNummer=1\r\nNummer=1\r\n"),
		"Daten/M001/Stamm/art.dat": bytes.Repeat([]byte("Artikel;3,90\r\n"), 40),
		"version.ini":              []byte("7.1"),
		"leer.dat":                 {},
		"zufall.bin":               {0x8f, 0x01, 0xfe, 0x77, 0x10, 0x00, 0x9a},
	}
	var entries []Entry
	for _, d := range []string{"Daten/", "Daten/Global/", "Daten/M001/", "Daten/M001/Stamm/"} {
		entries = append(entries, Entry{Name: d, Path: filepath.Join(src, d), ModTime: time.Unix(1700000000, 0), Mode: 0o755 | os.ModeDir})
	}
	for name, body := range files {
		p := filepath.Join(src, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, body, 0o644); err != nil {
			f.Fatal(err)
		}
		entries = append(entries, Entry{Name: name, Path: p, Size: int64(len(body)), Mode: 0o644})
	}
	var out [][]byte
	for _, pw := range []string{"", fuzzPassword} {
		var buf bytes.Buffer
		m := &Manifest{Tool: "posbackup fuzz", Variant: 2, Clients: []string{"M001"}, Host: "kasse1"}
		if _, err := Write(context.Background(), &buf, entries, m, Options{Password: pw, Workers: 1}); err != nil {
			f.Fatal(err)
		}
		out = append(out, buf.Bytes())
	}
	// One entry only, no manifest: the smallest ZIP posbackup reads.
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("a.txt")
	w.Write([]byte("hallo hallo hallo"))
	zw.Close()
	out = append(out, buf.Bytes())
	return out
}

func FuzzReader(f *testing.F) {
	for _, b := range fuzzSeedArchives(f) {
		f.Add(b)
	}
	f.Add([]byte("PK\x05\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, pw := range []string{"", fuzzPassword} {
			r, err := NewReaderPassword(bytes.NewReader(data), int64(len(data)), pw)
			if err != nil {
				if r != nil {
					t.Fatal("a reader and an error")
				}
				continue
			}
			if r.Manifest != nil && r.ManifestErr != nil {
				t.Fatal("a manifest and a manifest error")
			}
			safeErr := r.CheckSafe()
			r.CheckExpansion(nil, DefaultMaxRatio, 1<<30)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			rep, err := r.Verify(ctx, nil, nil)
			cancel()
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			if r.ManifestErr != nil && rep.OK() {
				t.Fatal("a damaged manifest passes verify")
			}
			// Whatever passes every check extracts into a folder, inside it.
			if safeErr == nil && rep.OK() && r.Manifest != nil && len(data) < 64<<10 {
				dst := t.TempDir()
				for _, rec := range r.Manifest.Files {
					if rec.IsDir() {
						continue
					}
					rec := rec
					zf := r.Lookup(rec.Name)
					if zf == nil {
						t.Fatalf("%s passed verify but is missing", rec.Name)
					}
					if _, err := Extract(zf, &rec, filepath.Join(dst, filepath.FromSlash(rec.Name))); err != nil {
						t.Fatalf("%s passed verify but does not extract: %v", rec.Name, err)
					}
				}
			}
		}
	})
}

func FuzzParseManifest(f *testing.F) {
	for _, b := range fuzzSeedArchives(f)[:1] {
		r, err := NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil || r.Manifest == nil {
			f.Fatalf("seed archive: %v", err)
		}
		mb, _ := json.Marshal(r.Manifest)
		f.Add(mb)
	}
	for _, s := range []string{
		`{"format":1}`, `{"format":1,"files":[{"name":"a/../b","size":1}]}`,
		`{"format":1,"files":[{"name":"a","size":-1}]}`, `{"format":1,"files":[{"name":"a"},{"name":"a"}]}`,
		`{"format":2}`, `{"format":1,"files":[{"name":"C:/x"}],"started":"2026-13-01T00:00:00Z"}`,
		`null`, `[]`, `{"format":1e400}`, `{"format":1,"files":null,"warnings":["x"]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseManifest(b)
		if err != nil {
			if m != nil {
				t.Fatal("a manifest and an error")
			}
			return
		}
		seen := map[string]bool{}
		for _, fr := range m.Files {
			if CheckName(fr.Name) != nil || fr.Size < 0 || seen[fr.Name] {
				t.Fatalf("accepted record %+v", fr)
			}
			seen[fr.Name] = true
		}
		m.TotalSize()
		m.FileCount()
		m.VariantCode()
		// What was accepted writes and reads back the same.
		out, err := json.Marshal(m)
		if err != nil {
			// Times outside year 0..9999 do not marshal: refused by Write
			// too, but not a crash.
			return
		}
		m2, err := ParseManifest(out)
		if err != nil || len(m2.Files) != len(m.Files) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// FuzzAESEntry: an encrypted entry with an arbitrary 0x9901 field and
// arbitrary data (seeded with real ones, so mutations reach past the
// password verifier into the decryption, MAC and inflate) never panics and
// never reads as good data when the MAC does not match.
func FuzzAESEntry(f *testing.F) {
	for _, body := range [][]byte{[]byte("kurz"), bytes.Repeat([]byte("Bon 12;Tisch 3\r\n"), 50)} {
		for _, method := range []uint16{zip.Store, zip.Deflate} {
			data := body
			if method == zip.Deflate {
				var cb bytes.Buffer
				fw := getFlate(6, &cb)
				fw.Write(body)
				fw.Close()
				data = cb.Bytes()
			}
			s, err := newAESSealer(fuzzPassword, nil)
			if err != nil {
				f.Fatal(err)
			}
			var enc bytes.Buffer
			if err := s.writeFrom(&enc, bytes.NewReader(data)); err != nil {
				f.Fatal(err)
			}
			f.Add(aesExtra(2, aesStrength256, method), enc.Bytes(), uint32(len(body)))
		}
	}
	f.Add([]byte{0x01, 0x99, 0x07, 0x00, 0x01, 0x00, 'A', 'E', 0x01, 0x08, 0x00}, make([]byte, 40), uint32(10))
	f.Fuzz(func(t *testing.T, extra, data []byte, size uint32) {
		if len(extra) > 0xffff {
			return
		}
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		fh := &zip.FileHeader{Name: "e.dat", Method: methodAES, Flags: 1, Extra: extra,
			CompressedSize64: uint64(len(data)), UncompressedSize64: uint64(size)}
		w, err := zw.CreateRaw(fh)
		if err != nil {
			return
		}
		w.Write(data)
		if zw.Close() != nil {
			return
		}
		r, err := NewReaderPassword(bytes.NewReader(buf.Bytes()), int64(buf.Len()), fuzzPassword)
		if err != nil {
			return
		}
		rc, err := r.Lookup("e.dat").Open()
		if err != nil {
			return
		}
		got, err := io.ReadAll(io.LimitReader(rc, 1<<24))
		rc.Close()
		if err == nil && uint64(len(got)) != uint64(size) {
			t.Fatalf("read %d bytes of a %d-byte entry without an error", len(got), size)
		}
		if errors.Is(err, ErrPasswordNeeded) {
			t.Fatal("password needed although given")
		}
	})
}
