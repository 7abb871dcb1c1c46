//go:build linux

package sysprio

import (
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

const (
	niceLevel        = 10
	ioprioClassBE    = 2
	ioprioClassShift = 13
	ioprioWhoProcess = 1
)

// Lower sets nice 10 and the lowest best-effort I/O priority on every
// thread of the process (Linux keeps both per thread; threads started later
// inherit them from their parent thread).
func Lower() error {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return err
	}
	var firstErr error
	for _, t := range tasks {
		tid, err := strconv.Atoi(t.Name())
		if err != nil {
			continue
		}
		if err := unix.Setpriority(unix.PRIO_PROCESS, tid, niceLevel); err != nil && firstErr == nil {
			firstErr = err
		}
		prio := ioprioClassBE<<ioprioClassShift | 7
		if _, _, e := unix.Syscall(unix.SYS_IOPRIO_SET, ioprioWhoProcess, uintptr(tid), uintptr(prio)); e != 0 && firstErr == nil {
			firstErr = e
		}
	}
	return firstErr
}
