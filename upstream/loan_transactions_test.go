package upstream

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream/wire"
)

// Answers shaped as fineract-loans-facts §9.2 and §9.3.
const (
	repaid18    = `{"officeId":1,"clientId":42,"loanId":501,"resourceId":9010,"changes":{"transactionDate":"2026-06-25","transactionAmount":"983.33","locale":"en","dateFormat":"yyyy-MM-dd","paymentTypeId":null}}`
	repaid110   = `{"officeId":1,"clientId":42,"loanId":501,"resourceId":9010,"changes":{"transactionDate":"2026-06-25","transactionAmount":"983.33","locale":"en","dateFormat":"yyyy-MM-dd","externalId":"lmsproxy-501-wallet-tx-778"},"resourceExternalId":"lmsproxy-501-wallet-tx-778"}`
	tx9010      = `{"id":9010,"type":{"id":2,"code":"loanTransactionType.repayment","value":"Repayment"},"date":[2026,6,25],"amount":983.330000,"principalPortion":833.330000,"interestPortion":150.000000,"feeChargesPortion":0,"penaltyChargesPortion":0,"overpaymentPortion":0,"externalId":"lmsproxy-501-wallet-tx-778","submittedOnDate":[2026,6,25],"manuallyReversed":false}`
	tx9010of501 = `{"id":9010,"loanId":501,"type":{"id":2,"code":"loanTransactionType.repayment","value":"Repayment"},"date":[2026,6,25],"amount":983.330000,"principalPortion":833.330000,"interestPortion":150.000000,"feeChargesPortion":0,"penaltyChargesPortion":0,"overpaymentPortion":0,"externalId":"lmsproxy-501-wallet-tx-778","submittedOnDate":[2026,6,25],"manuallyReversed":false}`
	// loan501Repaid lists the disbursement and the repayment.
	loan501Repaid = `{"id":501,"externalId":"halotel-tx-12345","status":{"id":300},"transactions":[{"id":9001,"type":{"id":1}},` + tx9010 + `]}`
)

var repayment = wire.LoanRepayment{TransactionDate: "2026-06-25", TransactionAmount: "983.33", ExternalID: "lmsproxy-501-wallet-tx-778",
	DateFormat: wire.DateFormat, Locale: wire.Locale}

// TestRepayLoan: a repayment goes to the loan's transactions by its id on
// every line, the loan resolved exactly first when named by external id,
// and carries the Idempotency-Key the caller put in the context where the
// line honours it.
func TestRepayLoan(t *testing.T) {
	const key = "lmsproxy-0123456789abcdef0123456789abcdef01234567"
	for _, tt := range []struct {
		line         Version
		answer       string
		byExternalID []string
		key          string
	}{
		{V1_8, repaid18, []string{
			"GET /v1/loans?externalId=halotel-tx-12345&limit=200&offset=0&orderBy=id&sortOrder=ASC",
			"GET /v1/loans/501?associations=repaymentSchedule%2Ctransactions",
			"POST /v1/loans/501/transactions?command=repayment"}, ""},
		{V1_10, repaid110, []string{
			"GET /v1/loans/external-id/halotel-tx-12345?associations=repaymentSchedule%2Ctransactions",
			"POST /v1/loans/501/transactions?command=repayment"}, key},
	} {
		t.Run(tt.line.String(), func(t *testing.T) {
			c, seen := routed(t, tt.line, map[string]string{
				"GET /v1/loans":     loanPage,
				"GET /v1/loans/501": loan501,
				"GET /v1/loans/external-id/halotel-tx-12345": loan501,
				"POST /v1/loans/501/transactions":            tt.answer,
			})
			ctx := WithIdempotencyKey(context.Background(), key)
			res, err := c.RepayLoan(ctx, ByID(501), repayment)
			require.NoError(t, err)
			assert.EqualValues(t, 501, res.LoanID)
			assert.EqualValues(t, 9010, res.ResourceID, "the transaction")
			require.Len(t, seen(), 1)
			got := seen()[0]
			assert.Equal(t, "POST /v1/loans/501/transactions?command=repayment", got.call)
			assert.JSONEq(t, `{"transactionDate":"2026-06-25","transactionAmount":983.33,"externalId":"lmsproxy-501-wallet-tx-778","dateFormat":"yyyy-MM-dd","locale":"en"}`, got.body)
			assert.Equal(t, tt.key, got.key, "the context's key, as it is, where the line honours it")

			before := len(seen())
			_, err = c.RepayLoan(ctx, ByExternalID("halotel-tx-12345"), repayment)
			require.NoError(t, err)
			var calls []string
			for _, e := range seen()[before:] {
				calls = append(calls, e.call)
			}
			assert.Equal(t, tt.byExternalID, calls, "the write goes to the loan's id")
		})
	}
}

// TestRepayLoanRetries: a repayment is resent only with an Idempotency-Key
// the line honours, whether the upstream answered "not now" or the
// connection broke after the request may have arrived.
func TestRepayLoanRetries(t *testing.T) {
	for _, tc := range []struct {
		name     string
		line     Version
		key      string
		status   int
		attempts int32
	}{
		{"1.8 ignores the key: never resent", V1_8, "k", http.StatusServiceUnavailable, 1},
		{"1.10 without a key: never resent", V1_10, "", http.StatusServiceUnavailable, 1},
		{"1.10 with a key: resent", V1_10, "k", http.StatusServiceUnavailable, 3},
		{"1.10 with a key: resent while the first still runs", V1_10, "k", http.StatusTooEarly, 3},
		{"1.10 without a key: a 425 is not waited out", V1_10, "", http.StatusTooEarly, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, attempts := newTestClient(t, tc.line, tc.status, "")
			_, err := c.RepayLoan(WithIdempotencyKey(context.Background(), tc.key), ByID(501), repayment)
			e, ok := wire.AsError(err)
			require.True(t, ok, "%v", err)
			assert.Equal(t, tc.status, e.Status)
			assert.Equal(t, tc.attempts, attempts.Load())
		})
	}
	for _, tc := range []struct {
		name     string
		line     Version
		key      string
		attempts int32
	}{
		{"cut off on 1.8", V1_8, "k", 1},
		{"cut off on 1.10 without a key", V1_10, "", 1},
		{"cut off on 1.10 with a key", V1_10, "k", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, attempts := cutOff(t, tc.line)
			_, err := c.RepayLoan(WithIdempotencyKey(context.Background(), tc.key), ByID(501), repayment)
			e, ok := wire.AsError(err)
			require.True(t, ok, "%v", err)
			assert.Equal(t, wire.ShapeTransport, e.Shape)
			assert.True(t, e.MaybeApplied, "the request was read: the repayment may have been posted")
			assert.Equal(t, tc.attempts, attempts.Load())
		})
	}
}

// cutOff is a client of a server that reads each request whole and then
// drops the connection without answering, counting the attempts.
func cutOff(t *testing.T, line Version) (*Client, *atomic.Int32) {
	t.Helper()
	var attempts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attempts.Add(1)
		_, _ = io.ReadAll(r.Body)
		conn, _, err := w.(http.Hijacker).Hijack()
		require.NoError(t, err)
		_ = conn.Close()
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{BaseURL: srv.URL, Tenant: "default", Username: "u", Password: "p", Version: line,
		Retry:   RetryPolicy{MaxAttempts: 3, WaitMin: time.Millisecond, WaitMax: 5 * time.Millisecond, RetryAfterMax: time.Second},
		Breaker: BreakerPolicy{Threshold: 100, Cooldown: time.Second}})
	require.NoError(t, err)
	return c, &attempts
}

// TestGetLoanTransaction: one transaction by id, under its loan; an answer
// that is another transaction, or another loan's (1.9+ says which loan),
// is not the one asked for.
func TestGetLoanTransaction(t *testing.T) {
	tests := []struct {
		name, answer string
		wantErr      string
	}{
		{"1.8 names no loan", tx9010, ""},
		{"1.9+ names the loan", tx9010of501, ""},
		{"another transaction", `{"id":9011,"type":{"id":2}}`, "answer is for transaction 9011, not 9010"},
		{"another loan's", `{"id":9010,"loanId":502,"type":{"id":2}}`, "answer is transaction 9010 of loan 502, not of loan 501"},
		{"not a transaction", `{"id":9010}`, "loan transaction 9010 carries no type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, seen := routed(t, V1_10, map[string]string{"GET /v1/loans/501/transactions/9010": tt.answer})
			got, err := c.GetLoanTransaction(context.Background(), 501, 9010)
			require.Len(t, seen(), 1)
			assert.Equal(t, "GET /v1/loans/501/transactions/9010", seen()[0].call)
			if tt.wantErr != "" {
				e, ok := wire.AsError(err)
				require.True(t, ok, "%v", err)
				assert.Equal(t, wire.ShapeUnexpected, e.Shape)
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.EqualValues(t, 9010, got.ID)
			assert.Equal(t, wire.Amount("833.330000"), got.PrincipalPortion)
		})
	}
}

// TestFindLoanTransaction: a transaction by externalId is found the way the
// line and the id allow, exactly, and its absence is one not-found error
// whichever way was taken.
func TestFindLoanTransaction(t *testing.T) {
	const (
		ext   = "lmsproxy-501-wallet-tx-778"
		route = "GET /v1/loans/501/transactions/external-id/"
		scan  = "GET /v1/loans/501?associations=transactions"
	)
	notFound19 := `{"developerMessage":"The requested resource is not available.","httpStatusCode":"404","defaultUserMessage":"The requested resource is not available.","userMessageGlobalisationCode":"error.msg.resource.not.found","errors":[{"developerMessage":"Transaction with external identifier ` + ext + ` does not exist","defaultUserMessage":"Transaction with external identifier ` + ext + ` does not exist","userMessageGlobalisationCode":"error.msg.loan.transaction.external.id.invalid","parameterName":"id","args":[{"value":"` + ext + `"}]}]}`
	otherLoan19 := `{"developerMessage":"The requested resource is not available.","httpStatusCode":"404","defaultUserMessage":"The requested resource is not available.","userMessageGlobalisationCode":"error.msg.resource.not.found","errors":[{"developerMessage":"Transaction with identifier 9010 does not exist","defaultUserMessage":"Transaction with identifier 9010 does not exist","userMessageGlobalisationCode":"error.msg.loan.transaction.id.invalid","parameterName":"id","args":[{"value":9010}]}]}`
	tests := []struct {
		name   string
		line   Version
		ext    string
		routes map[string]string
		status map[string]int
		call   string
		found  bool
	}{
		{"1.8 scans the loan's transactions", V1_8, ext, map[string]string{"GET /v1/loans/501": loan501Repaid}, nil, scan, true},
		{"1.8 without a match", V1_8, "lmsproxy-501-other", map[string]string{"GET /v1/loans/501": loan501Repaid}, nil, scan, false},
		{"1.8 compares exactly", V1_8, "LMSPROXY-501-WALLET-TX-778", map[string]string{"GET /v1/loans/501": loan501Repaid}, nil, scan, false},
		{"1.10 by the route", V1_10, ext, map[string]string{"GET /v1/loans/501/transactions/external-id/" + ext: tx9010of501}, nil, route + ext, true},
		{"1.10 percent-encodes", V1_10, "lmsproxy-501-a b?c#d+é", map[string]string{"GET /v1/loans/501/transactions/external-id/lmsproxy-501-a b?c#d+é": `{"id":9010,"loanId":501,"type":{"id":2},"externalId":"lmsproxy-501-a b?c#d+é"}`},
			nil, route + "lmsproxy-501-a%20b%3Fc%23d+%C3%A9", true},
		{"1.10 unknown", V1_10, ext, map[string]string{"GET /v1/loans/501/transactions/external-id/" + ext: notFound19},
			map[string]int{"GET /v1/loans/501/transactions/external-id/" + ext: 404}, route + ext, false},
		{"1.10 another loan's transaction", V1_10, ext, map[string]string{"GET /v1/loans/501/transactions/external-id/" + ext: otherLoan19},
			map[string]int{"GET /v1/loans/501/transactions/external-id/" + ext: 404}, route + ext, false},
		{"1.10 case-insensitive match is not the one", V1_10, "LMSPROXY-501-WALLET-TX-778",
			map[string]string{"GET /v1/loans/501/transactions/external-id/LMSPROXY-501-WALLET-TX-778": tx9010of501}, nil,
			route + "LMSPROXY-501-WALLET-TX-778", false},
		{"1.10 an id the firewall refuses scans", V1_10, "lmsproxy-501-a/b", map[string]string{"GET /v1/loans/501": loan501Repaid}, nil, scan, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, seen := routedWithStatus(t, tt.line, tt.routes, tt.status)
			got, err := c.FindLoanTransaction(context.Background(), 501, tt.ext)
			require.Len(t, seen(), 1, "one read")
			assert.Equal(t, tt.call, seen()[0].call)
			if tt.found {
				require.NoError(t, err)
				assert.EqualValues(t, 9010, got.ID)
				assert.Equal(t, tt.ext, got.ExternalID)
				return
			}
			e, ok := wire.AsError(err)
			require.True(t, ok, "%v", err)
			assert.Equal(t, transactionNotFound(OpFindLoanTransaction.Name), e, "one not-found, whichever way")
		})
	}
	t.Run("an unknown loan on 1.8 is the loan's", func(t *testing.T) {
		c, _ := routed(t, V1_8, nil)
		_, err := c.FindLoanTransaction(context.Background(), 501, ext)
		e, ok := wire.AsError(err)
		require.True(t, ok, "%v", err)
		assert.Equal(t, http.StatusNotFound, e.Status)
		assert.NotEqual(t, transactionNotFound(OpFindLoanTransaction.Name), e)
	})
	t.Run("another loan answered", func(t *testing.T) {
		c, _ := routed(t, V1_10, map[string]string{"GET /v1/loans/501/transactions/external-id/" + ext: `{"id":9010,"loanId":502,"type":{"id":2},"externalId":"` + ext + `"}`})
		_, err := c.FindLoanTransaction(context.Background(), 501, ext)
		e, ok := wire.AsError(err)
		require.True(t, ok, "%v", err)
		assert.Equal(t, wire.ShapeUnexpected, e.Shape)
	})
}
