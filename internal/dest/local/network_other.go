//go:build !windows

package local

// IsNetworkPath is false off Windows: a service there sees the same mounts
// as the user who set it up.
func IsNetworkPath(string) bool { return false }
