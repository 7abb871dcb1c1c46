//go:build unix

package archive

import (
	"bytes"
	"context"
	"crypto/cipher"
	"crypto/pbkdf2"
	crand "crypto/rand"
	"crypto/sha1"
	"encoding/binary"
	"hash"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// The cost of encryption. Unix only: reportCPU asks getrusage.

// BenchmarkAESKeyDerivation: one entry's keys with WinZip's AES-256
// parameters (PBKDF2-HMAC-SHA1, 1000 rounds, 16-byte salt, 66 bytes: AES
// key, HMAC key, verifier), a new salt each time as every entry has:
// "aes" through the package's derivation, "stdlib" crypto/pbkdf2 alone.
func BenchmarkAESKeyDerivation(b *testing.B) {
	salt := make([]byte, 16)
	crand.Read(salt[8:]) // no two runs share a salt
	var i uint64
	b.Run("aes", func(b *testing.B) {
		defer reportCPU(b)()
		for b.Loop() {
			i++
			binary.LittleEndian.PutUint64(salt, i)
			if _, _, _, err := benchAESKeys(testPassword, salt); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("stdlib", func(b *testing.B) {
		defer reportCPU(b)()
		for b.Loop() {
			i++
			binary.LittleEndian.PutUint64(salt, i)
			if _, err := pbkdf2.Key(sha1.New, testPassword, salt, aesRounds, 66); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkEncryptedSmallArchive: 2,000 files of 200 bytes, encrypted,
// where the per-entry key derivation dominates: writing alone; writing and
// the check that reads it back (what a backup run does); and reading an
// archive whose keys nobody knows any more (what a restore does).
func BenchmarkEncryptedSmallArchive(b *testing.B) {
	entries := benchTree(b, 2000, 200)
	write := func(b *testing.B) (*bytes.Buffer, *Result) {
		var buf bytes.Buffer
		res, err := Write(context.Background(), &buf, entries, &Manifest{}, Options{Password: testPassword})
		if err != nil {
			b.Fatal(err)
		}
		return &buf, res
	}
	verify := func(b *testing.B, buf *bytes.Buffer, res *Result) {
		r, err := benchOpenAfterWrite(buf, res)
		if err != nil {
			b.Fatal(err)
		}
		rep, err := r.Verify(context.Background(), nil, nil)
		if err != nil || !rep.OK() || rep.Checked != len(entries) {
			b.Fatalf("verify: %+v %v", rep, err)
		}
	}
	b.Run("write", func(b *testing.B) {
		defer reportCPU(b)()
		for b.Loop() {
			write(b)
		}
	})
	b.Run("write+verify", func(b *testing.B) {
		defer reportCPU(b)()
		for b.Loop() {
			buf, res := write(b)
			verify(b, buf, res)
		}
	})
	b.Run("verify-cold", func(b *testing.B) {
		buf, _ := write(b)
		defer reportCPU(b)()
		for b.Loop() {
			benchForgetKeys()
			verify(b, buf, nil)
		}
	})
}

// reportCPU adds the CPU time (user and system, all threads) per operation:
// on a machine shared with other work the wall time says more about the
// neighbours than about the code. Use: defer reportCPU(b)().
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

func cpuTime() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func benchAESKeys(pw string, salt []byte) (cipher.Block, hash.Hash, [aesPVLen]byte, error) {
	return aesKeys(pw, salt, 32, nil)
}

// benchOpenAfterWrite opens what Write made with the keys it derived (res
// nil: none, as a restore has).
func benchOpenAfterWrite(buf *bytes.Buffer, res *Result) (*Reader, error) {
	var keys *Keys
	if res != nil {
		keys = res.Keys
	}
	return NewReaderKeys(bytes.NewReader(buf.Bytes()), int64(buf.Len()), testPassword, keys)
}

// benchForgetKeys: no keys outlive a run (before issue 16 this emptied the
// process-wide cache).
func benchForgetKeys() {}

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
