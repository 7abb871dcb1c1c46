package config

import (
	"bytes"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

var jobNameRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,40}$`)

// CheckJobName accepts names made of letters, digits, '-' and '_'.
func CheckJobName(name string) error {
	if !jobNameRe.MatchString(name) {
		return fmt.Errorf("the job name %q may hold letters, digits, - and _ only (at most 40)", name)
	}
	return nil
}

// SetJob writes [jobs.NAME] into the config file at path, replacing an
// older table of that name and keeping the rest of the file as it is.
func SetJob(path, name string, j *Job) error {
	if err := CheckJobName(name); err != nil {
		return err
	}
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("cannot read the config file %s: %v", path, err)
	}
	lines := removeTable(splitLines(old), "jobs."+name)
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	// A job read by Load holds its secrets in the clear (checkSecrets);
	// store them protected again, as set-secret would.
	stored := *j
	for _, p := range []*string{&stored.Password, &stored.KeyPassphrase, &stored.ArchivePassword} {
		if *p == "" || strings.HasPrefix(*p, dpapiPrefix) {
			continue
		}
		v, err := protect(*p)
		if err != nil {
			return fmt.Errorf("cannot protect a secret of job %s: %v", name, err)
		}
		*p = v
	}
	body, err := encodeNonZero(&stored)
	if err != nil {
		return err
	}
	if len(lines) > 0 {
		lines = append(lines, "")
	}
	lines = append(lines, "[jobs."+name+"]")
	lines = append(lines, splitLines([]byte(body))...)
	out := []byte(strings.Join(lines, "\n") + "\n")
	if _, err := Parse(out, path); err != nil {
		return err
	}
	return writeOwnerOnly(path, out)
}

// RemoveJob deletes [jobs.NAME] from the config file.
func RemoveJob(path, name string) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("cannot read the config file %s: %v", path, err)
	}
	lines := splitLines(old)
	kept := removeTable(lines, "jobs."+name)
	if len(kept) == len(lines) {
		return fmt.Errorf("there is no job %q in %s", name, path)
	}
	return writeOwnerOnly(path, []byte(strings.Join(kept, "\n")+"\n"))
}

// removeTable drops the lines of [table] up to the next table header.
func removeTable(lines []string, table string) []string {
	var out []string
	in := false
	for _, l := range lines {
		if m := tableHeader.FindStringSubmatch(l); m != nil {
			in = strings.TrimSpace(m[1]) == table
		}
		if !in {
			out = append(out, l)
		}
	}
	return out
}

// encodeNonZero writes the set fields of a struct (embedded structs
// flattened) as TOML key = value lines.
func encodeNonZero(v any) (string, error) {
	m := map[string]any{}
	var walk func(rv reflect.Value)
	walk = func(rv reflect.Value) {
		rt := rv.Type()
		for i := 0; i < rt.NumField(); i++ {
			f := rt.Field(i)
			if f.Anonymous {
				walk(rv.Field(i))
				continue
			}
			tag := strings.Split(f.Tag.Get("toml"), ",")[0]
			if tag == "" || !f.IsExported() || rv.Field(i).IsZero() {
				continue
			}
			m[tag] = rv.Field(i).Interface()
		}
	}
	walk(reflect.Indirect(reflect.ValueOf(v)))
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b bytes.Buffer
	for _, k := range keys {
		var one bytes.Buffer
		if err := toml.NewEncoder(&one).Encode(map[string]any{k: m[k]}); err != nil {
			return "", err
		}
		b.Write(one.Bytes())
	}
	return b.String(), nil
}

// UpdateJob returns old with the settings named by keys (TOML names, e.g.
// "time", "to", "key_file") taken from changes, and every other setting of
// old kept: changing one setting of a job keeps the others. A nil old is
// a new job.
func UpdateJob(old, changes *Job, keys []string) (Job, error) {
	var out Job
	if old != nil {
		out = *old
	}
	dst, src := fieldsByTag(reflect.ValueOf(&out).Elem()), fieldsByTag(reflect.ValueOf(changes).Elem())
	for _, k := range keys {
		d, ok := dst[k]
		if !ok {
			return out, fmt.Errorf("a job has no setting %q", k)
		}
		d.Set(src[k])
	}
	return out, nil
}

// fieldsByTag maps the TOML names of a struct's fields (embedded structs
// flattened) to the fields.
func fieldsByTag(rv reflect.Value) map[string]reflect.Value {
	m := map[string]reflect.Value{}
	rt := rv.Type()
	for i := 0; i < rt.NumField(); i++ {
		f := rt.Field(i)
		if f.Anonymous {
			for k, v := range fieldsByTag(rv.Field(i)) {
				m[k] = v
			}
			continue
		}
		if tag := strings.Split(f.Tag.Get("toml"), ",")[0]; tag != "" && f.IsExported() {
			m[tag] = rv.Field(i)
		}
	}
	return m
}
