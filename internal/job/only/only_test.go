package only

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/posbackup/posbackup/internal/job"
	"github.com/posbackup/posbackup/internal/msg"
	"github.com/posbackup/posbackup/internal/profile"
)

// TestParseWords: every word --only took before the job took parts reads
// as the same part; anything else is a path pattern.
func TestParseWords(t *testing.T) {
	p := profile.Default()
	for word, want := range map[string]job.Part{
		"master":           {Kind: profile.KindMaster},
		"Master-Data":      {Kind: profile.KindMaster},
		" stammdaten ":     {Kind: profile.KindMaster},
		"transactions":     {Kind: profile.KindTransactions},
		"transaction-data": {Kind: profile.KindTransactions},
		"journal-data":     {Kind: profile.KindTransactions},
		"program":          {Kind: profile.KindProgram},
		"EXTRA":            {Kind: profile.KindExtra},
		"client:2":         {Client: 2},
		"client:M003":      {Client: 3},
		"arthist":          {Dataset: "arthist"},
		"journal-archive":  {Dataset: "journal-archive"},
		"Daten/M001/Stamm": {Pattern: "Daten/M001/Stamm"},
		"/version.ini":     {Pattern: "version.ini"},
		"*.ini":            {Pattern: "*.ini"},
		"Programme":        {Pattern: "Programme"}, // a folder of the installation
	} {
		got, err := Parse([]string{word}, p)
		if err != nil || len(got) != 1 || got[0] != want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", word, got, err, want)
		}
	}
	if got, err := Parse(nil, p); err != nil || got != nil {
		t.Errorf("no words: %+v %v", got, err)
	}
	// Without a profile: no data sets, no client names.
	if got, _ := Parse([]string{"arthist", "client:4"}, nil); !reflect.DeepEqual(got, []job.Part{{Pattern: "arthist"}, {Client: 4}}) {
		t.Errorf("without a profile: %+v", got)
	}
}

func TestParseRefusesBadWords(t *testing.T) {
	p := profile.Default()
	for word, want := range map[string]string{
		"client:x":   "--only client:x: give a client number, like client:2",
		"client:0":   "--only client:0: give a client number, like client:2",
		"Daten/[M00": "--only Daten/[M00 is not a valid path pattern",
	} {
		_, err := Parse([]string{"master", word}, p)
		var ue *job.UsageError
		if !errors.As(err, &ue) || err.Error() != want {
			t.Errorf("Parse(%q): %v, want the usage error %q", word, err, want)
		}
	}
}

// TestChoiceNamesTheKnownParts: the Restore tab's ticks are parts only;
// an unknown one is refused with the parts it could have been, in German
// too.
func TestChoiceNamesTheKnownParts(t *testing.T) {
	p := profile.Default()
	if got, err := Choice("client:2", p); err != nil || got != (job.Part{Client: 2}) {
		t.Errorf("Choice(client:2) = %+v, %v", got, err)
	}
	_, err := Choice("Daten/M001", p)
	want := `unknown part "Daten/M001": the parts are master, transactions, program, extra, client:N, global, stamm, journal, journal-archive, arthist`
	if err == nil || err.Error() != want {
		t.Fatalf("Choice of a path: %v\nwant %s", err, want)
	}
	if de := msg.Of(msg.DE, err); !strings.HasPrefix(de, `unbekannter Teil "Daten/M001": die Teile sind master,`) {
		t.Errorf("German: %s", de)
	}
}

// TestUnknownWord: when a restore found nothing, a word that looks like a
// misspelt part (not a path) is named with the known parts.
func TestUnknownWord(t *testing.T) {
	p := profile.Default()
	err := Unknown([]string{"master", "stammdatn"}, p)
	if err == nil || !strings.Contains(err.Error(), "--only stammdatn is neither a part nor a file or folder in the archive") || !strings.Contains(err.Error(), "master, transactions") {
		t.Errorf("misspelt part: %v", err)
	}
	var ue *job.UsageError
	if !errors.As(err, &ue) {
		t.Errorf("not a usage error: %#v", err)
	}
	for _, words := range [][]string{{"Daten/M009"}, {"*.cfg"}, {"version.ini"}, {"master"}, nil} {
		if err := Unknown(words, p); err != nil {
			t.Errorf("Unknown(%q) = %v, want nil (a path or a part)", words, err)
		}
	}
}
