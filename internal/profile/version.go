package profile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// VersionState says what ReadVersionInfo found.
type VersionState int

const (
	VersionNoFile  VersionState = iota // the profile names no version file
	VersionMissing                     // the version file does not exist
	VersionNoKey                       // the file exists but names no version
	VersionFound                       // the file exists and names the version
)

// MaxVersionText bounds the text of the version file kept in a manifest.
const MaxVersionText = 4 << 10

// maxVersionRead bounds what is read of a version file to find the version.
const maxVersionRead = 64 << 10

// VersionInfo is what the profile's version file says.
type VersionInfo struct {
	State   VersionState
	Path    string // the version file, "" when the profile names none
	Version string // set when State is VersionFound
	// Text is the start of the file as UTF-8 (at most MaxVersionText
	// bytes; UTF-16 and Windows-1252 files converted), for the manifest.
	Text      string
	Truncated bool // the file is longer than Text
}

// versionKeys are the keys that give the version, in this order after the
// profile's own version_key.
var versionKeys = []string{"Version", "Suite", "ProgramVersion"}

// ReadVersionInfo reads the profile's version file under root. The error
// is set only when the file exists and cannot be read; a missing file is
// State VersionMissing, not an error.
func (p *Profile) ReadVersionInfo(root string) (VersionInfo, error) {
	if p.VersionFile == "" {
		return VersionInfo{State: VersionNoFile}, nil
	}
	vi := VersionInfo{Path: filepath.Join(root, filepath.FromSlash(p.VersionFile))}
	f, err := os.Open(vi.Path)
	if errors.Is(err, fs.ErrNotExist) {
		vi.State = VersionMissing
		return vi, nil
	}
	if err != nil {
		vi.State = VersionNoKey
		return vi, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxVersionRead+1))
	if err != nil {
		vi.State = VersionNoKey
		return vi, fmt.Errorf("%s: %v", vi.Path, err)
	}
	long := len(b) > maxVersionRead
	text := decodeText(b[:min(len(b), maxVersionRead)])
	vi.Text, vi.Truncated = clip(text, MaxVersionText)
	vi.Truncated = vi.Truncated || long
	if vi.Version = parseVersion(text, p.VersionKey); vi.Version != "" {
		vi.State = VersionFound
	} else {
		vi.State = VersionNoKey
	}
	return vi, nil
}

// parseVersion: see ParseVersion; key, when set, is tried first.
func parseVersion(text, key string) string {
	keys := versionKeys
	if key != "" {
		keys = append([]string{key}, versionKeys...)
	}
	text = strings.TrimPrefix(text, "\ufeff")
	vals := map[string]string{}
	first, pairs := "", false
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, ";") || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "[") {
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok {
			pairs = true
			k = strings.ToLower(strings.TrimSpace(k))
			if _, seen := vals[k]; !seen {
				vals[k] = strings.Trim(strings.TrimSpace(v), `"`)
			}
			continue
		}
		if first == "" {
			first = line
		}
	}
	for _, k := range keys {
		if v := vals[strings.ToLower(k)]; v != "" {
			return v
		}
	}
	if pairs {
		return "" // an ini file without a version key: its first odd line is no version
	}
	return first
}

// decodeText turns a version file's bytes into UTF-8: UTF-16 with a byte
// order mark, UTF-8, or else Windows-1252 (as Windows programs write ini
// files).
func decodeText(b []byte) string {
	if len(b) >= 2 && (b[0] == 0xff && b[1] == 0xfe || b[0] == 0xfe && b[1] == 0xff) {
		be := b[0] == 0xfe
		u := make([]uint16, 0, len(b)/2)
		for i := 2; i+1 < len(b); i += 2 {
			if be {
				u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
			} else {
				u = append(u, uint16(b[i+1])<<8|uint16(b[i]))
			}
		}
		return string(utf16.Decode(u))
	}
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	for _, c := range b {
		if r, ok := cp1252[c]; ok {
			sb.WriteRune(r)
		} else {
			sb.WriteRune(rune(c))
		}
	}
	return sb.String()
}

// cp1252 holds the Windows-1252 characters that differ from Latin-1.
var cp1252 = map[byte]rune{0x80: '€', 0x8a: 'Š', 0x8c: 'Œ', 0x8e: 'Ž', 0x96: '–', 0x97: '—', 0x9a: 'š', 0x9c: 'œ', 0x9e: 'ž', 0x9f: 'Ÿ',
	0x82: '‚', 0x84: '„', 0x85: '…', 0x91: '‘', 0x92: '’', 0x93: '“', 0x94: '”', 0x99: '™'}

// clip cuts s to at most n bytes on a character boundary.
func clip(s string, n int) (string, bool) {
	if len(s) <= n {
		return s, false
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n], true
}
