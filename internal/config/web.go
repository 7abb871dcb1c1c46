package config

// Web is the backup dialog in the browser ('posbackup serve', and the
// service when Listen is set).
type Web struct {
	Listen string `toml:"listen"` // address, default 127.0.0.1:8470
	// AdminPassword, when set, is the dialog's admin password (write it with
	// 'posbackup config set-secret web.admin_password'). Otherwise the page
	// asks for one on first start and stores only its hash.
	AdminPassword string `toml:"admin_password"`
	// AdminPasswordHash is the bcrypt hash of the admin password set in the
	// page; never the password itself.
	AdminPasswordHash string `toml:"admin_password_hash"`
}
