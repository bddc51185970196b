package upstream

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream/wire"
)

// batchServer answers POST /v1/batches with status and answer, recording
// each request's URI and logical requests.
func batchServer(t *testing.T, line Version, status int, answer string) (*Client, func() ([]string, [][]wire.BatchRequest)) {
	t.Helper()
	var mu sync.Mutex
	var uris []string
	var bodies [][]wire.BatchRequest
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var reqs []wire.BatchRequest
		raw, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(raw, &reqs)
		mu.Lock()
		uris = append(uris, r.Method+" "+r.URL.RequestURI())
		bodies = append(bodies, reqs)
		mu.Unlock()
		w.WriteHeader(status)
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{BaseURL: srv.URL, Tenant: "default", Username: "u", Password: "p", Version: line,
		Retry: RetryPolicy{MaxAttempts: 3, WaitMin: 1, WaitMax: 2}})
	require.NoError(t, err)
	return c, func() ([]string, [][]wire.BatchRequest) {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), uris...), append([][]wire.BatchRequest(nil), bodies...)
	}
}

// items is a batch answer of (requestId, statusCode, body) triples.
func items(t *testing.T, rs ...wire.BatchResponse) string {
	t.Helper()
	b, err := json.Marshal(rs)
	require.NoError(t, err)
	return string(b)
}

// Error bodies as each line's batch error handler writes them: 1.8.4 with
// Gson pretty-printing and a domain rule under statusCode 500.
const (
	futureDisbursal18 = "{\n  \"developerMessage\": \"Request was understood but caused a domain rule violation.\",\n  \"httpStatusCode\": \"403\",\n  \"defaultUserMessage\": \"Errors contain reason for domain rule violation.\",\n  \"userMessageGlobalisationCode\": \"validation.msg.domain.rule.violation\",\n  \"errors\": [\n    {\n      \"developerMessage\": \"The date on which a loan with identifier : 000000501 is disbursed cannot be in the future.\",\n      \"defaultUserMessage\": \"The date on which a loan with identifier : 000000501 is disbursed cannot be in the future.\",\n      \"userMessageGlobalisationCode\": \"error.msg.loan.disbursal.cannot.be.a.future.date\",\n      \"parameterName\": \"id\",\n      \"args\": []\n    }\n  ]\n}"
	approveState110   = `{"developerMessage":"The request was invalid. This typically will happen due to validation errors which are provided.","httpStatusCode":"400","defaultUserMessage":"Validation errors exist.","userMessageGlobalisationCode":"validation.msg.validation.errors.exist","errors":[{"developerMessage":"Loan Account Approval is not allowed. Loan Account is not in submitted and pending approval state.","defaultUserMessage":"Loan Account Approval is not allowed. Loan Account is not in submitted and pending approval state.","userMessageGlobalisationCode":"error.msg.loan.approve.account.is.not.submitted.and.pending.state","parameterName":"id","args":[{"value":501}]}]}`
	unknownProduct    = `{"developerMessage":"The requested resource is not available.","httpStatusCode":"404","defaultUserMessage":"The requested resource is not available.","userMessageGlobalisationCode":"error.msg.resource.not.found","errors":[{"developerMessage":"Loan product with identifier 99 does not exist","defaultUserMessage":"Loan product with identifier 99 does not exist","userMessageGlobalisationCode":"error.msg.loanproduct.id.invalid","parameterName":"id","args":[{"value":99}]}]}`
	approved501       = `{"officeId":1,"clientId":42,"loanId":501,"resourceId":501,"changes":{"status":{"id":200}}}`
)

// rolledBack18 is 1.8.4's one answer for a batch whose step failed: the
// enclosing transaction was marked rollback-only, so its commit threw and
// the first failed response comes wrapped.
func rolledBack18(t *testing.T, failed wire.BatchResponse) wire.BatchResponse {
	inner, err := json.Marshal(failed)
	require.NoError(t, err)
	return wire.BatchResponse{StatusCode: 400, Body: "Transaction is being rolled back. First erroneous request: \n" + string(inner)}
}

// TestOriginateLoan: one batch, one transaction, steps chained by
// $.loanId; a failed batch is the failed step's error as that call alone
// would give it, with nothing applied.
func TestOriginateLoan(t *testing.T) {
	ctx := WithIdempotencyKey(context.Background(), "partner-key-1")
	app := wire.LoanApplication{ClientID: 42, ProductID: 1, LoanType: wire.LoanTypeIndividual, Principal: "10000", ExternalID: "halotel-tx-12345"}
	approve := wire.LoanApprove{ApprovedOnDate: "2026-05-25", DateFormat: wire.DateFormat, Locale: wire.Locale}
	disburse := wire.LoanDisburse{ActualDisbursementDate: "2026-05-25", PaymentTypeID: 1, DateFormat: wire.DateFormat, Locale: wire.Locale}

	type want struct {
		op, code     string
		status       int
		shape        wire.Shape
		maybeApplied bool
		// held: a step was stored for approval (Origination.Held).
		held bool
	}
	tests := []struct {
		name    string
		line    Version
		status  int
		answer  func(t *testing.T) string
		wantErr *want
	}{
		{name: "1.8 originated", line: V1_8, status: 200, answer: func(t *testing.T) string {
			return items(t, wire.BatchResponse{RequestID: 1, StatusCode: 200, Body: submitted},
				wire.BatchResponse{RequestID: 2, StatusCode: 200, Body: approved501},
				wire.BatchResponse{RequestID: 3, StatusCode: 200, Body: disbursed18})
		}},
		{name: "1.10 originated", line: V1_10, status: 200, answer: func(t *testing.T) string {
			return items(t, wire.BatchResponse{RequestID: 1, StatusCode: 200, Body: submitted},
				wire.BatchResponse{RequestID: 2, StatusCode: 200, Body: approved501},
				wire.BatchResponse{RequestID: 3, StatusCode: 200, Body: disbursed110})
		}},
		{name: "1.8 disbursement refused: rolled back, the status the envelope names", line: V1_8, status: 200, answer: func(t *testing.T) string {
			return items(t, rolledBack18(t, wire.BatchResponse{RequestID: 3, StatusCode: 500, Body: futureDisbursal18}))
		}, wantErr: &want{op: "loans.disburse", code: "error.msg.loan.disbursal.cannot.be.a.future.date", status: 403, shape: wire.ShapeEnvelope}},
		{name: "1.10 approval refused after a 200 that was rolled back", line: V1_10, status: 200, answer: func(t *testing.T) string {
			return items(t, wire.BatchResponse{RequestID: 1, StatusCode: 200, Body: submitted},
				wire.BatchResponse{RequestID: 2, StatusCode: 400, Body: approveState110})
		}, wantErr: &want{op: "loans.approve", code: "error.msg.loan.approve.account.is.not.submitted.and.pending.state", status: 400, shape: wire.ShapeEnvelope}},
		{name: "1.10 unknown product", line: V1_10, status: 200, answer: func(t *testing.T) string {
			return items(t, wire.BatchResponse{RequestID: 1, StatusCode: 404, Body: unknownProduct})
		}, wantErr: &want{op: "loans.submit", code: "error.msg.loanproduct.id.invalid", status: 404, shape: wire.ShapeEnvelope}},
		{name: "1.8 children of a failed parent say 409; the parent's error counts", line: V1_8, status: 200, answer: func(t *testing.T) string {
			return items(t, wire.BatchResponse{RequestID: 1, StatusCode: 404, Body: unknownProduct},
				wire.BatchResponse{RequestID: 2, StatusCode: 409, Body: "Parent request with id 1 was erroneous!"},
				wire.BatchResponse{RequestID: 3, StatusCode: 409, Body: "Parent request with id 2 was erroneous!"})
		}, wantErr: &want{op: "loans.submit", code: "error.msg.loanproduct.id.invalid", status: 404, shape: wire.ShapeEnvelope}},
		{name: "1.8 approval stored for a checker: the reference fails, nothing rolled back", line: V1_8, status: 200, answer: func(t *testing.T) string {
			return items(t, wire.BatchResponse{RequestID: 1, StatusCode: 200, Body: submitted},
				wire.BatchResponse{RequestID: 2, StatusCode: 200, Body: `{"commandId":3,"resourceId":501,"rollbackTransaction":false}`},
				wire.BatchResponse{RequestID: 3, StatusCode: 500, Body: "No results for path: $['loanId']"})
		}, wantErr: &want{op: "loans.disburse", status: 500, shape: wire.ShapeOther, maybeApplied: true, held: true}},
		{name: "all 200 but a step names no loan: committed, unusable", line: V1_10, status: 200, answer: func(t *testing.T) string {
			return items(t, wire.BatchResponse{RequestID: 1, StatusCode: 200, Body: submitted},
				wire.BatchResponse{RequestID: 2, StatusCode: 200, Body: `{"resourceId":501}`},
				wire.BatchResponse{RequestID: 3, StatusCode: 200, Body: disbursed110})
		}, wantErr: &want{op: "loans.approve", status: 200, shape: wire.ShapeUnexpected, maybeApplied: true}},
		{name: "a step missing from the answer", line: V1_10, status: 200, answer: func(t *testing.T) string {
			return items(t, wire.BatchResponse{RequestID: 1, StatusCode: 200, Body: submitted},
				wire.BatchResponse{RequestID: 2, StatusCode: 200, Body: approved501})
		}, wantErr: &want{op: "loans.disburse", status: 200, shape: wire.ShapeUnexpected, maybeApplied: true}},
		{name: "the batch itself refused", line: V1_10, status: 403, answer: func(*testing.T) string {
			return `{"developerMessage":"User has no authority to: CREATE_LOAN","httpStatusCode":"403","defaultUserMessage":"User has no authority to: CREATE_LOAN","userMessageGlobalisationCode":"error.msg.not.authorized","errors":[]}`
		}, wantErr: &want{op: "batches.originate", code: "error.msg.not.authorized", status: 403, shape: wire.ShapeEnvelope}},
		{name: "a gateway's 504 is never resent", line: V1_10, status: 504, answer: func(*testing.T) string { return "" },
			wantErr: &want{op: "batches.originate", status: 504, shape: wire.ShapeOther, maybeApplied: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, seen := batchServer(t, tt.line, tt.status, tt.answer(t))
			got, err := c.OriginateLoan(ctx, app, approve, disburse)

			uris, bodies := seen()
			require.Equal(t, []string{"POST /v1/batches?enclosingTransaction=true"}, uris, "one round trip, never resent")
			prefix := ""
			if tt.line.AtLeast(V1_9) {
				prefix = "v1/"
			}
			reqs := bodies[0]
			require.Len(t, reqs, 3)
			wantURLs := []string{prefix + "loans", prefix + "loans/$.loanId?command=approve", prefix + "loans/$.loanId?command=disburse"}
			for i, r := range reqs {
				assert.EqualValues(t, i+1, r.RequestID)
				assert.EqualValues(t, i, r.Reference, "each step refers to the one before")
				assert.Equal(t, wantURLs[i], r.RelativeURL)
				assert.Equal(t, http.MethodPost, r.Method)
				if tt.line.HonoursIdempotencyKey() {
					require.Len(t, r.Headers, 1)
					assert.Equal(t, "Idempotency-Key", r.Headers[0].Name)
					assert.LessOrEqual(t, len(r.Headers[0].Value), 50)
				} else {
					assert.Empty(t, r.Headers, "1.8 ignores the key")
				}
			}
			if tt.line.HonoursIdempotencyKey() {
				assert.NotEqual(t, reqs[0].Headers[0].Value, reqs[1].Headers[0].Value, "a key per step")
			}
			assert.JSONEq(t, `{"approvedOnDate":"2026-05-25","dateFormat":"yyyy-MM-dd","locale":"en"}`, reqs[1].Body)
			var sentApp wire.LoanApplication
			require.NoError(t, json.Unmarshal([]byte(reqs[0].Body), &sentApp))
			assert.Equal(t, app, sentApp)

			if tt.wantErr == nil {
				require.NoError(t, err)
				assert.EqualValues(t, 501, got.Submitted.LoanID)
				assert.EqualValues(t, 501, got.Approved.LoanID)
				assert.EqualValues(t, 501, got.Disbursed.LoanID, "the loan, whatever resourceId names")
				assert.False(t, got.AwaitingApproval())
				return
			}
			e, ok := wire.AsError(err)
			require.True(t, ok, "%v", err)
			assert.Equal(t, tt.wantErr.op, e.Op)
			assert.Equal(t, tt.wantErr.status, e.Status)
			assert.Equal(t, tt.wantErr.shape, e.Shape)
			assert.Equal(t, tt.wantErr.maybeApplied, e.MaybeApplied)
			assert.Equal(t, tt.wantErr.held, got.AwaitingApproval(), "a held step is reported beside the error")
			if tt.wantErr.code != "" {
				assert.Equal(t, tt.wantErr.code, e.FirstCode())
			}
		})
	}
}

// TestReadLoans: a page's loans in one batch, with associations in the
// form the Batch API's patterns match; each loan's outcome is its own.
func TestReadLoans(t *testing.T) {
	loan := func(id string) string {
		return `{"id":` + id + `,"status":{"id":300},"repaymentSchedule":{"periods":[]},"transactions":[{"id":1,"type":{"id":1}}]}`
	}
	notFound := `{"developerMessage":"The requested resource is not available.","httpStatusCode":"404","defaultUserMessage":"The requested resource is not available.","userMessageGlobalisationCode":"error.msg.resource.not.found","errors":[{"developerMessage":"Loan with identifier 8 does not exist","defaultUserMessage":"Loan with identifier 8 does not exist","userMessageGlobalisationCode":"error.msg.loan.id.invalid","parameterName":"id","args":[{"value":8}]}]}`
	for _, line := range []Version{V1_8, V1_10} {
		t.Run(line.String(), func(t *testing.T) {
			c, seen := batchServer(t, line, 200, items(t,
				wire.BatchResponse{RequestID: 3, StatusCode: 200, Body: loan("9")},
				wire.BatchResponse{RequestID: 1, StatusCode: 200, Body: loan("7")},
				wire.BatchResponse{RequestID: 2, StatusCode: 404, Body: notFound}))
			got, err := c.ReadLoans(context.Background(), []int64{7, 8, 9})
			require.NoError(t, err)

			uris, bodies := seen()
			require.Equal(t, []string{"POST /v1/batches"}, uris, "one round trip, no transaction")
			prefix := ""
			if line.AtLeast(V1_9) {
				prefix = "v1/"
			}
			for i, id := range []string{"7", "8", "9"} {
				assert.Equal(t, wire.BatchRequest{RequestID: int64(i + 1), Method: http.MethodGet,
					RelativeURL: prefix + "loans/" + id + "?associations=repaymentSchedule,transactions"}, bodies[0][i])
			}
			require.Len(t, got, 3)
			require.NoError(t, got[0].Err)
			assert.EqualValues(t, 7, got[0].Loan.ID)
			assert.Len(t, got[0].Loan.Transactions, 1)
			e, ok := wire.AsError(got[1].Err)
			require.True(t, ok, "%v", got[1].Err)
			assert.Equal(t, "loans.get", e.Op)
			assert.Equal(t, 404, e.Status)
			assert.Equal(t, "error.msg.loan.id.invalid", e.FirstCode())
			require.NoError(t, got[2].Err)
			assert.EqualValues(t, 9, got[2].Loan.ID)
		})
	}
	t.Run("another loan's answer", func(t *testing.T) {
		c, _ := batchServer(t, V1_10, 200, items(t, wire.BatchResponse{RequestID: 1, StatusCode: 200, Body: loan("8")}))
		got, err := c.ReadLoans(context.Background(), []int64{7})
		require.NoError(t, err)
		e, ok := wire.AsError(got[0].Err)
		require.True(t, ok, "%v", got[0].Err)
		assert.Equal(t, wire.ShapeUnexpected, e.Shape)
	})
	t.Run("not a batch answer", func(t *testing.T) {
		c, _ := batchServer(t, V1_10, 200, `[{"requestId":1}]`)
		_, err := c.ReadLoans(context.Background(), []int64{7})
		e, ok := wire.AsError(err)
		require.True(t, ok, "%v", err)
		assert.Equal(t, wire.ShapeUnexpected, e.Shape)
	})
	t.Run("no ids, no call", func(t *testing.T) {
		c, seen := batchServer(t, V1_10, 200, `[]`)
		got, err := c.ReadLoans(context.Background(), nil)
		require.NoError(t, err)
		assert.Empty(t, got)
		uris, _ := seen()
		assert.Empty(t, uris)
	})
}

// TestOriginationAwaitingApproval: a disbursement stored for a checker
// answers 200 like the others; the result says the loan is not Active.
func TestOriginationAwaitingApproval(t *testing.T) {
	c, _ := batchServer(t, V1_10, 200, items(t, wire.BatchResponse{RequestID: 1, StatusCode: 200, Body: submitted},
		wire.BatchResponse{RequestID: 2, StatusCode: 200, Body: approved501},
		wire.BatchResponse{RequestID: 3, StatusCode: 200, Body: `{"commandId":4,"resourceId":501,"rollbackTransaction":true,"resourceExternalId":{},"subResourceExternalId":{}}`}))
	got, err := c.OriginateLoan(context.Background(), wire.LoanApplication{}, wire.LoanApprove{}, wire.LoanDisburse{})
	require.NoError(t, err)
	assert.True(t, got.AwaitingApproval())
	assert.EqualValues(t, 4, got.Disbursed.CommandID)
}
