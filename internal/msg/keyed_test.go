package msg

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// makers are the functions below the faces that make a keyed message,
// with the index of their format parameter, by the folders they are in.
var makers = map[string]map[string]int{
	"../job":     {"fail": 0, "failed": 1, "New": 0}, // with a cause first in failed; msg.New
	"../dest":    {"New": 0, "Plainf": 1},            // retry.Plainf, with a cause first
	"../status":  {"warning": 3, "add": 2, "New": 0}, // status's warnings
	"../prepare": {"usage": 0, "New": 0},             // the settings' checks (job.Usage)
}

// formats are the literal formats given to the makers in the packages
// below the faces (job, dest, status), with where each is.
func formats(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for root, makers := range makers {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				if id, ok := call.Fun.(*ast.Ident); ok && id.Name == "append" && len(call.Args) > 1 {
					// A warning of a result: append(x.Warnings, "text" or fmt.Sprintf("format", ...)).
					if sel, ok := call.Args[0].(*ast.SelectorExpr); ok && sel.Sel.Name == "Warnings" {
						for _, a := range call.Args[1:] {
							if c, ok := a.(*ast.CallExpr); ok {
								if f, ok := c.Fun.(*ast.SelectorExpr); ok && f.Sel.Name == "Sprintf" && len(c.Args) > 0 {
									a = c.Args[0]
								}
							}
							if lit, ok := a.(*ast.BasicLit); ok && lit.Kind == token.STRING {
								if s, err := strconv.Unquote(lit.Value); err == nil && s != "%s %s" {
									out[s] = fset.Position(lit.Pos()).String()
								}
							}
						}
					}
					return true
				}
				var name string
				switch fn := call.Fun.(type) {
				case *ast.Ident:
					name = fn.Name
				case *ast.SelectorExpr:
					if x, ok := fn.X.(*ast.Ident); ok && (x.Name == "msg" || x.Name == "retry") {
						name = fn.Sel.Name
					}
				}
				i, ok := makers[name]
				if !ok || len(call.Args) <= i {
					return true
				}
				lit, ok := call.Args[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					if name == "fail" {
						t.Errorf("%s: %s is called with a format that is not a literal: the catalogue cannot be checked", fset.Position(call.Pos()), name)
					}
					return true
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				out[s] = fset.Position(call.Pos()).String()
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestEveryMessageBelowHasGerman: every format the job and the
// destinations make a message with has a German text, with the same
// parameters, so no sentence they make is shown in English on a German
// face.
func TestEveryMessageBelowHasGerman(t *testing.T) {
	fs := formats(t)
	if len(fs) < 30 {
		t.Fatalf("found only %d message formats in internal/job and internal/dest: the walk is broken", len(fs))
	}
	if _, ok := fs["the backup could not be stored: %v. The older archive %s at %s is unchanged"]; !ok {
		t.Fatal("the walk did not find job's fail(\"the backup could not be stored: ...\")")
	}
	for _, f := range []string{"Job %s is due and waits: %s", "No backup is set up on this computer. Set one up with posbackup job set, with a time of day, and posbackup service install.", "%s stopped answering: check the network connection and the server"} {
		if _, ok := fs[f]; !ok {
			t.Errorf("the walk did not find %q", f)
		}
	}
	for f, where := range fs {
		de, ok := german[f]
		if !ok {
			t.Errorf("%s: no German text for %q", where, f)
			continue
		}
		if strings.TrimSpace(verbRe.ReplaceAllString(f, "")) == "" {
			t.Errorf("%s: %q is parameters only: give the error itself (job's asError), not a message without words", where, f)
		}
		if de == f {
			t.Errorf("%s: the German text of %q is the English one", where, f)
		}
		if got, want := verbCount(de), verbCount(f); got != want {
			t.Errorf("%s: %q has %d parameters, its German text %q has %d", where, f, want, de, got)
		}
		var args []any
		for _, v := range verbRe.FindAllString(f, -1) {
			switch v[len(v)-1] {
			case '%':
			case 'd':
				args = append(args, 7)
			default:
				args = append(args, "x")
			}
		}
		if out := T(DE, f, args...); strings.Contains(out, "%!") {
			t.Errorf("%s: the German text of %q does not take its parameters: %s", where, f, out)
		}
	}
}

func verbCount(s string) int {
	n, max := 0, 0
	for _, v := range verbRe.FindAllString(s, -1) {
		if v == "%%" {
			continue
		}
		n++
		if m := regexp1.FindStringSubmatch(v); m != nil {
			i, _ := strconv.Atoi(m[1])
			if i > max {
				max = i
			}
		}
	}
	if max > 0 {
		return max
	}
	return n
}

var regexp1 = regexp.MustCompile(`^%\[(\d+)\]`)

// TestKeyedGerman: a message's English is fmt's, byte for byte,
// and an error carrying it is shown in German with its parameters, those
// that are messages themselves in German too.
func TestKeyedGerman(t *testing.T) {
	inner := New("the connection to %s was interrupted: check the network connection and try again", "ftp.example.com")
	outer := New("the backup could not be stored: %v. The older archive %s at %s is unchanged", inner, "M001_Mon.zip", "ftp://ftp.example.com/b")
	want := fmt.Sprintf("the backup could not be stored: %v. The older archive %s at %s is unchanged",
		"the connection to ftp.example.com was interrupted: check the network connection and try again", "M001_Mon.zip", "ftp://ftp.example.com/b")
	if outer.Error() != want {
		t.Fatalf("English %q, want %q", outer.Error(), want)
	}
	de := Of(DE, outer)
	wantDE := "die Sicherung konnte nicht gespeichert werden: die Verbindung zu ftp.example.com wurde unterbrochen: bitte die Netzwerkverbindung prüfen und noch einmal versuchen. Das ältere Archiv M001_Mon.zip in ftp://ftp.example.com/b ist unverändert"
	if de != wantDE {
		t.Fatalf("German %q,\nwant %q", de, wantDE)
	}
	// Wrapped for errors.Is only: still the message.
	w := fmt.Errorf("%w", outer)
	if Of(DE, w) != wantDE {
		t.Fatalf("wrapped: %q", Of(DE, w))
	}
	// Wrapped with more text: the message is not the whole sentence, so
	// the pattern path is taken, not the inner message alone.
	w2 := fmt.Errorf("job x: %w", outer)
	if got := Of(DE, w2); strings.HasPrefix(got, "die Sicherung") {
		t.Fatalf("a wrapper's own text was dropped: %q", got)
	}
	// A format the table does not know stays English, with its parameters.
	if got := Of(DE, New("brand new sentence about %s", "x")); got != "brand new sentence about x" {
		t.Fatalf("unknown: %q", got)
	}
	// A plain error falls back to the patterns.
	if got := Of(DE, errors.New("the connection to h was interrupted: check the network connection and try again")); !strings.HasPrefix(got, "die Verbindung zu h") {
		t.Fatalf("fallback: %q", got)
	}
	if _, err := os.Stat("../job/backup.go"); err != nil {
		t.Fatal(err)
	}
}

// TestCommandLineGerman: the command line's German texts take the same
// parameters as the English, and DECLI uses them, nested too; DE does not.
func TestCommandLineGerman(t *testing.T) {
	for en, de := range germanCommand {
		if verbCount(de) != verbCount(en) {
			t.Errorf("%q has %d parameters, its command-line German %q has %d", en, verbCount(en), de, verbCount(de))
		}
	}
	m := New("the backup was stopped before its %s step: %v; %s", "plan",
		New("no destination: give --to (a folder or a server) or 'to' in the config file"), New("the backups at %s are unchanged", "E:"))
	if got, want := Of(DECLI, m), "die Sicherung wurde vor ihrem Schritt plan angehalten: kein Speicherort: bitte --to (einen Ordner oder Server) oder 'to' in der Konfigurationsdatei angeben; die Sicherungen in E: sind unverändert"; got != want {
		t.Errorf("DECLI:\n%q\nwant\n%q", got, want)
	}
	if got := Of(DE, m); strings.Contains(got, "--to") {
		t.Errorf("the page's German names a flag: %q", got)
	}
	if got := Translate(DECLI, "No automatic backup is set up on this computer: the backup service is not installed, so no backup runs at its time. Run posbackup service install."); !strings.Contains(got, "posbackup service install aus") {
		t.Errorf("DECLI pattern: %q", got)
	}
}
