package job

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/metrics"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/archive"
	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/open"
	"github.com/posbackup/posbackup/internal/profile"
	"github.com/posbackup/posbackup/internal/testsrv"
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

// benchInstall is the source of BenchmarkBackupTo: POSBACKUP_BENCH_SRC when
// set (e.g. a tree made by bench/gen), else a small installation of text
// journals, a program file that does not compress and 500 small files.
func benchInstall(b *testing.B) (string, int64) {
	if s := os.Getenv("POSBACKUP_BENCH_SRC"); s != "" {
		var total int64
		filepath.WalkDir(s, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				if in, err := d.Info(); err == nil {
					total += in.Size()
				}
			}
			return nil
		})
		return s, total
	}
	src := b.TempDir()
	var total int64
	write := func(rel string, body []byte) {
		p := filepath.Join(src, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, body, 0o644); err != nil {
			b.Fatal(err)
		}
		total += int64(len(body))
	}
	for c := 1; c <= 3; c++ {
		var buf []byte
		for len(buf) < 16<<20 {
			buf = fmt.Appendf(buf, "2026-11-%02d;Kasse %d;Bon %d;%d,%02d EUR\r\n", len(buf)%28+1, c, len(buf), len(buf)%97, len(buf)%100)
		}
		write(fmt.Sprintf("Daten/M%03d/Journal/2026-11.jrn", c), buf)
	}
	rnd := make([]byte, 8<<20)
	for i := range rnd {
		rnd[i] = byte(uint32(i) * 2654435761 >> 13)
	}
	write("Programme/modul.dll", rnd)
	for i := 0; i < 500; i++ {
		write(fmt.Sprintf("Daten/Global/g%02d/maske%04d.cfg", i/50, i), []byte(fmt.Sprintf("[Maske %d]\r\nFeld=%d\r\n", i, i*7)))
	}
	return src, total
}

// BenchmarkBackupTo backs up the same installation to a folder and to the
// test vsftpd (plain FTP on 127.0.0.1), the two cases whose ratio the FTP
// target is about. Needs root and vsftpd for the FTP case.
func BenchmarkBackupTo(b *testing.B) {
	src, total := benchInstall(b)
	run := func(b *testing.B, d dest.Destination) {
		b.SetBytes(total)
		for i := 0; i < b.N; i++ {
			if _, err := Backup(context.Background(), BackupRequest{Profile: profile.Default(), Source: src, Variant: 4, Dest: d, NameTemplate: "b"}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("folder", func(b *testing.B) {
		to, err := localFolder(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		run(b, to)
	})
	b.Run("ftp", func(b *testing.B) {
		run(b, benchFTP(b))
	})
}

// benchFTP is a folder on the test vsftpd, closed when b ends.
func benchFTP(b *testing.B) dest.Destination {
	d, _ := testFTP(b, "bench")
	return d
}

// testFTP is folder on the test vsftpd s (started for tb), closed when tb
// ends.
func testFTP(tb testing.TB, folder string) (d dest.Destination, s *testsrv.FTPServer) {
	s = testsrv.StartFTP(tb, "ftp")
	spec, err := open.Parse(fmt.Sprintf("ftp://127.0.0.1:%d/%s", s.Port, folder))
	if err != nil {
		tb.Fatal(err)
	}
	d, _, err = open.Open(context.Background(), spec, open.Options{User: s.User, Password: s.Password, Retries: 3, Backoff: 50 * time.Millisecond, Timeout: 30 * time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	return d, s
}

// BenchmarkBackupPeakHeap backs up POSBACKUP_BENCH_SRC (or the small
// installation of benchInstall) to a folder once per op and reports the
// highest live heap seen after a GC. With POSBACKUP_HEAP_PEAK=file it
// writes the heap profile taken at that peak, to find what grows with the
// data (go tool pprof -sample_index=inuse_space).
func BenchmarkBackupPeakHeap(b *testing.B) {
	src, total := benchInstall(b)
	to, err := localFolder(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(total)
	var peak uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		var prof bytes.Buffer
		for {
			select {
			case <-stop:
				if out := os.Getenv("POSBACKUP_HEAP_PEAK"); out != "" && prof.Len() > 0 {
					os.WriteFile(out, prof.Bytes(), 0o644)
				}
				return
			case <-time.After(20 * time.Millisecond):
			}
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > peak {
				peak = v
				prof.Reset()
				pprof.Lookup("heap").WriteTo(&prof, 0)
			}
		}
	}()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Backup(context.Background(), BackupRequest{Profile: profile.Default(), Source: src, Variant: 4, Dest: to, NameTemplate: "b"}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	close(stop)
	<-sampled
	b.ReportMetric(float64(peak)/(1<<20), "peak-live-MiB")
}

// BenchmarkReadBack compares the two ways to check a server's archive
// before the rename (issue 11, finding 1) on the test vsftpd: one download
// into the temp folder, then the check of the local file (what verify=full
// does), against checking through a ReaderAt that fetches 256 KiB blocks
// with Open at an offset (remoteReaderAt, what list uses for manifests).
func BenchmarkReadBack(b *testing.B) {
	src, _ := benchInstall(b)
	d := benchFTP(b)
	res, err := Backup(context.Background(), BackupRequest{Profile: profile.Default(), Source: src, Variant: 4, Dest: d, NameTemplate: "b", Verify: VerifyQuick})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	check := func(b *testing.B, ra io.ReaderAt) {
		r, err := archive.NewReader(ra, res.Size)
		if err != nil {
			b.Fatal(err)
		}
		rep, err := r.Verify(ctx, nil, nil)
		if err != nil || !rep.OK() {
			b.Fatalf("%v %+v", err, rep.Damaged)
		}
	}
	b.Run("download", func(b *testing.B) {
		b.SetBytes(res.Size)
		for i := 0; i < b.N; i++ {
			rc, err := d.Open(ctx, res.Archive, 0)
			if err != nil {
				b.Fatal(err)
			}
			f, err := os.CreateTemp(b.TempDir(), "posbackup-download-*.zip")
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.Copy(f, rc); err != nil {
				b.Fatal(err)
			}
			rc.Close()
			check(b, f)
			f.Close()
		}
	})
	b.Run("blocks", func(b *testing.B) {
		b.SetBytes(res.Size)
		for i := 0; i < b.N; i++ {
			check(b, &remoteReaderAt{ctx: ctx, d: d, name: res.Archive, size: res.Size, cache: map[int64][]byte{}})
		}
	})
}
