package job

import "github.com/posbackup/posbackup/internal/msg"

// UsageError is bad input from the user (exit code 2).
type UsageError struct {
	Msg string
	Key *msg.Message // Msg as a key of the faces' catalogue and its parameters (nil: Msg only)
}

func (e *UsageError) Error() string { return e.Msg }

// Keyed is the message for the faces' catalogue (msg.Of), or nil.
func (e *UsageError) Keyed() *msg.Message { return e.Key }

// Usage is a UsageError with the message format and a (a key of the
// faces' catalogue, which has its German text).
func Usage(format string, a ...any) error {
	m := msg.New(format, a...)
	return &UsageError{Msg: m.String(), Key: m}
}
