package config

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/posbackup/posbackup/internal/atomicfile"
)

// SecretNames are the settings that hold secrets ("table.key" for a key
// inside a [table]).
var SecretNames = []string{"password", "key_passphrase", "archive_password", "mail.password", "web.admin_password", "s3_secret_key"}

// IsSecret reports whether name is a secret setting.
func IsSecret(name string) bool {
	for _, n := range SecretNames {
		if n == name {
			return true
		}
	}
	return false
}

// SetSecret writes name = value into the config file at path, replacing an
// existing line of that name and keeping everything else (comments
// included). The value is protected where the system offers it (Windows:
// the machine's data protection API, so the service can read it back) and
// the file is written readable by its owner only.
func SetSecret(path, name, value string) error {
	if !IsSecret(name) {
		return fmt.Errorf("%q is not a secret setting: use one of %s", name, strings.Join(SecretNames, ", "))
	}
	stored, err := protect(value)
	if err != nil {
		return fmt.Errorf("cannot protect the secret: %v", err)
	}
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("cannot read the config file %s: %v", path, err)
	}
	table, key := "", name
	if i := strings.IndexByte(name, '.'); i >= 0 {
		table, key = name[:i], name[i+1:]
	}
	out := setKey(splitLines(old), table, key, key+" = "+strconv.Quote(stored))
	if _, err := Parse([]byte(out), path); err != nil {
		return err
	}
	return writeOwnerOnly(path, []byte(out))
}

func splitLines(b []byte) []string {
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines
}

var tableHeader = regexp.MustCompile(`^\s*\[([^\[\]]+)\]\s*(#.*)?$`)

// setKey sets key = ... (line) inside table ("" for the top level),
// replacing the key's line or adding it where TOML wants it.
func setKey(lines []string, table, key, line string) string {
	keyRe := regexp.MustCompile(`^\s*` + regexp.QuoteMeta(key) + `\s*=`)
	cur, insertAt := "", -1
	if table == "" {
		insertAt = len(lines)
	}
	for i, l := range lines {
		if m := tableHeader.FindStringSubmatch(l); m != nil {
			if cur == table && table == "" && insertAt == len(lines) {
				insertAt = i // top-level keys go before the first table
			}
			cur = strings.TrimSpace(m[1])
			if cur == table {
				insertAt = i + 1
			}
			continue
		}
		if cur == table && keyRe.MatchString(l) {
			lines[i] = line
			return strings.Join(lines, "\n") + "\n"
		}
	}
	if insertAt < 0 { // the table does not exist yet
		lines = append(lines, "", "["+table+"]", line)
	} else {
		lines = append(lines[:insertAt], append([]string{line}, lines[insertAt:]...)...)
	}
	return strings.Join(lines, "\n") + "\n"
}

// writeOwnerOnly replaces path with data atomically, readable by its owner
// only.
func writeOwnerOnly(path string, data []byte) error {
	os.MkdirAll(filepath.Dir(path), 0o755) // the machine-wide config's folder (ProgramData\posbackup) may not exist yet
	var restrictErr error
	err := atomicfile.Write(path, data, func(tmp *os.File) error {
		if err := tmp.Chmod(0o600); err != nil && !isWindows {
			return err
		}
		restrictErr = restrictToOwner(tmp.Name())
		return restrictErr
	})
	if err != nil && err == restrictErr {
		return fmt.Errorf("cannot make %s readable by its owner only: %v", path, err)
	}
	if err != nil {
		return fmt.Errorf("cannot write %s: %v", path, err)
	}
	return nil
}

// Warnings says what is unsafe about a loaded config file.
func (c *Config) Warnings() []string { return c.warnings }

func (c *Config) checkSecrets(path string) error {
	secrets := []*string{&c.Password, &c.KeyPassphrase, &c.ArchivePassword, &c.Mail.Password, &c.Web.AdminPassword, &c.S3SecretKey}
	for _, j := range c.Jobs {
		secrets = append(secrets, &j.Password, &j.KeyPassphrase, &j.ArchivePassword, &j.S3SecretKey)
	}
	any := false
	for _, p := range secrets {
		v, err := unprotect(*p)
		if err != nil {
			return fmt.Errorf("a secret in %s cannot be read on this computer (%v): set it again with 'posbackup config set-secret'", path, err)
		}
		*p = v
		any = any || v != ""
	}
	if any && othersCanRead(path) {
		fix := "run chmod 600 " + path
		if isWindows {
			fix = "set it again with 'posbackup config set-secret', which makes the file readable by its owner, SYSTEM and Administrators only"
		}
		c.warnings = append(c.warnings, fmt.Sprintf("the config file %s holds a password and other users can read it: %s", path, fix))
	}
	return nil
}
