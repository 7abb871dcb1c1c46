package osservice

import "golang.org/x/sys/windows/svc/eventlog"

// Event identifiers, as EventCreate.exe's message file shows them.
const (
	eventIDInfo    = 1
	eventIDWarning = 2
	eventIDError   = 3
)

type windowsEvents struct{ l *eventlog.Log }

// OpenEventLog opens the Application event log under source ("" none).
func OpenEventLog(source string) EventLog {
	if source == "" {
		return NoEvents{}
	}
	l, err := eventlog.Open(source)
	if err != nil {
		return NoEvents{}
	}
	return windowsEvents{l}
}

func (w windowsEvents) Info(msg string)    { w.l.Info(eventIDInfo, msg) }
func (w windowsEvents) Warning(msg string) { w.l.Warning(eventIDWarning, msg) }
func (w windowsEvents) Error(msg string)   { w.l.Error(eventIDError, msg) }
func (w windowsEvents) Close()             { w.l.Close() }
