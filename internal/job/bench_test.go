package job

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/profile"
)

// BenchmarkSmallFiles backs up 10,000 small configuration files, the case
// where per-file costs dominate. It reports the time of each phase too:
// select (the walk of profile.Select), archive, and verify (the read-back
// check of the stored archive).
func BenchmarkSmallFiles(b *testing.B) {
	src := b.TempDir()
	for i := 0; i < 10000; i++ {
		p := filepath.Join(src, "Daten", "M001", "Stamm", fmt.Sprintf("g%02d", i/1000), fmt.Sprintf("artikel-%05d.cfg", i))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(fmt.Sprintf("[Artikel]\r\nNr=%d\r\nPreis=%d,%02d\r\n", i, i%100, i%97)), 0o644)
	}
	to, err := localFolder(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	phase := map[string]time.Duration{}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		last, cur := time.Now(), "select"
		_, err := Backup(context.Background(), BackupRequest{Profile: profile.Default(), Source: src, Variant: 4, Dest: to, NameTemplate: "b", OnEvent: func(e Event) {
			if e.Phase != cur {
				now := time.Now()
				phase[cur] += now.Sub(last)
				cur, last = e.Phase, now
			}
		}})
		if err != nil {
			b.Fatal(err)
		}
	}
	for _, p := range []string{"select", "archive", "verify"} {
		b.ReportMetric(float64(phase[p].Milliseconds())/float64(b.N), p+"-ms/op")
	}
}

// BenchmarkRestore restores an installation of a few journals and many
// small files into a fresh folder: check and extract in one pass, then
// rename.
func BenchmarkRestore(b *testing.B) {
	src := b.TempDir()
	var total int64
	for i := 0; i < 2000; i++ {
		p := filepath.Join(src, "Daten", "Global", fmt.Sprintf("g%02d", i/100), fmt.Sprintf("maske%04d.cfg", i))
		os.MkdirAll(filepath.Dir(p), 0o755)
		body := []byte(fmt.Sprintf("[Maske %d]\r\nFeld=%d\r\n", i, i*7))
		os.WriteFile(p, body, 0o644)
		total += int64(len(body))
	}
	for c := 1; c <= 3; c++ {
		p := filepath.Join(src, "Daten", fmt.Sprintf("M%03d", c), "Journal", "2026-11.jrn")
		os.MkdirAll(filepath.Dir(p), 0o755)
		var buf []byte
		for len(buf) < 16<<20 {
			buf = fmt.Appendf(buf, "2026-11-%02d;Kasse %d;Bon %d;%d,%02d EUR\r\n", len(buf)%28+1, c, len(buf), len(buf)%97, len(buf)%100)
		}
		os.WriteFile(p, buf, 0o644)
		total += int64(len(buf))
	}
	to, err := localFolder(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	res, err := Backup(context.Background(), BackupRequest{Profile: profile.Default(), Source: src, Variant: 4, Dest: to, NameTemplate: "r"})
	if err != nil {
		b.Fatal(err)
	}
	a, err := OpenPath(filepath.Join(to.Dir(), res.Archive))
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	b.SetBytes(total)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		target := filepath.Join(b.TempDir(), "t")
		if _, err := Restore(context.Background(), RestoreRequest{Archive: a, Profile: profile.Default(), Target: target}); err != nil {
			b.Fatal(err)
		}
	}
}
