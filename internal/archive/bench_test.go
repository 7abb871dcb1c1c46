package archive

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// journalData is text like a cash journal: compresses about 4:1.
func journalData(n int) []byte {
	rng := rand.New(rand.NewSource(7))
	var b bytes.Buffer
	for b.Len() < n {
		fmt.Fprintf(&b, "2026-11-%02d %02d:%02d;Kasse %d;Bon %d;Tisch %d;%d,%02d EUR\r\n", 1+rng.Intn(28), 10+rng.Intn(13), rng.Intn(60), 1+rng.Intn(4), rng.Intn(1000000), rng.Intn(60), rng.Intn(90), rng.Intn(100))
	}
	return b.Bytes()[:n]
}

func benchEntries(b *testing.B, files map[string][]byte) ([]Entry, int64) {
	dir := b.TempDir()
	var entries []Entry
	var total int64
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, body, 0o644); err != nil {
			b.Fatal(err)
		}
		st, _ := os.Stat(p)
		entries = append(entries, Entry{Name: name, Path: p, Size: st.Size(), ModTime: st.ModTime(), Mode: 0o644})
		total += st.Size()
	}
	return entries, total
}

// BenchmarkWriteOneLargeFile: one 64 MiB journal, the case pigz-style block
// compression is for; compare workers=1 with workers=2.
func BenchmarkWriteOneLargeFile(b *testing.B) {
	entries, total := benchEntries(b, map[string][]byte{"journal.jrn": journalData(64 << 20)})
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			b.SetBytes(total)
			for i := 0; i < b.N; i++ {
				if _, err := Write(context.Background(), io.Discard, entries, &Manifest{Started: time.Now()}, Options{Workers: workers}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerify reads back and checks an archive of eight 8 MiB journals.
func BenchmarkVerify(b *testing.B) {
	files := map[string][]byte{}
	for i := 0; i < 8; i++ {
		files[fmt.Sprintf("j%d.jrn", i)] = journalData(8 << 20)
	}
	entries, total := benchEntries(b, files)
	var zipBuf bytes.Buffer
	if _, err := Write(context.Background(), &zipBuf, entries, &Manifest{Started: time.Now()}, Options{}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(total)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := NewReader(bytes.NewReader(zipBuf.Bytes()), int64(zipBuf.Len()))
		if err != nil {
			b.Fatal(err)
		}
		rep, err := r.Verify(context.Background(), nil, nil)
		if err != nil || !rep.OK() {
			b.Fatal(err, rep)
		}
	}
}

func smallFiles(n int) map[string][]byte {
	files := map[string][]byte{}
	for i := 0; i < n; i++ {
		files[fmt.Sprintf("artikel-%05d.cfg", i)] = []byte(fmt.Sprintf("[Artikel]\r\nNr=%d\r\nPreis=%d,%02d\r\nGruppe=%d\r\n", i, i%100, i%97, i%40))
	}
	return files
}

// BenchmarkWriteSmallFiles: 5,000 files of about 45 bytes, where per-file
// costs (open, read, fstat, close, hand-over between goroutines, manifest
// record) dominate.
func BenchmarkWriteSmallFiles(b *testing.B) {
	entries, total := benchEntries(b, smallFiles(5000))
	b.SetBytes(total)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Write(context.Background(), io.Discard, entries, &Manifest{Started: time.Now()}, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(len(entries)), "µs/file")
}

// BenchmarkVerifySmallFiles checks an archive of 5,000 small files: runs of
// small entries are checked from one read each.
func BenchmarkVerifySmallFiles(b *testing.B) {
	entries, total := benchEntries(b, smallFiles(5000))
	var zipBuf bytes.Buffer
	if _, err := Write(context.Background(), &zipBuf, entries, &Manifest{Started: time.Now()}, Options{}); err != nil {
		b.Fatal(err)
	}
	r, err := NewReader(bytes.NewReader(zipBuf.Bytes()), int64(zipBuf.Len()))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(total)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep, err := r.Verify(context.Background(), nil, nil)
		if err != nil || !rep.OK() {
			b.Fatal(err, rep)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(len(entries)), "µs/file")
}

// BenchmarkExtractTemp decompresses and checks one 16 MiB journal into a
// temporary file (the restore hot path, without the rename).
func BenchmarkExtractTemp(b *testing.B) {
	entries, total := benchEntries(b, map[string][]byte{"journal.jrn": journalData(16 << 20)})
	var zipBuf bytes.Buffer
	m := &Manifest{Started: time.Now()}
	if _, err := Write(context.Background(), &zipBuf, entries, m, Options{}); err != nil {
		b.Fatal(err)
	}
	r, err := NewReader(bytes.NewReader(zipBuf.Bytes()), int64(zipBuf.Len()))
	if err != nil {
		b.Fatal(err)
	}
	tgt, err := OpenTarget(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer tgt.Close()
	rec := m.Files[0]
	b.SetBytes(total)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tmp, _, err := tgt.ExtractTemp(r.Lookup("journal.jrn"), &rec, "journal.jrn")
		if err != nil {
			b.Fatal(err)
		}
		tgt.Remove(tmp)
	}
}
