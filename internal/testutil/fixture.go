// Package testutil holds what several packages' tests share: an awkward
// example installation with an independent record of what each variant
// must contain, and checks of archives with real ZIP tools.
package testutil

import (
	"os"
	"path/filepath"
	"strings"
	"time"
)

// File is one file of the fixture installation.
type File struct {
	Rel     string
	Body    []byte
	ModTime time.Time
	Mode    os.FileMode
	// MinVariant is the lowest variant that contains the file: 1 master
	// data, 2 transactions, 3 closed journals, 4 the rest; 0 never.
	MinVariant int
	Client     int  // 0: not in a client folder
	Arthist    bool // subject to the Arthist rule
}

// Installation is the fixture on disk.
type Installation struct {
	Root      string
	Files     []File
	EmptyDirs map[string]int // empty folder (with "/") -> MinVariant
}

// Expected lists the files a backup must hold.
func (in *Installation) Expected(variant int, clients []int, headOffice bool) map[string]File {
	want := map[string]File{}
	for _, f := range in.Files {
		if f.MinVariant == 0 || f.MinVariant > variant {
			continue
		}
		if f.Client != 0 && len(clients) > 0 && !contains(clients, f.Client) {
			continue
		}
		if f.Arthist && headOffice && f.Client != 1 {
			continue
		}
		want[f.Rel] = f
	}
	return want
}

func contains(s []int, n int) bool {
	for _, x := range s {
		if x == n {
			return true
		}
	}
	return false
}

// Times outside what a ZIP's MS-DOS time field can hold.
var (
	Before1980 = time.Date(1975, 6, 1, 12, 0, 0, 0, time.UTC)
	After2107  = time.Date(2110, 3, 4, 5, 6, 8, 0, time.UTC)
)

// MakeInstallation writes the awkward fixture under root: non-ASCII, long
// and spaced names, empty files and folders, a read-only file, times before
// 1980 and after 2107, three clients, and never-list files.
func MakeInstallation(root string) (*Installation, error) {
	base := time.Date(2026, 11, 23, 21, 30, 15, 123456789, time.UTC)
	long := strings.Repeat("Lange Bezeichnung ", 10) + "Ende.dat" // 188 bytes
	in := &Installation{Root: root, EmptyDirs: map[string]int{
		"Daten/Global/Leer/":         1,
		"Daten/M002/Journal/Archiv/": 3,
		"Programme/Plugins/":         4,
		"Daten/M001/Stamm/Bilder/":   1,
	}}
	add := func(rel string, body string, minV, client int) *File {
		in.Files = append(in.Files, File{Rel: rel, Body: []byte(body), ModTime: base.Add(-time.Duration(len(in.Files)) * time.Minute), Mode: 0o644, MinVariant: minV, Client: client})
		return &in.Files[len(in.Files)-1]
	}
	add("version.ini", "[Suite]\r\nVersion=26.4.1\r\n", 4, 0)
	add("Programme/kasse.exe", strings.Repeat("MZ\x90\x00binary", 5000), 4, 0)
	add("Programme/Lies mich.txt", "Kasse\r\n", 4, 0)
	add("Daten/Global/system.cfg", "[Drucker]\r\nBon=1\r\n", 1, 0)
	add("Daten/Global/Drucker Einstellungen (Küche).cfg", "Küche=EPSON\r\n", 1, 0)
	add("Daten/Global/leer.dat", "", 1, 0)
	add("Daten/Global/"+long, "long name", 1, 0)
	add("Daten/Global/日本語メニュー.txt", "寿司\n", 1, 0)
	ro := add("Daten/Global/schreibgeschützt.cfg", "readonly=1\r\n", 1, 0)
	ro.Mode = 0o444
	old := add("Daten/Global/alt.cfg", "from 1975\r\n", 1, 0)
	old.ModTime = Before1980
	future := add("Daten/Global/zukunft.cfg", "from 2110\r\n", 1, 0)
	future.ModTime = After2107
	for c := 1; c <= 3; c++ {
		m := []string{"", "M001", "M002", "M003"}[c]
		add("Daten/"+m+"/Stamm/artikel.dat", strings.Repeat("4711;Pils 0,4l;3,90\r\n", 300*c), 1, c)
		add("Daten/"+m+"/Stamm/Bäckerei Müller – Preise.dat", "Brötchen;0,45\r\n", 1, c)
		add("Daten/"+m+"/Journal/2026-11.jrn", strings.Repeat("Bon;Tisch 4;12,80\r\n", 500), 2, c)
		if c != 2 {
			add("Daten/"+m+"/Journal/Archiv/2026-10.jrn", strings.Repeat("Bon;Tisch 9;8,10\r\n", 700), 3, c)
		}
		ah := add("Daten/"+m+"/Arthist.dat", strings.Repeat("4711;17\r\n", 200), 2, c)
		ah.Arthist = true
		add("Daten/"+m+"/Stamm/artikel.lck", "lock", 0, c)
		add("Daten/"+m+"/Temp/work.dat", "scratch", 0, c)
		add("Daten/"+m+"/sonstiges.ini", "other=1\r\n", 4, c)
	}
	add("Temp/bon.tmp", "x", 0, 0)
	add("Temp/anything.dat", "x", 0, 0)
	add("Log/kasse.log", "22:00 ok\r\n", 0, 0)
	add("Daten/Global/cache.TMP", "x", 0, 0)
	for _, f := range in.Files {
		p := filepath.Join(root, filepath.FromSlash(f.Rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, f.Body, 0o644); err != nil {
			return nil, err
		}
		if err := os.Chtimes(p, f.ModTime, f.ModTime); err != nil {
			return nil, err
		}
		if err := os.Chmod(p, f.Mode); err != nil {
			return nil, err
		}
	}
	for d := range in.EmptyDirs {
		if err := os.MkdirAll(filepath.Join(root, filepath.FromSlash(d)), 0o755); err != nil {
			return nil, err
		}
	}
	return in, nil
}
