package translate

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"lmsproxy/upstream/wire"
)

// Partner-facing problem texts. They are part of the contract: partners may
// show them to people, so they are short and stable.
const (
	errRequired      = "required"
	errUnknownField  = "unknown field"
	errDuplicate     = "given more than once"
	errString        = "must be a string"
	errUTF8          = "must be valid UTF-8"
	errExternalIDLen = "must be 1 to 100 characters (UTF-16 code units: an emoji counts as 2)"
	errControlChars  = "must not contain control characters"
	errEdgeSpace     = "must not begin or end with white space"
	errDate          = "must be a date YYYY-MM-DD"
	errPositiveInt   = "must be a positive integer"
	errObject        = "must be a JSON object"
	errMalformed     = "malformed JSON"
)

// MaxExternalIDLength is the upstream's limit on externalId, in UTF-16 code
// units as it counts (ClientDataValidator: notExceedingLengthOf(100)).
const MaxExternalIDLength = 100

// upstreamLength is a string's length as the upstream's validators measure
// it: DataValidatorBuilder.notExceedingLengthOf takes String.trim().length(),
// UTF-16 code units, on every line, so a character outside the Basic
// Multilingual Plane (an emoji) counts as 2. Trimming changes nothing for
// the values measured here, which never begin or end with white space.
func upstreamLength(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// field is one member of a partner body: its name, whether the body may
// leave it out, and how its value is parsed and stored (required, optional).
type field struct {
	name     string
	optional bool
	// set parses a value and stores it, returning the problem text or "".
	set func(json.RawMessage) string
}

// A value parser turns one JSON value into T, or returns the problem text
// the partner sees for its field (externalIDValue, dateValue,
// positiveIntValue, moneyValue).
type valueParser[T any] func(json.RawMessage) (T, string)

// required declares a field the body must carry, parsed into *dst.
func required[T any](name string, dst *T, parse valueParser[T]) field {
	return field{name: name, set: func(v json.RawMessage) string {
		val, problem := parse(v)
		*dst = val
		return problem
	}}
}

// optional declares a field the body may leave out: absent, *dst stays nil;
// present, it is validated as a required one is (null included: a partner
// who sends a field means it).
func optional[T any](name string, dst **T, parse valueParser[T]) field {
	return field{name: name, optional: true, set: func(v json.RawMessage) string {
		val, problem := parse(v)
		*dst = &val
		return problem
	}}
}

// parseBody decodes a partner JSON object strictly against fields, storing
// each value through its field. Unknown, duplicate, mistyped and missing
// fields are all reported together, in the order they are met, so a partner
// fixes everything in one round trip (nothing a partner sends is silently
// dropped). Each pair in exactlyOne names two optional fields of which the
// body must carry exactly one (a customer by customerId or by
// customerExternalId); their problems follow the fields' own.
func parseBody(body []byte, fields []field, exactlyOne ...[2]string) *Error {
	raw, problems := decodeObject(body)
	if problems != nil {
		return Invalid(problems...)
	}
	var out []FieldError
	known := map[string]bool{}
	for _, f := range fields {
		known[f.name] = true
	}
	for _, kv := range raw {
		switch {
		case kv.badText:
			out = append(out, FieldError{Field: kv.key, Error: errUTF8})
		case kv.duplicate:
			out = append(out, FieldError{Field: kv.key, Error: errDuplicate})
		case !known[kv.key]:
			out = append(out, FieldError{Field: kv.key, Error: errUnknownField})
		}
	}
	present := map[string]bool{}
	for _, f := range fields {
		v, ok := raw.get(f.name)
		present[f.name] = ok
		switch {
		case !ok && !f.optional:
			out = append(out, FieldError{Field: f.name, Error: errRequired})
			continue
		case !ok, v.badText:
			continue // absent and optional, or reported above
		}
		if problem := f.set(v.value); problem != "" {
			out = append(out, FieldError{Field: f.name, Error: problem})
		}
	}
	for _, pair := range exactlyOne {
		a, b := pair[0], pair[1]
		switch {
		case !present[a] && !present[b]:
			out = append(out, FieldError{Field: a, Error: "required unless " + b + " is given"})
		case present[a] && present[b]:
			out = append(out, FieldError{Field: b, Error: "must not be given with " + a})
		}
	}
	if len(out) > 0 {
		return Invalid(out...)
	}
	return nil
}

// externalIDValue is an externalId: a string checkExternalID accepts.
func externalIDValue(v json.RawMessage) (string, string) {
	s, problem := decodeString(v)
	if problem == "" {
		problem = checkExternalID(s)
	}
	return s, problem
}

// dateValue is an ISO date string, YYYY-MM-DD.
func dateValue(v json.RawMessage) (wire.Date, string) {
	s, problem := decodeString(v)
	if problem != "" {
		return wire.Date{}, errDate
	}
	d, err := wire.ParseISODate(s)
	if err != nil {
		return wire.Date{}, errDate
	}
	return d, ""
}

// positiveIntValue is an id: see decodePositiveInt.
func positiveIntValue(v json.RawMessage) (int64, string) {
	n, ok := decodePositiveInt(v)
	if !ok {
		return 0, errPositiveInt
	}
	return n, ""
}

func decodeString(v json.RawMessage) (string, string) {
	if len(v) == 0 || v[0] != '"' {
		return "", errString
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return "", errString
	}
	return s, ""
}

// decodePositiveInt accepts a JSON integer or a string of digits, as the
// contract allows for closureReasonId; 17.0, 1e3, -1 and 0 are refused.
func decodePositiveInt(v json.RawMessage) (int64, bool) {
	digits := string(v)
	if len(v) > 0 && v[0] == '"' {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return 0, false
		}
		digits = s
	}
	return parsePositiveDigits(digits)
}

// parsePositiveDigits accepts only ASCII digits (no sign, no spaces) that
// fit an int64 and are > 0.
func parsePositiveDigits(s string) (int64, bool) {
	if s == "" || len(s) > 19 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0
}

// checkExternalID enforces the upstream's length limit and refuses control
// characters and white space at either end (1.8 trims it on write, 1.9+
// keeps it, so accepting it would make the stored value depend on the
// upstream line); every other character, `/`, `%`, `?`, `#`, inner spaces
// and non-ASCII included, is allowed and kept exactly as sent.
func checkExternalID(s string) string {
	if !utf8.ValidString(s) {
		return errUTF8
	}
	if n := upstreamLength(s); n < 1 || n > MaxExternalIDLength {
		return errExternalIDLen
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return errControlChars
		}
	}
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	if unicode.IsSpace(first) || unicode.IsSpace(last) {
		return errEdgeSpace
	}
	return ""
}

type rawField struct {
	key       string
	value     json.RawMessage
	duplicate bool
	// badText marks a value holding invalid UTF-8 or a lone surrogate
	// escape (see validText).
	badText bool
}

type rawObject []rawField

func (o rawObject) get(key string) (rawField, bool) {
	for _, f := range o {
		if f.key == key && !f.duplicate {
			return f, true
		}
	}
	return rawField{}, false
}

// decodeObject reads a JSON object keeping key order and duplicates (which
// encoding/json would silently collapse to the last one). It also checks the
// raw bytes of every key and value with validText, because encoding/json
// turns invalid text into U+FFFD without a word; a key that fails cannot
// be named, so the whole body is refused.
func decodeObject(body []byte) (rawObject, []FieldError) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, []FieldError{{Field: "body", Error: errObject}}
		}
		return nil, []FieldError{{Field: "body", Error: errMalformed}}
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, []FieldError{{Field: "body", Error: errObject}}
	}
	var out rawObject
	seen := map[string]bool{}
	for dec.More() {
		keyStart := dec.InputOffset()
		keyTok, err := dec.Token()
		if err != nil {
			return nil, []FieldError{{Field: "body", Error: errMalformed}}
		}
		if !validText(body[keyStart:dec.InputOffset()]) {
			return nil, []FieldError{{Field: "body", Error: errUTF8}}
		}
		key, _ := keyTok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, []FieldError{{Field: "body", Error: errMalformed}}
		}
		out = append(out, rawField{key: key, value: v, duplicate: seen[key], badText: !validText(v)})
		seen[key] = true
	}
	if _, err := dec.Token(); err != nil {
		return nil, []FieldError{{Field: "body", Error: errMalformed}}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, []FieldError{{Field: "body", Error: errMalformed}}
	}
	return out, nil
}

// validText reports whether raw, syntactically valid JSON, is valid UTF-8
// with every \u escape of a UTF-16 surrogate part of a high-low pair.
// encoding/json silently replaces both invalid bytes and lone surrogates
// with U+FFFD, so "caf\xe9" and "caf\xe8" (Latin-1 sent as if it were
// UTF-8) would both become "caf\uFFFD": one customer for two partners'
// ids. Refusing them keeps every partner value byte for byte.
func validText(raw []byte) bool {
	if !utf8.Valid(raw) {
		return false
	}
	wantLow := false // the previous escape was a high surrogate
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			if wantLow {
				return false
			}
			continue
		}
		i++ // raw is valid JSON: an escape is complete
		var r rune = -1
		if raw[i] == 'u' {
			n, _ := strconv.ParseUint(string(raw[i+1:i+5]), 16, 16)
			r = rune(n)
			i += 4
		}
		isLow := r >= 0xDC00 && r <= 0xDFFF
		if wantLow != isLow {
			return false
		}
		wantLow = r >= 0xD800 && r <= 0xDBFF
	}
	return !wantLow
}
