package translate_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/translate"
	"lmsproxy/upstream/wire"
)

func TestParseListQuery(t *testing.T) {
	tests := []struct {
		query   string
		want    wire.ListQuery
		wantErr string
	}{
		{"", wire.ListQuery{Offset: 0, Limit: 10}, ""},
		{"page=3&rows=25&orderBy=submittedDate&sortOrder=DESC", wire.ListQuery{Offset: 50, Limit: 25, OrderBy: "submittedOnDate", SortOrder: "DESC"}, ""},
		{"rows=100&orderBy=displayName&sortOrder=ASC", wire.ListQuery{Limit: 100, OrderBy: "displayName", SortOrder: "ASC"}, ""},
		{"rows=101", wire.ListQuery{}, `[{"field":"rows","error":"must be an integer from 1 to 100"}]`},
		{"rows=0", wire.ListQuery{}, `[{"field":"rows","error":"must be an integer from 1 to 100"}]`},
		{"page=0", wire.ListQuery{}, `[{"field":"page","error":"must be an integer from 1 to 10000000"}]`},
		{"page=x&rows=-1", wire.ListQuery{}, `[{"field":"page","error":"must be an integer from 1 to 10000000"},{"field":"rows","error":"must be an integer from 1 to 100"}]`},
		{"orderBy=c.id%3Bdrop", wire.ListQuery{}, `[{"field":"orderBy","error":"must be one of id, displayName, submittedDate, activationDate"}]`},
		{"sortOrder=asc", wire.ListQuery{}, `[{"field":"sortOrder","error":"must be ASC or DESC"}]`},
		{"limit=5&sqlSearch=1", wire.ListQuery{}, `[{"field":"limit","error":"unknown parameter"},{"field":"sqlSearch","error":"unknown parameter"}]`},
		{"page=1&page=2", wire.ListQuery{}, `[{"field":"page","error":"given more than once"}]`},
		{"externalId=", wire.ListQuery{}, `[{"field":"externalId","error":"must not be empty"}]`},
		{"externalId=" + strings.Repeat("x", 101), wire.ListQuery{}, `[{"field":"externalId","error":"must be 1 to 100 characters (UTF-16 code units: an emoji counts as 2)"}]`},
		{"externalId=%20x", wire.ListQuery{}, `[{"field":"externalId","error":"must not begin or end with white space"}]`},
		{"externalId=ada%", wire.ListQuery{}, `[{"field":"externalId","error":"malformed percent-encoding"}]`},
		{"externalId=ada;x=1", wire.ListQuery{}, `[{"field":"externalId","error":"must not contain ';' (send it as %3B)"}]`},
		{"rows=5&page", wire.ListQuery{}, `[{"field":"page","error":"must have a value"}]`},
		// Parse problems and value problems together, in query order then
		// field order.
		{"sort=x&rows=101&page=%zz", wire.ListQuery{}, `[{"field":"sort","error":"unknown parameter"},{"field":"page","error":"malformed percent-encoding"},{"field":"rows","error":"must be an integer from 1 to 100"}]`},
		{"page=2&rows=5&externalId=ada%2B1+x", wire.ListQuery{Offset: 5, Limit: 5}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got, perr := translate.ParseListQuery(tt.query)
			if tt.wantErr != "" {
				require.NotNil(t, perr)
				assert.Equal(t, tt.wantErr, perr.Message)
				return
			}
			require.Nil(t, perr)
			assert.Equal(t, tt.want, got.Upstream())
		})
	}
}

func TestCustomerPage(t *testing.T) {
	var p wire.Page[wire.ClientData]
	require.NoError(t, json.Unmarshal([]byte(`{"totalFilteredRecords":1284,"pageItems":[{"id":42,"accountNo":"000000042","status":{"id":300,"code":"clientStatusType.active","value":"Active"},"active":true,"officeId":1,"displayName":"Ada Lovelace","activationDate":[2026,5,22]}]}`), &p))
	got, err := json.Marshal(translate.CustomerPage(p, translate.ListRequest{Page: 1, Rows: 25}))
	require.NoError(t, err)
	assert.JSONEq(t, `{"items":[{"id":"42","accountNo":"000000042","status":"Active","active":true,"officeId":"1","displayName":"Ada Lovelace","activationDate":"2026-05-22"}],"total":1284,"page":1,"rowsPerPage":25}`, string(got))
}

// TestPointLookupPage: a point lookup is a list of at most one, paged like
// any other, so page 2 is empty whether or not there was a match.
func TestPointLookupPage(t *testing.T) {
	found := &wire.ClientData{ID: 1, ExternalID: "x"}
	tests := []struct {
		name  string
		found *wire.ClientData
		page  int
		want  string
	}{
		{"miss", nil, 1, `{"items":[],"total":0,"page":1,"rowsPerPage":5}`},
		{"miss, page 2", nil, 2, `{"items":[],"total":0,"page":2,"rowsPerPage":5}`},
		{"match", found, 1, `{"items":[{"id":"1","externalId":"x","status":"Unknown","active":false}],"total":1,"page":1,"rowsPerPage":5}`},
		{"match, page 2", found, 2, `{"items":[],"total":1,"page":2,"rowsPerPage":5}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := translate.ListRequest{Page: tt.page, Rows: 5, ExternalID: "x", HasExternalID: true}
			got, err := json.Marshal(translate.PointLookupPage(tt.found, req))
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, string(got))
		})
	}
}
