//go:build !windows

package osservice

// OpenEventLog is NoEvents: only Windows has the Application event log.
func OpenEventLog(string) EventLog { return NoEvents{} }
