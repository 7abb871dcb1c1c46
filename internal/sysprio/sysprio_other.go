//go:build !linux && !windows

package sysprio

import "syscall"

// Lower sets nice 10.
func Lower() error { return syscall.Setpriority(syscall.PRIO_PROCESS, 0, 10) }
