package config

// go test ./internal/config -run '^$' -fuzz '^FuzzParse$' -fuzztime 20000x

import (
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"source = 'C:\\Hypers-!'\nvariant = 2\nto = '\\\\nas\\backup'\nname = '{client}_{weekday}'\nclients = 'all'\nrole = 'head-office'\n",
		"to = 'sftp://kasse@nas/backup'\npassword = 'geheim'\nfingerprint = 'SHA256:abc'\nadd = ['a', 'b']\nlevel = 'best'\nlow_priority = true\n",
		"variant = '2'\n", "varient = 2\n", "add = 'x'\n", "[server]\nhost = 1\n", "password = \"unterminated\n", "\xff", "",
	} {
		f.Add([]byte(s), "")
	}
	f.Add([]byte("to = 'E:/Backup'\n[jobs.nacht]\ntime = '02:30'\nweekdays = ['mo', 'di']\nvariant = 3\nkeep_last = 7\n[jobs.woche]\nto = 'sftp://nas/b'\n"), "")
	f.Add([]byte("mail_to = ['chef@example.com']\n[mail]\nhost = 'smtp.example.com'\nport = 465\nsecurity = 'tls'\npassword = 'x'\n"), "")
	f.Add([]byte("to = 'ftp://h/f'\nuser = 'u'\n"), "Kasse2026xyz")
	f.Add([]byte("variant = \n"), "Kasse2026xyz")
	f.Fuzz(func(t *testing.T, b []byte, secret string) {
		c, err := Parse(b, "fuzz.toml")
		if (c == nil) == (err == nil) {
			t.Fatalf("config %v and error %v", c, err)
		}
		if c != nil {
			for name := range c.Jobs {
				if _, ok := c.JobBackup(name); !ok {
					t.Fatalf("job %q listed but not found", name)
				}
			}
		}
		// A password set in the file never appears in an error about the
		// file, wherever the error is.
		if len(secret) < 8 || strings.ContainsAny(secret, "\"\\\n\r'") || !isPrint(secret) {
			return
		}
		text := "password = \"" + secret + "\"\n" + string(b)
		if _, err := Parse([]byte(text), "fuzz.toml"); err != nil && strings.Contains(err.Error(), secret) && !strings.Contains(string(b), secret) {
			t.Fatalf("the error shows the password: %v", err)
		}
		text = string(b) + "\npassword = \"" + secret + "\"\n"
		if _, err := Parse([]byte(text), "fuzz.toml"); err != nil && strings.Contains(err.Error(), secret) && !strings.Contains(string(b), secret) {
			t.Fatalf("the error shows the password: %v", err)
		}
	})
}

func isPrint(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r >= 0x80 {
			return false
		}
	}
	return true
}
