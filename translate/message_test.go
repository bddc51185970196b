package translate

import (
	"path"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRewrite(t *testing.T) {
	cases := []struct {
		name, text string
		target     Target
		want       string
	}{
		{"vocabulary and trailing period", "Client with identifier 5 cannot be deleted as it is not in Pending state.", byID("5"),
			"Customer with id 5 cannot be deleted as it is not in Pending state"},
		{"plural, lower case", "only closed clients may be reactivated.", Target{}, "only closed customers may be reactivated"},
		{"upper case and compounds", "CLIENT ClientClosureReason clients", Target{}, "CUSTOMER CustomerClosureReason customers"},
		{"backticks removed", "The parameter `closureDate` is mandatory.", Target{}, "The parameter closureDate is mandatory"},
		{"codes stripped", "Failed with error.msg.client.id..no.name.details.passed and validation.msg.x.y here", Target{},
			"Failed with and here"},
		{"a sentence ending in 'error.' is not a code", "An error. Then more.", Target{}, "An error. Then more"},
		{"spaces collapsed", "concurrent modification  on\tClient \n [5]", Target{}, "concurrent modification on Customer [5]"},
		{"partner value in backticks kept", "Client with externalId `Client-7` already exists", forCreate("Client-7"),
			"Customer with externalId Client-7 already exists"},
		{"unquoted partner value kept as a word", "Client-7 is Client-7.", forCreate("Client-7"), "Client-7 is Client-7"},
		{"short value does not split upstream words", "Client e exists.", forCreate("e"), "Customer e exists"},
		{"value inside a word is not a value", "Clients", forCreate("lie"), "Customers"},
		{"only quoted occurrences count when quoted", "Client says `Client`", forCreate("Client"), "Customer says Client"},
		{"partner value ending in a period", "Not found: v1.", forCreate("v1."), "Not found: v1."},
		{"partner value that looks like SQL", "Client with externalId `select * from x` already exists", forCreate("select * from x"),
			"Customer with externalId select * from x already exists"},
		{"longest value wins", "Client `ab-cd` exists", Target{Values: []string{"ab", "ab-cd"}}, "Customer ab-cd exists"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := Rewrite(c.text, c.target)
			require.True(t, ok)
			assert.Equal(t, c.want, got)
		})
	}
}

func TestRewriteRefusesWhatCannotBeMadeSafe(t *testing.T) {
	for _, text := range []string{
		"",
		"   ",
		"error.msg.client.id.invalid",
		"Unknown data integrity issue with resource: Duplicate entry 'x' for key 'm_client.external_id'",
		`ERROR: duplicate key value violates unique constraint "m_client_account_no_key"`,
		"SQL validation error: invalid SQL statement (detected 'union' pattern)",
		"SELECT id FROM clients",
		"java.lang.NullPointerException: Cannot invoke \"Object.toString()\"",
		"at org.apache.fineract.portfolio.client.service.Foo.bar(Foo.java:12)",
		"The Fineract server failed",
		"missing developerMessage",
		"no pageItems",
		"User has no authority to: CREATE_CLIENT",
		"Command commandId 5 stored",
		strings.Repeat("a", maxRewrite+1),
	} {
		t.Run(text, func(t *testing.T) {
			got, ok := Rewrite(text, forCreate("x"))
			assert.False(t, ok)
			assert.Empty(t, got)
		})
	}
}

// Whatever a partner value contains, the rewrite copies it byte for byte.
func TestRewriteNeverAltersPartnerValues(t *testing.T) {
	for _, v := range []string{
		"Client-7", "a/b%c", "x`y", "  two  spaces ", "trailing.", "clients", "identifier", "error.msg.x",
		"ünïcode ✓", "100%", "a|b", "SELECT * FROM m_client", "org.apache.Foo", "`",
	} {
		t.Run(v, func(t *testing.T) {
			got, ok := Rewrite("Client with externalId `"+v+"` already exists.", forCreate(v))
			require.True(t, ok)
			assert.Equal(t, "Customer with externalId "+v+" already exists", got)
			assertNoUpstreamVocabulary(t, got, forCreate(v))
		})
	}
}

func TestJoinSegments(t *testing.T) {
	cases := []struct {
		name string
		segs []segment
		want string
	}{
		{"empty placeholder leaves one space", []segment{{text: "Customer "}, {text: ""}, {text: " does not exist"}}, "Customer does not exist"},
		{"leading and trailing trimmed", []segment{{text: "  a  "}, {text: "b", verbatim: true}, {text: " . "}}, "a b"},
		{"verbatim spaces and period kept", []segment{{text: "x "}, {text: " v. ", verbatim: true}}, "x  v. "},
		{"trim stops at a value", []segment{{text: "v.", verbatim: true}, {text: "."}}, "v."},
		{"value first", []segment{{text: " v", verbatim: true}, {text: " rest."}}, " v rest"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, joinSegments(c.segs))
		})
	}
}

func TestRenderMarkdownTable(t *testing.T) {
	md := RenderMarkdownTable()
	lines := strings.Split(md, "\n")
	require.Greater(t, len(lines), len(rules)+2)
	assert.Equal(t, "| upstream status | upstream code | partner code | partner field | message | note |", lines[0])
	assert.Equal(t, "|---|---|---|---|---|---|", lines[1])
	for i, r := range rules {
		line := lines[i+2]
		unescaped := strings.Count(line, "|") - strings.Count(line, `\|`)
		assert.Equal(t, 7, unescaped, "row %d has six cells: %s", i, line)
		assert.Contains(t, line, "`"+string(r.Partner)+"`")
	}
	assert.Contains(t, md, "| 403 | `error.msg.client.duplicate.externalId` | `aborted` |  | Customer with {externalId\\|this externalId} already exists (or one differing from it only in letter case) |")
	assert.Contains(t, md, "| no answer | `*` | `unavailable` |")
	assert.Contains(t, md, "Partner values are always copied byte for byte.")
}

func TestRulesIsACopy(t *testing.T) {
	got := Rules()
	require.Len(t, got, len(rules))
	got[0].Partner = NotFound
	assert.Equal(t, Unavailable, rules[0].Partner)
}

// The table is data; these checks keep it well formed as it grows.
func TestTableIsWellFormed(t *testing.T) {
	partnerCodes := map[Code]bool{InvalidArgument: true, Unauthenticated: true, PermissionDenied: true, NotFound: true,
		Aborted: true, Internal: true, Unavailable: true}
	placeholders := map[string]bool{"resource": true, "target": true, "externalId": true, "max": true, "date": true, "text": true, "applied": true}
	seen := map[string]int{}
	for i, r := range rules {
		assert.True(t, partnerCodes[r.Partner], "row %d: partner code %q", i, r.Partner)
		assert.False(t, r.slot, "row %d: a slot left in the table", i)
		_, err := path.Match(r.Code, "")
		assert.NoError(t, err, "row %d: code pattern %q", i, r.Code)
		assert.NotEmpty(t, r.Message, "row %d", i)
		assert.NotContains(t, r.Message, "lms:", "row %d: the prefix is added, not written", i)
		if r.Field != "" {
			assert.Equal(t, InvalidArgument, r.Partner, "row %d: only invalid_argument rows name a field", i)
		}
		for _, name := range placeholderNames(r.Message) {
			assert.True(t, placeholders[name], "row %d: unknown placeholder %q", i, name)
		}
		key := r.Status + " " + r.Code + " " + r.Text
		if j, dup := seen[key]; dup {
			t.Errorf("rows %d and %d match the same status and code", j, i)
		}
		seen[key] = i
	}
	last := rules[len(rules)-1]
	assert.Equal(t, "* *", last.Status+" "+last.Code, "the table ends with a catch-all")
}

// TestAssemble: each resource's rows go to the slot of their status, after
// the shared rows before it and ahead of the shared patterns after it, in
// registration order; a row with no slot for its status stops the program.
func TestAssemble(t *testing.T) {
	shared := []Rule{{Status: "400", Code: "a"}, resourceRows("400"), {Status: "400", Code: "*"},
		resourceRows("404"), {Status: "404", Code: "*"}, {Status: "*", Code: "*"}}
	first := rowsAbout(Customers, []Rule{{Status: "404", Code: "c404"}, {Status: "400", Code: "c400"}})
	second := rowsAbout(Loans, []Rule{{Status: "400", Code: "l400"}})
	var got []string
	for _, r := range assemble(shared, first, second) {
		got = append(got, r.Status+" "+r.Code+" "+r.Resource.Name)
	}
	assert.Equal(t, []string{"400 a ", "400 c400 Customer", "400 l400 Loan", "400 * ", "404 c404 Customer", "404 * ", "* * "}, got)
	assert.Panics(t, func() { assemble(shared, []Rule{{Status: "409", Code: "x"}}) })
}

// placeholderNames lists a template's placeholders, those in defaults too.
func placeholderNames(tmpl string) []string {
	var names []string
	for _, m := range placeholder.FindAllStringSubmatch(tmpl, -1) {
		names = append(append(names, m[1]), placeholderNames(m[2])...)
	}
	return names
}

// A row with an exact status and code is not shadowed by an earlier row.
func TestExactRowsAreReachable(t *testing.T) {
	for i, r := range rules {
		status, skip := exactStatus(r.Status)
		if skip || strings.ContainsAny(r.Code, "*?[") {
			continue
		}
		got := ruleFor(status, r.Code, r.Text)
		assert.Equal(t, r, got, "row %d (%s %s %s) is shadowed", i, r.Status, r.Code, r.Text)
	}
}

// exactStatus is the first status a row lists, or skip for patterns.
func exactStatus(pattern string) (status int, skip bool) {
	first, _, _ := strings.Cut(pattern, ",")
	switch {
	case first == "none":
		return 0, false
	case len(first) != 3 || strings.Contains(first, "x") || first == "*":
		return 0, true
	}
	n := 0
	for _, c := range first {
		n = n*10 + int(c-'0')
	}
	return n, false
}

func TestStatusMatches(t *testing.T) {
	cases := []struct {
		pattern string
		status  int
		want    bool
	}{
		{"none", 0, true}, {"*", 0, false}, {"4xx", 0, false},
		{"404", 404, true}, {"404", 403, false},
		{"502,503,504", 503, true}, {"502,503,504", 500, false},
		{"4xx", 499, true}, {"4xx", 500, false}, {"*", 302, true},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, statusMatches(c.pattern, c.status), "%s %d", c.pattern, c.status)
	}
}
