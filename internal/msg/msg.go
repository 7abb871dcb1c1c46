// Package msg is the message catalogue every face uses: one table keyed by
// the English message (a fmt format: "%d file(s) in %s will be
// overwritten"), with its German text. It is built on
// golang.org/x/text/message and its catalog: the key is the message
// itself (nothing to keep in step between an id and its text), the
// German side may reorder the parameters (%[2]s), and numbers are
// printed the way each language writes them.
//
// Messages made below the faces (the job's and the destinations' errors,
// the test-access steps) are English sentences with their parameters
// filled in. Translate finds such a sentence's pattern in the table (each
// format is also a pattern: %s matches any text, %d a number), takes the
// parameters out, translates them too when they are messages themselves
// ("the backup could not be stored: %v. ..."), and fills them into the
// German text. A sentence without a pattern stays English.
package msg

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// The languages.
const (
	EN = "en"
	DE = "de"
	// DECLI is German for the command line: the table's German, but
	// germanCommand's text where the table's names the dialog.
	DECLI = "de-cli"
)

var (
	cat     *catalog.Builder
	printer = map[string]*message.Printer{}
	matcher = language.NewMatcher([]language.Tag{language.English, language.German})
	pats    []pattern // every entry with parameters, longest literal text first
)

type pattern struct {
	english string
	re      *regexp.Regexp
	verbs   []string // the verbs in English order, e.g. "s", "d", "v"
	german  string
	page    string // the English text the faces show instead (page), or ""
}

// termsOnly are messages too general to be taken as patterns of a
// sentence made elsewhere ("%s is %s" would match any English sentence
// with "is"): T formats them, Translate does not look for them.
var termsOnly = map[string]bool{"%s is %s": true, "%d s": true, "%d min": true, "%d h %d min": true, "about %s left": true,
	"warning: %s": true, "BACKUP FAILED: %s": true, "on %s": true, "Backup done: %s at %s": true, "No automatic backup is set up in %s: use 'posbackup job set'.": true, "%d minutes ago": false, "%d hours ago": false, "%d days ago": false}

// dated are the weekday-and-date messages ("Mon %s").
var dated = regexp.MustCompile(`^[A-Z][a-z]{2} %s$`)

// verbRe finds fmt verbs.
var verbRe = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)

func init() {
	weekdays := map[string]string{}
	weekdayGerman(weekdays)
	for _, t := range []map[string]string{germanPage, germanBelow, germanFleet, germanJob, germanCLI, weekdays} {
		for en, de := range t {
			if _, dup := german[en]; dup {
				panic("msg: " + en + " is in the table twice")
			}
			german[en] = de
		}
	}
	cat = catalog.NewBuilder(catalog.Fallback(language.English))
	for en, de := range german {
		if err := cat.SetString(language.German, en, de); err != nil {
			panic("msg: " + en + ": " + err.Error())
		}
	}
	for en, page := range pageEnglish {
		if err := cat.SetString(language.English, en, page); err != nil {
			panic("msg: " + en + ": " + err.Error())
		}
	}
	printer[EN] = message.NewPrinter(language.English, message.Catalog(cat))
	printer[DE] = message.NewPrinter(language.German, message.Catalog(cat))
	catCLI := catalog.NewBuilder(catalog.Fallback(language.English))
	for en, de := range german {
		if c, ok := germanCommand[en]; ok {
			de = c
		}
		if err := catCLI.SetString(language.German, en, de); err != nil {
			panic("msg: " + en + ": " + err.Error())
		}
	}
	for en := range germanCommand {
		if _, ok := german[en]; !ok {
			panic("msg: " + en + " is in germanCommand but not in the table")
		}
	}
	printer[DECLI] = message.NewPrinter(language.German, message.Catalog(catCLI))
	keys := make([]string, 0, len(german))
	for en := range german {
		if termsOnly[en] {
			continue
		}
		if verbRe.MatchString(strings.ReplaceAll(en, "%%", "")) {
			keys = append(keys, en)
		}
	}
	for en := range pageEnglish {
		if _, ok := german[en]; !ok && verbRe.MatchString(en) {
			keys = append(keys, en)
		}
	}
	// Longest literal text first: the most specific pattern wins.
	lit := func(s string) int { return len(verbRe.ReplaceAllString(s, "")) }
	sort.Slice(keys, func(i, j int) bool {
		if lit(keys[i]) != lit(keys[j]) {
			return lit(keys[i]) > lit(keys[j])
		}
		return keys[i] < keys[j]
	})
	for _, en := range keys {
		p := pattern{english: en, german: german[en], page: pageEnglish[en]}
		var re strings.Builder
		re.WriteString(`^`)
		if dated.MatchString(en) { // "Mon %s": a weekday before a date, as status writes times
			re.WriteString(regexp.QuoteMeta(en[:4]) + `(\d{4}-\d\d-\d\d \d\d:\d\d)$`)
			p.verbs = []string{"s"}
			p.re = regexp.MustCompile(re.String())
			pats = append(pats, p)
			continue
		}
		last := 0
		for _, m := range verbRe.FindAllStringIndex(en, -1) {
			re.WriteString(regexp.QuoteMeta(en[last:m[0]]))
			v := en[m[1]-1:]
			v = v[:1]
			switch v {
			case "%":
				re.WriteString("%")
			case "d":
				re.WriteString(`(-?[0-9][0-9,.]*)`)
				p.verbs = append(p.verbs, v)
			case "q":
				re.WriteString(`("(?:[^"\\]|\\.)*")`)
				p.verbs = append(p.verbs, v)
			default:
				re.WriteString(`(.+?)`)
				p.verbs = append(p.verbs, v)
			}
			last = m[1]
		}
		re.WriteString(regexp.QuoteMeta(en[last:]))
		re.WriteString(`$`)
		p.re = regexp.MustCompile(re.String())
		pats = append(pats, p)
	}
}

// norm is "de" or "en".
func norm(lang string) string {
	if strings.EqualFold(lang, DECLI) {
		return DECLI
	}
	if strings.HasPrefix(strings.ToLower(lang), "de") {
		return DE
	}
	return EN
}

// T is the message english (a key of the table) in lang, with args.
func T(lang, english string, args ...any) string {
	return printer[norm(lang)].Sprintf(english, args...)
}

// Has reports whether english is a message of the table.
func Has(english string) bool {
	_, ok := german[english]
	return ok
}

// Translate is an English sentence made elsewhere (an error, a step of
// "Test access data") in lang: the sentence's pattern's text with its
// parameters, or the sentence as it came when no pattern matches. A
// sentence that starts upper case and ends with a full stop (as the faces
// show errors) keeps that form.
func Translate(lang, sentence string) string {
	out, _ := translate(norm(lang), sentence, 0)
	return out
}

// Known reports whether Translate finds a pattern for sentence.
func Known(sentence string) bool {
	_, ok := translate(DE, sentence, 0)
	return ok
}

func translate(lang, s string, depth int) (string, bool) {
	core := strings.TrimSpace(s)
	if core == "" || depth > 3 {
		return s, false
	}
	capital, stop := false, ""
	if r, _ := utf8.DecodeRuneInString(core); unicode.IsUpper(r) {
		capital = true
	}
	if strings.HasSuffix(core, ".") {
		stop = "."
		core = strings.TrimSuffix(core, ".")
	}
	candidates := []string{core}
	if capital {
		r, n := utf8.DecodeRuneInString(core)
		candidates = append(candidates, string(unicode.ToLower(r))+core[n:])
	}
	for _, c := range candidates {
		if out, ok := lookup(lang, c, depth); ok {
			return finish(out, capital, stop), true
		}
		if out, ok := lookup(lang, c+".", depth); ok { // a key that ends with its full stop
			return finish(strings.TrimSuffix(out, "."), capital, stop), true
		}
	}
	return s, false
}

func finish(s string, capital bool, stop string) string {
	if capital {
		r, n := utf8.DecodeRuneInString(s)
		s = string(unicode.ToUpper(r)) + s[n:]
	}
	if stop != "" && !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "?") && !strings.HasSuffix(s, "!") {
		s += stop
	}
	return s
}

func lookup(lang, c string, depth int) (string, bool) {
	if de, ok := german[c]; ok && !verbRe.MatchString(c) {
		if lang == DECLI {
			if c, ok := germanCommand[c]; ok {
				return c, true
			}
		}
		if lang == DE || lang == DECLI {
			return de, true
		}
		if page, ok := pageEnglish[c]; ok {
			return page, true
		}
		return c, true
	}
	for _, p := range pats {
		m := p.re.FindStringSubmatch(c)
		if m == nil {
			continue
		}
		args := make([]any, len(m)-1)
		for i, a := range m[1:] {
			if p.verbs[i] == "s" || p.verbs[i] == "v" {
				if t, ok := translate(lang, a, depth+1); ok {
					a = t
				}
			}
			args[i] = a
		}
		format := p.english
		switch {
		case lang == DECLI && germanCommand[p.english] != "":
			format = germanCommand[p.english]
		case (lang == DE || lang == DECLI) && p.german != "":
			format = p.german
		case lang == EN && p.page != "":
			format = p.page
		}
		// The parameters are text now: every verb prints them as they came.
		format = verbRe.ReplaceAllStringFunc(format, func(v string) string {
			if v == "%%" {
				return v
			}
			if sub := regexp.MustCompile(`^%(\[\d+\])`).FindStringSubmatch(v); sub != nil {
				return "%" + sub[1] + "s"
			}
			return "%s"
		})
		return fmt.Sprintf(format, args...), true
	}
	return "", false
}

// Match picks de or en for an Accept-Language header (English when it
// names neither).
func Match(acceptLanguage string) string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return EN
	}
	for _, t := range tags {
		base, conf := t.Base()
		if conf == language.No {
			continue
		}
		switch base.String() {
		case DE:
			return DE
		case EN:
			return EN
		}
	}
	_, i, _ := matcher.Match(tags...)
	if i == 1 {
		return DE
	}
	return EN
}

// FromEnv is the language of the system locale (LC_ALL, LC_MESSAGES,
// LANG, as on Unix; on Windows the faces pass what they know): de for a
// German locale, else en.
func FromEnv(getenv func(string) string) string {
	if v, ok := envLocale(getenv); ok {
		return norm(v)
	}
	return EN
}

// envLocale is the locale the environment names (LC_ALL, LC_MESSAGES,
// LANG, the first set and neither C nor POSIX); ok false when none.
func envLocale(getenv func(string) string) (string, bool) {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(k); v != "" && v != "C" && v != "POSIX" {
			return v, true
		}
	}
	return "", false
}

// Entries are the table's messages: English key and German text, sorted.
func Entries() [][2]string {
	out := make([][2]string, 0, len(german))
	for en, de := range german {
		out = append(out, [2]string{en, de})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// Text is the message english in lang as it stands, parameters not filled
// in (for texts the page's script fills, or a caller's own fmt call).
func Text(lang, english string) string {
	if norm(lang) == DE {
		if de, ok := german[english]; ok {
			return de
		}
		return english
	}
	if page, ok := pageEnglish[english]; ok {
		return page
	}
	return english
}
