package fake

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"lmsproxy/upstream"
	"lmsproxy/upstream/wire"
)

// likePattern is a compiled SQL LIKE pattern; likeToken is one element of
// it: a run wildcard (%), a one-character wildcard (_) or a literal.
type (
	likePattern []likeToken
	likeToken   struct {
		anyRun, anyOne bool
		literal        rune
	}
)

// compileLike reads a LIKE pattern as the upstream's databases do for
// "c.external_id like ?" with the value bound as sent
// (ClientReadPlatformServiceImpl.buildSqlStringFromClientCriteria, every
// line): % matches any run, _ one character, and backslash, the default
// escape character of MySQL/MariaDB and PostgreSQL, makes the next character
// literal ("a\b" matches "ab", never "a\b"). A pattern ending in an unpaired
// backslash is an error on PostgreSQL ("LIKE pattern must not end with
// escape character", SQLSTATE 22025) and a literal backslash on MySQL; the
// simulator gives the error, the stricter of the two.
func compileLike(v upstream.Version, pattern string) (likePattern, error) {
	var p likePattern
	escaped := false
	for _, r := range pattern {
		switch {
		case escaped:
			p, escaped = append(p, likeToken{literal: r}), false
		case r == '\\':
			escaped = true
		case r == '%':
			p = append(p, likeToken{anyRun: true})
		case r == '_':
			p = append(p, likeToken{anyOne: true})
		default:
			p = append(p, likeToken{literal: r})
		}
	}
	if escaped {
		return nil, databaseError(v, "ERROR: LIKE pattern must not end with escape character")
	}
	return p, nil
}

// match compares under the case-insensitive collation, backtracking over
// the last run wildcard.
func (p likePattern) match(value string) bool {
	v := []rune(value)
	vi, pi := 0, 0
	starP, starV := -1, 0
	for vi < len(v) {
		if pi < len(p) {
			switch t := p[pi]; {
			case t.anyRun:
				starP, starV = pi, vi
				pi++
				continue
			case t.anyOne, foldRune(t.literal) == foldRune(v[vi]):
				vi++
				pi++
				continue
			}
		}
		if starP < 0 {
			return false
		}
		starV++
		vi, pi = starV, starP+1
	}
	for pi < len(p) && p[pi].anyRun {
		pi++
	}
	return pi == len(p)
}

// sqlValidation is one of the patterns DefaultSqlValidator applies to the
// list's orderBy, sortOrder, externalId and hierarchy (ClientsApiResource.
// retrieveAll, 1.10.0, 1.10.1 and develop; the simulator has no hierarchy
// filter), in profile "main", the one validate(String) uses: the first
// pattern whose Matcher.matches() holds refuses the value. Each is
// fineract.sql-validation.patterns[i] of fineract-provider/src/main/
// resources/application.properties (identical at 1.10.0, 1.10.1 and
// develop; compiled with Pattern.DOTALL), quoted in the comment as Java
// reads it, and match is an equivalent RE2 can run. Equivalence rests on
// three facts: matches() must cover the whole value, so ".*X.*" means
// "contains X"; (?i) without UNICODE_CASE folds ASCII letters only, so
// values are ASCII-lower-cased and matched case-sensitively (which makes
// the back-references compare as Java's case-insensitive ones do too); and
// Java's \s is [ \t\n\x0B\f\r], one more than RE2's, hence javaSpace. \w
// and \d are ASCII in both. (Checked against java.util.regex on 400,000
// generated values: same verdict on every one.)
type sqlValidation struct {
	name  string
	match func(lower string) bool
}

const (
	javaSpace = `[\t\n\v\f\r ]`
	sqlQuote  = "[\"'`]"
)

// searching is an unanchored RE2 search; \A…\z anchors where needed.
func searching(re string) func(string) bool { return regexp.MustCompile(`(?s)` + re).MatchString }

var sqlValidations = []sqlValidation{
	// (?i).*[\"'`]?\s*[and|or]+\s*[\"'`]?([\d\w])+[\"'`]?\s*=\s*[\"'`]?(\1)[\"'`]?\s*.*
	// [and|or] is a class (a, n, d, o, r, |); ([\d\w])+ captures its last
	// character c, which (\1) must repeat after the "=".
	{"inject-blind", injectBlind},
	// (?i)^[\"'`]?[\)\s]+
	// The whole value is an optional quote then ")" or spaces.
	{"detect-entry-point", searching(`\A` + sqlQuote + `?[)` + javaSpace[1:len(javaSpace)-1] + `]+\z`)},
	// (?i).*[\"'`]?\s*[and|\+|&|\|]+.*\s*[sleep|pg_sleep|benchmark]+\s*(\(\s*\d+\s*[,]?\s*.*\s*\))+.*
	// Both brackets are classes: one of a n d | + & somewhere, later one of
	// s l e p | g _ b n c h m a r k, then "(" and digits, and a ")" after.
	{"inject-timing", searching(`[and|+&].*[slep|g_bnchmark]` + javaSpace + `*\(` + javaSpace + `*\d.*\)`)},
	// (?i).*\[\s*\"(\w+\(.*\))=(\1)\"\s*,\s*\"\w+\"\s*\].*
	// ["f(x)=f(x)", "w"]: a back-reference of any length, tried by hand.
	{"detect-backend", detectBackend},
	// (?i).*[\"'`]?\s*(order\s*by|group\s*by|union\s*select)+\s+([\d+|null]?\s*,*\s*)+\s*.*
	// The group after \s+ may match empty: a keyword pair and one space.
	{"detect-column", searching(`(?:order` + javaSpace + `*by|group` + javaSpace + `*by|union` + javaSpace + `*select)` + javaSpace)},
	// (?i).*(select)+\s+(load_file)+.*
	{"detect-out-of-bands", searching(`select` + javaSpace + `+load_file`)},
	// (?i).*[;]+\s*(create|drop|alter|truncate|comment|select|insert|update|delete|merge|upsert|call|exec)+.*(from|into|set|table|column|database)*.*
	// The second group is optional: ";" then a statement keyword.
	{"inject-stacked-query", searching(`;` + javaSpace + `*(?:create|drop|alter|truncate|comment|select|insert|update|delete|merge|upsert|call|exec)`)},
	// (?i).*\s+(-|/\*|#|\(\{)++.*
	// The possessive ++ gives nothing back, but ".*" never needs it to.
	{"inject-comment", searching(javaSpace + `(?:-|/\*|#|\(\{)`)},
}

// injectBlind is inject-blind: [andor|]+ \s* quote? \w*c quote? \s* = \s*
// quote? c, for some word character c; RE2 has no back-references, so one
// alternative per c.
var injectBlind = func() func(string) bool {
	var alts []string
	for _, c := range "0123456789abcdefghijklmnopqrstuvwxyz_" {
		alts = append(alts, `[andor|]+`+javaSpace+`*`+sqlQuote+`?\w*`+string(c)+sqlQuote+`?`+javaSpace+`*=`+javaSpace+`*`+sqlQuote+`?`+string(c))
	}
	return searching(strings.Join(alts, "|"))
}()

var (
	backendGroup = regexp.MustCompile(`(?s)\A\w+\(.*\)\z`)
	backendTail  = regexp.MustCompile(`\A` + javaSpace + `*,` + javaSpace + `*"\w+"` + javaSpace + `*\]`)
	backendHead  = regexp.MustCompile(`\[` + javaSpace + `*"`)
)

// detectBackend is detect-backend: `[` \s* `"` G `=` G `"` \s* `,` \s* `"`
// \w+ `"` \s* `]` with G = \w+\(.*\) the same text twice, tried for every
// opening and every "=" after it.
func detectBackend(s string) bool {
	for _, head := range backendHead.FindAllStringIndex(s, -1) {
		body := s[head[1]:]
		for eq := strings.IndexByte(body, '='); eq >= 0; {
			g, after := body[:eq], body[eq+1:]
			if backendGroup.MatchString(g) && strings.HasPrefix(after, g+`"`) && backendTail.MatchString(after[len(g)+1:]) {
				return true
			}
			next := strings.IndexByte(body[eq+1:], '=')
			if next < 0 {
				break
			}
			eq += next + 1
		}
	}
	return false
}

// sqlValidationError is DefaultSqlValidator.validate on one list parameter:
// blank values pass (StringUtils.isBlank), else the first matching pattern
// is a 403 error.msg.sql.validation naming it.
func sqlValidationError(value string) error {
	if strings.TrimFunc(value, javaWhitespace) == "" {
		return nil
	}
	lower := strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, value)
	for _, p := range sqlValidations {
		if p.match(lower) {
			return domainRuleError("error.msg.sql.validation",
				"SQL validation error: invalid SQL statement (detected '"+p.name+"' pattern)")
		}
	}
	return nil
}

// javaWhitespace is Character.isWhitespace: Unicode space separators except
// the no-break ones, line and paragraph separators, and the ASCII controls
// \t \n \v \f \r and \x1C–\x1F.
func javaWhitespace(r rune) bool {
	switch {
	case r == 0xA0 || r == 0x2007 || r == 0x202F:
		return false
	case '\t' <= r && r <= '\r', 0x1C <= r && r <= 0x1F:
		return true
	}
	return unicode.In(r, unicode.Zs, unicode.Zl, unicode.Zp)
}

// sqlInjectionSuspects and sqlInputPattern are SQLInjectionValidator's
// checks: substrings (so "updatedOn" is refused for containing "update") and
// the characters a fragment may contain.
var (
	sqlInjectionSuspects = []string{
		"create", "drop", "alter", "truncate", "comment", "sleep",
		"select", "insert", "update", "delete", "merge", "upsert", "call",
		"--", "({", "/*", "#",
	}
	sqlInputPattern = regexp.MustCompile("^[a-zA-Z_=,\\-'!><.?\"`% ()0-9*\n\r]*$")
)

// checkSQLInput is SQLInjectionValidator.validateSQLInput (infrastructure/
// security/utils/, 1.8.4): a 400 with error.msg.found.sql.injection. Its
// keyword and character checks are modelled; its token check and its two
// INJECTION_PATTERNS are not: they refuse only a lone quote, "x=x" and
// "1=1"-style tautologies, and "-1" right after one of o, r, a, n, d (so
// "c.id in (-1)" passes them), none of which the proxy sends.
func checkSQLInput(fragment string) error {
	lower := strings.ToLower(fragment)
	for _, s := range sqlInjectionSuspects {
		if strings.Contains(lower, s) {
			return sqlInjectionError()
		}
	}
	if !sqlInputPattern.MatchString(fragment) {
		return sqlInjectionError()
	}
	return nil
}

// column reads one m_client column (or select alias) of a client as a
// string, int64 or wire.Date; "" and the zero Date stand for NULL.
type column func(s *Server, c *ClientSnapshot) any

// columns are the names ORDER BY and sqlSearch may use, lower-cased (MySQL
// names are case-insensitive): the list query's select aliases and, also
// under the table alias "c.", m_client's own columns.
var (
	tableColumns = map[string]column{
		"id":               func(_ *Server, c *ClientSnapshot) any { return c.ID },
		"account_no":       func(_ *Server, c *ClientSnapshot) any { return c.AccountNo },
		"external_id":      func(_ *Server, c *ClientSnapshot) any { return c.ExternalID },
		"status_enum":      func(_ *Server, c *ClientSnapshot) any { return int64(c.Status) },
		"firstname":        func(_ *Server, c *ClientSnapshot) any { return c.Firstname },
		"middlename":       func(_ *Server, c *ClientSnapshot) any { return c.Middlename },
		"lastname":         func(_ *Server, c *ClientSnapshot) any { return c.Lastname },
		"fullname":         func(_ *Server, c *ClientSnapshot) any { return c.Fullname },
		"display_name":     func(_ *Server, c *ClientSnapshot) any { return c.DisplayName() },
		"mobile_no":        func(_ *Server, c *ClientSnapshot) any { return c.MobileNo },
		"email_address":    func(_ *Server, c *ClientSnapshot) any { return c.Email },
		"office_id":        func(_ *Server, c *ClientSnapshot) any { return c.OfficeID },
		"submittedon_date": func(_ *Server, c *ClientSnapshot) any { return c.SubmittedOn },
		"activation_date":  func(_ *Server, c *ClientSnapshot) any { return c.ActivatedOn },
		"closedon_date":    func(_ *Server, c *ClientSnapshot) any { return c.ClosedOn },
		"date_of_birth":    func(_ *Server, c *ClientSnapshot) any { return c.DateOfBirth },
	}
	selectAliases = map[string]string{
		"accountno": "account_no", "externalid": "external_id", "statusenum": "status_enum",
		"displayname": "display_name", "mobileno": "mobile_no", "emailaddress": "email_address",
		"officeid": "office_id", "submittedondate": "submittedon_date",
		"activationdate": "activation_date", "closedondate": "closedon_date", "dateofbirth": "date_of_birth",
	}
)

// officeName is the o.name AS officeName alias of the list query.
func officeName(s *Server, c *ClientSnapshot) any { return s.db.offices[c.OfficeID].name }

// lookupColumn resolves a column reference. A qualified name with an
// unknown table alias or column is what ColumnValidator refuses (400); an
// unknown bare name only fails when the database runs the query (500).
func lookupColumn(name string) (column, error) {
	lower := strings.ToLower(strings.TrimSpace(name))
	if qualifier, col, qualified := strings.Cut(lower, "."); qualified {
		if f, ok := tableColumns[col]; ok && qualifier == "c" {
			return f, nil
		}
		return nil, sqlInjectionError()
	}
	if lower == "officename" {
		return officeName, nil
	}
	if col, ok := selectAliases[lower]; ok {
		lower = col
	}
	if f, ok := tableColumns[lower]; ok {
		return f, nil
	}
	return nil, springError(http.StatusInternalServerError)
}

// compareColumn orders two column values as the database would: NULL
// first, strings by the case-insensitive collation.
func compareColumn(a, b any) int {
	switch x := a.(type) {
	case string:
		return strings.Compare(strings.ToLower(x), strings.ToLower(b.(string)))
	case int64:
		y := b.(int64)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	case wire.Date:
		y := b.(wire.Date)
		switch {
		case x == y:
			return 0
		case x.IsZero(), !y.IsZero() && x.Before(y):
			return -1
		}
		return 1
	}
	return 0
}

// columnText is a column value as SQL compares it with a string literal;
// "" is NULL.
func columnText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case wire.Date:
		return x.ISO()
	}
	return ""
}

// sqlSearchCondition is one "<column> like|= <literal>" term of sqlSearch,
// sqlSearchIn one "<column> in (<literal>, …)" term, with sqlLiteral the
// literals either takes; sqlSearchAnd separates terms.
const sqlLiteral = `'(?:[^']|'')*'|-?[0-9]+`

var (
	sqlSearchCondition = regexp.MustCompile(`^\s*([A-Za-z_.]+)\s*((?i:like)|=)\s*(` + sqlLiteral + `)\s*$`)
	sqlSearchIn        = regexp.MustCompile(`^\s*([A-Za-z_.]+)\s+(?i:in)\s*\(\s*((?:` + sqlLiteral + `)(?:\s*,\s*(?:` + sqlLiteral + `))*)\s*\)\s*$`)
	sqlLiterals        = regexp.MustCompile(sqlLiteral)
	sqlSearchAnd       = regexp.MustCompile(`(?i)\s+and\s+`)
)

// sqlSearchFilter compiles 1.8's raw sqlSearch as ClientReadPlatformService
// Impl.buildSqlStringFromClientCriteria (fineract-provider/src/main/java/
// org/apache/fineract/portfolio/client/service/, 1.8.4) handles it: it
// first rewrites "display_name " to "c.display_name " (twice over, so a
// " c.display_name " becomes "c.c.display_name", which the column check
// refuses), then ColumnValidator.validateSqlInjection (infrastructure/
// security/utils/) runs SQLInjectionValidator (400) and requires each
// operand of a comparison (=, like, in, …) to be "alias.column" of a table
// of the list's schema (400 otherwise: a bare name too). The simulator
// reads a small subset of SQL, terms joined by AND; anything else is what
// a database would reject: 500. Only m_client's alias c is known, and
// NULL matches no term, as in SQL.
func sqlSearchFilter(v upstream.Version, search string) (func(*Server, *ClientSnapshot) bool, error) {
	search = strings.ReplaceAll(search, " display_name ", " c.display_name ")
	search = strings.ReplaceAll(search, "display_name ", "c.display_name ")
	if err := checkSQLInput(search); err != nil {
		return nil, err
	}
	type term struct {
		col      column
		like     likePattern // nil for "=" and "in"
		literals []string
	}
	var terms []term
	for _, part := range sqlSearchAnd.Split(search, -1) {
		name, op, lits := "", "in", []string(nil)
		if m := sqlSearchCondition.FindStringSubmatch(part); m != nil {
			name, op, lits = m[1], strings.ToLower(m[2]), m[3:4]
		} else if m := sqlSearchIn.FindStringSubmatch(part); m != nil {
			name, lits = m[1], sqlLiterals.FindAllString(m[2], -1)
		} else {
			return nil, springError(http.StatusInternalServerError)
		}
		if !strings.Contains(name, ".") {
			return nil, sqlInjectionError()
		}
		col, err := lookupColumn(name)
		if err != nil {
			return nil, err
		}
		t := term{col: col}
		for _, lit := range lits {
			if strings.HasPrefix(lit, "'") {
				lit = strings.ReplaceAll(lit[1:len(lit)-1], "''", "'")
			}
			t.literals = append(t.literals, lit)
		}
		if op == "like" {
			if t.like, err = compileLike(v, t.literals[0]); err != nil {
				return nil, err
			}
		}
		terms = append(terms, t)
	}
	return func(s *Server, c *ClientSnapshot) bool {
		for _, t := range terms {
			v := columnText(t.col(s, c))
			matched := v != "" && (t.like != nil && t.like.match(v) ||
				t.like == nil && slices.ContainsFunc(t.literals, func(lit string) bool { return collationEqual(v, lit) }))
			if !matched {
				return false
			}
		}
		return true
	}, nil
}
