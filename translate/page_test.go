package translate_test

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/translate"
	"lmsproxy/upstream"
)

func TestParseListQuery(t *testing.T) {
	tests := []struct {
		query   string
		want    upstream.ListQuery
		wantErr string
	}{
		{"", upstream.ListQuery{Offset: 0, Limit: 10}, ""},
		{"page=3&rows=25&orderBy=submittedDate&sortOrder=DESC", upstream.ListQuery{Offset: 50, Limit: 25, OrderBy: "submittedOnDate", SortOrder: "DESC"}, ""},
		{"rows=100&orderBy=displayName&sortOrder=ASC", upstream.ListQuery{Limit: 100, OrderBy: "displayName", SortOrder: "ASC"}, ""},
		{"rows=101", upstream.ListQuery{}, `[{"field":"rows","error":"must be an integer from 1 to 100"}]`},
		{"rows=0", upstream.ListQuery{}, `[{"field":"rows","error":"must be an integer from 1 to 100"}]`},
		{"page=0", upstream.ListQuery{}, `[{"field":"page","error":"must be an integer from 1 to 10000000"}]`},
		{"page=x&rows=-1", upstream.ListQuery{}, `[{"field":"page","error":"must be an integer from 1 to 10000000"},{"field":"rows","error":"must be an integer from 1 to 100"}]`},
		{"orderBy=c.id%3Bdrop", upstream.ListQuery{}, `[{"field":"orderBy","error":"must be one of id, displayName, submittedDate, activationDate"}]`},
		{"sortOrder=asc", upstream.ListQuery{}, `[{"field":"sortOrder","error":"must be ASC or DESC"}]`},
		{"limit=5&sqlSearch=1", upstream.ListQuery{}, `[{"field":"limit","error":"unknown parameter"},{"field":"sqlSearch","error":"unknown parameter"}]`},
		{"page=1&page=2", upstream.ListQuery{}, `[{"field":"page","error":"given more than once"}]`},
		{"externalId=", upstream.ListQuery{}, `[{"field":"externalId","error":"must be 1 to 100 characters (UTF-16 code units: an emoji counts as 2)"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			require.NoError(t, err)
			got, perr := translate.ParseListQuery(q)
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
	var p upstream.ClientPage
	require.NoError(t, json.Unmarshal([]byte(`{"totalFilteredRecords":1284,"pageItems":[{"id":42,"accountNo":"000000042","status":{"id":300,"code":"clientStatusType.active","value":"Active"},"active":true,"officeId":1,"displayName":"Ada Lovelace","activationDate":[2026,5,22]}]}`), &p))
	got, err := json.Marshal(translate.CustomerPage(p, translate.ListRequest{Page: 1, Rows: 25}))
	require.NoError(t, err)
	assert.JSONEq(t, `{"items":[{"id":"42","accountNo":"000000042","status":"Active","active":true,"officeId":"1","displayName":"Ada Lovelace","activationDate":"2026-05-22"}],"total":1284,"page":1,"rowsPerPage":25}`, string(got))
}

func TestPointLookupPage(t *testing.T) {
	req := translate.ListRequest{Page: 2, Rows: 5, ExternalID: "x", HasExternalID: true}
	empty, err := json.Marshal(translate.PointLookupPage(nil, req))
	require.NoError(t, err)
	assert.JSONEq(t, `{"items":[],"total":0,"page":2,"rowsPerPage":5}`, string(empty))
	one, err := json.Marshal(translate.PointLookupPage(&upstream.ClientData{ID: 1, ExternalID: "x"}, req))
	require.NoError(t, err)
	assert.JSONEq(t, `{"items":[{"id":"1","externalId":"x","status":"Unknown","active":false}],"total":1,"page":2,"rowsPerPage":5}`, string(one))
}
