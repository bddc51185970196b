package translate

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file turns upstream texts into partner vocabulary. Fixed templates in
// the table are preferred; Rewrite is the rare fallback for an upstream text
// no row names, and it refuses rather than risk a leak.

// segment is a piece of an outgoing message. Verbatim pieces are partner
// values and are copied byte for byte; only the others are normalised.
type segment struct {
	text     string
	verbatim bool
}

// joinSegments concatenates pieces, collapsing whitespace in the non-verbatim
// ones and trimming surrounding spaces and trailing periods, so every message
// ends the same way whichever upstream line produced it. Trimming stops at a
// partner value: a value is never shortened, even one ending in a period.
func joinSegments(segs []segment) string {
	var b strings.Builder
	verbatimEnd := 0      // length of b when the last partner value ended
	spaceFromText := true // b is empty, or ends in a space of normalised text
	for _, s := range segs {
		if s.verbatim {
			if s.text != "" {
				b.WriteString(s.text)
				verbatimEnd = b.Len()
				spaceFromText = false
			}
			continue
		}
		t := whitespace.ReplaceAllString(s.text, " ")
		if spaceFromText && strings.HasPrefix(t, " ") {
			t = t[1:]
		}
		if t != "" {
			b.WriteString(t)
			spaceFromText = strings.HasSuffix(t, " ")
		}
	}
	out := b.String()
	return out[:verbatimEnd] + strings.TrimRight(out[verbatimEnd:], " .")
}

var whitespace = regexp.MustCompile(`\s+`)

// placeholder is {name} or {name|default} in a table template; a default
// may itself hold placeholders, one level deep ("{text|the {resource}'s …}").
var placeholder = regexp.MustCompile(`\{([A-Za-z]+)(?:\|((?:[^{}]|\{[^{}]*\})*))?\}`)

// renderTemplate fills a table template. Literal text is normalised;
// partner values are inserted verbatim. Placeholders:
//
//	{resource}   the resource addressed, mid-sentence ("customer"; "resource" when none)
//	{target}     "with id N" or "with externalId X", as the partner addressed the row's resource
//	             ("with <field> X" when the body names it)
//	{externalId} "externalId X", X the partner's own value the upstream reported (a duplicate)
//	{max}        the upstream's length limit
//	{date}       an ISO date the upstream reported (activation date)
//	{text}       the upstream's own text through Rewrite (the rare fallback)
//	{applied}    "; the change may have been applied" after a write was cut off
//
// A placeholder that fill leaves empty renders its default, or nothing.
func renderTemplate(tmpl string, fill func(name string) []segment) string {
	return joinSegments(templateSegments(tmpl, fill))
}

// templateSegments is renderTemplate before joining, so that a default is
// filled in the same pass as the template around it.
func templateSegments(tmpl string, fill func(name string) []segment) []segment {
	var segs []segment
	last := 0
	for _, m := range placeholder.FindAllStringSubmatchIndex(tmpl, -1) {
		segs = append(segs, segment{text: tmpl[last:m[0]]})
		if filled := fill(tmpl[m[2]:m[3]]); filled != nil {
			segs = append(segs, filled...)
		} else if m[4] >= 0 {
			segs = append(segs, templateSegments(tmpl[m[4]:m[5]], fill)...)
		}
		last = m[1]
	}
	return append(segs, segment{text: tmpl[last:]})
}

// Upstream vocabulary rewritten word by word (spec §3), case kept:
// Client→Customer, clients→customers, identifier→id.
var vocabulary = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`(?i)client`), "customer"},
	{regexp.MustCompile(`(?i)identifier`), "id"},
}

// globalisationCode matches error.msg.*, validation.msg.* and the like
// (double dots included: validation.msg.client.id..no.name.details.passed).
var globalisationCode = regexp.MustCompile(`(?i)\b(?:error|validation)(?:\.+[\w\-]+)+`)

// unsafeText matches what no partner may see and no rewrite can fix: SQL and
// database errors, Java class names and stack traces, upstream internals.
// A text containing any of it is refused as a whole.
var unsafeText = regexp.MustCompile(`(?i)` + strings.Join([]string{
	`\bsql`, `\bselect\b`, `\binsert\s+into\b`, `\bdelete\s+from\b`, `\bupdate\s+\S+\s+set\b`,
	`duplicate entry`, `constraint`, `violates`, `\bfor key\b`, `\bm_[a-z_]+`, `jdbc`, `hibernate`,
	`\b(?:org|java|javax|jakarta|sun|com)\.[\w$]+`, `exception`, `\bat\s+[\w$.]+\(`,
	`fineract`, `mifos`, `developermessage`, `pageitems`, `httpstatuscode`, `globalisation`,
	`commandid`, `[A-Z]+_CLIENT`,
}, "|"))

// maxRewrite bounds a passed-through text; anything longer is not a short
// human message and is refused.
const maxRewrite = 200

// Rewrite returns an upstream text in partner vocabulary: Client→Customer,
// client(s)→customer(s), identifier→id, globalisation codes stripped,
// backticks removed, spaces collapsed, trailing periods trimmed. Any
// substring equal to a partner value of t (Values, ID, ExternalID) is copied
// verbatim, so an externalId "Client-7" stays "Client-7". The second result
// is false when the text is empty or carries something that cannot be made
// safe (SQL, class names, upstream internals); the caller then uses a fixed
// text.
func Rewrite(text string, t Target) (string, bool) {
	segs, ok := rewriteSegments(text, t)
	if !ok {
		return "", false
	}
	return joinSegments(segs), true
}

// rewriteSegments is Rewrite before joining, so a template can embed the
// result without normalising the partner values inside it a second time.
func rewriteSegments(text string, t Target) ([]segment, bool) {
	if len(text) > maxRewrite {
		return nil, false
	}
	segs := splitPartnerValues(text, t.partnerValues())
	for i, s := range segs {
		if s.verbatim {
			continue
		}
		if unsafeText.MatchString(s.text) {
			return nil, false
		}
		out := globalisationCode.ReplaceAllString(s.text, "")
		for _, v := range vocabulary {
			out = v.re.ReplaceAllStringFunc(out, func(m string) string { return withCaseOf(m, v.with) })
		}
		segs[i].text = strings.ReplaceAll(out, "`", "")
	}
	if joinSegments(segs) == "" {
		return nil, false
	}
	return segs, true
}

// withCaseOf spells word in the case pattern of m: "CLIENT"→"CUSTOMER",
// "Client"→"Customer", "client"→"customer".
func withCaseOf(m, word string) string {
	switch {
	case strings.ToUpper(m) == m:
		return strings.ToUpper(word)
	case unicode.IsUpper(firstRune(m)):
		r, size := utf8.DecodeRuneInString(word)
		return string(unicode.ToUpper(r)) + word[size:]
	default:
		return word
	}
}

// splitPartnerValues cuts text into pieces, marking each occurrence of a
// partner value verbatim. Values are tried longest first. Where the upstream
// quoted a value in backticks only quoted occurrences count; otherwise an
// occurrence must stand as a whole word, so a value such as "e" does not
// split the upstream word "Client" and leave it unrewritten.
func splitPartnerValues(text string, values []string) []segment {
	if len(values) == 0 {
		return []segment{{text: text}}
	}
	var segs []segment
	start := 0
	for i := 0; i < len(text); {
		v := valueAt(text, i, values)
		if v == "" {
			_, size := utf8.DecodeRuneInString(text[i:])
			i += size
			continue
		}
		segs = append(segs, segment{text: text[start:i]}, segment{text: v, verbatim: true})
		i += len(v)
		start = i
	}
	return append(segs, segment{text: text[start:]})
}

func valueAt(text string, i int, values []string) string {
	for _, v := range values {
		if !strings.HasPrefix(text[i:], v) {
			continue
		}
		before, _ := utf8.DecodeLastRuneInString(text[:i])
		after, _ := utf8.DecodeRuneInString(text[i+len(v):])
		if strings.Contains(text, "`"+v+"`") {
			if before == '`' && after == '`' {
				return v
			}
			continue
		}
		if (i == 0 || !isWordRune(before)) && (i+len(v) == len(text) || !isWordRune(after)) {
			return v
		}
	}
	return ""
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' }

// partnerValues lists every value the partner supplied, references'
// included, longest first, so a longer value wins over a value it contains.
func (t Target) partnerValues() []string {
	seen := map[string]bool{}
	var out []string
	all := append([]string{t.ID, t.ExternalID}, t.Values...)
	for _, ref := range t.Refs {
		all = append(all, ref.Value)
	}
	for _, v := range all {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}
