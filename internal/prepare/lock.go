package prepare

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/runlock"
)

// Lock takes the run lock of the config at cfgPath (in its state folder),
// which the automatic backup takes for every run: a backup or restore
// started by hand or on the web page and the service's backups never
// overlap. The error says plainly who holds it.
func Lock(cfg *config.Config, cfgPath string) (unlock func(), err error) {
	return LockFile(filepath.Join(cfg.StateDirOf(cfgPath), runlock.FileName))
}

// LockFile takes the run lock at path as Lock does (a backup without a
// config takes runlock.DestPath of its destination).
func LockFile(path string) (unlock func(), err error) {
	unlock, err = runlock.TryLock(path)
	var le *runlock.LockedError
	if errors.As(err, &le) {
		if le.Known {
			return nil, fmt.Errorf("another backup is running on this computer (process %d, started %s): wait until it has finished, then start this one again",
				le.Holder.PID, le.Holder.Started.Local().Format("2006-01-02 15:04"))
		}
		return nil, errors.New("another backup is running on this computer: wait until it has finished, then start this one again")
	}
	return unlock, err
}
