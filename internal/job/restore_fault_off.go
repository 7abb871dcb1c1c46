//go:build !faultinject

package job

// restoreFault is a point where a test build (-tags faultinject) can stop
// a restore; see restore_fault_on.go. The shipped build has none.
func restoreFault(string, int) {}
