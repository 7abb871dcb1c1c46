package open

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in, def string
		want    Spec // Warnings compared by count only
		warn    int
		err     string
	}{
		{in: `C:\Backup`, want: Spec{Kind: KindFolder, Path: `C:\Backup`}},
		{in: `C:/Backup/Kasse`, want: Spec{Kind: KindFolder, Path: `C:/Backup/Kasse`}},
		{in: `c:\x`, def: "ftp", want: Spec{Kind: KindFolder, Path: `c:\x`}},
		{in: `E:`, want: Spec{Kind: KindFolder, Path: `E:`}},
		{in: `\\nas\share\dir`, want: Spec{Kind: KindFolder, Path: `\\nas\share\dir`}},
		{in: `\\nas\share\dir`, def: "sftp", want: Spec{Kind: KindFolder, Path: `\\nas\share\dir`}},
		{in: `//nas/share`, want: Spec{Kind: KindFolder, Path: `//nas/share`}},
		{in: `/media/usb`, want: Spec{Kind: KindFolder, Path: `/media/usb`}},
		{in: `/media/usb`, def: "ftp", want: Spec{Kind: KindFolder, Path: `/media/usb`}},
		{in: `backup/kasse`, want: Spec{Kind: KindFolder, Path: `backup/kasse`}},
		{in: `  D:\Sicherung  `, want: Spec{Kind: KindFolder, Path: `D:\Sicherung`}},
		{in: `meinesicherung.meinftp.de/betrieb1`, want: Spec{Kind: KindFolder, Path: `meinesicherung.meinftp.de/betrieb1`}, warn: 1},
		{in: `meinesicherung.meinftp.de/betrieb1`, def: "ftpes", want: Spec{Kind: KindFTPES, Host: "meinesicherung.meinftp.de", Folder: "betrieb1"}},
		{in: `nas:2121/backup/pos`, def: "FTP", want: Spec{Kind: KindFTP, Host: "nas", Port: 2121, Folder: "backup/pos"}},
		{in: `hans@nas`, def: "sftp", want: Spec{Kind: KindSFTP, Host: "nas", User: "hans"}},
		{in: `ftp://user@host:21/folder`, want: Spec{Kind: KindFTP, Host: "host", Port: 21, User: "user", Folder: "folder"}},
		{in: `FTPES://Host.Example/a/b/`, want: Spec{Kind: KindFTPES, Host: "host.example", Folder: "a/b"}},
		{in: `ftps://host`, want: Spec{Kind: KindFTPS, Host: "host"}},
		{in: `sftp://u@host//srv/backup`, want: Spec{Kind: KindSFTP, Host: "host", User: "u", Folder: "/srv/backup"}},
		{in: `sftp://u:geheim@host/x`, want: Spec{Kind: KindSFTP, Host: "host", User: "u", Password: "geheim", Folder: "x"}, warn: 1},
		{in: `ftp://u:p%40ss%2Fw@host/x`, want: Spec{Kind: KindFTP, Host: "host", User: "u", Password: "p@ss/w", Folder: "x"}, warn: 1},
		{in: `ftp://u:p@ss@host/x`, want: Spec{Kind: KindFTP, Host: "host", User: "u", Password: "p@ss", Folder: "x"}, warn: 1},
		{in: `ftp://[::1]:2121/x`, want: Spec{Kind: KindFTP, Host: "::1", Port: 2121, Folder: "x"}},
		{in: `sftp://host/Bäckerei%20Müller`, want: Spec{Kind: KindSFTP, Host: "host", Folder: "Bäckerei Müller"}},
		{in: `ftp://host\betrieb1`, want: Spec{Kind: KindFTP, Host: "host", Folder: "betrieb1"}},
		{in: `file:///media/usb`, want: Spec{Kind: KindFolder, Path: "/media/usb"}},
		{in: `file:///C:/Backup`, want: Spec{Kind: KindFolder, Path: "C:/Backup"}},
		{in: ``, err: "no destination"},
		{in: `http://host/x`, err: "unknown kind"},
		{in: `ftp://host:99999/x`, err: "port"},
		{in: `ftp://host:abc/x`, err: "port"},
		{in: `ftp:///x`, err: "no server name"},
		{in: `ftp://:pw@host/x`, err: "login name"},
		{in: `ftp://host/../etc`, err: ".."},
		{in: `x/y`, def: "webdav", err: "unknown protocol"},
	}
	for _, tc := range tests {
		t.Run(tc.in+"|"+tc.def, func(t *testing.T) {
			got, err := ParseDefault(tc.in, tc.def)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Warnings) != tc.warn {
				t.Fatalf("warnings %q, want %d", got.Warnings, tc.warn)
			}
			got.Warnings = nil
			if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", tc.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestRedacted(t *testing.T) {
	s, err := Parse("ftpes://hans:geheim@nas.example:2121/betrieb1")
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{s.Redacted(), s.String(), fmt.Sprint(s), fmt.Sprintf("%v", s), fmt.Sprintf("%#v", s)} {
		if strings.Contains(out, "geheim") {
			t.Fatalf("the password shows in %q", out)
		}
	}
	if s.Redacted() != "ftpes://hans@nas.example:2121/betrieb1" {
		t.Fatalf("Redacted() = %q", s.Redacted())
	}
	if s.Warnings[0] != WarnPasswordInURL {
		t.Fatalf("warnings %q", s.Warnings)
	}
	_, err = Parse("ftp://hans:geheim@host:0/x")
	if err == nil || strings.Contains(err.Error(), "geheim") {
		t.Fatalf("error %v shows the password or is missing", err)
	}
}

func TestPasswordPrecedence(t *testing.T) {
	spec, _ := Parse("sftp://u:fromurl@host/x")
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	pf := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pf, []byte("fromfile\r\nsecond line\n"), 0o600)

	check := func(o Options, want string) {
		t.Helper()
		o.Getenv = getenv
		got, err := o.password(spec)
		if err != nil || got != want {
			t.Fatalf("password = %q, %v; want %q", got, err, want)
		}
	}
	check(Options{}, "fromurl")
	env[PasswordEnv] = "fromenv"
	check(Options{}, "fromenv")
	check(Options{PasswordFile: pf}, "fromfile")
	check(Options{PasswordFile: pf, Password: "explicit"}, "explicit")
	_, err := Options{PasswordFile: filepath.Join(t.TempDir(), "missing")}.password(spec)
	if err == nil || !strings.Contains(err.Error(), "cannot be read") {
		t.Fatalf("missing password file: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`C:\Backup`, `\\nas\share`, `/media/usb`, `host/folder`, `ftp://u:p@h:21/f`,
		`sftp://[::1]:22//abs`, `ftps://h/%zz`, `file:///C:/x`, `ftpes://a@b@c/d`, `x://`, `::::`,
	} {
		f.Add(s, "")
		f.Add(s, "ftpes")
	}
	f.Fuzz(func(t *testing.T, s, def string) {
		spec, err := ParseDefault(s, def)
		if err != nil {
			if spec.Password != "" {
				t.Fatal("a failed parse returned a password")
			}
			return
		}
		switch spec.Kind {
		case KindFolder:
			if spec.Path == "" || spec.Host != "" {
				t.Fatalf("folder spec %+v", spec)
			}
		case KindS3:
			if spec.Host == "" || spec.Password != "" || strings.Contains(spec.Redacted(), "@") {
				t.Fatalf("s3 spec %+v", spec)
			}
		case KindFTP, KindFTPES, KindFTPS, KindSFTP:
			if spec.Host == "" || spec.Port < 0 || spec.Port > 65535 {
				t.Fatalf("server spec %+v", spec)
			}
			r := spec.Redacted()
			if spec.Password != "" && len(spec.Password) > 3 && strings.Contains(r, spec.Password) && !strings.Contains(spec.Host+spec.User+spec.Folder+spec.Kind, spec.Password) {
				t.Fatalf("Redacted %q shows the password %q", r, spec.Password)
			}
			// The redacted form parses back to the same server.
			back, err := Parse(r)
			if err != nil {
				t.Fatalf("Redacted %q does not parse: %v", r, err)
			}
			if back.Kind != spec.Kind || back.Host != spec.Host || back.Port != spec.Port || back.User != spec.User {
				t.Fatalf("round trip %q: %+v -> %+v", r, spec, back)
			}
		default:
			t.Fatalf("unknown kind %q", spec.Kind)
		}
	})
}

func TestRedactAny(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"ftpes://hans:geheim@nas.example:2121/betrieb1", "ftpes://hans@nas.example:2121/betrieb1"}, // parses: Redacted
		{"ftp://kasse:url-geheim-77@host:99999/x", "ftp://kasse:***@host:99999/x"},                  // bad port
		{"ftp://kasse:geh/eim@host:99999/x", "ftp://kasse:***@host:99999/x"},                        // "/" in the password
		{"ftp://kasse:ge@heim@[::1/x", "ftp://kasse:***@[::1/x"},                                    // "@" in the password, bad address
		{"gopher://kasse:geheim@host/x", "gopher://kasse:***@host/x"},                               // unknown scheme
		{"ftp://:geheim@host:0/x", "ftp://:***@host:0/x"},                                           // no user
		{"kasse:geheim@nas.example/x", "kasse:***@nas.example/x"},                                   // no scheme: a folder by name
		{"ftp://kasse@host:99999/x", "ftp://kasse@host:99999/x"},                                    // no password
		{`E:\Backup`, `E:\Backup`},
		{`\\nas\backup`, `\\nas\backup`},
		{"/mnt/usb/backup", "/mnt/usb/backup"},
		{"", ""},
	} {
		if got := RedactAny(tc.in); got != tc.want {
			t.Errorf("RedactAny(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, in := range []string{"ftp://kasse:url-geheim-77@host:99999/x", "sftp://a:geheim\n@host/x", "ftps://u:geheim@host:x:y/z"} {
		if strings.Contains(RedactAny(in), "geheim") {
			t.Errorf("RedactAny(%q) = %q shows the password", in, RedactAny(in))
		}
	}
}
