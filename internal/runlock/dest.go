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
//
// DestPath makes the folder. On Unix the temp folder is shared and the
// folder's name can be guessed, so it must be a real folder of this user's
// that no one else may write to (0700): another user could otherwise put
// a link there under the lock file's name and have this backup, perhaps
// run as root, overwrite the file it points to. TryLock does not follow a
// link at the lock file's name either.
func DestPath(key string) (string, error) {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(key))))
	name := "posbackup-locks"
	if uid := os.Getuid(); uid >= 0 {
		name += "-" + strconv.Itoa(uid)
	}
	dir := filepath.Join(os.TempDir(), name)
	if err := privateDir(dir); err != nil {
		return "", err
	}
	return filepath.Join(dir, hex.EncodeToString(sum[:12])+".lock"), nil
}
