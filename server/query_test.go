package server_test

import (
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/translate"
	"lmsproxy/upstream/fake"
)

// TestQueryStringsThatDoNotParse: a query the standard parser would drop
// pairs of (bad escape, ';', past its parameter limit) is refused naming
// the parameter, on the list and on every route that takes no query,
// before any upstream call; so are repeated, empty and value-less
// parameters. Before, the list answered the whole customer list instead of
// the point lookup asked for, and the other routes ignored the parameter.
func TestQueryStringsThatDoNotParse(t *testing.T) {
	active := "/v1/customers/" + strconv.FormatInt(fake.SeedActiveID, 10)
	tests := []struct {
		name, method, path, body string
		want                     string
	}{
		{"bad escape", "GET", "/v1/customers?externalId=ada%", "", `[{"field":"externalId","error":"malformed percent-encoding"}]`},
		{"bad escape in the middle", "GET", "/v1/customers?externalId=" + fake.SeedActiveExternalID + "%zz", "", `[{"field":"externalId","error":"malformed percent-encoding"}]`},
		{"semicolon", "GET", "/v1/customers?externalId=ada;x=1", "", `[{"field":"externalId","error":"must not contain ';' (send it as %3B)"}]`},
		{"past Go's parameter limit", "GET", "/v1/customers?externalId=" + fake.SeedActiveExternalID + strings.Repeat("&x=1", 10_000), "", `[{"field":"query","error":"must have at most 100 parameters"}]`},
		{"repeated, one copy malformed", "GET", "/v1/customers?externalId=" + fake.SeedActiveExternalID + "&externalId=%zz", "", `[{"field":"externalId","error":"given more than once"}]`},
		{"repeated page", "GET", "/v1/customers?page=1&page=2", "", `[{"field":"page","error":"given more than once"}]`},
		{"empty page", "GET", "/v1/customers?page=", "", `[{"field":"page","error":"must not be empty"}]`},
		{"empty externalId", "GET", "/v1/customers?externalId=", "", `[{"field":"externalId","error":"must not be empty"}]`},
		{"externalId without =", "GET", "/v1/customers?externalId", "", `[{"field":"externalId","error":"must have a value"}]`},
		{"bad escape in a paging value", "GET", "/v1/customers?rows=1%", "", `[{"field":"rows","error":"malformed percent-encoding"}]`},
		{"semicolon in orderBy", "GET", "/v1/customers?orderBy=id;sortOrder=DESC", "", `[{"field":"orderBy","error":"must not contain ';' (send it as %3B)"}]`},
		{"name that does not parse", "GET", "/v1/customers?%zz=1", "", `[{"field":"query","error":"malformed percent-encoding"}]`},
		{"unknown parameter with a bad escape on get", "GET", active + "?fields=%zz", "", `[{"field":"fields","error":"unknown parameter"}]`},
		{"unknown parameter with a semicolon on get", "GET", active + "?a=1;b=2", "", `[{"field":"a","error":"unknown parameter"}]`},
		{"unparseable name on get by externalId", "GET", "/v1/customers/external/" + fake.SeedActiveExternalID + "?%zz", "", `[{"field":"query","error":"malformed percent-encoding"}]`},
		{"past Go's parameter limit on get", "GET", active + "?" + strings.Repeat("x=1&", 10_001), "", `[{"field":"query","error":"must have at most 100 parameters"}]`},
		{"unknown parameter with a bad escape on update", "PUT", active + "?force=%", `{"externalId":"renamed"}`, `[{"field":"force","error":"unknown parameter"}]`},
		{"unknown parameter with a bad escape on close", "POST", active + "/close?x=%G1", `{"closureDate":"2026-11-21","closureReasonId":17}`, `[{"field":"x","error":"unknown parameter"}]`},
		{"unknown parameter with a bad escape on delete", "DELETE", "/v1/customers/" + strconv.FormatInt(fake.SeedPendingID, 10) + "?x=%", "", `[{"field":"x","error":"unknown parameter"}]`},
		{"unknown parameter with a bad escape on create", "POST", "/v1/customers?dryRun=%", `{"externalId":"new-one"}`, `[{"field":"dryRun","error":"unknown parameter"}]`},
	}
	forEachLine(t, func(t *testing.T, s *stack) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s.assertRefusedBeforeUpstream(t, tt.want, func() response { return s.do(tt.method, tt.path, tt.body) })
			})
		}
	})
}

// TestQueryFormEncoding: '+' in a query value is a space and "%2B" a plus
// sign, as in form encoding, so a point lookup finds exactly the
// externalId meant.
func TestQueryFormEncoding(t *testing.T) {
	forEachLine(t, func(t *testing.T, s *stack) {
		spaced := s.sim.AddClient(fake.ClientSeed{ExternalID: "ada lovelace", Firstname: "Ada", Lastname: "Lovelace"})
		plus := s.sim.AddClient(fake.ClientSeed{ExternalID: "ada+lovelace", Firstname: "Ada", Lastname: "Plus"})
		for query, want := range map[string]int64{"ada+lovelace": spaced, "ada%20lovelace": spaced, "ada%2Blovelace": plus} {
			p := listPage(t, s, "?externalId="+query)
			require.Len(t, p.Items, 1, query)
			assert.Equal(t, strconv.FormatInt(want, 10), p.Items[0].ID, query)
		}
	})
}

// TestPointLookupIsAPage: a point lookup is paged like any list, so a
// partner paging until an empty page stops; paging parameters are still
// validated.
func TestPointLookupIsAPage(t *testing.T) {
	forEachLine(t, func(t *testing.T, s *stack) {
		ext := "?externalId=" + fake.SeedActiveExternalID
		first := listPage(t, s, ext+"&rows=1")
		require.Len(t, first.Items, 1)
		assert.Equal(t, int64(1), first.Total)

		r := s.do("GET", "/v1/customers"+ext+"&page=2&rows=1", "")
		require.Equal(t, 200, r.status, r.body)
		assert.JSONEq(t, `{"items":[],"total":1,"page":2,"rowsPerPage":1}`, r.body)

		r = s.do("GET", "/v1/customers?externalId=nope&page=3", "")
		assert.JSONEq(t, `{"items":[],"total":0,"page":3,"rowsPerPage":10}`, r.body)

		r = s.do("GET", "/v1/customers"+ext+"&rows=0&orderBy=name&sortOrder=up", "")
		assert.Equal(t, 400, r.status)
		assert.JSONEq(t, `{"code":"invalid_argument","message":"[{\"field\":\"rows\",\"error\":\"must be an integer from 1 to 100\"},{\"field\":\"orderBy\",\"error\":\"must be one of id, displayName, submittedDate, activationDate\"},{\"field\":\"sortOrder\",\"error\":\"must be ASC or DESC\"}]"}`, r.body)
	})
}

// TestSortOrderAlone: sortOrder without orderBy orders by id.
func TestSortOrderAlone(t *testing.T) {
	forEachLine(t, func(t *testing.T, s *stack) {
		assert.Equal(t, []string{"5", "4", "3"}, listPage(t, s, "?sortOrder=DESC&rows=3").ids())
		assert.Equal(t, []string{"1", "2", "3"}, listPage(t, s, "?sortOrder=ASC&rows=3").ids())
		assert.Equal(t, []string{"1", "2", "3"}, listPage(t, s, "?rows=3").ids(), "no order asked: id order")
	})
}

// TestPagingSeesEachCustomerOnce: a partner paging through every customer,
// in any order it may ask for or none, sees each exactly once. The
// simulator, like a database, returns rows without ORDER BY (and the ties
// of a column that is not unique) in an order that changes from page to
// page, so this holds only because the proxy always sends an order ending
// in the unique id.
func TestPagingSeesEachCustomerOnce(t *testing.T) {
	forEachLine(t, func(t *testing.T, s *stack) {
		for i := range 24 {
			// Same name, same dates: ties on every sortable column but id.
			s.sim.AddClient(fake.ClientSeed{ExternalID: "twin-" + strconv.Itoa(i), Firstname: "Twin", Lastname: "Customer"})
		}
		const total = 29 // with the five seeded customers
		for _, order := range []string{"", "&sortOrder=DESC", "&orderBy=id", "&orderBy=displayName", "&orderBy=displayName&sortOrder=DESC",
			"&orderBy=submittedDate", "&orderBy=activationDate&sortOrder=ASC", "&orderBy=activationDate&sortOrder=DESC"} {
			t.Run(order, func(t *testing.T) {
				var seen []string
				for page := 1; ; page++ {
					p := listPage(t, s, "?rows=4&page="+strconv.Itoa(page)+order)
					assert.Equal(t, int64(total), p.Total)
					if len(p.Items) == 0 {
						break
					}
					require.Less(t, page, total, "paging never ends")
					seen = append(seen, p.ids()...)
				}
				assert.Len(t, seen, total)
				unique := slices.Clone(seen)
				slices.Sort(unique)
				assert.Len(t, slices.Compact(unique), total, "each customer exactly once: %v", seen)
			})
		}
		// Every list the upstream got names an order ending in the id.
		for _, req := range s.sim.Requests() {
			if req.Method == "GET" && strings.HasSuffix(req.Path, "/clients") {
				q, err := url.ParseQuery(req.RawQuery)
				require.NoError(t, err)
				orderBy := q.Get("orderBy")
				assert.True(t, orderBy == "id" || strings.HasSuffix(orderBy, ",id"), req.RawQuery)
				assert.Contains(t, []string{"ASC", "DESC"}, q.Get("sortOrder"), req.RawQuery)
			}
		}
	})
}

type customerPage translate.Page[translate.Customer]

func (p customerPage) ids() []string {
	out := make([]string, len(p.Items))
	for i, c := range p.Items {
		out[i] = c.ID
	}
	return out
}

// listPage GETs /v1/customers with query and decodes the 200 page.
func listPage(t *testing.T, s *stack, query string) customerPage {
	t.Helper()
	r := s.do("GET", "/v1/customers"+query, "")
	require.Equal(t, 200, r.status, r.body)
	var p customerPage
	require.NoError(t, json.Unmarshal([]byte(r.body), &p))
	return p
}
