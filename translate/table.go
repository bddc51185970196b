package translate

import (
	"path"
	"strconv"
	"strings"
)

// Rule is one row of the upstream-error translation table. A row matches an
// upstream problem by HTTP status and globalisation code; the first matching
// row of the table wins, so specific rows come before family patterns and
// every status ends with its default.
type Rule struct {
	// Status is the upstream HTTP status: "404", a comma list "502,503,504",
	// a class "4xx", "*" for any status, or "none" when no answer came back.
	Status string
	// Code is a pattern over the most specific globalisation code of the
	// problem, in path.Match syntax ("validation.msg.*.cannot.be.blank").
	// "" matches only bodies that carry no code at all (Spring Boot JSON,
	// HTML, empty); "*" matches anything.
	Code string
	// Text, when set, is how the problem's upstream text must begin for the
	// row to match: for the rare code the upstream gives two things
	// (1.8's error.msg.loan.id.invalid for a loan and for a transaction).
	Text string
	// Partner is the partner error code the row produces.
	Partner Code
	// Field names the upstream parameter whose partner field is at fault, for
	// invalid_argument rows; "" means the parameter the upstream named. The
	// partner field is found through Target.Fields: a parameter the partner
	// did not supply is the proxy's fault, and the row yields internal with
	// msgNotAccepted instead (no upstream parameter name ever leaks).
	Field string
	// Message is a template. For invalid_argument rows it is the short
	// {field, error} text; otherwise it follows "lms: status=<status>: ".
	// Placeholders ({name} or {name|default}) are listed at renderTemplate.
	Message string
	// Note says why, for the README.
	Note string
	// Resource is what the row's code is about (rowsAbout), for {target};
	// the zero value, in the shared rows, is whatever the request addressed.
	Resource Resource

	slot bool // a place for resource rows, never matched (assemble)
}

// Fixed texts shared by several rows. They name nothing the partner could not
// know: no upstream host, parameter, permission or SQL.
const (
	msgNotAccepted  = "the request was not accepted by the loan management system"
	msgCredentials  = "the loan management system did not accept this service's credentials"
	msgUnavailable  = "the loan management system is unavailable"
	msgFailed       = "the loan management system failed to process the request"
	msgStateRefused = "the request conflicts with the {resource}'s current state"
	msgUnexpected   = "the loan management system sent an unexpected answer"
	msgBusinessDate = "the loan management system's business date is behind today's date, retry later"
)

// Generic top-level codes: the upstream puts the specific reason in errors[]
// under these (fineract-facts §5.3–5.5).
const (
	codeValidation = "validation.msg.validation.errors.exist"
	codeDomainRule = "validation.msg.domain.rule.violation"
	codeNotFound   = "error.msg.resource.not.found"
)

// rules is the whole upstream → partner translation, as data: the shared
// rows with every resource's rows in their slots. README.md embeds
// RenderMarkdownTable's output; keep Notes short.
//
// One line per resource registers its rows (table_<resource>.go). Within a
// slot the resources' rows follow the order of these lines, which matters
// only where two resources' code patterns overlap.
var rules = assemble(sharedRules,
	customerRules,
	productRules,
	repaymentRules,
	loanRules,
)

// sharedRules are the rows that hold whatever resource a request addresses.
// A slot (resourceRows) takes the resources' rows of its status: after the
// shared rows that must win for that status (credentials, the proxy's own
// body and parameter mistakes, permissions) and before its shared patterns
// and defaults, so a resource's specific codes are matched first.
var sharedRules = []Rule{
	// No answer at all.
	{Status: "none", Code: "*", Partner: Unavailable, Message: msgUnavailable + "{applied}",
		Note: "transport failure or timeout; on a write that may have reached the upstream, says the change may have been applied"},

	// The upstream refused the proxy's own credentials or tenant.
	{Status: "401", Code: "*", Partner: Internal, Message: msgCredentials,
		Note: "HTTP Basic failure (Spring Boot body) or envelope: the proxy's configuration"},
	{Status: "*", Code: "error.msg.invalid.tenant.identifier", Partner: Internal, Message: msgCredentials,
		Note: "unknown tenant: the proxy's configuration"},
	{Status: "400", Code: "", Partner: Internal, Message: msgCredentials,
		Note: "tenant filter answers 400 with Spring Boot JSON, not the envelope"},

	// 400: each errors[] item is matched on its own.
	{Status: "400", Code: "error.msg.invalid.request.body", Partner: Internal, Message: msgNotAccepted,
		Note: "blank or malformed body: the proxy always sends JSON"},
	{Status: "400", Code: "error.msg.parameter.unsupported", Partner: Internal, Message: msgNotAccepted,
		Note: "the proxy sent a parameter the upstream does not know"},
	{Status: "400", Code: "error.msg.query.parameter.value.unsupported", Partner: Internal, Message: msgNotAccepted,
		Note: "the proxy sent an unknown command"},
	{Status: "400", Code: "validation.msg.missing.*.parameter", Partner: Internal, Message: msgNotAccepted,
		Note: "dateFormat / locale missing: the proxy always sends both"},
	resourceRows("400"),
	{Status: "400", Code: "validation.msg.*.cannot.be.blank", Partner: InvalidArgument, Message: errRequired},
	{Status: "400", Code: "validation.msg.*.exceeds.max.length", Partner: InvalidArgument,
		Message: "must be at most {max|the allowed number of} characters"},
	{Status: "400", Code: "validation.msg.*.not.greater.than.zero", Partner: InvalidArgument, Message: errPositiveInt},
	{Status: "400", Code: "validation.msg.invalid.dateFormat.format", Partner: InvalidArgument, Message: errDate},
	{Status: "400", Code: codeValidation, Partner: Internal, Message: msgNotAccepted,
		Note: "validation failed but no item names a partner field"},
	{Status: "400", Code: "*", Partner: InvalidArgument, Message: "invalid",
		Note: "any other item on a partner field; internal when the parameter is not the partner's"},

	// 404.
	resourceRows("404"),
	{Status: "404", Code: "*", Partner: Internal, Message: msgNotAccepted,
		Note: "office, staff, product or a missing route: the proxy's configuration"},

	// 403: classified by code, never by status alone (spec §3).
	{Status: "403", Code: "error.msg.not.authorized", Partner: PermissionDenied,
		Message: "the service account may not perform this action",
		Note:    "the upstream's permission names are never shown"},
	{Status: "403", Code: "", Partner: Internal, Message: msgNotAccepted,
		Note: "a 403 without a code comes from a security layer or a gateway, not a domain rule"},
	{Status: "403", Code: "error.msg.sql.validation", Partner: Internal, Message: msgNotAccepted,
		Note: "the proxy whitelists sort values and retries a refused externalId filter with wildcards, so this is a proxy bug or a deployment's own pattern"},
	resourceRows("403"),
	{Status: "403", Code: codeDomainRule, Partner: Aborted, Message: msgStateRefused,
		Note: "a domain-rule answer without a reason"},
	{Status: "403", Code: "*", Partner: Aborted, Message: "{text|" + msgStateRefused + "}",
		Note: "other domain rules: the upstream text in partner vocabulary, or the fixed text when it cannot be made safe"},

	// Retry with backoff.
	resourceRows("409"),
	{Status: "409", Code: "*", Partner: Unavailable, Message: "the {resource} was changed concurrently, retry the request",
		Note: "optimistic lock (1.9+)"},
	{Status: "425", Code: "*", Partner: Unavailable, Message: "the same request is still being processed, retry later",
		Note: "Idempotency-Key still in flight (1.9+)"},
	{Status: "408,429", Code: "*", Partner: Unavailable, Message: msgUnavailable,
		Note: "timed out or rate limited"},
	{Status: "502,503,504", Code: "*", Partner: Unavailable, Message: msgUnavailable,
		Note: "any body, HTML from a load balancer included"},

	// Defaults.
	{Status: "3xx", Code: "*", Partner: Internal, Message: msgUnexpected,
		Note: "a redirect, never followed: it would take the service's credentials, and a write, elsewhere"},
	{Status: "4xx", Code: "*", Partner: Internal, Message: msgNotAccepted,
		Note: "the proxy built a request the upstream refused"},
	{Status: "5xx", Code: "*", Partner: Internal, Message: msgFailed,
		Note: "500 envelope, Spring Boot 500, anything else"},
	{Status: "2xx", Code: "*", Partner: Internal,
		Message: "the loan management system sent an answer that could not be read",
		Note:    "a success body the proxy could not decode, or one that is not the answer asked for: null, {}, no id, another customer"},
	{Status: "*", Code: "*", Partner: Internal, Message: msgUnexpected},
}

// resourceRows is a slot in sharedRules for the resources' rows of one
// status.
func resourceRows(status string) Rule { return Rule{Status: status, slot: true} }

// rowsAbout marks rows as being about r, so that {target} in them names r
// as the request did (see Target.addressing).
func rowsAbout(r Resource, rows []Rule) []Rule {
	for i := range rows {
		rows[i].Resource = r
	}
	return rows
}

// assemble fills the slots of shared with each resource's rows of the
// slot's status, resources in the order given, each resource's rows in its
// own order. A row whose status has no slot is a mistake in the table
// itself, so it stops the program at start-up (every test sees it).
func assemble(shared []Rule, resources ...[]Rule) []Rule {
	var out []Rule
	placed := 0
	for _, r := range shared {
		if !r.slot {
			out = append(out, r)
			continue
		}
		for _, rows := range resources {
			for _, row := range rows {
				if row.Status == r.Status {
					out = append(out, row)
					placed++
				}
			}
		}
	}
	for _, rows := range resources {
		placed -= len(rows)
	}
	if placed != 0 {
		panic("translate: a resource row has a status without a slot in sharedRules")
	}
	return out
}

// Rules returns a copy of the translation table, in matching order.
func Rules() []Rule {
	return append([]Rule(nil), rules...)
}

// ruleFor returns the first row matching an upstream status (0: no answer),
// code and text. The table ends with a catch-all, so it always finds one.
func ruleFor(status int, code, text string) Rule {
	for _, r := range rules {
		if r.matches(status, code, text) {
			return r
		}
	}
	return rules[len(rules)-1]
}

func (r Rule) matches(status int, code, text string) bool {
	if !statusMatches(r.Status, status) || !strings.HasPrefix(text, r.Text) {
		return false
	}
	if r.Code == "" {
		return code == ""
	}
	ok, err := path.Match(r.Code, code)
	return err == nil && ok
}

func statusMatches(pattern string, status int) bool {
	if status == 0 {
		return pattern == "none"
	}
	for _, p := range strings.Split(pattern, ",") {
		switch {
		case p == "*":
			return true
		case len(p) == 3 && strings.HasSuffix(p, "xx"):
			if strconv.Itoa(status/100) == p[:1] {
				return true
			}
		case p == strconv.Itoa(status):
			return true
		}
	}
	return false
}

// RenderMarkdownTable renders the table, with a legend, for README.md, so
// the documented mapping is generated from the code that applies it.
func RenderMarkdownTable() string {
	var b strings.Builder
	b.WriteString("| upstream status | upstream code | partner code | partner field | message | note |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	for _, r := range rules {
		status := r.Status
		if status == "none" {
			status = "no answer"
		}
		code := "(none)"
		if r.Code != "" {
			code = "`" + r.Code + "`"
		}
		if r.Text != "" {
			code += " with text `" + r.Text + "…`"
		}
		field := r.Field
		if field == "" && r.Partner == InvalidArgument {
			field = "(from its parameter)"
		}
		cells := []string{status, code, "`" + string(r.Partner) + "`", field, r.Message, r.Note}
		b.WriteString("|")
		for _, c := range cells {
			b.WriteString(" ")
			b.WriteString(strings.ReplaceAll(c, "|", `\|`))
			b.WriteString(" |")
		}
		b.WriteString("\n")
	}
	b.WriteString(markdownLegend)
	return b.String()
}

// markdownLegend explains the table's columns and placeholders.
var markdownLegend = strings.Join([]string{
	"",
	"The first matching row wins. The upstream code is the most specific one: under a generic top level",
	"(`" + codeValidation + "`, `" + codeDomainRule + "`, `" + codeNotFound + "`)",
	"each `errors[]` item's, else the top level's. `*` matches any code; (none) only a body without one",
	"(Spring Boot JSON, HTML, empty). A row \"with text\" matches only an upstream text that begins so.",
	"",
	"An `invalid_argument` row applies only when the upstream parameter maps to a field the partner supplied;",
	"otherwise the answer is `internal` with `" + msgNotAccepted + "`. Its message is the `error` of",
	"one `{field, error}` entry, one entry per partner field (the first problem wins).",
	"",
	"Every other message is sent as `lms: status=<upstream status>: <message>` (`lms: <message>` when no answer",
	"came back). Placeholders: `{target}` is `with id N` or `with externalId X`, as the partner addressed the",
	"resource the row is about, or `with <field> X` when the request body names it (a loan's customer);",
	"`{resource}` is the resource the request addresses, in lower case (`customer`);",
	"`{externalId}` is `externalId X` with the partner's own value; `{max}` the upstream's length limit;",
	"`{date}` the date the upstream reported; `{text}` the upstream's text rewritten into partner vocabulary;",
	"`{applied}` adds `; the change may have been applied` when a write was cut off. `{name|default}` renders the",
	"default when there is no value. Partner values are always copied byte for byte.",
	"",
}, "\n")
