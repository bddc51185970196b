package fake_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream"
	"lmsproxy/upstream/fake"
)

// TestListItemShape pins a list item, byte-equivalent to the observed
// 1.9+ item; 1.8 differs only in legalForm.value.
func TestListItemShape(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		r := do(t, s, http.MethodGet, "clients?externalId="+fake.SeedActiveExternalID, "")
		items := pageItems(t, r)
		require.Len(t, items, 1)
		assert.Equal(t, float64(1), r.Body["totalFilteredRecords"])
		legal := "Person"
		if !v.AtLeast(upstream.V1_9) {
			legal = "PERSON"
		}
		assert.JSONEq(t, `{"id":1,"accountNo":"000000001","externalId":"ext-active-001",
			"status":{"id":300,"code":"clientStatusType.active","value":"Active"},
			"subStatus":{"active":false,"mandatory":false},"active":true,"activationDate":[2023,1,10],
			"firstname":"ext-active-001","lastname":"Customer","displayName":"ext-active-001 Customer",
			"gender":{"active":false,"mandatory":false},"clientType":{"active":false,"mandatory":false},
			"clientClassification":{"active":false,"mandatory":false},"isStaff":false,"officeId":1,"officeName":"Head Office",
			"timeline":{"submittedOnDate":[2023,1,10],"submittedByUsername":"mifos","submittedByFirstname":"App",
				"submittedByLastname":"Administrator","activatedOnDate":[2023,1,10],"activatedByUsername":"mifos",
				"activatedByFirstname":"App","activatedByLastname":"Administrator"},
			"legalForm":{"id":1,"code":"legalFormType.person","value":"`+legal+`"},
			"clientNonPersonDetails":{"constitution":{"active":false,"mandatory":false},"mainBusinessLine":{"active":false,"mandatory":false}}}`,
			toJSON(t, items[0]))
	})
}

func TestListStatesInItems(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, _ upstream.Version, s *fake.Server) {
		items := pageItems(t, do(t, s, http.MethodGet, "clients?orderBy=id", ""))
		require.Equal(t, []float64{1, 2, 3, 4, 5}, ids(items))

		pending := items[fake.SeedPendingID-1]
		assert.Equal(t, map[string]any{"id": float64(100), "code": "clientStatusType.pending", "value": "Pending"}, pending["status"])
		assert.Equal(t, false, pending["active"])
		assert.NotContains(t, pending, "activationDate")
		assert.NotContains(t, pending["timeline"], "activatedOnDate")

		closed := items[fake.SeedClosedID-1]
		assert.Equal(t, "clientStatusType.closed", closed["status"].(map[string]any)["code"])
		assert.Equal(t, false, closed["active"])
		timeline := closed["timeline"].(map[string]any)
		assert.Equal(t, []any{float64(2023), float64(6), float64(1)}, timeline["closedOnDate"])
		assert.Equal(t, "mifos", timeline["closedByUsername"])

		named := items[fake.SeedNamedID-1]
		assert.Equal(t, fake.SeedNamedMobileNo, named["mobileNo"])
		assert.Equal(t, "ada@example.com", named["emailAddress"])
		assert.Equal(t, []any{float64(1815), float64(12), float64(10)}, named["dateOfBirth"])
	})
}

// TestListFilters: externalId, firstName and lastName are SQL LIKE as sent
// (wildcards active, case-insensitive), displayName is LIKE %v%.
func TestListFilters(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		pct := s.AddClient(fake.ClientSeed{ExternalID: "ab%cd", Firstname: "Grace", Lastname: "Hopper"})
		plain := s.AddClient(fake.ClientSeed{ExternalID: "abXYcd", Firstname: "Alan", Lastname: "Turing"})
		under := s.AddClient(fake.ClientSeed{ExternalID: "ab_d", Firstname: "Edsger", Lastname: "Dijkstra"})
		slash := s.AddClient(fake.ClientSeed{ExternalID: `a\b`, Firstname: "Barbara", Lastname: "Liskov"})
		bare := s.AddClient(fake.ClientSeed{ExternalID: "ab", Firstname: "John", Lastname: "Backus"})

		tests := []struct {
			name  string
			query url.Values
			want  []int64
		}{
			{"exact external id", url.Values{"externalId": {fake.SeedNamedExternalID}}, []int64{fake.SeedNamedID}},
			{"case-insensitive collation", url.Values{"externalId": {"EXT-ADA-001"}}, []int64{fake.SeedNamedID}},
			{"percent is a wildcard", url.Values{"externalId": {"ab%cd"}}, []int64{pct, plain}},
			{"underscore is a wildcard", url.Values{"externalId": {"ab_d"}}, []int64{under}},
			{"escaped percent is literal", url.Values{"externalId": {`ab\%cd`}}, []int64{pct}},
			{"escaped underscore is literal", url.Values{"externalId": {`ab\_d`}}, []int64{under}},
			{"backslash escapes any character", url.Values{"externalId": {`a\b`}}, []int64{bare}},
			{"escaped backslash is literal", url.Values{"externalId": {`a\\b`}}, []int64{slash}},
			{"prefix match needs a wildcard", url.Values{"externalId": {"ext-ada"}}, nil},
			{"displayName contains", url.Values{"displayName": {"love"}}, []int64{fake.SeedNamedID}},
			{"firstName exact", url.Values{"firstName": {"ada"}}, []int64{fake.SeedNamedID}},
			{"lastName with wildcard", url.Values{"lastName": {"%ing"}}, []int64{plain}},
			{"status pending", url.Values{"status": {"Pending"}}, []int64{fake.SeedPendingID}},
			{"status closed", url.Values{"status": {"closed"}}, []int64{fake.SeedClosedID}},
			{"officeId", url.Values{"officeId": {"1"}, "status": {"pending"}}, []int64{fake.SeedPendingID}},
			{"unknown office", url.Values{"officeId": {"2"}}, nil},
			{"unknown parameters are ignored", url.Values{"foo": {"bar"}, "externalId": {fake.SeedClosedExternalID}}, []int64{fake.SeedClosedID}},
			{"combined", url.Values{"externalId": {"ab%"}, "lastName": {"Hopper"}}, []int64{pct}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := do(t, s, http.MethodGet, "clients?"+tc.query.Encode(), "")
				items := pageItems(t, r)
				want := make([]float64, len(tc.want))
				for i, id := range tc.want {
					want[i] = float64(id)
				}
				assert.ElementsMatch(t, want, ids(items), "no ORDER BY: any order")
				assert.Equal(t, float64(len(tc.want)), r.Body["totalFilteredRecords"])
			})
		}

		t.Run("trailing escape is a database error", func(t *testing.T) {
			r := do(t, s, http.MethodGet, "clients?"+url.Values{"externalId": {`a\`}}.Encode(), "")
			require.Equal(t, http.StatusInternalServerError, r.Status, "body: %s", r.Raw)
			if v.AtLeast(upstream.V1_9) {
				assert.Contains(t, r.Body["Exception"], "LIKE pattern must not end with escape character", "DefaultExceptionMapper")
			} else {
				assert.Equal(t, "Internal Server Error", r.Body["error"], "Spring Boot's error page")
			}
		})

		t.Run("unsupported status", func(t *testing.T) {
			r := do(t, s, http.MethodGet, "clients?status=dormant", "")
			wantError(t, r, http.StatusBadRequest, "validation.msg.validation.errors.exist",
				item{"validation.msg.client.status.value.is.not.supported", "The Status value 'dormant' is not supported.", "status", []any{"dormant"}})
		})
	})
}

// TestListPaging: without limit 1.8/1.9 return 200 rows and 1.10 all rows;
// limit <= 0 is unlimited; offset only applies with a positive limit. The
// pages are ordered by id, as there is no order otherwise.
func TestListPaging(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		for i := range 250 {
			s.AddClient(fake.ClientSeed{Firstname: "F", Lastname: fmt.Sprintf("L%03d", i)})
		}
		const total = 255
		type page struct {
			query     string
			wantCount int
			wantFirst float64
		}
		// Without limit: 200 rows (with the offset applied) before 1.10;
		// from 1.10 no LIMIT clause at all, hence no OFFSET either.
		tests := []page{{"", 200, 1}, {"&offset=10", 200, 11}}
		if v.UnlimitedWithoutLimit() {
			tests = []page{{"", total, 1}, {"&offset=10", total, 1}}
		}
		tests = append(tests,
			page{"&limit=0", total, 1},
			page{"&limit=-1&offset=10", total, 1},
			page{"&limit=2&offset=1", 2, 2},
			page{"&limit=10&offset=250", 5, 251},
			page{"&limit=10&offset=300", 0, 0},
		)
		for _, tc := range tests {
			t.Run(tc.query, func(t *testing.T) {
				r := do(t, s, http.MethodGet, "clients?orderBy=id"+tc.query, "")
				items := pageItems(t, r)
				assert.Len(t, items, tc.wantCount)
				assert.Equal(t, float64(total), r.Body["totalFilteredRecords"])
				if tc.wantCount > 0 {
					assert.Equal(t, tc.wantFirst, items[0]["id"])
				}
			})
		}
	})
}

func TestListOrdering(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		tests := []struct {
			query string
			want  []float64
		}{
			{"orderBy=displayName&sortOrder=DESC", []float64{3, 4, 5, 1, 2}},
			{"orderBy=display_name&sortOrder=asc", []float64{2, 1, 5, 4, 3}}, // "Ada..." sorts first
			{"orderBy=c.id&sortOrder=desc", []float64{5, 4, 3, 2, 1}},
			{"orderBy=submittedOnDate&sortOrder=DESC", []float64{5, 4, 3, 2, 1}},
			{"orderBy=officeName,id", []float64{1, 2, 3, 4, 5}},
			{"orderBy=activationDate", []float64{3, 1, 2, 4, 5}}, // NULL first
			// A list with a tie-breaker; sortOrder lands after its last item.
			{"orderBy=officeName+DESC,c.id&sortOrder=DESC", []float64{5, 4, 3, 2, 1}},
			{"orderBy=officeName+ASC,+id+desc", []float64{5, 4, 3, 2, 1}},
			{"orderBy=id&sortOrder=+", []float64{1, 2, 3, 4, 5}}, // blank: not appended
		}
		for _, tc := range tests {
			t.Run(tc.query, func(t *testing.T) {
				assert.Equal(t, tc.want, ids(pageItems(t, do(t, s, http.MethodGet, "clients?"+tc.query, ""))))
			})
		}
		t.Run("no such column", func(t *testing.T) {
			wantSpring(t, do(t, s, http.MethodGet, "clients?orderBy=nickname", ""), http.StatusInternalServerError, clientsPath)
		})
		t.Run("bad sort order", func(t *testing.T) {
			wantSpring(t, do(t, s, http.MethodGet, "clients?orderBy=id&sortOrder=sideways", ""), http.StatusInternalServerError, clientsPath)
		})
		t.Run("unknown qualified column", func(t *testing.T) {
			// ColumnValidator only checks operands of comparisons.
			wantSpring(t, do(t, s, http.MethodGet, "clients?orderBy=c.nickname", ""), http.StatusInternalServerError, clientsPath)
		})
		t.Run("bad list item", func(t *testing.T) {
			wantSpring(t, do(t, s, http.MethodGet, "clients?orderBy=id,", ""), http.StatusInternalServerError, clientsPath)
		})
		t.Run("keyword inside a name", func(t *testing.T) {
			r := do(t, s, http.MethodGet, "clients?orderBy=updatedOn", "")
			if v.AtLeast(upstream.V1_10) { // the SqlValidator has no keyword list: the database refuses
				wantSpring(t, r, http.StatusInternalServerError, clientsPath)
				return
			}
			wantError(t, r, http.StatusBadRequest, "error.msg.found.sql.injection")
			assert.Equal(t, "Unexpected SQL Commands found", r.Body["defaultUserMessage"])
		})
	})
}

// TestListWithoutOrder: without ORDER BY the rows are in no defined order,
// neither id order nor the same order from one page to the next, and the
// ties of a column that is not unique are just as free; only a unique
// tie-breaker makes pages add up to every client exactly once.
func TestListWithoutOrder(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, _ upstream.Version, s *fake.Server) {
		for range 20 {
			s.AddClient(fake.ClientSeed{Firstname: "Same", Lastname: "Name"})
		}
		const total = 25
		walk := func(order string) []float64 {
			var seen []float64
			for offset := 0; offset < total; offset += 5 {
				seen = append(seen, ids(pageItems(t, do(t, s, http.MethodGet, fmt.Sprintf("clients?limit=5&offset=%d%s", offset, order), "")))...)
			}
			return seen
		}
		all := make([]float64, total)
		for i := range all {
			all[i] = float64(i + 1)
		}
		unordered := ids(pageItems(t, do(t, s, http.MethodGet, "clients?limit=25", "")))
		assert.ElementsMatch(t, all, unordered)
		assert.NotEqual(t, all, unordered, "not id order")
		assert.Equal(t, unordered, ids(pageItems(t, do(t, s, http.MethodGet, "clients?limit=25", ""))), "stable for one query")
		assert.NotElementsMatch(t, all, walk(""), "pages repeat and skip rows")
		assert.NotElementsMatch(t, all, walk("&orderBy=displayName"), "ties are unordered")
		assert.ElementsMatch(t, all, walk("&orderBy=displayName+ASC,id&sortOrder=ASC"))
		assert.Equal(t, all, walk("&orderBy=id"))
	})
}

// TestListSQLValidation: 1.10 answers suspicious orderBy, sortOrder and
// externalId with a 403 domain rule; earlier lines only know the 400
// injection check on orderBy/sortOrder and bind externalId as a value.
func TestListSQLValidation(t *testing.T) {
	tests := []struct {
		param, value, pattern string
	}{
		{"orderBy", "id;drop table m_client", "inject-stacked-query"},
		{"orderBy", "id -- x", "inject-comment"},
		{"sortOrder", "ASC union select 1", "detect-column"},
		{"sortOrder", "asc; select sleep(5)", "inject-timing"},
		{"externalId", "x' or 'a' = 'a", "inject-blind"},
		{"externalId", "and x1=1", "inject-blind"},
		{"externalId", "x #1", "inject-comment"},
		{"externalId", "x -1", "inject-comment"},
		{"externalId", "abc(123)", "inject-timing"},
		{"externalId", "')", "detect-entry-point"},
		{"externalId", `["f(x)=F(x)","y"]`, "detect-backend"},
		{"externalId", "a ORDER BY 2", "detect-column"},
		{"externalId", "select\tload_file(x)", "detect-out-of-bands"},
		{"externalId", "a;Delete", "inject-stacked-query"},
		// Accepted: the patterns want a space before a comment, a
		// statement after ";", a letter from both classes before "(digits)".
		{"externalId", "x#1", ""},
		{"externalId", "--", ""},
		{"externalId", "a;b", ""},
		{"externalId", "x(1)", ""},
		{"externalId", "a=a", ""},
		{"externalId", "or 1=2", ""},
		{"externalId", "\u212a (1)", ""}, // Kelvin sign: (?i) folds ASCII only
		{"externalId", `a\\ \%`, ""},
	}
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		for _, tc := range tests {
			t.Run(tc.param+"="+tc.value, func(t *testing.T) {
				q := url.Values{tc.param: {tc.value}}
				if tc.param == "sortOrder" {
					q.Set("orderBy", "id")
				}
				r := do(t, s, http.MethodGet, "clients?"+q.Encode(), "")
				switch {
				case v.AtLeast(upstream.V1_10) && tc.pattern != "":
					wantError(t, r, http.StatusForbidden, "validation.msg.domain.rule.violation",
						item{"error.msg.sql.validation", "SQL validation error: invalid SQL statement (detected '" + tc.pattern + "' pattern)", "id", []any{}})
				case tc.param == "externalId":
					assert.Empty(t, pageItems(t, r))
				default:
					wantError(t, r, http.StatusBadRequest, "error.msg.found.sql.injection")
				}
			})
		}
		t.Run("semicolon survives query parsing", func(t *testing.T) {
			r := do(t, s, http.MethodGet, "clients?orderBy=id;drop", "")
			assert.NotEqual(t, http.StatusOK, r.Status)
		})
	})
}

// TestListSQLSearch: 1.8 accepts raw sqlSearch, rewritten, validated and
// run as ClientReadPlatformServiceImpl does; 1.9+ ignores it.
func TestListSQLSearch(t *testing.T) {
	tests := []struct {
		search string
		want   []float64 // ids, in any order
		status int       // when not 200
		code   string    // with status 400
	}{
		{search: "display_name like '%Lovelace%'", want: []float64{2}},
		{search: "c.status_enum = 100 and c.external_id like 'ext-%'", want: []float64{3}},
		{search: "c.external_id = 'EXT-ACTIVE-001'", want: []float64{1}},
		{search: "c.id in (1,3,5)", want: []float64{1, 3, 5}},
		{search: "c.id IN ( 4 , 2 ,2)", want: []float64{2, 4}},
		{search: "c.id in(2)", want: []float64{2}},
		{search: "c.id in (99)", want: []float64{}},
		{search: "c.external_id in ('ext-ada-001', 'x''y')", want: []float64{2}},
		{search: "c.id in (1,2) and c.status_enum = 300", want: []float64{1, 2}},
		// NULL matches nothing, not even ''.
		{search: "c.middlename = ''", want: []float64{}},
		// ColumnValidator wants every operand qualified by a schema alias.
		{search: "external_id like 'ext-%'", status: http.StatusBadRequest, code: "error.msg.found.sql.injection"},
		{search: "id in (1,2)", status: http.StatusBadRequest, code: "error.msg.found.sql.injection"},
		{search: "x.id in (1,2)", status: http.StatusBadRequest, code: "error.msg.found.sql.injection"},
		{search: "c.nickname = 'x'", status: http.StatusBadRequest, code: "error.msg.found.sql.injection"},
		// The display_name rewrite runs over an already qualified name too.
		{search: "c.display_name like '%Lovelace%'", status: http.StatusBadRequest, code: "error.msg.found.sql.injection"},
		{search: "1=1; delete from m_client", status: http.StatusBadRequest, code: "error.msg.found.sql.injection"},
		{search: "c.id in (1;2)", status: http.StatusBadRequest, code: "error.msg.found.sql.injection"},
		{search: "c.id in ()", status: http.StatusInternalServerError},
		{search: "c.id in (1,)", status: http.StatusInternalServerError},
		{search: "display_name between 'a' and 'b'", status: http.StatusInternalServerError},
	}
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		for _, tc := range tests {
			t.Run(tc.search, func(t *testing.T) {
				r := do(t, s, http.MethodGet, "clients?"+url.Values{"sqlSearch": {tc.search}}.Encode(), "")
				switch {
				case v.AtLeast(upstream.V1_9):
					assert.Len(t, pageItems(t, r), 5, "ignored")
				case tc.status == http.StatusInternalServerError:
					wantSpring(t, r, tc.status, clientsPath)
				case tc.status != 0:
					wantError(t, r, tc.status, tc.code)
				default:
					assert.ElementsMatch(t, tc.want, ids(pageItems(t, r)))
				}
			})
		}
	})
}

func TestListReadPermission(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, _ upstream.Version, s *fake.Server) {
		s.DenyPermission("READ_CLIENT")
		// Permission is checked before the parameters.
		r := do(t, s, http.MethodGet, "clients?status=dormant", "")
		wantError(t, r, http.StatusForbidden, "error.msg.not.authorized",
			item{"error.msg.not.authorized", "User has no authority to READ clients", "id", []any{}})
		assert.Equal(t, "Insufficient privileges to perform this action.", r.Body["defaultUserMessage"])
		assert.Equal(t, "The user associated with credentials passed on this request does not have sufficient privileges to perform this action.",
			r.Body["developerMessage"])
	})
}
