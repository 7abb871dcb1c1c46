package cli

import "github.com/posbackup/posbackup/internal/prepare"

// manualLock keeps a backup or restore started by hand and the automatic
// backup of the same config apart (prepare.Lock). Without a config there is
// no state folder and no lock.
func (a *app) manualLock() (func(), error) {
	if a.configPath == "" {
		return func() {}, nil
	}
	return prepare.Lock(a.cfg, a.configPath)
}
