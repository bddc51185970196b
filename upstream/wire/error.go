package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Shape says which of the upstream's error body shapes an Error was parsed
// from (fineract-facts §5). Translators never need it to decide a code; it
// is kept for logs and for the recorded-exchange tests, and it lets the
// server tell an answer that is not the one asked for (ShapeUnexpected) from
// a failure to get one.
type Shape string

const (
	// ShapeEnvelope is ApiGlobalErrorResponse: developerMessage, httpStatusCode
	// (a string), defaultUserMessage, userMessageGlobalisationCode, errors[].
	ShapeEnvelope Shape = "envelope"
	// ShapeParameterError is a bare ApiParameterError (blank or malformed
	// request body): no httpStatusCode, no errors[].
	ShapeParameterError Shape = "parameter-error"
	// ShapeSpringBoot is Spring Boot's default error JSON
	// {timestamp, status, error, path}: tenant and Basic-auth failures, and
	// unmapped exceptions.
	ShapeSpringBoot Shape = "spring-boot"
	// ShapeOther is anything else: HTML from a load balancer, empty, truncated.
	ShapeOther Shape = "other"
	// ShapeTransport means no response was received at all.
	ShapeTransport Shape = "transport"
	// ShapeUnexpected is an answer that is not one to the request sent: a
	// redirect, which is never followed (upstream.New), or a success body that
	// decodes but is not what was asked for — null, {}, a client without an
	// id, another client (upstream/verify.go).
	ShapeUnexpected Shape = "unexpected"
)

// ParamError is one ApiParameterError: a single problem with one parameter.
type ParamError struct {
	Code      string // userMessageGlobalisationCode
	Message   string // defaultUserMessage
	Parameter string // parameterName
	Args      []any  // args[].value, nulls kept as nil
}

// Error is every failure of an upstream call: a non-2xx answer in any of the
// upstream's body shapes, a body the proxy could not decode, or a transport
// failure. It keeps everything a translator needs and nothing partner-facing.
type Error struct {
	// Op names the upstream operation, e.g. "clients.get".
	Op string
	// Status is the upstream HTTP status; 0 when no response was received.
	Status int
	Shape  Shape
	// Code and Message are the top-level userMessageGlobalisationCode and
	// defaultUserMessage (for ShapeSpringBoot, Message is its "error" text).
	Code    string
	Message string
	Params  []ParamError
	// MaybeApplied is set when a write may or may not have been applied: no
	// answer after the request may have reached the upstream, a gateway's
	// 502 or 504, or a 2xx whose body could not be read. Callers reconcile
	// by reading the resource before they answer.
	MaybeApplied bool
	// RetryAfter is how long the upstream (its Retry-After header) or the
	// open circuit breaker asked callers to wait; 0 when neither said.
	RetryAfter time.Duration
	// Err is the cause of a transport or decode failure.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("upstream ")
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	if e.Status == 0 {
		b.WriteString("no response")
	} else {
		b.WriteString("status ")
		b.WriteString(strconv.Itoa(e.Status))
	}
	if code := e.FirstCode(); code != "" {
		b.WriteString(" ")
		b.WriteString(code)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// FirstCode is the most specific globalisation code: errors[0]'s when the
// top level is generic (validation, domain rule, not found), else the top's.
func (e *Error) FirstCode() string {
	if len(e.Params) > 0 && e.Params[0].Code != "" {
		return e.Params[0].Code
	}
	return e.Code
}

// HasCode reports whether code appears at the top level or on any item.
func (e *Error) HasCode(code string) bool {
	if e.Code == code {
		return true
	}
	for _, p := range e.Params {
		if p.Code == code {
			return true
		}
	}
	return false
}

// AsError returns the *Error in err's chain, if any.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// wireParamError is ApiParameterError on the wire. Value and args may be
// absent (1.9+ omits nulls) or null (1.8 keeps them).
type wireParamError struct {
	DeveloperMessage             string    `json:"developerMessage"`
	DefaultUserMessage           string    `json:"defaultUserMessage"`
	UserMessageGlobalisationCode string    `json:"userMessageGlobalisationCode"`
	ParameterName                string    `json:"parameterName"`
	Args                         []wireArg `json:"args"`
}

type wireArg struct {
	Value any `json:"value"`
}

// wireErrorBody is the union of every JSON error shape; which keys are
// present decides the shape.
type wireErrorBody struct {
	wireParamError
	HTTPStatusCode json.RawMessage  `json:"httpStatusCode"`
	Errors         []wireParamError `json:"errors"`
	// Spring Boot default error JSON.
	Timestamp json.RawMessage `json:"timestamp"`
	Status    json.RawMessage `json:"status"`
	Error     string          `json:"error"`
	Path      string          `json:"path"`
}

// ParseError turns a non-2xx response into an Error. It never fails: a body
// in no known shape yields ShapeOther with the status alone, so a caller
// always has something to translate.
func ParseError(op string, status int, body []byte) *Error {
	e := &Error{Op: op, Status: status, Shape: ShapeOther}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return e
	}
	var w wireErrorBody
	if err := json.Unmarshal(trimmed, &w); err != nil {
		return e
	}
	switch {
	case w.HTTPStatusCode != nil || w.Errors != nil:
		e.Shape = ShapeEnvelope
		e.Code = w.UserMessageGlobalisationCode
		e.Message = firstNonEmpty(w.DefaultUserMessage, w.DeveloperMessage)
		for _, p := range w.Errors {
			e.Params = append(e.Params, p.toParam())
		}
	case w.UserMessageGlobalisationCode != "":
		e.Shape = ShapeParameterError
		e.Code = w.UserMessageGlobalisationCode
		e.Message = firstNonEmpty(w.DefaultUserMessage, w.DeveloperMessage)
		e.Params = []ParamError{w.toParam()}
	case w.Timestamp != nil || w.Status != nil || w.Error != "":
		e.Shape = ShapeSpringBoot
		e.Message = w.Error
	}
	return e
}

func (p wireParamError) toParam() ParamError {
	out := ParamError{
		Code:      p.UserMessageGlobalisationCode,
		Message:   firstNonEmpty(p.DefaultUserMessage, p.DeveloperMessage),
		Parameter: p.ParameterName,
	}
	for _, a := range p.Args {
		out.Args = append(out.Args, a.Value)
	}
	return out
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
