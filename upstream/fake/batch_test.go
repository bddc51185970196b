package fake_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream"
	"lmsproxy/upstream/fake"
)

// batchItem is one BatchRequest.
type batchItem struct {
	RequestID   int64  `json:"requestId"`
	RelativeURL string `json:"relativeUrl"`
	Method      string `json:"method"`
	Reference   *int64 `json:"reference,omitempty"`
	Body        string `json:"body,omitempty"`
}

// batchAnswer is one BatchResponse.
type batchAnswer struct {
	RequestID  *int64 `json:"requestId"`
	StatusCode int    `json:"statusCode"`
	Body       string `json:"body"`
}

func ref(id int64) *int64 { return &id }

// origination is submit → approve → disburse, the later two referencing
// the first's loanId; disburseDate lets a test make the last step fail.
func origination(t *testing.T, v upstream.Version, disburseDate string) []batchItem {
	prefix := ""
	if v.AtLeast(upstream.V1_9) {
		prefix = "v1/"
	}
	return []batchItem{
		{RequestID: 1, RelativeURL: prefix + "loans", Method: http.MethodPost, Body: submitBody(t, v, map[string]any{"externalId": "b-1"})},
		{RequestID: 2, RelativeURL: prefix + "loans/$.loanId?command=approve", Method: http.MethodPost, Reference: ref(1),
			Body: dated("approvedOnDate")},
		{RequestID: 3, RelativeURL: prefix + "loans/$.loanId?command=disburse", Method: http.MethodPost, Reference: ref(2),
			Body: `{"actualDisbursementDate":"` + disburseDate + `","dateFormat":"yyyy-MM-dd","locale":"en","paymentTypeId":"$.clientId"}`},
	}
}

func postBatch(t *testing.T, s *fake.Server, enclosing bool, items []batchItem) []batchAnswer {
	t.Helper()
	raw, err := json.Marshal(items)
	require.NoError(t, err)
	path := "batches"
	if enclosing {
		path += "?enclosingTransaction=true"
	}
	r := do(t, s, http.MethodPost, path, string(raw))
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
	var out []batchAnswer
	require.NoError(t, json.Unmarshal(r.Raw, &out), "body: %s", r.Raw)
	return out
}

// TestBatchOrigination: one enclosing batch originates an Active loan, the
// references resolved from the answers before.
func TestBatchOrigination(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		out := postBatch(t, s, true, origination(t, v, loanToday))
		require.Len(t, out, 3)
		for i, a := range out {
			assert.Equal(t, int64(i+1), *a.RequestID)
			assert.Equal(t, http.StatusOK, a.StatusCode, "body: %s", a.Body)
		}
		assert.Contains(t, out[0].Body, `"loanId":2`)
		got := do(t, s, http.MethodGet, "loans/2?associations=transactions", "").Body
		assert.Equal(t, "Active", got["status"].(map[string]any)["value"])
		assert.Equal(t, "Money Transfer", got["transactions"].([]any)[0].(map[string]any)["paymentDetailData"].(map[string]any)["paymentType"].(map[string]any)["name"],
			"the body reference $.clientId resolved to 1")
		assert.Equal(t, 3, s.Writes())
		loans := s.Loans(fake.SeedActiveID)
		require.Len(t, loans, 1)
		assert.Equal(t, fake.LoanActive, loans[0].Status)
		assert.Equal(t, "b-1", loans[0].ExternalID)
	})
}

// TestBatchRollback: a failing step rolls every step back and the answer is
// one response, shaped per line.
func TestBatchRollback(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		out := postBatch(t, s, true, origination(t, v, "2024-10-25"))
		require.Len(t, out, 1)
		a := out[0]
		switch {
		case !v.AtLeast(upstream.V1_9):
			assert.Nil(t, a.RequestID)
			assert.Equal(t, http.StatusBadRequest, a.StatusCode)
			assert.True(t, strings.HasPrefix(a.Body, "Transaction is being rolled back. First erroneous request: \n"), a.Body)
		case !v.AtLeast(upstream.V1_10):
			assert.Equal(t, int64(3), *a.RequestID)
			assert.Equal(t, http.StatusForbidden, a.StatusCode)
			assert.Contains(t, a.Body, `"userMessageGlobalisationCode":"validation.msg.domain.rule.violation"`)
		default:
			assert.Equal(t, int64(3), *a.RequestID)
			assert.Equal(t, http.StatusForbidden, a.StatusCode)
			assert.True(t, strings.HasPrefix(a.Body, "Transaction is being rolled back. First erroneous request: \n"), a.Body)
		}
		assert.Contains(t, a.Body, "error.msg.loan.disbursal.cannot.be.a.future.date")
		assert.Equal(t, http.StatusNotFound, do(t, s, http.MethodGet, "loans/2", "").Status, "the submitted loan is rolled back")
		assert.Empty(t, s.Loans(fake.SeedActiveID), "no loan stranded")
		assert.Equal(t, 0, s.Writes())

		// The external id is free again; the rolled-back id stays used up.
		assert.Equal(t, int64(3), submit(t, s, v, map[string]any{"externalId": "b-1"}))
	})
}

// TestBatchWithoutTransaction: each step stands; the children of a failed
// request are answered without running (1.8: 409; 1.9+: the parent's status).
func TestBatchWithoutTransaction(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		items := origination(t, v, loanToday)
		items[1].Body = strings.Replace(items[1].Body, loanToday, "2024-10-25", 1) // approve fails
		out := postBatch(t, s, false, items)
		require.Len(t, out, 3)
		assert.Equal(t, http.StatusOK, out[0].StatusCode)
		assert.Equal(t, http.StatusForbidden, out[1].StatusCode)
		wantChild := http.StatusConflict
		if v.AtLeast(upstream.V1_9) {
			wantChild = http.StatusForbidden
		}
		assert.Equal(t, wantChild, out[2].StatusCode)
		assert.Equal(t, "Parent request with id 2 was erroneous!", out[2].Body)
		assert.Equal(t, "Submitted and pending approval", do(t, s, http.MethodGet, "loans/2", "").Body["status"].(map[string]any)["value"])
	})
}

// TestBatchStrategies: a request no strategy serves is a 501 item (undo
// approval has none on any line); 1.8 has no "v1/" URLs. An enclosing batch
// with one commits the rest on 1.8 and rolls back on 1.9+.
func TestBatchStrategies(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		items := []batchItem{
			{RequestID: 1, RelativeURL: "loans", Method: http.MethodPost, Body: submitBody(t, v, nil)},
			{RequestID: 2, RelativeURL: "loans/2?command=undoapproval", Method: http.MethodPost, Body: "{}"},
			{RequestID: 3, RelativeURL: "v1/loans/1", Method: http.MethodGet},
		}
		out := postBatch(t, s, true, items)
		require.Len(t, out, 3)
		assert.Equal(t, http.StatusOK, out[0].StatusCode, "unprefixed URLs work on every line")
		assert.Equal(t, http.StatusNotImplemented, out[1].StatusCode)
		assert.Equal(t, "Resource with method POST and relativeUrl loans/2?command=undoapproval doesn't exist", out[1].Body)
		loan := do(t, s, http.MethodGet, "loans/2", "")
		if v.AtLeast(upstream.V1_9) {
			assert.Equal(t, http.StatusOK, out[2].StatusCode)
			assert.Equal(t, http.StatusNotFound, loan.Status, "1.9+ rolls back")
			return
		}
		assert.Equal(t, http.StatusNotImplemented, out[2].StatusCode, "1.8 has no v1/ strategies")
		assert.Equal(t, http.StatusOK, loan.Status, "1.8 commits: no exception, no rollback")
	})
}

// TestBatchReads: a read batch of loans, with associations.
func TestBatchReads(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		out := postBatch(t, s, false, []batchItem{
			{RequestID: 1, RelativeURL: "loans/1?associations=repaymentSchedule,transactions", Method: http.MethodGet},
			{RequestID: 2, RelativeURL: "loans/99", Method: http.MethodGet},
		})
		require.Len(t, out, 2)
		assert.Equal(t, http.StatusOK, out[0].StatusCode)
		var loan map[string]any
		require.NoError(t, json.Unmarshal([]byte(out[0].Body), &loan))
		assert.Contains(t, loan, "repaymentSchedule")
		assert.Equal(t, http.StatusNotFound, out[1].StatusCode)
		assert.Contains(t, out[1].Body, "Loan with identifier 99 does not exist")
	})
}

// TestBatchRollbackForgetsIdempotencyKeys: a rolled-back batch leaves no
// stored answer behind that a retry would replay (1.9+).
func TestBatchRollbackForgetsIdempotencyKeys(t *testing.T) {
	forEachVersion(t, []upstream.Version{upstream.V1_9, upstream.V1_10}, func(t *testing.T, v upstream.Version, s *fake.Server) {
		items := origination(t, v, "2024-10-25")
		raw, err := json.Marshal(items)
		require.NoError(t, err)
		withKey := strings.Replace(string(raw), `"requestId":1,`, `"requestId":1,"headers":[{"name":"Idempotency-Key","value":"k"}],`, 1)
		require.Len(t, decodeBatch(t, do(t, s, http.MethodPost, "batches?enclosingTransaction=true", withKey)), 1)
		out := decodeBatch(t, do(t, s, http.MethodPost, "batches?enclosingTransaction=true",
			strings.Replace(withKey, "2024-10-25", loanToday, 1)))
		require.Len(t, out, 3)
		assert.Equal(t, http.StatusOK, out[2].StatusCode, "body: %s", out[2].Body)
		require.Len(t, s.Loans(fake.SeedActiveID), 1, "the retry really submitted")
	})
}

func decodeBatch(t *testing.T, r resp) []batchAnswer {
	t.Helper()
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
	var out []batchAnswer
	require.NoError(t, json.Unmarshal(r.Raw, &out), "body: %s", r.Raw)
	return out
}
