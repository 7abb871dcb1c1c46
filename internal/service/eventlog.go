package service

// eventSink is the Windows Application event log of the service (a no-op
// elsewhere and when no source is set): failures and alerts go there too,
// where Windows administrators look. Writes that fail are ignored: the
// service's own log file has every line.
type eventSink interface {
	Info(msg string)
	Warning(msg string)
	Error(msg string)
	Close()
}

// Event identifiers, as EventCreate.exe's message file shows them.
const (
	eventIDInfo    = 1
	eventIDWarning = 2
	eventIDError   = 3
)

type noEvents struct{}

func (noEvents) Info(string)    {}
func (noEvents) Warning(string) {}
func (noEvents) Error(string)   {}
func (noEvents) Close()         {}
