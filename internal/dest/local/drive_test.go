package local

import (
	"errors"
	"strings"
	"testing"
)

// The Windows drive and share logic, tested on every system.
func TestDriveMissing(t *testing.T) {
	present := map[string]bool{`C:\`: true, `\\nas\pos\`: true}
	exists := func(root string) bool { return present[root] }
	for _, c := range []struct{ path, where string }{
		{`E:\Backup\M001_Monday.zip`, "E:"},
		{`e:\Backup`, "E:"},
		{`\\?\E:\Backup\Journal`, "E:"},
		{`\\backup-pc\share\kasse`, `\\backup-pc\share`},
		{`\\?\UNC\backup-pc\share\kasse`, `\\backup-pc\share`},
		{`C:\Backup`, ""},
		{`\\nas\pos\betrieb1`, ""},
		{`relative\path`, ""},
	} {
		err := driveMissing(c.path, exists)
		var me *MediumError
		switch {
		case c.where == "" && err != nil:
			t.Errorf("%s: %v, want nil", c.path, err)
		case c.where != "" && (!errors.As(err, &me) || me.Where != c.where):
			t.Errorf("%s: %v, want the medium %s missing", c.path, err, c.where)
		}
	}
	err := driveMissing(`E:\Backup`, exists)
	if err == nil || !strings.HasPrefix(err.Error(), "drive E: is not present") {
		t.Errorf("message: %v", err)
	}
}
