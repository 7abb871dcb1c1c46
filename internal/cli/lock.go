package cli

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/posbackup/posbackup/internal/runlock"
)

// manualLock keeps a backup started by hand and the automatic backup of the
// same config apart: both take the run lock in the config's state folder.
// Without a config there is no state folder and no lock.
func (a *app) manualLock() (func(), error) {
	if a.configPath == "" {
		return func() {}, nil
	}
	unlock, err := runlock.TryLock(filepath.Join(a.cfg.StateDirOf(a.configPath), runlock.FileName))
	var le *runlock.LockedError
	if errors.As(err, &le) {
		if le.Known {
			return nil, fmt.Errorf("another backup is running on this computer (process %d, started %s): wait until it has finished, then start this one again",
				le.Holder.PID, le.Holder.Started.Local().Format("2006-01-02 15:04"))
		}
		return nil, fmt.Errorf("another backup is running on this computer: wait until it has finished, then start this one again")
	}
	return unlock, err
}
