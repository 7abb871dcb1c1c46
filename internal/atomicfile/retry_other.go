//go:build !windows

package atomicfile

// retryable: a rename(2) that failed fails again.
func retryable(error) bool { return false }
