package config

// Web is the backup dialog in the browser ('posbackup serve', and the
// service when Listen is set).
type Web struct {
	Listen string `toml:"listen"` // address, default 127.0.0.1:8470
}
