package profile

import (
	"path"
	"testing"
)

// The per-folder classification of the walk gives every file the class
// Classify gives it: the default profile and one with file patterns in a
// client folder, a client parent at the root and a file pattern that a
// folder pattern also covers.
func TestFolderClassMatchesClassify(t *testing.T) {
	other, err := Parse([]byte(`
name = "test"
client_dir = "M###"
[[dataset]]
id = "stamm"
title = "Stamm"
kind = "master"
paths = ["{client}/Stamm/", "{client}/Stamm/Preise.dat", "Global/Kasse.ini"]
[[dataset]]
id = "preise"
title = "Preise"
kind = "master"
paths = ["{client}/stamm/preise.DAT", "M002/Stamm/", "Global/"]
[[dataset]]
id = "journal"
title = "Journal"
kind = "transactions"
paths = ["{client}/Journal/", "{client}/Arthist.dat", "M001"]
[[variant]]
number = 1
title = "all"
datasets = ["stamm", "preise", "journal"]
`), "test")
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{
		"version.ini", "M001", "m001", "M002", "Global/Kasse.ini", "global/KASSE.INI", "Global/other.cfg",
		"M001/Arthist.dat", "M001/ARTHIST.DAT", "M001/arthist.dat.bak", "M001/Stamm/Preise.dat", "M001/stamm/PREISE.dat",
		"M002/Stamm/Preise.dat", "M002/Stamm/x.dat", "M001/Stamm/x.dat", "M001/Journal/2026-11.jrn", "M001/Journal/Archiv/a.jrn",
		"MX01/Stamm/Preise.dat", "M1/Stamm/Preise.dat", "M001/Journal", "Programme/kasse.exe",
		"Daten/M001", "Daten/m001", "Daten/M001/Arthist.dat", "DATEN/m001/ARTHIST.DAT", "Daten/M001/Journal/2026-11.jrn",
		"Daten/M001/Journal/Archiv/2026-10.jrn", "Daten/M012/Stamm/artikel.dat", "Daten/Global/system.cfg", "daten/global/SYSTEM.CFG",
		"Daten/Arthist.dat", "Daten/M001/Stamm/Arthist.dat", "Daten/M0001/Arthist.dat", "Programme/modul.dll", "Programme/sub/x.dll", "x.cfg",
	}
	for _, p := range []*Profile{Default(), other} {
		w := &walker{p: p}
		for _, rel := range paths {
			dir, name := path.Split(rel)
			got := w.folderClass(dir).of(p, rel, name)
			if want := p.Classify(rel); got != want {
				t.Errorf("%s, %s: folder class %+v, Classify %+v", p.Name, rel, got, want)
			}
		}
	}
}
