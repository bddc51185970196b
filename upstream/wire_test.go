package upstream_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream"
	"lmsproxy/upstream/wire"
)

func TestDateDecoding(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{`[2024,1,5]`, "2024-01-05", false},
		{`[2024, 12, 31]`, "2024-12-31", false},
		{`"2024-01-05"`, "2024-01-05", false},
		{`null`, "", false},
		{`[2024,2,30]`, "", true},
		{`[2024,1]`, "", true},
		{`"05 January 2024"`, "", true},
		{`20240105`, "", true},
		{`{"y":2024}`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var d wire.Date
			err := json.Unmarshal([]byte(tt.in), &d)
			if tt.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, d.ISO())
		})
	}
}

func TestDateRoundTrip(t *testing.T) {
	b, err := json.Marshal(wire.Date{Year: 2024, Month: 3, Day: 4})
	require.NoError(t, err)
	assert.Equal(t, `[2024,3,4]`, string(b))
}

func TestParseVersion(t *testing.T) {
	for in, want := range map[string]upstream.Version{"1.8": upstream.V1_8, "1.8.4": upstream.V1_8, "1.9": upstream.V1_9, "1.10.1": upstream.V1_10, "1.11": {Major: 1, Minor: 11}} {
		got, err := upstream.ParseVersion(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "auto", "1", "1.7", "1.x", "v1.10", "1.10.1.2", "-1.9"} {
		_, err := upstream.ParseVersion(bad)
		assert.Error(t, err, bad)
	}
	assert.False(t, upstream.V1_8.HasExternalIDRoutes())
	assert.True(t, upstream.V1_9.HasExternalIDRoutes())
	assert.True(t, upstream.Version{Major: 1, Minor: 11}.HonoursIdempotencyKey())
	assert.True(t, upstream.V1_10.UnlimitedWithoutLimit())
	assert.False(t, upstream.V1_9.UnlimitedWithoutLimit())
}

func TestParseError(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		body       string
		wantShape  wire.Shape
		wantCode   string
		wantFirst  string
		wantParams []wire.ParamError
	}{
		{
			name:   "1.9+ pretty envelope, null arg omitted",
			status: 404,
			body: `{
  "developerMessage" : "The requested resource is not available.",
  "httpStatusCode" : "404",
  "defaultUserMessage" : "The requested resource is not available.",
  "userMessageGlobalisationCode" : "error.msg.resource.not.found",
  "errors" : [ {
    "developerMessage" : "Client with identifier null does not exist",
    "defaultUserMessage" : "Client with identifier null does not exist",
    "userMessageGlobalisationCode" : "error.msg.client.id.invalid",
    "parameterName" : "id",
    "args" : [ { } ]
  } ]
}`,
			wantShape: wire.ShapeEnvelope, wantCode: "error.msg.resource.not.found", wantFirst: "error.msg.client.id.invalid",
			wantParams: []wire.ParamError{{Code: "error.msg.client.id.invalid", Message: "Client with identifier null does not exist", Parameter: "id", Args: []any{nil}}},
		},
		{
			name:      "1.8 compact envelope with nulls",
			status:    404,
			body:      `{"developerMessage":"The requested resource is not available.","httpStatusCode":"404","defaultUserMessage":"The requested resource is not available.","userMessageGlobalisationCode":"error.msg.resource.not.found","errors":[{"developerMessage":"Client with identifier 99 does not exist","defaultUserMessage":"Client with identifier 99 does not exist","userMessageGlobalisationCode":"error.msg.client.id.invalid","parameterName":"id","value":null,"args":[{"value":99}]}]}`,
			wantShape: wire.ShapeEnvelope, wantCode: "error.msg.resource.not.found", wantFirst: "error.msg.client.id.invalid",
			wantParams: []wire.ParamError{{Code: "error.msg.client.id.invalid", Message: "Client with identifier 99 does not exist", Parameter: "id", Args: []any{float64(99)}}},
		},
		{
			name:      "1.8 401 envelope with empty errors",
			status:    401,
			body:      `{"developerMessage":"Invalid authentication details were passed in api request.","httpStatusCode":"401","defaultUserMessage":"Unauthenticated. Please login.","userMessageGlobalisationCode":"error.msg.not.authenticated","errors":[]}`,
			wantShape: wire.ShapeEnvelope, wantCode: "error.msg.not.authenticated", wantFirst: "error.msg.not.authenticated",
		},
		{
			name:      "bare parameter error",
			status:    400,
			body:      `{"developerMessage":"The JSON provided in the body of the request is invalid or missing.","defaultUserMessage":"The JSON provided in the body of the request is invalid or missing.","userMessageGlobalisationCode":"error.msg.invalid.request.body","parameterName":"id","args":[]}`,
			wantShape: wire.ShapeParameterError, wantCode: "error.msg.invalid.request.body", wantFirst: "error.msg.invalid.request.body",
			wantParams: []wire.ParamError{{Code: "error.msg.invalid.request.body", Message: "The JSON provided in the body of the request is invalid or missing.", Parameter: "id"}},
		},
		{
			name:      "spring boot default JSON",
			status:    401,
			body:      `{"timestamp":1641671332070,"status":401,"error":"Unauthorized","path":"/fineract-provider/api/v1/clients"}`,
			wantShape: wire.ShapeSpringBoot,
		},
		{name: "HTML from a load balancer", status: 502, body: "<html><body><h1>502 Bad Gateway</h1></body></html>", wantShape: wire.ShapeOther},
		{name: "empty", status: 503, body: "", wantShape: wire.ShapeOther},
		{name: "truncated JSON", status: 500, body: `{"developerMessage":"An unexp`, wantShape: wire.ShapeOther},
		{name: "JSON array", status: 500, body: `[1,2]`, wantShape: wire.ShapeOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := wire.ParseError("clients.get", tt.status, []byte(tt.body))
			assert.Equal(t, tt.status, e.Status)
			assert.Equal(t, tt.wantShape, e.Shape)
			assert.Equal(t, tt.wantCode, e.Code)
			assert.Equal(t, tt.wantFirst, e.FirstCode())
			assert.Equal(t, tt.wantParams, e.Params)
			assert.Contains(t, e.Error(), "upstream clients.get: status")
		})
	}
}

// A write's result decodes in every line's shape: externalIds are strings
// from the ToApiJsonSerializer (1.9+), but from 1.10 a maker-checker answer
// is written by plain Gson (RollbackTransactionNotApprovedExceptionMapper),
// so they are ExternalId objects: {} when empty, {"value":"x"} when set.
func TestCommandResultDecoding(t *testing.T) {
	tests := []struct {
		name, body       string
		want             wire.CommandResult
		awaitingApproval bool
		wantErr          bool
	}{
		{name: "1.8 create", body: `{"officeId":1,"clientId":6,"resourceId":6}`,
			want: wire.CommandResult{OfficeID: 1, ClientID: 6, ResourceID: 6}},
		{name: "1.10 create", body: `{"officeId":1,"clientId":6,"resourceId":6,"resourceExternalId":"ext-6"}`,
			want: wire.CommandResult{OfficeID: 1, ClientID: 6, ResourceID: 6, ResourceExternalID: "ext-6"}},
		{name: "1.10 update with changes", body: `{"officeId":1,"clientId":1,"resourceId":1,"changes":{"externalId":"b"},"resourceExternalId":"b"}`,
			want: wire.CommandResult{OfficeID: 1, ClientID: 1, ResourceID: 1, Changes: map[string]any{"externalId": "b"}, ResourceExternalID: "b"}},
		{name: "1.8 and 1.9 maker-checker", body: `{"commandId":3,"resourceId":7,"rollbackTransaction":false}`,
			want: wire.CommandResult{CommandID: 3, ResourceID: 7}, awaitingApproval: true},
		{name: "1.10 maker-checker create", body: `{"commandId":3,"rollbackTransaction":true,"resourceExternalId":{},"subResourceExternalId":{}}`,
			want: wire.CommandResult{CommandID: 3, RollbackTransaction: true}, awaitingApproval: true},
		{name: "1.10 maker-checker update", body: `{"commandId":4,"resourceId":1,"rollbackTransaction":true,"resourceExternalId":{},"subResourceExternalId":{}}`,
			want: wire.CommandResult{CommandID: 4, ResourceID: 1, RollbackTransaction: true}, awaitingApproval: true},
		{name: "ExternalId object with a value", body: `{"commandId":4,"resourceExternalId":{"value":"ext-1"},"subResourceExternalId":{"value":null}}`,
			want: wire.CommandResult{CommandID: 4, ResourceExternalID: "ext-1"}, awaitingApproval: true},
		{name: "null externalIds", body: `{"clientId":1,"resourceExternalId":null,"subResourceExternalId":null}`,
			want: wire.CommandResult{ClientID: 1}},
		{name: "externalId a number", body: `{"clientId":1,"resourceExternalId":7}`, wantErr: true},
		{name: "externalId object with a number", body: `{"clientId":1,"resourceExternalId":{"value":7}}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got wire.CommandResult
			err := json.Unmarshal([]byte(tt.body), &got)
			if tt.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.awaitingApproval, got.AwaitingApproval())
		})
	}
}
