//go:build windows

package sysprio

import "golang.org/x/sys/windows"

// processModeBackgroundBegin lowers CPU, I/O and memory priority together.
const processModeBackgroundBegin = 0x00100000

// Lower puts the process in background mode (below-normal CPU, very low
// I/O priority); if that is refused it falls back to below-normal CPU.
func Lower() error {
	p := windows.CurrentProcess()
	if err := windows.SetPriorityClass(p, processModeBackgroundBegin); err == nil {
		return nil
	}
	return windows.SetPriorityClass(p, windows.BELOW_NORMAL_PRIORITY_CLASS)
}
