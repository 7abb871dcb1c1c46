package archive

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"time"
)

// ManifestName is where the manifest lives inside an archive. Everything
// under ReservedPrefix belongs to posbackup and is never restored.
const (
	ReservedPrefix = ".posbackup/"
	ManifestName   = ReservedPrefix + "manifest.json"
	FormatVersion  = 1
)

// Manifest describes one backup.
type Manifest struct {
	Format         int          `json:"format"`
	Tool           string       `json:"tool"`
	ProgramVersion string       `json:"program_version"`
	VersionText    string       `json:"version_text,omitempty"` // the start of the suite's version file (profile.MaxVersionText), as it was
	Profile        string       `json:"profile"`
	Variant        int          `json:"variant"`
	VariantTitle   string       `json:"variant_title"`
	Clients        []string     `json:"clients"`
	Role           string       `json:"role"`
	Host           string       `json:"host"`
	Source         string       `json:"source"`
	Job            string       `json:"job,omitempty"`      // the automatic backup that made it; "" by hand
	DataTime       time.Time    `json:"data_time,omitzero"` // newest modification time of the files: how current the data is
	Started        time.Time    `json:"started"`
	Finished       time.Time    `json:"finished"`
	Files          []FileRecord `json:"files"`
	Warnings       []string     `json:"warnings,omitempty"`
}

// FileRecord is one archived file or folder (a folder's name ends in "/").
type FileRecord struct {
	Name    string    `json:"name"`
	Size    int64     `json:"size"`
	SHA256  string    `json:"sha256,omitempty"`
	ModTime time.Time `json:"mtime"`
	Mode    uint32    `json:"mode"`
	Dataset string    `json:"dataset,omitempty"`
	Kind    string    `json:"kind,omitempty"`
	Client  int       `json:"client,omitempty"`
}

// IsDir reports whether the record is a folder.
func (r FileRecord) IsDir() bool { return strings.HasSuffix(r.Name, "/") }

// FileMode is the recorded mode as an fs.FileMode.
func (r FileRecord) FileMode() fs.FileMode { return fs.FileMode(r.Mode) }

// VariantCode is "01".."04".
func (m *Manifest) VariantCode() string { return fmt.Sprintf("%02d", m.Variant) }

// TotalSize is the sum of the file sizes.
func (m *Manifest) TotalSize() int64 {
	var n int64
	for _, f := range m.Files {
		n += f.Size
	}
	return n
}

// FileCount is the number of files (folders not counted).
func (m *Manifest) FileCount() int {
	n := 0
	for _, f := range m.Files {
		if !f.IsDir() {
			n++
		}
	}
	return n
}

// ParseManifest reads a manifest and checks it is one this version reads.
func ParseManifest(b []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("the manifest is not valid JSON: %v", err)
	}
	if m.Format < 1 || m.Format > FormatVersion {
		return nil, fmt.Errorf("the manifest has format %d, this posbackup reads format %d: update posbackup", m.Format, FormatVersion)
	}
	seen := make(map[string]bool, len(m.Files))
	for _, f := range m.Files {
		if err := CheckName(f.Name); err != nil {
			return nil, fmt.Errorf("the manifest lists an unsafe name: %v", err)
		}
		if seen[f.Name] {
			return nil, fmt.Errorf("the manifest lists %s twice", f.Name)
		}
		seen[f.Name] = true
		if f.Size < 0 {
			return nil, fmt.Errorf("the manifest gives %s a negative size", f.Name)
		}
	}
	return &m, nil
}

// CheckName rejects entry names that could land outside a target folder or
// mean different things on Windows and Linux.
func CheckName(name string) error {
	bad := func(why string) error { return fmt.Errorf("%q %s", name, why) }
	switch {
	case name == "" || name == "/":
		return bad("is empty")
	case strings.ContainsRune(name, 0):
		return bad("contains a NUL byte")
	case strings.Contains(name, "\\"):
		return bad("contains a backslash")
	case strings.HasPrefix(name, "/"):
		return bad("is an absolute path")
	case len(name) >= 2 && name[1] == ':':
		return bad("starts with a drive letter")
	}
	for _, part := range strings.Split(strings.TrimSuffix(name, "/"), "/") {
		if part == ".." {
			return bad("climbs out of the folder with ..")
		}
		if part == "" || part == "." {
			return bad("has an empty or '.' path element")
		}
	}
	return nil
}
