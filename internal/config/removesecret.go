package config

import (
	"fmt"
	"os"
	"strings"
)

// RemoveSecret removes the secret setting name ("password",
// "mail.password", ...) from the config file at path, keeping every other
// line (comments included) as it is. A missing file or a missing setting
// is not an error. Use it when the secret no longer belongs to the
// settings, e.g. a stored password after the server was changed.
func RemoveSecret(path, name string) error {
	if !IsSecret(name) {
		return fmt.Errorf("%q is not a secret setting: use one of %s", name, strings.Join(SecretNames, ", "))
	}
	old, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cannot read the config file %s: %v", path, err)
	}
	table, key := "", name
	if i := strings.IndexByte(name, '.'); i >= 0 {
		table, key = name[:i], name[i+1:]
	}
	lines := splitLines(old)
	kept := removeKey(lines, table, key)
	if len(kept) == len(lines) {
		return nil // not there: leave the file alone
	}
	out := []byte(strings.Join(kept, "\n") + "\n")
	if _, err := Parse(out, path); err != nil {
		return err
	}
	return writeOwnerOnly(path, out)
}
