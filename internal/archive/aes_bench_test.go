//go:build unix

package archive

import (
	"bytes"
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha1"
	"encoding/binary"
	"syscall"
	"testing"
)

// BenchmarkAESKeyDerivation: one entry's keys with WinZip's AES-256
// parameters (PBKDF2-HMAC-SHA1, 1000 rounds, 16-byte salt, 66 bytes: AES
// key, HMAC key, verifier), a new salt each time as every entry has:
// "aes" through the package's derivation, "stdlib" crypto/pbkdf2 alone.
func BenchmarkAESKeyDerivation(b *testing.B) {
	salt := make([]byte, 16)
	rand.Read(salt[8:]) // no two runs share a salt
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
