// Command gen writes a realistic POS installation for benchmarks: a few large
// tables and journals, thousands of small configuration files, and program
// files that do not compress. Usage:
//
//	go run ./bench/gen -dir /tmp/pos -size 1024        # about 1 GiB
//	go run ./bench/gen -dir /tmp/small -small 100000   # 100,000 small files
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
)

func main() {
	dir := flag.String("dir", "", "folder to create")
	sizeMiB := flag.Int("size", 1024, "approximate total size in MiB")
	small := flag.Int("small", 0, "instead: this many small files only")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "gen: give -dir")
		os.Exit(2)
	}
	rng := rand.New(rand.NewSource(42))
	if *small > 0 {
		for i := 0; i < *small; i++ {
			p := filepath.Join(*dir, "Daten", fmt.Sprintf("M%03d", 1+i%5), "Stamm", fmt.Sprintf("g%03d", i/1000), fmt.Sprintf("artikel-%06d.cfg", i))
			must(os.MkdirAll(filepath.Dir(p), 0o755))
			must(os.WriteFile(p, []byte(fmt.Sprintf("[Artikel]\r\nNr=%d\r\nPreis=%d,%02d\r\nGruppe=%d\r\n", i, rng.Intn(100), rng.Intn(100), rng.Intn(40))), 0o644))
		}
		must(os.WriteFile(filepath.Join(*dir, "version.ini"), []byte("Version=26.4.1\r\n"), 0o644))
		return
	}
	total := int64(*sizeMiB) << 20
	// Shares of the total: 45% journals, 30% tables, 15% program files, 10% small files.
	journals := total * 45 / 100
	tables := total * 30 / 100
	programs := total * 15 / 100
	smalls := total - journals - tables - programs
	for c := 1; c <= 3; c++ {
		m := fmt.Sprintf("M%03d", c)
		text(rng, filepath.Join(*dir, "Daten", m, "Journal", "2026-11.jrn"), journals/3*2/3, journalLine)
		text(rng, filepath.Join(*dir, "Daten", m, "Journal", "Archiv", "2026-10.jrn"), journals/3/3, journalLine)
		text(rng, filepath.Join(*dir, "Daten", m, "Arthist.dat"), tables/3/2, tableLine)
		text(rng, filepath.Join(*dir, "Daten", m, "Stamm", "artikel.dat"), tables/3/2, tableLine)
	}
	for i := 0; i < 8; i++ {
		random(rng, filepath.Join(*dir, "Programme", fmt.Sprintf("modul%d.dll", i)), programs/8)
	}
	n := int(smalls / (24 << 10))
	for i := 0; i < n; i++ {
		p := filepath.Join(*dir, "Daten", "Global", fmt.Sprintf("Gruppe%02d", i%40), fmt.Sprintf("maske%05d.cfg", i))
		text(rng, p, int64(4<<10+rng.Intn(40<<10)), tableLine)
	}
	must(os.WriteFile(filepath.Join(*dir, "version.ini"), []byte("[Suite]\r\nVersion=26.4.1\r\n"), 0o644))
}

func journalLine(rng *rand.Rand, w *bufio.Writer) {
	fmt.Fprintf(w, "2026-11-%02d %02d:%02d:%02d;Kasse %d;Bon %d;Tisch %d;Artikel %d;%d x %d,%02d EUR;Kellner %d\r\n",
		1+rng.Intn(28), 10+rng.Intn(13), rng.Intn(60), rng.Intn(60), 1+rng.Intn(4), rng.Intn(1000000), rng.Intn(60), 1000+rng.Intn(3000), 1+rng.Intn(4), rng.Intn(40), rng.Intn(100), rng.Intn(30))
}

func tableLine(rng *rand.Rand, w *bufio.Writer) {
	fmt.Fprintf(w, "%08d|%-30s|%8d|%6d|%3d|%s\r\n", rng.Intn(100000000), fmt.Sprintf("Artikel %d Gruppe %d", rng.Intn(5000), rng.Intn(50)), rng.Intn(100000), rng.Intn(999999), rng.Intn(20), "J")
}

func text(rng *rand.Rand, p string, size int64, line func(*rand.Rand, *bufio.Writer)) {
	must(os.MkdirAll(filepath.Dir(p), 0o755))
	f, err := os.Create(p)
	must(err)
	w := bufio.NewWriterSize(f, 1<<20)
	for int64(w.Buffered())+pos(f) < size {
		line(rng, w)
		if w.Buffered() > 900<<10 {
			must(w.Flush())
		}
	}
	must(w.Flush())
	must(f.Close())
}

func pos(f *os.File) int64 {
	n, _ := f.Seek(0, 1)
	return n
}

func random(rng *rand.Rand, p string, size int64) {
	must(os.MkdirAll(filepath.Dir(p), 0o755))
	b := make([]byte, size)
	rng.Read(b)
	must(os.WriteFile(p, b, 0o644))
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
