package runlock

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// DestPath is the lock file that keeps backups to one destination apart
// when they run without a config file, and so without a state folder for
// FileName: in the temp folder, named by a hash of key, the destination as
// its String shows it (never a password), ignoring case (a folder on
// Windows, an FTP server: the same destination by another spelling). On
// Unix the folder is per user, so that one user's lock file never stops
// another's backup; Windows' temp folder is per user already.
func DestPath(key string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(key))))
	dir := "posbackup-locks"
	if uid := os.Getuid(); uid >= 0 {
		dir += "-" + strconv.Itoa(uid)
	}
	return filepath.Join(os.TempDir(), dir, hex.EncodeToString(sum[:12])+".lock")
}
