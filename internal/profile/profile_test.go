package profile

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	p := Default()
	cases := map[string]struct {
		id     string
		client int
	}{
		"Daten/Global/system.cfg":               {"global", 0},
		"daten/global/SYSTEM.CFG":               {"global", 0},
		"Daten/M001/Stamm/artikel.dat":          {"stamm", 1},
		"Daten/M012/Journal/2026-11.jrn":        {"journal", 12},
		"Daten/M002/Journal/Archiv/2026-10.jrn": {"journal-archive", 2},
		"Daten/M002/Journal/Archiv/":            {"journal-archive", 2},
		"Daten/M003/Arthist.dat":                {"arthist", 3},
		"Daten/M003/Arthist.dat.bak":            {"", 3},
		"Daten/M003/sonstiges.ini":              {"", 3},
		"Daten/MXYZ/Stamm/a.dat":                {"", 0},
		"Programme/kasse.exe":                   {"program", 0},
		"version.ini":                           {"", 0},
	}
	for rel, want := range cases {
		c := p.Classify(rel)
		if c.ID() != want.id || c.Client != want.client {
			t.Errorf("Classify(%q) = %q client %d, want %q client %d", rel, c.ID(), c.Client, want.id, want.client)
		}
	}
}

func TestNeverList(t *testing.T) {
	p := Default()
	for rel, want := range map[string]bool{
		"Temp/":                       true,
		"Daten/M001/Temp/":            true,
		"Daten/M001/temp/x.dat":       true,
		"Log/":                        true,
		"a/b/c.tmp":                   true,
		"a/b/C.TMP":                   true,
		"Daten/M001/Stamm/x.lck":      true,
		"Daten/M001/Stamm/Temp":       false, // a file named Temp is not the Temp folder
		"Daten/M001/Stamm/tmp.dat":    false,
		"Daten/M001/Stamm/Templates/": false,
		"Logbuch/":                    false,
	} {
		if got := p.Excluded(rel); got != want {
			t.Errorf("Excluded(%q) = %v, want %v", rel, got, want)
		}
	}
}

func TestParseClients(t *testing.T) {
	p := Default()
	for in, want := range map[string]string{"all": "[]", "": "[]", "1,2": "[1 2]", " 3 , 1 ": "[1 3]", "M002,M001": "[1 2]", "007": "[7]"} {
		got, err := p.ParseClients(in)
		if err != nil || fmtInts(got) != want {
			t.Errorf("ParseClients(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"x", "1;2", "-1", "0", "M1"} {
		if _, err := p.ParseClients(bad); err == nil {
			t.Errorf("ParseClients(%q) accepted", bad)
		}
	}
}

func fmtInts(s []int) string { return fmt.Sprint(s) }

func TestClientName(t *testing.T) {
	p := Default()
	if p.ClientName(1) != "M001" || p.ClientName(42) != "M042" {
		t.Errorf("ClientName: %s %s", p.ClientName(1), p.ClientName(42))
	}
	if n, ok := p.ClientNumber("m010"); !ok || n != 10 {
		t.Errorf("ClientNumber(m010) = %d %v", n, ok)
	}
}

func TestParseVersion(t *testing.T) {
	for in, want := range map[string]string{
		"[Suite]\r\nVersion=26.4.1\r\n":        "26.4.1",
		"\ufeff26.3\n":                         "26.3",
		"; comment\nBuild=7\nversion = 1.2 \n": "1.2",
		"":                                     "",
	} {
		if got := ParseVersion(in); got != want {
			t.Errorf("ParseVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBadProfilesAreRefused(t *testing.T) {
	good := string(DefaultTOML())
	for name, text := range map[string]string{
		"typo":            good + "\nnver = []\n",
		"unknown dataset": strings.Replace(good, `datasets = ["global", "stamm"]`, `datasets = ["global", "stam"]`, 1),
		"no hashes":       strings.Replace(good, `client_dir = "Daten/M###"`, `client_dir = "Daten/M"`, 1),
		"absolute path":   strings.Replace(good, `paths = ["Programme/"]`, `paths = ["/Programme/"]`, 1),
		"not toml":        "variant = [",
	} {
		if _, err := Parse([]byte(text), name); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestCustomProfile: another suite's layout, given as a file, selects by
// its own rules.
func TestCustomProfile(t *testing.T) {
	text := `
name = "other"
version_file = "VERSION"
client_dir = "data/shop##"
never = ["cache/"]
[[dataset]]
id = "config"
kind = "master"
paths = ["conf/", "data/{client}/settings.xml"]
[[dataset]]
id = "sales"
kind = "transactions"
paths = ["data/{client}/sales/"]
[[variant]]
number = 1
title = "Config"
datasets = ["config"]
[[variant]]
number = 2
title = "Config and sales"
datasets = ["config", "sales"]
`
	dir := t.TempDir()
	pf := filepath.Join(dir, "other.toml")
	os.WriteFile(pf, []byte(text), 0o644)
	p, err := Load(pf)
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, "root")
	for _, f := range []string{"conf/a.xml", "conf/cache/x", "data/shop01/settings.xml", "data/shop01/sales/1.csv", "data/shop02/sales/2.csv", "data/shop02/settings.xml", "other.txt"} {
		os.MkdirAll(filepath.Join(root, filepath.Dir(f)), 0o755)
		os.WriteFile(filepath.Join(root, f), []byte(f), 0o644)
	}
	sel, err := p.Select(Request{Root: root, Variant: 2, Clients: []int{2}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, it := range sel.Items {
		names = append(names, it.Name)
	}
	if got := strings.Join(names, ","); got != "conf/a.xml,data/shop02/sales/2.csv,data/shop02/settings.xml" {
		t.Errorf("selected %s", got)
	}
	if _, err := p.Select(Request{Root: root, Variant: 3}); err == nil || !strings.Contains(err.Error(), "no variant 03") {
		t.Errorf("variant 3 of a two-variant profile: %v", err)
	}
	if _, err := p.Select(Request{Root: root, Variant: 1, Clients: []int{5}}); err == nil || !strings.Contains(err.Error(), "client 5") {
		t.Errorf("a missing client: %v", err)
	}
}
