package status

import (
	"fmt"
	"testing"

	"github.com/posbackup/posbackup/internal/msg"
	"github.com/posbackup/posbackup/internal/schedule"
)

// TestWarningsInGerman: a status warning carries its message by key, so a
// face shows it in German with its parameters (the time, how long ago, the
// schedule and the last error, itself a sentence of the job) in German,
// and its English is the sentence as before.
func TestWarningsInGerman(t *testing.T) {
	st := okState("n")
	st.LastFailure = at(27, 2, 5)
	st.LastError = "the connection to ftp.example.com was interrupted: check the network connection and try again"
	r := Evaluate(Input{Jobs: []Job{job("n")}, States: map[string]schedule.State{"n": st}, Service: ServiceRunning, Now: at(27, 12, 0)})
	w := has(r.Jobs[0].Warnings, CodeOverdue)
	if w == nil || w.Key == nil {
		t.Fatalf("no keyed overdue warning: %+v", r.Jobs[0].Warnings)
	}
	wantEN := "The last successful backup of job n was Wed 2026-11-25 02:10 (2 days ago); it should run daily at 02:00. The last attempt failed: " + st.LastError
	if w.Message != wantEN || w.Key.String() != wantEN {
		t.Errorf("English:\n%q\nwant\n%q", w.Message, wantEN)
	}
	wantDE := "Die letzte erfolgreiche Sicherung des Auftrags n war Mi 2026-11-25 02:10 (vor 2 Tagen); er sollte täglich um 02:00 laufen. Der letzte Versuch ist fehlgeschlagen: die Verbindung zu ftp.example.com wurde unterbrochen: bitte die Netzwerkverbindung prüfen und noch einmal versuchen"
	if got := msg.Of(msg.DE, w.Key); got != wantDE {
		t.Errorf("German:\n%q\nwant\n%q", got, wantDE)
	}
	for _, w := range append(r.Warnings, r.Jobs[0].Warnings...) {
		if w.Key == nil || fmt.Sprint(w.Key) != w.Message {
			t.Errorf("warning %s without its key: %+v", w.Code, w)
		}
	}
}
