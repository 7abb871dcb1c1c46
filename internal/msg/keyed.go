package msg

import (
	"errors"
	"fmt"
	"regexp"
)

// Message is a sentence made below the faces (a job's or a destination's
// error), kept as its English format, a key of the table, and its
// parameters, so that a face shows it in its own language with Of. Its
// String and Error are the English sentence, exactly as fmt.Sprintf
// makes it. Parameters that are themselves messages, or errors that carry
// one, are shown in the same language.
type Message struct {
	Format string
	Args   []any
}

// New is the message format with args.
func New(format string, args ...any) *Message { return &Message{Format: format, Args: args} }

// String is the English sentence.
func (m *Message) String() string { return fmt.Sprintf(m.Format, m.Args...) }

// Error is the English sentence, so a *Message is an error too.
func (m *Message) Error() string { return m.String() }

// Sentence is a parameter that is an English text made elsewhere without
// a key (a job's last error read back from its state file, a schedule, a
// time): Of shows it through its pattern (Translate). It prints as the
// text itself.
type Sentence string

// String is the text.
func (s Sentence) String() string { return string(s) }

// Keyed is what the error types below the faces implement when they carry
// a Message (nil when they do not).
type Keyed interface{ Keyed() *Message }

// KeyOf is the message err carries: err itself, or the first error in its
// chain (errors.Unwrap) that carries one whose English sentence is err's
// whole text (a wrapper that only adds a cause for errors.Is). nil when
// there is none.
func KeyOf(err error) *Message {
	if err == nil {
		return nil
	}
	whole := err.Error()
	for e := err; e != nil; e = errors.Unwrap(e) {
		var m *Message
		switch x := e.(type) {
		case *Message:
			m = x
		case Keyed:
			m = x.Keyed()
		}
		if m != nil {
			if e == err || m.String() == whole {
				return m
			}
			return nil
		}
	}
	return nil
}

// Of is v in lang: a *Message, or an error that carries one, from the
// table with its parameters filled in (those that are messages or errors
// shown in lang too); any other error or text by its English sentence's
// pattern (Translate), as it came when none matches. In English it is the
// text the faces show in English (the page's English where the table has
// one).
func Of(lang string, v any) string { return of(norm(lang), v, 0) }

func of(lang string, v any, depth int) string {
	var m *Message
	switch x := v.(type) {
	case *Message:
		m = x
	case error:
		m = KeyOf(x)
	case fmt.Stringer:
		return Translate(lang, x.String())
	case string:
		return Translate(lang, x)
	}
	if m == nil || depth > 8 {
		if err, ok := v.(error); ok && err != nil {
			return Translate(lang, err.Error())
		}
		return fmt.Sprint(v)
	}
	args := make([]any, len(m.Args))
	verbs := argVerbs(m.Format)
	for i, a := range m.Args {
		text := i < len(verbs) && (verbs[i] == 's' || verbs[i] == 'v')
		switch a.(type) {
		case *Message, error, fmt.Stringer: // a message, or a text with a pattern (a Sentence, a schedule)
			if text {
				args[i] = of(lang, a, depth+1)
				continue
			}
		}
		args[i] = a
	}
	return T(lang, m.Format, args...)
}

// argVerbs are the verbs of format by parameter ('s', 'd', ...).
func argVerbs(format string) []byte {
	var out []byte
	next := 0
	for _, v := range verbRe.FindAllString(format, -1) {
		if v == "%%" {
			continue
		}
		pos := next
		if sub := indexRe.FindStringSubmatch(v); sub != nil {
			n := 0
			fmt.Sscan(sub[1], &n)
			pos = n - 1
		}
		if pos < 0 {
			continue
		}
		for len(out) <= pos {
			out = append(out, 0)
		}
		out[pos] = v[len(v)-1]
		next = pos + 1
	}
	return out
}

var indexRe = regexp.MustCompile(`^%\[(\d+)\]`)
