package web

import (
	"errors"
	"fmt"
	"testing"

	"github.com/posbackup/posbackup/internal/msg"
)

// TestKeyedErrorsOnThePage: a failure that carries its message by key is
// shown from the catalogue with its parameters, those that are messages
// themselves too, even when its English sentence is ambiguous for the
// patterns (a parameter that itself reads like a catalogue sentence).
func TestKeyedErrorsOnThePage(t *testing.T) {
	inner := msg.New("%s stopped answering: check the network connection and the server", "nas")
	err := fmt.Errorf("%w", msg.New("the backup could not be stored: %v. The older archive %s at %s is unchanged", inner, "M001_Montag.zip", `\\nas\b`))
	want := `Die Sicherung konnte nicht gespeichert werden: nas antwortet nicht mehr: bitte die Netzwerkverbindung und den Server prüfen. Das ältere Archiv M001_Montag.zip in \\nas\b ist unverändert.`
	if got := say(msg.DE, err); got != want {
		t.Errorf("say:\n%q\nwant\n%q", got, want)
	}
	v := taskView{Error: sentence(err.Error()), err: err}.in(msg.DE)
	if v.Error != want {
		t.Errorf("task:\n%q\nwant\n%q", v.Error, want)
	}
	if got := say(msg.EN, err); got != sentence(err.Error()) {
		t.Errorf("English: %q", got)
	}
	// Without a key: the pattern, as before.
	if got := say(msg.DE, errors.New(inner.Error())); got != "Nas antwortet nicht mehr: bitte die Netzwerkverbindung und den Server prüfen." {
		t.Errorf("pattern: %q", got)
	}
}
