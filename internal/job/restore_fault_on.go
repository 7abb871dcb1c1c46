//go:build faultinject

package job

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// RestoreFaultEnv names where a test build stops a restore: "check" (after
// the checks, before anything is written), "extract:N" (after N temporary
// files were written), "rename:N" (after N files were renamed into place),
// "sync" (after the renames, before the folders are synced). The process
// says so on stderr (RestoreFaultMark) and waits there to be killed.
const (
	RestoreFaultEnv  = "POSBACKUP_RESTORE_FAULT"
	RestoreFaultMark = "posbackup-restore-fault: stopped at "
)

func restoreFault(phase string, n int) {
	want := os.Getenv(RestoreFaultEnv)
	if want == "" {
		return
	}
	p, num, hasNum := strings.Cut(want, ":")
	if p != phase || (hasNum && num != strconv.Itoa(n)) {
		return
	}
	fmt.Fprintf(os.Stderr, "%s%s:%d\n", RestoreFaultMark, phase, n)
	for {
		time.Sleep(time.Hour) // a sleeping goroutine: the runtime never calls it a deadlock
	}
}
