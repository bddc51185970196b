package fake

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// body is a parsed JSON request body read with the upstream's Gson helpers'
// semantics (JsonParserHelper): a member "exists" even when null, but only a
// primitive (string, number, boolean) has a value, and a blank string is no
// value.
type body struct {
	order   []string
	members map[string]json.RawMessage
}

// parseBody checks a command body in the upstream's order: blank → bare
// invalid-body error; malformed (including duplicate keys, which Gson's map
// adapter rejects) → bare syntax error; members outside the whitelist → 400
// error.msg.parameter.unsupported listing all of them.
func parseBody(raw []byte, whitelist ...string) (*body, error) {
	b, err := parseObject(raw)
	if err != nil {
		return nil, err
	}
	if err := b.onlyFrom(whitelist); err != nil {
		return nil, err
	}
	return b, nil
}

// parseObject is parseBody without the whitelist.
func parseObject(raw []byte) (*body, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, invalidBodyError("The JSON provided in the body of the request is invalid or missing.")
	}
	b, err := decodeObject(raw)
	if err != nil {
		return nil, invalidBodyError("The JSON syntax provided in the body of the request is invalid: " + err.Error())
	}
	return b, nil
}

// onlyFrom is checkForUnsupportedParameters: members outside the whitelist
// → 400 error.msg.parameter.unsupported listing all of them. A handler
// that looks records up between parsing and this check (the loan submit)
// calls it itself.
func (b *body) onlyFrom(whitelist []string) error {
	var unsupported []string
	for _, k := range b.order {
		if !contains(whitelist, k) {
			unsupported = append(unsupported, k)
		}
	}
	if unsupported != nil {
		return unsupportedParameterError(unsupported)
	}
	return nil
}

// decodeObject reads exactly one JSON object, keeping member order.
func decodeObject(raw []byte) (*body, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if tok != json.Delim('{') {
		return nil, errors.New("expected a JSON object")
	}
	b := &body{members: map[string]json.RawMessage{}}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key := tok.(string) // inside an object the decoder only yields string keys
		if _, dup := b.members[key]; dup {
			return nil, errors.New("duplicate key: " + key)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		b.order = append(b.order, key)
		b.members[key] = v
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("did not consume the entire document")
	}
	return b, nil
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// has is parameterExists: the member is present, whatever its value.
func (b *body) has(name string) bool {
	_, ok := b.members[name]
	return ok
}

// primitive is Gson's getAsString of a primitive member: a string's text,
// a number's literal, "true"/"false". ok is false for absent, null, objects
// and arrays.
func (b *body) primitive(name string) (text string, ok bool) {
	raw, present := b.members[name]
	if !present || len(raw) == 0 {
		return "", false
	}
	switch raw[0] {
	case '"':
		var s string
		_ = json.Unmarshal(raw, &s) // valid: it came from the decoder
		return s, true
	case '{', '[', 'n':
		return "", false
	}
	return string(raw), true
}

// str is extractStringNamed: nil when absent or blank; not trimmed.
func (b *body) str(name string) *string {
	s, ok := b.primitive(name)
	if !ok || isBlank(s) {
		return nil
	}
	return &s
}

// long is extractLongNamed. Long.valueOf failing is not mapped by the
// upstream, so a non-integer answers 500.
func (b *body) long(name string) (*int64, error) {
	s := b.str(name)
	if s == nil {
		return nil, nil
	}
	n, err := strconv.ParseInt(*s, 10, 64)
	if err != nil {
		return nil, springError(http.StatusInternalServerError)
	}
	return &n, nil
}

// integer is extractIntegerSansLocaleNamed, whose parse failure is a 400.
func (b *body) integer(name string) (*int, error) {
	s := b.str(name)
	if s == nil {
		return nil, nil
	}
	n, err := strconv.ParseInt(*s, 10, 32)
	if err != nil {
		return nil, validationError(paramErrorWithValue("validation.msg.invalid.integer",
			"The parameter `"+name+"` has value: "+*s+" which is invalid integer.", name, *s, *s))
	}
	v := int(n)
	return &v, nil
}

// integerWithLocale is extractIntegerWithLocaleNamed: a present value needs
// the request's locale (400 missing.locale) and must be a whole number
// (400 invalid.integer.format; DecimalFormat's leniency with trailing text
// is not modelled). The value is widened for the validator.
func (b *body) integerWithLocale(name string) (*int64, error) {
	s := b.str(name)
	if s == nil {
		return nil, nil
	}
	locale, hasLocale, err := b.locale()
	if err != nil {
		return nil, err
	}
	if !hasLocale {
		return nil, validationError(paramError("validation.msg.missing.locale.parameter",
			"The parameter `"+name+"` requires a `locale` parameter to be passed with it.", name))
	}
	n, perr := strconv.ParseInt(strings.TrimSpace(*s), 10, 32)
	if perr != nil {
		return nil, validationError(paramErrorWithValue("validation.msg.invalid.integer.format",
			"The parameter `"+name+"` has value: "+*s+" which is invalid integer value for provided locale of ["+locale+"].",
			name, *s, *s, locale))
	}
	return &n, nil
}

// boolean is extractBooleanNamed: Boolean.parseBoolean of the text, so
// anything but a case-insensitive "true" is false.
func (b *body) boolean(name string) *bool {
	s, ok := b.primitive(name)
	if !ok {
		return nil
	}
	v := strings.EqualFold(s, "true")
	return &v
}

// isBlank is StringUtils.isBlank.
func isBlank(s string) bool { return strings.TrimSpace(s) == "" }
