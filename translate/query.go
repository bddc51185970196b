package translate

import (
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// fieldQuery names a problem with the query string as a whole, or with a
// parameter whose name cannot be read.
const fieldQuery = "query"

// maxQueryParams bounds the parameters of one query string. No route takes
// more than five, so a longer query is refused outright instead of answering
// with one problem per parameter.
const maxQueryParams = 100

// Partner-facing problem texts of query strings.
const (
	errUnknownParam = "unknown parameter"
	errNoValue      = "must have a value"
	errEmptyValue   = "must not be empty"
	errPercent      = "malformed percent-encoding"
	errSemicolon    = "must not contain ';' (send it as %3B)"
	errNotUTF8      = "must be UTF-8 once decoded"
	errNameMissing  = "has a value without a parameter name"
)

// queryParam is every occurrence of one parameter name, in query order.
type queryParam struct {
	name   string
	values []string // raw (still escaped) values
	bare   bool     // one occurrence had no '='
}

// ParseQuery parses a raw query string (the part after '?', as received)
// strictly, for a route that takes the parameters named in known. It reads
// the bytes itself because url.ParseQuery drops every pair it cannot parse
// (a bad escape, an unescaped ';', a query past its parameter limit), which
// would turn a partner's point lookup into the whole list.
//
// Decoding is form encoding, as url.ParseQuery and the upstream (JAX-RS
// @QueryParam) do it: '+' is a space and "%2B" a plus sign. Empty pairs
// ("a=1&&b=2", a trailing '&') carry nothing and are skipped.
//
// It returns the decoded value of every known parameter given exactly once
// with a well-formed value, and the problems: first those of names that
// cannot be decoded, under fieldQuery (each text once), then one per
// parameter in the order the parameters first appear: unknown, given more
// than once, without '=' or with an empty value, a bad escape or ';', or not
// UTF-8 once decoded.
func ParseQuery(raw string, known ...string) (map[string]string, []FieldError) {
	if raw == "" {
		return nil, nil
	}
	if strings.Count(raw, "&") >= maxQueryParams {
		return nil, []FieldError{{Field: fieldQuery, Error: "must have at most " + strconv.Itoa(maxQueryParams) + " parameters"}}
	}
	var fields []FieldError
	queryProblem := func(problem string) {
		for _, f := range fields {
			if f.Field == fieldQuery && f.Error == problem {
				return
			}
		}
		fields = append(fields, FieldError{Field: fieldQuery, Error: problem})
	}
	var params []*queryParam
	byName := map[string]*queryParam{}
	for pair := range strings.SplitSeq(raw, "&") {
		if pair == "" {
			continue
		}
		rawName, rawValue, hasValue := strings.Cut(pair, "=")
		name, problem := decodeQueryPart(rawName)
		if rawName == "" {
			problem = errNameMissing
		}
		if problem != "" {
			queryProblem(problem)
			continue
		}
		p := byName[name]
		if p == nil {
			p = &queryParam{name: name}
			byName[name] = p
			params = append(params, p)
		}
		p.values = append(p.values, rawValue)
		p.bare = p.bare || !hasValue
	}
	isKnown := map[string]bool{}
	for _, k := range known {
		isKnown[k] = true
	}
	values := map[string]string{}
	for _, p := range params {
		problem := ""
		switch {
		case !isKnown[p.name]:
			problem = errUnknownParam
		case len(p.values) > 1:
			problem = errDuplicate
		case p.bare:
			problem = errNoValue
		case p.values[0] == "":
			problem = errEmptyValue
		default:
			var v string
			if v, problem = decodeQueryPart(p.values[0]); problem == "" {
				values[p.name] = v
			}
		}
		if problem != "" {
			fields = append(fields, FieldError{Field: p.name, Error: problem})
		}
	}
	return values, fields
}

// decodeQueryPart decodes one name or value as form encoding, returning the
// problem text or "". A ';' is refused rather than kept: servers that still
// split pairs on it read such a query differently.
func decodeQueryPart(s string) (string, string) {
	if strings.Contains(s, ";") {
		return "", errSemicolon
	}
	out, err := url.QueryUnescape(s)
	switch {
	case err != nil:
		return "", errPercent
	case !utf8.ValidString(out):
		return "", errNotUTF8
	}
	return out, ""
}

// NoQuery refuses any query parameter on a route that takes none: nothing a
// partner sends is silently ignored, even when it does not parse.
func NoQuery(raw string) *Error {
	if _, fields := ParseQuery(raw); len(fields) > 0 {
		return Invalid(fields...)
	}
	return nil
}
