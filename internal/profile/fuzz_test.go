package profile

// go test ./internal/profile -run '^$' -fuzz '^FuzzParse$' -fuzztime 20000x

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzTree is a small installation the fuzzed profiles select from.
func fuzzTree(f *testing.F) string {
	root := f.TempDir()
	for _, p := range []string{
		"Programme/kasse.exe", "Daten/Global/global.dat", "Daten/M001/Stamm/art.dat",
		"Daten/M001/Journal/j.jrn", "Daten/M001/Journal/Archiv/2025.jrn", "Daten/M001/Arthist.dat",
		"Daten/M002/Stamm/art.dat", "Daten/M002/Arthist.dat", "Temp/x.tmp", "Log/a.log", "version.ini", "Daten/Mxyz/a",
	} {
		full := filepath.Join(root, filepath.FromSlash(p))
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, []byte("7.1"), 0o644); err != nil {
			f.Fatal(err)
		}
	}
	return root
}

func FuzzParse(f *testing.F) {
	f.Add(DefaultTOML())
	def := string(DefaultTOML())
	for _, s := range []string{
		strings.Replace(def, `client_dir = "Daten/M###"`, `client_dir = "Daten/#"`, 1),
		strings.Replace(def, `client_dir = "Daten/M###"`, `client_dir = "M#X#"`, 1),
		strings.Replace(def, `client_dir = "Daten/M###"`, `client_dir = ""`, 1),
		strings.Replace(def, `"Daten/{client}/Stamm/"`, `"[/{client}/**"`, 1),
		strings.Replace(def, `never = ["Temp/", "Log/", "*.tmp", "*.lck"]`, `never = ["[", "**/", "/", ""]`, 1),
		"name = \"x\"\nclient_dir = \"C/K##\"\n[[dataset]]\nid = \"a\"\nkind = \"master\"\npaths = [\"{client}/\"]\n[[variant]]\nnumber = 1\ndatasets = [\"a\"]\n",
		"[[variant]]\nnumber = 1\neverything = true\n",
		"[[dataset]]\nid = \"a\"\npaths = [\"a\", \"a\"]\nhead_office_clients = [-1, 0, 99999999999]\n",
		"name = 1", "[[", "",
	} {
		f.Add([]byte(s))
	}
	root := fuzzTree(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Parse(b, "fuzz.toml")
		if err != nil {
			if p != nil {
				t.Fatal("a profile and an error")
			}
			return
		}
		for _, rel := range []string{"Daten/M001/Stamm/art.dat", "Daten/M002/Arthist.dat", "Programme/kasse.exe", "Temp/x.tmp", "", "a/../b", "Daten/M001/", "Daten/Mxyz/a"} {
			c := p.Classify(rel)
			c.ID()
			c.Kind()
			p.Excluded(rel)
		}
		for _, n := range []int{0, 1, 2, 999} {
			p.Variant(n)
			if p.ClientDir != "" && strings.Contains(p.ClientDir, "#") {
				name := p.ClientName(n)
				if got, ok := p.ClientNumber(name); n > 0 && n < 10 && (!ok || got != n) && !strings.ContainsAny(name, "/\\") {
					// A client name must read back as its number.
					t.Fatalf("ClientName(%d) = %q reads back as %d, %v", n, name, got, ok)
				}
			}
		}
		p.ClientNumber("M001")
		p.ParseClients("all")
		p.ParseClients("1,M002,x")
		p.ClientParent()
		for _, v := range p.Variants {
			for _, role := range []Role{RoleLocation, RoleHeadOffice} {
				sel, err := p.Select(Request{Root: root, Variant: v.Number, Role: role})
				if err != nil {
					continue
				}
				for _, it := range sel.Items {
					if strings.HasPrefix(it.Name, "/") || strings.Contains(it.Name, "..") {
						t.Fatalf("selected %q", it.Name)
					}
				}
			}
		}
	})
}

func FuzzParseVersion(f *testing.F) {
	for _, s := range []string{"[Version]\r\nVersion=7.1.2\r\n", "7.1", "", "=", "\xff\xfeV\x00=\x001\x00", "[a]\nb=c\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v := ParseVersion(s)
		if len(v) > len(s)+8 {
			t.Fatalf("ParseVersion made %d bytes from %d", len(v), len(s))
		}
	})
}
