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
)

// SecretNames are the settings that hold secrets.
var SecretNames = []string{"password", "key_passphrase"}

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
	line := name + " = " + strconv.Quote(stored)
	re := regexp.MustCompile(`^\s*` + regexp.QuoteMeta(name) + `\s*=`)
	var out bytes.Buffer
	replaced, inTable := false, false
	sc := bufio.NewScanner(bytes.NewReader(old))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	for _, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "[") {
			inTable = true
		}
		if !inTable && !replaced && re.MatchString(l) {
			l, replaced = line, true
		}
		out.WriteString(l + "\n")
	}
	if !replaced {
		// Top-level keys must come before the first [table].
		out.Reset()
		added := false
		for _, l := range lines {
			if !added && strings.HasPrefix(strings.TrimSpace(l), "[") {
				out.WriteString(line + "\n")
				added = true
			}
			out.WriteString(l + "\n")
		}
		if !added {
			out.WriteString(line + "\n")
		}
	}
	if _, err := Parse(out.Bytes(), path); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".posbackup-config-*")
	if err != nil {
		return fmt.Errorf("cannot write next to %s: %v", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil && !isWindows {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(out.Bytes()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Warnings says what is unsafe about a loaded config file.
func (c *Config) Warnings() []string { return c.warnings }

func (c *Config) checkSecrets(path string) error {
	var err error
	if c.Password, err = unprotect(c.Password); err != nil {
		return fmt.Errorf("the password in %s cannot be read on this computer (%v): set it again with 'posbackup config set-secret password'", path, err)
	}
	if c.KeyPassphrase, err = unprotect(c.KeyPassphrase); err != nil {
		return fmt.Errorf("the key passphrase in %s cannot be read on this computer (%v): set it again with 'posbackup config set-secret key_passphrase'", path, err)
	}
	if (c.Password != "" || c.KeyPassphrase != "") && !isWindows {
		if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
			c.warnings = append(c.warnings, fmt.Sprintf("the config file %s holds a password and other users can read it: run chmod 600 %s", path, path))
		}
	}
	return nil
}
