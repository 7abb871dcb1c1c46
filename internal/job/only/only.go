// Package only reads the words users give for the part of a backup to
// restore (the command line's --only, the Restore tab's ticks) as
// job.Part values: the job takes parts, the words live here. The faces
// call it; it says which words it knows when it meets one it does not.
package only

import (
	"fmt"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/posbackup/posbackup/internal/job"
	"github.com/posbackup/posbackup/internal/msg"
	"github.com/posbackup/posbackup/internal/profile"
)

// kinds are the words for the kinds of data, with their other spellings.
var kinds = []struct {
	kind  string
	words []string
}{
	{profile.KindMaster, []string{"master", "master-data", "stammdaten"}},
	{profile.KindTransactions, []string{"transactions", "transaction-data", "journal-data"}},
	{profile.KindProgram, []string{"program"}},
	{profile.KindExtra, []string{"extra"}},
}

// Parse reads the words of --only: a kind of data (master, transactions,
// program, extra, and the other spellings of kinds), client:N (a number,
// or a client folder's name as in client:M002), a data set of p, or else
// a path pattern. p may be nil (no data sets, client numbers only).
func Parse(words []string, p *profile.Profile) ([]job.Part, error) {
	var out []job.Part
	for _, w := range words {
		part, ok, err := parsePart(w, p)
		if err != nil {
			return nil, err
		}
		if !ok {
			pat := strings.TrimPrefix(filepath.ToSlash(strings.TrimSpace(w)), "/")
			if _, err := path.Match(strings.ToLower(pat), ""); err != nil {
				return nil, &job.UsageError{Msg: fmt.Sprintf("--only %s is not a valid path pattern", strings.TrimSpace(w))}
			}
			part = job.Part{Pattern: pat}
		}
		out = append(out, part)
	}
	return out, nil
}

// Choice reads a word that must name a part, not a path pattern (the
// Restore tab's ticks): a word that is none is refused, naming the known
// ones.
func Choice(word string, p *profile.Profile) (job.Part, error) {
	part, ok, err := parsePart(word, p)
	if err == nil && !ok {
		m := msg.New("unknown part %q: the parts are %s", word, Known(p))
		err = &job.UsageError{Msg: m.String(), Key: m}
	}
	return part, err
}

// parsePart reads a word that names a part; ok is false for any other
// word (a path pattern, to Parse).
func parsePart(word string, p *profile.Profile) (part job.Part, ok bool, err error) {
	w := strings.TrimSpace(word)
	lw := strings.ToLower(w)
	for _, k := range kinds {
		for _, s := range k.words {
			if lw == s {
				return job.Part{Kind: k.kind}, true, nil
			}
		}
	}
	if v, isClient := strings.CutPrefix(lw, "client:"); isClient {
		n, err := strconv.Atoi(v)
		if err != nil && p != nil {
			var known bool
			if n, known = p.ClientNumber(v); known {
				err = nil
			}
		}
		if err != nil || n <= 0 {
			return part, false, &job.UsageError{Msg: fmt.Sprintf("--only %s: give a client number, like client:2", w)}
		}
		return job.Part{Client: n}, true, nil
	}
	if p != nil && p.Dataset(w) != nil {
		return job.Part{Dataset: w}, true, nil
	}
	return part, false, nil
}

// Known names the words for parts: the kinds, client:N and p's data sets.
func Known(p *profile.Profile) string {
	var out []string
	seen := map[string]bool{}
	for _, k := range kinds {
		out = append(out, k.words[0])
		seen[k.words[0]] = true
	}
	out = append(out, "client:N")
	if p != nil {
		for _, d := range p.Datasets {
			if !seen[d.ID] { // a data set named like a kind reads as the kind
				out = append(out, d.ID)
			}
		}
	}
	return strings.Join(out, ", ")
}

// Unknown explains a restore that found nothing of the parts asked for
// (job.ErrNothingSelected) when a word looks like a misspelt part rather
// than a path (no slash, dot or wildcard, and no file or folder of that
// name in the archive, or the restore would have found it): it names the
// known words. nil when no word is such.
func Unknown(words []string, p *profile.Profile) error {
	for _, w := range words {
		w = strings.TrimSpace(w)
		if _, ok, _ := parsePart(w, p); ok || strings.ContainsAny(w, `/\.*?[`) {
			continue
		}
		// The command line's own words (as the other --only errors): no
		// face but the command line shows it.
		return &job.UsageError{Msg: fmt.Sprintf("--only %s is neither a part nor a file or folder in the archive: give one of %s, or a path pattern such as '*.ini'", w, Known(p))}
	}
	return nil
}
