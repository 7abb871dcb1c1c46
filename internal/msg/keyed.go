package msg

import (
	"errors"
	"fmt"
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
	for i, a := range m.Args {
		switch a.(type) {
		case *Message, error:
			args[i] = of(lang, a, depth+1)
		default:
			args[i] = a
		}
	}
	return T(lang, m.Format, args...)
}
