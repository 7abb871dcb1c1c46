package job

import (
	"strings"
	"testing"
	"time"
)

func TestExpandName(t *testing.T) {
	mon := time.Date(2026, 11, 23, 22, 5, 0, 0, time.Local) // a Monday
	tok := NameTokens{Clients: []string{"M001"}, Time: mon, Host: "KASSE1", Variant: 3}
	for tmpl, want := range map[string]string{
		"":                               "M001_Monday.zip",
		"{client}_{weekday}":             "M001_Monday.zip",
		"{CLIENT}_{Weekday}.zip":         "M001_Monday.zip",
		"{host}-{variant}-{date}_{time}": "KASSE1-03-2026-11-23_2205.zip",
		"Sicherung":                      "Sicherung.zip",
	} {
		got, err := ExpandName(tmpl, tok)
		if err != nil || got != want {
			t.Errorf("ExpandName(%q) = %q, %v; want %q", tmpl, got, err, want)
		}
	}
	de := tok
	de.Lang = "de"
	if got, _ := ExpandName("{client}_{weekday}", de); got != "M001_Montag.zip" {
		t.Errorf("German weekday: %s", got)
	}
	for day, want := range map[int]string{0: "Sonntag", 2: "Dienstag", 3: "Mittwoch", 4: "Donnerstag", 5: "Freitag", 6: "Samstag"} {
		de.Time = time.Date(2026, 11, 22+day, 1, 0, 0, 0, time.Local)
		if got, _ := ExpandName("{weekday}", de); got != want+".zip" {
			t.Errorf("day %d: %s", day, got)
		}
	}
	many := tok
	many.Clients, many.All = []string{"M001", "M002", "M003", "M004"}, true
	if got, _ := ExpandName("{client}", many); got != "all.zip" {
		t.Errorf("all of many clients: %s", got)
	}
	many.All = false
	if got, _ := ExpandName("{client}", many); got != "M001-M004.zip" {
		t.Errorf("a selection of many clients: %s", got)
	}
	for _, bad := range []string{"{kunde}", "{client", "a/b", "x:y", ".hidden", "{client}?"} {
		if _, err := ExpandName(bad, tok); err == nil {
			t.Errorf("ExpandName(%q) accepted", bad)
		}
	}
	if _, err := ExpandName("{weekday}", NameTokens{Lang: "fr", Time: mon}); err == nil || !strings.Contains(err.Error(), "fr") {
		t.Errorf("unknown language: %v", err)
	}
}
