package wire_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream/wire"
)

// TestBatchResponses: a batch answer decodes per item; the first failure
// is found in request order and unwrapped from a rollback answer, which
// stays as it is when what it wraps is not a response.
func TestBatchResponses(t *testing.T) {
	tests := []struct {
		name, body      string
		wantErr         string
		failed          bool
		wantID          int64
		wantStatus      int
		wantFailedShape wire.Shape
	}{
		{name: "all succeeded", body: `[{"requestId":1,"statusCode":200,"body":"{\"loanId\":5}"},{"requestId":2,"statusCode":200,"headers":[{"name":"Content-Type","value":"application/json"}],"body":"{}"}]`},
		{name: "first failure by request id", body: `[{"requestId":3,"statusCode":404,"body":"x"},{"requestId":2,"statusCode":400,"body":"{\"httpStatusCode\":\"400\",\"errors\":[]}"}]`,
			failed: true, wantID: 2, wantStatus: 400, wantFailedShape: wire.ShapeEnvelope},
		{name: "rollback answer", body: `[{"statusCode":400,"body":"Transaction is being rolled back. First erroneous request: \n{\"requestId\":2,\"statusCode\":500,\"body\":\"{\\\"httpStatusCode\\\":\\\"403\\\",\\\"errors\\\":[]}\"}"}]`,
			failed: true, wantID: 2, wantStatus: 403, wantFailedShape: wire.ShapeEnvelope},
		{name: "rollback answer wrapping nothing", body: `[{"statusCode":400,"body":"Transaction is being rolled back. First erroneous request: \n{\"Exception\": x}"}]`,
			failed: true, wantID: 0, wantStatus: 400, wantFailedShape: wire.ShapeOther},
		{name: "an envelope naming no error status keeps the item's", body: `[{"requestId":1,"statusCode":500,"body":"{\"httpStatusCode\":\"200\",\"errors\":[]}"}]`,
			failed: true, wantID: 1, wantStatus: 500, wantFailedShape: wire.ShapeEnvelope},
		{name: "null", body: `null`, wantErr: "not a list"},
		{name: "item without status", body: `[{"requestId":1,"body":"{}"}]`, wantErr: "batch response 0 carries no status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rs wire.BatchResponses
			require.NoError(t, json.Unmarshal([]byte(tt.body), &rs))
			err := rs.WellFormed()
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			failed, ok := rs.FirstFailure()
			require.Equal(t, tt.failed, ok)
			if !ok {
				return
			}
			assert.Equal(t, tt.wantID, failed.RequestID)
			e := failed.Error("loans.approve")
			assert.Equal(t, "loans.approve", e.Op)
			assert.Equal(t, tt.wantStatus, e.Status)
			assert.Equal(t, tt.wantFailedShape, e.Shape)
		})
	}
}
