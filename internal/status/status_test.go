package status

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/schedule"
)

var zone = time.FixedZone("POS", 3600)

func at(day, h, m int) time.Time { return time.Date(2026, 11, day, h, m, 0, 0, zone) }

var nightly = &schedule.Spec{Time: "02:00"}

func job(name string) Job {
	return Job{Name: name, Variant: 3, Destination: `\\nas\backup`, Schedule: nightly}
}

func okState(name string) schedule.State {
	return schedule.State{Job: name, Since: at(1, 0, 0), LastDue: at(25, 2, 0), LastSuccess: at(25, 2, 10), LastArchive: "M001_Wednesday.zip", LastVerify: "full", NextRun: at(26, 2, 0)}
}

func codes(ws []Warning) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.Code)
	}
	return out
}

func has(ws []Warning, code string) *Warning {
	for i := range ws {
		if ws[i].Code == code {
			return &ws[i]
		}
	}
	return nil
}

func TestAllGood(t *testing.T) {
	r := Evaluate(Input{Jobs: []Job{job("n")}, States: map[string]schedule.State{"n": okState("n")}, Service: ServiceRunning, Now: at(25, 12, 0)})
	if !r.OK || r.Stale || len(r.Warnings) != 0 {
		t.Fatalf("warnings for a good setup: %+v", r.Warnings)
	}
	js := r.Jobs[0]
	if js.Variant != "03" || js.Schedule != "daily at 02:00" || !js.LastSuccess.Equal(at(25, 2, 10)) || !js.NextRun.Equal(at(26, 2, 0)) || js.LastArchive != "M001_Wednesday.zip" || js.LastVerify != "full" {
		t.Errorf("job status: %+v", js)
	}
	b, _ := json.Marshal(r)
	for _, want := range []string{`"ok":true`, `"last_success":"2026-11-25T02:10:00+01:00"`, `"warnings":[]`, `"next_run"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s: %s", want, b)
		}
	}
	if strings.Contains(string(b), `"last_failure"`) {
		t.Errorf("JSON has a zero last_failure: %s", b)
	}
}

func TestNoAutomaticBackup(t *testing.T) {
	manual := job("m")
	manual.Schedule = nil
	for name, in := range map[string]Input{
		"no jobs":       {Now: at(25, 12, 0)},
		"manual only":   {Jobs: []Job{manual}, Now: at(25, 12, 0)},
		"not installed": {Jobs: []Job{job("n")}, States: map[string]schedule.State{"n": okState("n")}, Service: ServiceNotInstalled, Now: at(25, 12, 0)},
	} {
		r := Evaluate(in)
		w := has(r.Warnings, CodeNoAutomatic)
		if w == nil || w.Severity != Alert || r.OK {
			t.Errorf("%s: warnings %v", name, codes(r.Warnings))
			continue
		}
		if !strings.Contains(w.Message, "service install") {
			t.Errorf("%s: message does not say what to do: %s", name, w.Message)
		}
	}
	r := Evaluate(Input{Jobs: []Job{job("n")}, States: map[string]schedule.State{"n": okState("n")}, Service: ServiceStopped, Now: at(25, 12, 0)})
	if w := has(r.Warnings, CodeServiceStopped); w == nil || !strings.Contains(w.Message, "service start") {
		t.Errorf("stopped service: %v", codes(r.Warnings))
	}
	// A manual job beside a scheduled one is fine.
	r = Evaluate(Input{Jobs: []Job{job("n"), manual}, States: map[string]schedule.State{"n": okState("n")}, Service: ServiceRunning, Now: at(25, 12, 0)})
	if !r.OK {
		t.Errorf("manual job beside a scheduled one: %v", codes(r.Warnings))
	}
}

func TestSameDriveAndMasterOnly(t *testing.T) {
	j := job("n")
	j.SameDrive, j.Variant, j.Destination = true, 1, `C:\Backup`
	r := Evaluate(Input{Jobs: []Job{j}, States: map[string]schedule.State{"n": okState("n")}, Service: ServiceRunning, Now: at(25, 12, 0)})
	sd := has(r.Warnings, CodeSameDrive)
	mo := has(r.Warnings, CodeMasterOnly)
	if sd == nil || mo == nil || r.OK || r.Stale {
		t.Fatalf("warnings %v", codes(r.Warnings))
	}
	if !strings.Contains(sd.Message, `C:\Backup`) || sd.Job != "n" {
		t.Errorf("same drive: %+v", sd)
	}
	if !strings.Contains(mo.Message, "master data only") || !strings.Contains(mo.Message, "transaction data") {
		t.Errorf("master only: %+v", mo)
	}
	if len(r.Jobs[0].Warnings) != 2 {
		t.Errorf("job warnings %v", codes(r.Jobs[0].Warnings))
	}
}

func TestOverdue(t *testing.T) {
	st := okState("n") // success Wed 25th 02:10
	in := Input{Jobs: []Job{job("n")}, States: map[string]schedule.State{"n": st}, Service: ServiceRunning}

	in.Now = at(26, 7, 59) // 26th 02:00 missed, but within the 6 h margin
	if r := Evaluate(in); !r.OK {
		t.Fatalf("within the margin: %v", codes(r.Warnings))
	}
	in.Now = at(26, 8, 1)
	r := Evaluate(in)
	w := has(r.Warnings, CodeOverdue)
	if w == nil || w.Severity != Alert || !r.Stale || !r.Jobs[0].Stale {
		t.Fatalf("overdue not reported: %v", codes(r.Warnings))
	}
	if !strings.Contains(w.Message, "Wed 2026-11-25 02:10") || !strings.Contains(w.Message, "29 hours ago") || !strings.Contains(w.Message, "daily at 02:00") {
		t.Errorf("message: %s", w.Message)
	}
	// With the failure's reason.
	st.LastFailure, st.LastError = at(26, 2, 5), "the server refused the login"
	in.States["n"] = st
	r = Evaluate(in)
	if w := has(r.Warnings, CodeOverdue); w == nil || !strings.Contains(w.Message, "refused the login") {
		t.Errorf("overdue without the reason: %+v", r.Warnings)
	}
	if has(r.Warnings, CodeLastFailed) != nil {
		t.Errorf("failure reported twice: %v", codes(r.Warnings))
	}
	// A custom margin.
	in.Margin = 12 * time.Hour
	if r := Evaluate(in); has(r.Warnings, CodeOverdue) != nil {
		t.Errorf("12 h margin: %v", codes(r.Warnings))
	}
	// A long run still going is not overdue.
	st.LastFailure, st.LastError, st.Running, st.LastStart = time.Time{}, "", true, at(26, 2, 0)
	in.States["n"], in.Margin = st, 0
	if r := Evaluate(in); has(r.Warnings, CodeOverdue) != nil || !r.Jobs[0].Running {
		t.Errorf("running: %v", codes(r.Warnings))
	}
}

func TestOverdueWeekdays(t *testing.T) {
	wd, _ := schedule.ParseWeekdays("mon-fri")
	j := job("w")
	j.Schedule = &schedule.Spec{Time: "02:00", Weekdays: wd}
	st := okState("w")
	st.LastSuccess = at(20, 2, 10) // Friday
	in := Input{Jobs: []Job{j}, States: map[string]schedule.State{"w": st}, Service: ServiceRunning}
	in.Now = at(23, 1, 0) // Monday before the run: the weekend has no due times
	if r := Evaluate(in); !r.OK {
		t.Errorf("weekend counted: %v", codes(r.Warnings))
	}
	in.Now = at(23, 9, 0) // Monday's run missed
	if r := Evaluate(in); has(r.Warnings, CodeOverdue) == nil {
		t.Errorf("Monday's missed run not reported: %v", codes(r.Warnings))
	}
}

func TestNeverSucceeded(t *testing.T) {
	st := schedule.State{Job: "n", Since: at(24, 15, 0), LastFailure: at(25, 2, 3), LastError: "the folder E:\\Backup is missing: is the USB disk plugged in?"}
	in := Input{Jobs: []Job{job("n")}, States: map[string]schedule.State{"n": st}, Service: ServiceRunning}
	in.Now = at(25, 7, 0) // the first due time is within the margin
	r := Evaluate(in)
	if has(r.Warnings, CodeNeverSucceeded) != nil || r.Stale {
		t.Fatalf("too early: %v", codes(r.Warnings))
	}
	if has(r.Warnings, CodeLastFailed) == nil {
		t.Errorf("the failed attempt is not reported: %v", codes(r.Warnings))
	}
	in.Now = at(25, 9, 0)
	r = Evaluate(in)
	w := has(r.Warnings, CodeNeverSucceeded)
	if w == nil || !r.Stale || !strings.Contains(w.Message, "never made a successful backup") || !strings.Contains(w.Message, "USB disk") {
		t.Fatalf("never succeeded: %+v", r.Warnings)
	}
	// A new job whose first due time is still ahead: no warning.
	st = schedule.State{Job: "n", Since: at(25, 9, 0), NextRun: at(26, 2, 0)}
	in.States["n"] = st
	if r := Evaluate(in); !r.OK {
		t.Errorf("new job: %v", codes(r.Warnings))
	}
}

func TestNotRunYetAndWaiting(t *testing.T) {
	r := Evaluate(Input{Jobs: []Job{job("n")}, Service: ServiceUnknown, Now: at(25, 12, 0)})
	if w := has(r.Warnings, CodeNotRun); w == nil || w.Severity != Warn {
		t.Fatalf("no state: %v", codes(r.Warnings))
	}
	if !r.Jobs[0].NextRun.Equal(at(26, 2, 0)) {
		t.Errorf("next run from the schedule: %v", r.Jobs[0].NextRun)
	}
	st := okState("n")
	st.Waiting = "another backup is running: process 42 on POS1"
	r = Evaluate(Input{Jobs: []Job{job("n")}, States: map[string]schedule.State{"n": st}, Service: ServiceRunning, Now: at(25, 12, 0)})
	if w := has(r.Warnings, CodeWaiting); w == nil || w.Severity != Info || !r.OK {
		t.Errorf("waiting: %+v ok=%v", r.Warnings, r.OK)
	}
}

func TestAlertsComeFirst(t *testing.T) {
	j := job("n")
	j.Variant = 1
	st := okState("n")
	st.LastSuccess = at(20, 2, 0)
	r := Evaluate(Input{Jobs: []Job{j}, States: map[string]schedule.State{"n": st}, Service: ServiceRunning, Now: at(25, 12, 0)})
	if len(r.Warnings) != 2 || r.Warnings[0].Code != CodeOverdue || r.Warnings[1].Code != CodeMasterOnly {
		t.Errorf("order: %v", codes(r.Warnings))
	}
}

func TestAgo(t *testing.T) {
	for d, want := range map[time.Duration]string{
		-time.Minute:     "in the future",
		90 * time.Minute: "90 minutes ago",
		30 * time.Hour:   "30 hours ago",
		80 * time.Hour:   "3 days ago",
	} {
		if got := ago(d); !strings.HasPrefix(got, want) {
			t.Errorf("ago(%v) = %q", d, got)
		}
	}
}
