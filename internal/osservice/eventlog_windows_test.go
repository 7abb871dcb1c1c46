package osservice

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc/eventlog"
)

// TestEventLogWrites registers an event-log source as service install
// does, writes the service's kinds of events through it, and removes it as
// uninstall does. It needs administrator rights (Wine has them; the Wine
// suite in internal/wintest runs this test under Wine and reads the
// written messages back from Wine's eventlog debug channel, Wine having no
// event log to read them from).
func TestEventLogWrites(t *testing.T) {
	name := fmt.Sprintf("posbackup-evtest-%d", os.Getpid())
	if err := installEventSource(name); err != nil {
		if errors.Is(err, windows.ERROR_ACCESS_DENIED) {
			t.Skip("needs administrator rights")
		}
		t.Fatal(err)
	}
	if err := installEventSource(name); err != nil {
		t.Errorf("a source already there is kept, not an error: %v", err)
	}
	ev := OpenEventLog(name)
	w, ok := ev.(windowsEvents)
	if !ok {
		t.Fatalf("the event log source %s cannot be opened", name)
	}
	for _, e := range []struct {
		f   func(uint32, string) error
		id  uint32
		msg string
	}{
		{w.l.Error, eventIDError, "The automatic backup nightly on KASSE1 FAILED: Drive E: is not present (posbackup event-log test)"},
		{w.l.Warning, eventIDWarning, "No backup of job nightly on KASSE1 has succeeded since Mon (posbackup event-log test)"},
		{w.l.Info, eventIDInfo, "job nightly: the backup succeeded (posbackup event-log test)"},
	} {
		if err := e.f(e.id, e.msg); err != nil {
			t.Errorf("writing %q: %v", e.msg, err)
		}
	}
	ev.Close()
	if err := eventlog.Remove(name); err != nil {
		t.Fatalf("removing the source: %v", err)
	}
	// What uninstall ignores: the source already gone.
	if err := eventlog.Remove(name); !errors.Is(err, windows.ERROR_FILE_NOT_FOUND) {
		t.Errorf("removing a missing source: %v, want ERROR_FILE_NOT_FOUND (which uninstall ignores)", err)
	}
	if OpenEventLog("") != (NoEvents{}) {
		t.Errorf("no source is no event log")
	}
}

// TestAdminHint: "run as administrator" only when the rights were the cause.
func TestAdminHint(t *testing.T) {
	if h := adminHint(fmt.Errorf("open: %w", windows.ERROR_ACCESS_DENIED)); !strings.Contains(h, "administrator") {
		t.Errorf("access denied: %q", h)
	}
	for _, err := range []error{windows.Errno(124), windows.ERROR_SERVICE_EXISTS, errors.New("Invalid level")} {
		if h := adminHint(err); h != "" {
			t.Errorf("%v is not a question of rights, yet: %q", err, h)
		}
	}
}
