package config

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// SetSettings writes settings into the config file at path, keeping every
// other line (comments included) as it is. Keys are top-level names
// ("to", "variant") or "table.key" for a key inside a table ("mail.host",
// "web.admin_password_hash"); a nil value removes the key's line. Secrets
// are refused here: write them with SetSecret, which protects them. The
// result must parse, so an unknown key or a wrong type is an error and the
// file is left alone.
func SetSettings(path string, values map[string]any) error {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("cannot read the config file %s: %v", path, err)
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		if IsSecret(k) {
			return fmt.Errorf("%q is a secret: write it with SetSecret", k)
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	lines := splitLines(old)
	for _, name := range keys {
		table, key := "", name
		if i := strings.LastIndexByte(name, '.'); i >= 0 {
			table, key = name[:i], name[i+1:]
		}
		v := values[name]
		if v == nil {
			lines = removeKey(lines, table, key)
			continue
		}
		var one bytes.Buffer
		if err := toml.NewEncoder(&one).Encode(map[string]any{key: v}); err != nil {
			return fmt.Errorf("cannot write %s: %v", name, err)
		}
		lines = splitLines([]byte(setKey(lines, table, key, strings.TrimRight(one.String(), "\n"))))
	}
	out := []byte(strings.Join(lines, "\n") + "\n")
	if _, err := Parse(out, path); err != nil {
		return err
	}
	return writeOwnerOnly(path, out)
}

// removeKey drops key's line inside table ("" for the top level).
func removeKey(lines []string, table, key string) []string {
	keyRe := regexp.MustCompile(`^\s*` + regexp.QuoteMeta(key) + `\s*=`)
	cur := ""
	out := lines[:0:0]
	for _, l := range lines {
		if m := tableHeader.FindStringSubmatch(l); m != nil {
			cur = strings.TrimSpace(m[1])
		} else if cur == table && keyRe.MatchString(l) {
			continue
		}
		out = append(out, l)
	}
	return out
}
