package osservice

// EventLog is the Windows Application event log of the service (a no-op
// elsewhere and when no source is set): failures and alerts go there too,
// where Windows administrators look. Writes that fail are ignored: the
// service's own log file has every line.
type EventLog interface {
	Info(msg string)
	Warning(msg string)
	Error(msg string)
	Close()
}

// NoEvents is the EventLog that writes nothing.
type NoEvents struct{}

func (NoEvents) Info(string)    {}
func (NoEvents) Warning(string) {}
func (NoEvents) Error(string)   {}
func (NoEvents) Close()         {}
