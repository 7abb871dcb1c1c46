// Package demo makes a small example POS installation in the built-in
// profile's layout, for `posbackup demo` and for tests.
package demo

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Make creates the example installation under root and returns the number
// of files it wrote.
func Make(root string) (int, error) {
	base := time.Date(2026, 11, 20, 22, 15, 0, 0, time.Local)
	files := map[string]string{
		"version.ini":                           "[Suite]\r\nVersion=26.4.1\r\n",
		"Programme/kasse.exe":                   binary(64<<10, 1),
		"Programme/bon.dll":                     binary(32<<10, 2),
		"Daten/Global/system.cfg":               "[Drucker]\r\nBon=EPSON TM-T88\r\n",
		"Daten/Global/tasten.dat":               repeat("Taste;Artikel;Farbe\r\n", 400),
		"Daten/M001/Stamm/artikel.dat":          articles(1500),
		"Daten/M001/Stamm/preise.dat":           repeat("4711;3,90;7%\r\n", 1500),
		"Daten/M001/Stamm/personal.dat":         "1;Anna Müller;Kellnerin\r\n2;Jörg Weiß;Küche\r\n",
		"Daten/M001/Journal/2026-11.jrn":        journal(3000),
		"Daten/M001/Journal/Archiv/2026-10.jrn": journal(6000),
		"Daten/M001/Arthist.dat":                repeat("4711;2026-11-20;17\r\n", 2000),
		"Daten/M002/Stamm/artikel.dat":          articles(800),
		"Daten/M002/Journal/2026-11.jrn":        journal(1200),
		"Daten/M002/Arthist.dat":                repeat("0815;2026-11-20;3\r\n", 800),
		"Daten/M002/Stamm/Bäckerei Grüße.txt":   "Frische Brötchen ab 6 Uhr\r\n",
		"Temp/bon-0001.tmp":                     "temporary",
		"Log/kasse.log":                         repeat("22:14 Bon gedruckt\r\n", 100),
		"Daten/M001/Stamm/artikel.lck":          "locked by till 1",
	}
	n := 0
	for rel, body := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return n, err
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			return n, err
		}
		os.Chtimes(p, base, base.Add(-time.Duration(n)*time.Hour))
		n++
	}
	return n, nil
}

func repeat(s string, n int) string {
	b := make([]byte, 0, len(s)*n)
	for i := 0; i < n; i++ {
		b = append(b, s...)
	}
	return string(b)
}

func articles(n int) string {
	b := []byte{}
	for i := 1; i <= n; i++ {
		b = fmt.Appendf(b, "%d;Artikel %d;%d,%02d;Warengruppe %d\r\n", 1000+i, i, i%50, i%100, i%12)
	}
	return string(b)
}

func journal(n int) string {
	b := []byte{}
	for i := 1; i <= n; i++ {
		b = fmt.Appendf(b, "2026-11-%02d %02d:%02d;Bon %d;Tisch %d;%d,%02d EUR\r\n", 1+i%28, 10+i%12, i%60, i, i%30, i%90, i%100)
	}
	return string(b)
}

// binary makes deterministic, poorly compressible bytes like a program file.
func binary(n int, seed uint32) string {
	b := make([]byte, n)
	x := seed*2654435761 + 1
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return string(b)
}
