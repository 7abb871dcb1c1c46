// Package config reads posbackup's configuration file (TOML). Every setting
// has a command-line flag of the same meaning; flags override the file.
package config

import (
	"fmt"
	"os"
	"strings"

	"github.com/BurntSushi/toml"
)

// Config is the configuration file. See examples/posbackup.toml.
type Config struct {
	Source       string   `toml:"source"`        // installation folder
	Variant      int      `toml:"variant"`       // 1..4
	To           string   `toml:"to"`            // destination
	Name         string   `toml:"name"`          // name template
	Clients      string   `toml:"clients"`       // "all" or "1,2"
	Role         string   `toml:"role"`          // "location" or "head-office"
	Lang         string   `toml:"lang"`          // "en" or "de"
	Add          []string `toml:"add"`           // extra files and folders
	Profile      string   `toml:"profile"`       // profile file; "" is the built-in one
	AllowMissing bool     `toml:"allow_missing"` // unreadable files make a warning, not a failure
	Level        string   `toml:"level"`         // fast, default, best
	LowPriority  bool     `toml:"low_priority"`  // lower CPU and I/O priority

	// Server access (see README, "Servers").
	Protocol      string `toml:"protocol"`       // ftp, ftpes, ftps, sftp: how to read a 'to' without scheme
	User          string `toml:"user"`           // login name
	Password      string `toml:"password"`       // login password; keep the file readable by its owner only
	PasswordFile  string `toml:"password_file"`  // or a file whose first line is the password
	KeyFile       string `toml:"key_file"`       // SFTP private key
	KeyPassphrase string `toml:"key_passphrase"` // its passphrase, if any
	Fingerprint   string `toml:"fingerprint"`    // pinned TLS certificate or SSH host key, SHA256:...
	KnownHosts    string `toml:"known_hosts"`    // SFTP known_hosts file

	warnings []string
}

// Load reads the file at path. Unknown settings are errors, so a typo does
// not silently leave a default in place.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, fmt.Errorf("the config file %s does not exist: check --config", path)
		}
		return nil, fmt.Errorf("cannot read the config file %s: %v", path, err)
	}
	c, err := Parse(b, path)
	if err != nil {
		return nil, err
	}
	if err := c.checkSecrets(path); err != nil {
		return nil, err
	}
	return c, nil
}

// Parse reads configuration text; where names its source in errors.
func Parse(b []byte, where string) (*Config, error) {
	var c Config
	md, err := toml.Decode(string(b), &c)
	if err != nil {
		return nil, fmt.Errorf("the config file %s is not valid: %v", where, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		var keys []string
		for _, k := range und {
			keys = append(keys, k.String())
		}
		return nil, fmt.Errorf("the config file %s has unknown settings: %s (check the spelling)", where, strings.Join(keys, ", "))
	}
	return &c, nil
}
