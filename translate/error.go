// Package translate is the anti-corruption layer: pure functions between
// partner shapes and upstream (Fineract) shapes, and the table that rewrites
// every upstream error into the partner error contract. It does no I/O.
package translate

import (
	"encoding/json"
	"errors"
	"math"
	"time"
)

// Code is a partner error code. The set follows Connect's codes (its HTTP
// statuses are the server's, server/status.go); the contract uses seven of
// them.
type Code string

const (
	InvalidArgument  Code = "invalid_argument"
	Unauthenticated  Code = "unauthenticated"
	PermissionDenied Code = "permission_denied"
	NotFound         Code = "not_found"
	Aborted          Code = "aborted"
	Internal         Code = "internal"
	Unavailable      Code = "unavailable"
)

// Error is the one partner-facing error. Code and Message are exactly what
// the partner sees; Cause is for logs only and never serialised.
type Error struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`
	// RetryAfterSeconds, when positive, is sent as a Retry-After header.
	RetryAfterSeconds int `json:"-"`
	// Fields are the problems of an invalid_argument, kept so that problems
	// found by separate checks (path, query, body) merge into one answer.
	Fields []FieldError `json:"-"`
	Cause  error        `json:"-"`
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

func (e *Error) Unwrap() error { return e.Cause }

// WaitSeconds is a wait as a RetryAfterSeconds value: whole seconds,
// rounded up, so that a partner honouring it never comes back too early.
func WaitSeconds(d time.Duration) int { return int(math.Ceil(d.Seconds())) }

// NewError builds an error with a message the caller composed; messages are
// never format strings, so partner values cannot be mangled by verbs.
func NewError(code Code, message string) *Error {
	return &Error{Code: code, Message: message}
}

// FieldError is one problem with one partner-supplied field.
type FieldError struct {
	Field string `json:"field"`
	Error string `json:"error"`
}

// Invalid builds invalid_argument whose message is the JSON-encoded list of
// field problems, as the contract requires (spec §3).
func Invalid(fields ...FieldError) *Error {
	if len(fields) == 0 {
		fields = []FieldError{{Field: "body", Error: "invalid"}}
	}
	b, err := json.Marshal(fields)
	if err != nil { // cannot happen: two strings per element
		b = []byte(`[]`)
	}
	return &Error{Code: InvalidArgument, Message: string(b), Fields: fields}
}

// Merge combines the outcome of several independent checks: nil when all
// passed, one invalid_argument listing every field problem when only
// field problems were found, else the first other error.
func Merge(errs ...*Error) *Error {
	var fields []FieldError
	for _, e := range errs {
		switch {
		case e == nil:
		case e.Code == InvalidArgument && len(e.Fields) > 0:
			fields = append(fields, e.Fields...)
		default:
			return e
		}
	}
	if len(fields) == 0 {
		return nil
	}
	return Invalid(fields...)
}

// AsError returns the partner error in err's chain, or wraps err as internal
// with a message that reveals nothing about the cause.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: Internal, Message: "internal error", Cause: err}
}
