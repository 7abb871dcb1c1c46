package schedule

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestStateRoundTripAndAtomicWrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state") // created by SaveState
	st := State{Job: "nightly", Since: at(1, 9, 0), LastDue: at(25, 2, 0), LastStart: at(25, 2, 0), LastEnd: at(25, 2, 9),
		LastSuccess: at(25, 2, 9), LastArchive: "M001_Wednesday.zip", LastWarnings: []string{"w"}, NextRun: at(26, 2, 0)}
	if err := SaveState(dir, st); err != nil {
		t.Fatal(err)
	}
	st.LastEnd = at(25, 2, 10)
	if err := SaveState(dir, st); err != nil { // replaces
		t.Fatal(err)
	}
	got, err := LoadState(dir, "nightly", at(25, 3, 0))
	if err != nil {
		t.Fatal(err)
	}
	if !got.LastEnd.Equal(st.LastEnd) || !got.NextRun.Equal(st.NextRun) || got.LastArchive != st.LastArchive || !reflect.DeepEqual(got.LastWarnings, st.LastWarnings) {
		t.Fatalf("round trip: %+v", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("files left in the state folder: %v", entries)
	}
	b, _ := os.ReadFile(StatePath(dir, "nightly"))
	if strings.Contains(string(b), "last_failure") || !strings.Contains(string(b), `"last_success": "2026-11-25T02:09:00+01:00"`) {
		t.Errorf("file: %s", b)
	}
}

func TestLoadStateMissingFile(t *testing.T) {
	st, err := LoadState(t.TempDir(), "new", at(25, 0, 0))
	if err != nil || st.Job != "new" || !st.Since.IsZero() {
		t.Fatalf("missing file: %+v %v", st, err)
	}
}

func TestLoadStateCorrupt(t *testing.T) {
	for name, content := range map[string]string{
		"truncated":   `{"job":"n","last_due":"2026-11`,
		"not json":    "\x00\x00\x00",
		"other job":   `{"job":"other"}`,
		"extra data":  `{"job":"n"} {"job":"n"}`,
		"wrong types": `{"job":"n","running":"yes"}`,
	} {
		dir := t.TempDir()
		p := StatePath(dir, "n")
		os.WriteFile(p, []byte(content), 0o644)
		st, err := LoadState(dir, "n", at(25, 3, 4))
		var ce *CorruptStateError
		if !errors.As(err, &ce) || st.Job != "n" || !st.LastDue.IsZero() {
			t.Errorf("%s: %+v %v", name, st, err)
			continue
		}
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s: the damaged file is still in place", name)
		}
		if b, _ := os.ReadFile(ce.MovedTo); string(b) != content || !strings.Contains(ce.MovedTo, ".corrupt-20261125T020400Z") {
			t.Errorf("%s: kept aside as %s: %q", name, ce.MovedTo, b)
		}
		if !strings.Contains(ce.Error(), "damaged") || !strings.Contains(ce.Error(), "renamed") {
			t.Errorf("%s: message %q", name, ce.Error())
		}
	}
}

func TestStatePathNames(t *testing.T) {
	a := StatePath("d", "Filiale 1")
	b := StatePath("d", "Filiale_1")
	c := StatePath("d", "../x")
	if a == b || filepath.Dir(c) != "d" || filepath.Base(b) != "job-Filiale_1.json" {
		t.Errorf("paths %s %s %s", a, b, c)
	}
}

func TestSaveStateUnwritable(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	err := SaveState(filepath.Join(file, "sub"), State{Job: "n"}) // a file where a folder should be
	if err == nil || !strings.Contains(err.Error(), "cannot be") {
		t.Fatalf("want a plain error, got %v", err)
	}
}

func TestFakeClockSeparatesWallAndElapsedTime(t *testing.T) {
	c := NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	ch := c.After(time.Minute)
	c.JumpWall(time.Hour) // the wall clock moves; the timer does not
	select {
	case <-ch:
		t.Fatal("a wall-clock jump fired a timer")
	default:
	}
	if n := c.Advance(59 * time.Second); n != 0 {
		t.Fatal("fired early")
	}
	if n := c.Advance(time.Second); n != 1 {
		t.Fatal("did not fire")
	}
	if got := <-ch; !got.Equal(time.Date(2026, 1, 1, 1, 1, 0, 0, time.UTC)) {
		t.Errorf("fired with %v", got)
	}
	if _, ok := c.UntilNext(); ok || c.Waiters() != 0 {
		t.Error("waiters left")
	}
}
