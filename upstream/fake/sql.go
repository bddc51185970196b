package fake

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"lmsproxy/upstream"
)

// like is SQL LIKE under a case-insensitive collation: % matches any run,
// _ one character, and a backslash makes the next character literal.
// The list's externalId filter uses it unescaped, so "%" and "_" in an
// external id are wildcards there.
func like(value, pattern string) bool {
	v, p := []rune(value), []rune(pattern)
	vi, pi := 0, 0
	starP, starV := -1, 0
	for vi < len(v) {
		if pi < len(p) {
			switch lit, width := likeLiteral(p, pi); {
			case width == 1 && p[pi] == '%':
				starP, starV = pi, vi
				pi++
				continue
			case width == 1 && p[pi] == '_', foldRune(lit) == foldRune(v[vi]):
				vi++
				pi += width
				continue
			}
		}
		if starP < 0 {
			return false
		}
		starV++
		vi, pi = starV, starP+1
	}
	for pi < len(p) && p[pi] == '%' {
		pi++
	}
	return pi == len(p)
}

// likeLiteral is the pattern character at i and how many runes it spans
// (2 for an escaped character).
func likeLiteral(p []rune, i int) (rune, int) {
	if p[i] == '\\' && i+1 < len(p) {
		return p[i+1], 2
	}
	return p[i], 1
}

// sqlValidatorPatterns approximate 1.10's SqlValidator profiles, in the
// order it reports them.
var sqlValidatorPatterns = []struct {
	name string
	re   *regexp.Regexp
}{
	{"inject-blind", regexp.MustCompile(`(?i)(^|[\s'"` + "`" + `])(or|and)\s+\S+\s*=\s*\S+`)},
	{"detect-entry-point", regexp.MustCompile(`['"` + "`" + `]\s*\)`)},
	{"inject-timing", regexp.MustCompile(`(?i)\b(pg_)?sleep\s*\(|\bbenchmark\s*\(`)},
	{"detect-backend", regexp.MustCompile(`(?i)\b(conv|connection_id|crc32|pg_client_encoding|get_current_ts_config|current_database)\s*\(`)},
	{"detect-column", regexp.MustCompile(`(?i)\b(order|group)\s+by\b|\bunion\s+(all\s+)?select\b`)},
	{"detect-out-of-bands", regexp.MustCompile(`(?i)\b(load_file|into\s+(out|dump)file)\b`)},
	{"inject-stacked-query", regexp.MustCompile(`;`)},
	{"inject-comment", regexp.MustCompile(`--|/\*|#|\(\{`)},
}

// sqlValidationError is 1.10's SqlValidator verdict on one list parameter,
// or nil.
func sqlValidationError(value string) error {
	for _, p := range sqlValidatorPatterns {
		if p.re.MatchString(value) {
			return domainRuleError("error.msg.sql.validation",
				"SQL validation error: invalid SQL statement (detected '"+p.name+"' pattern)")
		}
	}
	return nil
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

// checkSQLInput is SQLInjectionValidator.validateSQLInput: a 400 with
// error.msg.found.sql.injection.
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
// string, int64 or upstream.Date; "" and the zero Date stand for NULL.
type column func(s *Server, c *Snapshot) any

// columns are the names ORDER BY and sqlSearch may use, lower-cased (MySQL
// names are case-insensitive): the list query's select aliases and, also
// under the table alias "c.", m_client's own columns.
var (
	tableColumns = map[string]column{
		"id":               func(_ *Server, c *Snapshot) any { return c.ID },
		"account_no":       func(_ *Server, c *Snapshot) any { return c.AccountNo },
		"external_id":      func(_ *Server, c *Snapshot) any { return c.ExternalID },
		"status_enum":      func(_ *Server, c *Snapshot) any { return int64(c.Status) },
		"firstname":        func(_ *Server, c *Snapshot) any { return c.Firstname },
		"middlename":       func(_ *Server, c *Snapshot) any { return c.Middlename },
		"lastname":         func(_ *Server, c *Snapshot) any { return c.Lastname },
		"fullname":         func(_ *Server, c *Snapshot) any { return c.Fullname },
		"display_name":     func(_ *Server, c *Snapshot) any { return c.DisplayName() },
		"mobile_no":        func(_ *Server, c *Snapshot) any { return c.MobileNo },
		"email_address":    func(_ *Server, c *Snapshot) any { return c.Email },
		"office_id":        func(_ *Server, c *Snapshot) any { return c.OfficeID },
		"submittedon_date": func(_ *Server, c *Snapshot) any { return c.SubmittedOn },
		"activation_date":  func(_ *Server, c *Snapshot) any { return c.ActivatedOn },
		"closedon_date":    func(_ *Server, c *Snapshot) any { return c.ClosedOn },
		"date_of_birth":    func(_ *Server, c *Snapshot) any { return c.DateOfBirth },
	}
	selectAliases = map[string]string{
		"accountno": "account_no", "externalid": "external_id", "statusenum": "status_enum",
		"displayname": "display_name", "mobileno": "mobile_no", "emailaddress": "email_address",
		"officeid": "office_id", "submittedondate": "submittedon_date",
		"activationdate": "activation_date", "closedondate": "closedon_date", "dateofbirth": "date_of_birth",
	}
)

// officeName is the o.name AS officeName alias of the list query.
func officeName(s *Server, c *Snapshot) any { return s.db.offices[c.OfficeID].name }

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
	case upstream.Date:
		y := b.(upstream.Date)
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

// columnText is a column value as SQL compares it with a string literal.
func columnText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case upstream.Date:
		return x.ISO()
	}
	return ""
}

// sqlSearchCondition is one "<column> like|= <literal>" term of sqlSearch;
// sqlSearchAnd separates terms.
var (
	sqlSearchCondition = regexp.MustCompile(`^\s*([A-Za-z_.]+)\s*((?i:like)|=)\s*('(?:[^']|'')*'|-?[0-9]+)\s*$`)
	sqlSearchAnd       = regexp.MustCompile(`(?i)\s+and\s+`)
)

// sqlSearchFilter compiles 1.8's raw sqlSearch: the injection check (400),
// then a small subset of SQL, terms joined by AND. Anything else is what a
// database would reject: 500.
func sqlSearchFilter(search string) (func(*Server, *Snapshot) bool, error) {
	if err := checkSQLInput(search); err != nil {
		return nil, err
	}
	type term struct {
		col     column
		like    bool
		literal string
	}
	var terms []term
	for _, part := range sqlSearchAnd.Split(search, -1) {
		m := sqlSearchCondition.FindStringSubmatch(part)
		if m == nil {
			return nil, springError(http.StatusInternalServerError)
		}
		col, err := lookupColumn(m[1])
		if err != nil {
			return nil, err
		}
		lit := m[3]
		if strings.HasPrefix(lit, "'") {
			lit = strings.ReplaceAll(lit[1:len(lit)-1], "''", "'")
		}
		terms = append(terms, term{col: col, like: !strings.HasPrefix(m[2], "="), literal: lit})
	}
	return func(s *Server, c *Snapshot) bool {
		for _, t := range terms {
			v := columnText(t.col(s, c))
			if t.like && !like(v, t.literal) || !t.like && !collationEqual(v, t.literal) {
				return false
			}
		}
		return true
	}, nil
}
