package translate

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"lmsproxy/upstream/wire"
)

// Resource is a kind of thing the partner addresses (a customer; a loan,
// a loan product, a repayment), as messages name it. Each resource's file
// declares one (Customers).
type Resource struct {
	// Name starts a message about one of them: "Customer with id 5 does not
	// exist". Messages that name it mid-sentence lower its first letter.
	Name string
	// Path is where the partner reads one by id, followed by "/<id>".
	Path string
}

// noun is the name mid-sentence ("the customer's current state");
// "resource" for the zero Resource, a request that addresses none the proxy
// knows (an upstream error no handler translated).
func (r Resource) noun() string {
	if r.Name == "" {
		return "resource"
	}
	first, size := utf8.DecodeRuneInString(r.Name)
	return string(unicode.ToLower(first)) + r.Name[size:]
}

// ByID is the target of a request that addresses one r by the id in its
// path, raw as the partner sent it.
func (r Resource) ByID(raw string) Target {
	return Target{Resource: r, ID: raw, Values: []string{raw}}
}

// ByExternalID is the target of a request that addresses one r by its
// externalId, as the partner sent it.
func (r Resource) ByExternalID(externalID string) Target {
	return Target{Resource: r, ExternalID: externalID, Values: []string{externalID}}
}

// Ref is another resource a request body names, by a value of one of its
// fields: a loan create names a customer (customerId or customerExternalId)
// and a product (productId).
type Ref struct {
	Resource Resource
	// Field is the partner field that carries the reference, so that an
	// answer about the resource blames it ("Customer with customerId 42 does
	// not exist").
	Field string
	// Value is the field's value as the partner sent it, copied byte for byte.
	Value string
}

// Target says what the partner addressed and supplied, so messages can name
// partner values and upstream parameter names can be mapped to partner
// field names.
type Target struct {
	// Resource is what the request addresses (Customers); shared rows name
	// it ("the customer was changed concurrently"). Zero when the request
	// addresses nothing the proxy knows.
	Resource Resource
	// ID is the resource's id from the path, when addressed by id ("" otherwise).
	ID string
	// ExternalID is the externalId from the path, when addressed by externalId.
	ExternalID string
	// Refs are the other resources the body names; their values count as
	// partner values, as Values do.
	Refs []Ref
	// Values is every value the partner supplied (path ids, body externalId…).
	// Messages copy them byte for byte and never rewrite them.
	Values []string
	// Fields maps an upstream parameterName to the partner field it carries,
	// for the upstream parameters that carry partner input (CreateFields,
	// UpdateFields, CloseFields). An upstream complaint about any other
	// parameter is the proxy's fault, not the partner's.
	Fields map[string]string
}

// FromUpstream translates a failed upstream call into the partner error
// contract (spec §3) through the table in table.go. A partner *Error in
// err's chain is returned as is; an error that is neither becomes internal
// with no detail (AsError). The upstream error is kept as Cause for logs.
//
// Messages name a resource the way the partner addressed it: a request by
// externalId is answered "Customer with externalId X …" even where the
// upstream printed its numeric id (or "identifier null"), so both forms of
// the same request give messages about what the partner sent; a resource
// the body names is named by its field ("with customerId 42").
func FromUpstream(err error, t Target) *Error {
	if err == nil {
		return nil
	}
	var pe *Error
	if errors.As(err, &pe) {
		return pe
	}
	ue, ok := wire.AsError(err)
	if !ok {
		return AsError(err)
	}
	var fields []FieldError
	var first *Error
	for _, p := range problemsOf(ue) {
		r := ruleFor(ue.Status, p.code, p.message)
		if r.Partner == InvalidArgument {
			if field, ok := t.partnerField(r, p); ok {
				fields = appendFieldOnce(fields, FieldError{Field: field, Error: t.render(r, ue, p)})
				continue
			}
			// The upstream rejected something the proxy chose, not the partner.
			r = Rule{Partner: Internal, Message: msgNotAccepted}
		}
		if first == nil {
			first = &Error{Code: r.Partner, Message: answerPrefix(ue.Status) + t.render(r, ue, p)}
		}
	}
	if len(fields) > 0 {
		first = Invalid(fields...)
	}
	if first.Code == Unavailable {
		first.RetryAfterSeconds = WaitSeconds(ue.RetryAfter)
	}
	first.Cause = err
	return first
}

// AwaitingApproval is the answer to a write that a maker-checker upstream
// stored for approval (HTTP 200 with a commandId and no clientId, on every
// line): the service account cannot apply it alone, so permission_denied, as
// the README promises. The change is not applied yet but will be once a
// checker approves it, so the partner is told not to resend it: every resend
// would store one more command awaiting approval. It is never an outcome to
// reconcile. The command id is for logs only.
func AwaitingApproval(commandID int64) *Error {
	return &Error{
		Code:    PermissionDenied,
		Message: answerPrefix(200) + "the change awaits approval in the loan management system and is not applied until it is approved there; do not resend it",
		Cause:   fmt.Errorf("upstream stored command %d for maker-checker approval", commandID),
	}
}

// answerPrefix keeps the seed's form "lms: status=<upstream status>: ";
// without an answer there is no status to quote.
func answerPrefix(status int) string {
	if status == 0 {
		return "lms: "
	}
	return "lms: status=" + strconv.Itoa(status) + ": "
}

// problem is one thing the upstream complained about, with the most
// specific code available.
type problem struct {
	code, message, parameter string
	args                     []any
}

// problemsOf splits an upstream error into problems. Under a generic top
// level (validation, domain rule, not found) each errors[] item is a problem
// of its own; otherwise the top level is the problem, with errors[0]'s
// parameter and args, which repeat the top level's subject.
func problemsOf(ue *wire.Error) []problem {
	generic := ue.Code == "" || ue.Code == codeValidation || ue.Code == codeDomainRule || ue.Code == codeNotFound
	if len(ue.Params) > 0 && (generic || ue.Code == ue.Params[0].Code) {
		out := make([]problem, 0, len(ue.Params))
		for _, p := range ue.Params {
			code := p.Code
			if code == "" {
				code = ue.Code
			}
			out = append(out, problem{code: code, message: p.Message, parameter: p.Parameter, args: p.Args})
		}
		return out
	}
	p := problem{code: ue.Code, message: ue.Message}
	if len(ue.Params) > 0 {
		p.parameter, p.args = ue.Params[0].Parameter, ue.Params[0].Args
	}
	return []problem{p}
}

// partnerField is the partner field an invalid_argument row blames, if the
// blamed upstream parameter carries partner input.
func (t Target) partnerField(r Rule, p problem) (string, bool) {
	param := r.Field
	if param == "" {
		param = p.parameter
	}
	field, ok := t.Fields[param]
	return field, ok && field != ""
}

// appendFieldOnce keeps the first problem per partner field: one partner
// field may feed several upstream parameters (externalId also names the
// customer), and a partner needs one instruction per field.
func appendFieldOnce(fields []FieldError, f FieldError) []FieldError {
	for _, g := range fields {
		if g.Field == f.Field {
			return fields
		}
	}
	return append(fields, f)
}

// render fills a row's template for one problem; see renderTemplate.
func (t Target) render(r Rule, ue *wire.Error, p problem) string {
	return renderTemplate(r.Message, func(name string) []segment {
		switch name {
		case "resource":
			return []segment{{text: t.Resource.noun()}}
		case "target":
			return t.addressing(r.Resource, p)
		case "externalId":
			if v := t.reportedValue(p); v != "" {
				return []segment{{text: "externalId "}, {text: v, verbatim: true}}
			}
		case "max":
			if n := maxLength(p); n != "" {
				return []segment{{text: n}}
			}
		case "date":
			if d := isoDateArg(p); d != "" {
				return []segment{{text: d}}
			}
		case "text":
			if segs, ok := rewriteSegments(p.message, t); ok {
				return segs
			}
		case "applied":
			if ue.MaybeApplied {
				return []segment{{text: "; the change may have been applied"}}
			}
		}
		return nil
	})
}

// addressing renders how the partner named the resource a row is about
// (about; the zero Resource for the one addressed): "with id N" or "with
// externalId X" from the path when the request addresses it, "with <field>
// X" when the body names it in a Ref. When neither does (a customer
// operation always addresses its customer) it falls back to the numeric id
// the upstream reported, which is also the partner's id; failing that, to
// nothing.
func (t Target) addressing(about Resource, p problem) []segment {
	if about == (Resource{}) || about == t.Resource {
		switch {
		case t.ID != "":
			return []segment{{text: "with id "}, {text: t.ID, verbatim: true}}
		case t.ExternalID != "":
			return []segment{{text: "with externalId "}, {text: t.ExternalID, verbatim: true}}
		}
	} else {
		for _, ref := range t.Refs {
			if ref.Resource == about {
				return []segment{{text: "with " + ref.Field + " "}, {text: ref.Value, verbatim: true}}
			}
		}
	}
	if len(p.args) > 0 {
		if id := integerArg(p.args[0]); id != "" {
			return []segment{{text: "with id " + id}}
		}
	}
	return nil
}

// reportedValue is the partner value an upstream complaint is about (a
// duplicate externalId). The upstream echoes the value it stored, which it
// may have trimmed; the partner's own bytes are returned when they can be
// recognised, else the last value from the body. The upstream's echo itself
// is never shown: it is upstream text, not something the partner sent.
func (t Target) reportedValue(p problem) string {
	for _, a := range p.args {
		reported, ok := a.(string)
		if !ok || reported == "" {
			continue
		}
		for _, v := range t.Values {
			if v == reported {
				return v
			}
		}
		for _, v := range t.Values {
			if strings.TrimSpace(v) == reported {
				return v
			}
		}
		break
	}
	for i := len(t.Values) - 1; i >= 0; i-- {
		if v := t.Values[i]; v != "" && v != t.ID && v != t.ExternalID {
			return v
		}
	}
	return ""
}

// integerArg renders a whole-number argument (the upstream sends ids and
// limits as numbers, 1.9+'s not-found id as a string of digits).
func integerArg(a any) string {
	switch v := a.(type) {
	case float64:
		if v > 0 && v == math.Trunc(v) && v < 1<<53 {
			return strconv.FormatInt(int64(v), 10)
		}
	case string:
		if _, err := strconv.ParseUint(v, 10, 63); err == nil {
			return v
		}
	}
	return ""
}

var maxLengthText = regexp.MustCompile(`max length of (\d+)`)

// maxLength is the limit of an exceeds.max.length item: its first numeric
// argument (DataValidatorBuilder passes maxLength, then the value), or the
// number in its text.
func maxLength(p problem) string {
	for _, a := range p.args {
		if f, ok := a.(float64); ok {
			return integerArg(f)
		}
	}
	if m := maxLengthText.FindStringSubmatch(p.message); m != nil {
		return m[1]
	}
	return ""
}

var isoDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// isoDateArg is the last ISO date among the arguments: closure before
// activation passes (closureDate, activationDate).
func isoDateArg(p problem) string {
	for i := len(p.args) - 1; i >= 0; i-- {
		if s, ok := p.args[i].(string); ok && isoDate.MatchString(s) {
			return s
		}
	}
	return ""
}
