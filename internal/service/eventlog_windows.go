package service

import "golang.org/x/sys/windows/svc/eventlog"

type windowsEvents struct{ l *eventlog.Log }

// openEventLog opens the Application event log under source ("" none).
func openEventLog(source string) eventSink {
	if source == "" {
		return noEvents{}
	}
	l, err := eventlog.Open(source)
	if err != nil {
		return noEvents{}
	}
	return windowsEvents{l}
}

func (w windowsEvents) Info(msg string)    { w.l.Info(eventIDInfo, msg) }
func (w windowsEvents) Warning(msg string) { w.l.Warning(eventIDWarning, msg) }
func (w windowsEvents) Error(msg string)   { w.l.Error(eventIDError, msg) }
func (w windowsEvents) Close()             { w.l.Close() }
