package fake_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream"
	"lmsproxy/upstream/fake"
)

// TestLoanTransactionRead: the single read per line (facts §9.3) and its
// not-found answers: the row must belong to the loan the path names.
func TestLoanTransactionRead(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		other := s.AddLoan(fake.LoanSeed{ClientID: fake.SeedActiveID, ExternalID: "loan-2"})
		ext := ""
		if v.AtLeast(upstream.V1_9) {
			ext = `"externalId":"w-1"`
		}
		r := repay(t, s, 1, repayBody(loanToday, "983.33", `"paymentTypeId":2`, ext))
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
		id := int64(r.Body["resourceId"].(float64))

		got := do(t, s, http.MethodGet, fmt.Sprintf("loans/1/transactions/%d", id), "")
		require.Equal(t, http.StatusOK, got.Status, "body: %s", got.Raw)
		typ := got.Body["type"].(map[string]any)
		assert.Equal(t, "Repayment", typ["value"])
		assert.Equal(t, true, typ["repayment"])
		assert.Equal(t, false, typ["disbursement"])
		assert.Equal(t, 983.33, got.Body["amount"])
		assert.Equal(t, 833.33, got.Body["principalPortion"])
		assert.Equal(t, 150.0, got.Body["interestPortion"])
		assert.Equal(t, false, got.Body["manuallyReversed"])
		assert.Equal(t, []any{}, got.Body["loanChargePaidByList"])
		paymentType := got.Body["paymentDetailData"].(map[string]any)["paymentType"].(map[string]any)
		assert.Equal(t, "Mobile Money", paymentType["name"])
		keys := []string{"loanId", "externalLoanId", "transactionRelations"}
		if !v.AtLeast(upstream.V1_9) {
			for _, k := range keys {
				assert.NotContains(t, got.Body, k, "1.8 has no %s", k)
			}
			assert.NotContains(t, typ, "chargeRefund")
			assert.NotContains(t, paymentType, "isSystemDefined")
		} else {
			assert.Equal(t, float64(1), got.Body["loanId"])
			assert.Equal(t, "w-1", got.Body["externalId"])
			assert.Equal(t, []any{}, got.Body["transactionRelations"])
			assert.NotContains(t, got.Body, "reversedOnDate", "not reversed")
			assert.Contains(t, typ, "chargeRefund")
			assert.Equal(t, v.AtLeast(upstream.V1_10), typ["reAge"] != nil, "reAge from 1.10")
		}

		code := "error.msg.loan.transaction.id.invalid"
		if !v.AtLeast(upstream.V1_9) {
			code = "error.msg.loan.id.invalid"
		}
		notFound := func(txID int64) item {
			return item{code: code, msg: fmt.Sprintf("Transaction with identifier %d does not exist", txID), args: []any{float64(txID)}}
		}
		for _, path := range []string{
			fmt.Sprintf("loans/%d/transactions/%d", other, id), // another loan's: the row is joined to the loan
			fmt.Sprintf("loans/99/transactions/%d", id),        // an unknown loan: the same
		} {
			wantError(t, do(t, s, http.MethodGet, path, ""), http.StatusNotFound, "error.msg.resource.not.found", notFound(id))
		}
		wantError(t, do(t, s, http.MethodGet, "loans/1/transactions/99", ""), http.StatusNotFound, "error.msg.resource.not.found", notFound(99))
		wantSpring(t, do(t, s, http.MethodGet, "loans/1/transactions/abc", ""), http.StatusNotFound, fake.BasePath+"/loans/1/transactions/abc")

		byExt := do(t, s, http.MethodGet, "loans/1/transactions/external-id/w-1", "")
		if !v.AtLeast(upstream.V1_9) {
			wantSpring(t, byExt, http.StatusNotFound, fake.BasePath+"/loans/1/transactions/external-id/w-1")
			return
		}
		require.Equal(t, http.StatusOK, byExt.Status, "body: %s", byExt.Raw)
		assert.Equal(t, float64(id), byExt.Body["id"])
		wantError(t, do(t, s, http.MethodGet, "loans/external-id/nope/transactions/external-id/w-1", ""), http.StatusNotFound,
			"error.msg.resource.not.found", item{code: "error.msg.loan.external.id.invalid", msg: "Loan with external identifier nope does not exist"})
		// Found among every loan's transactions, then not this loan's.
		wantError(t, do(t, s, http.MethodGet, "loans/external-id/loan-2/transactions/external-id/w-1", ""),
			http.StatusNotFound, "error.msg.resource.not.found", notFound(id))
		wantError(t, do(t, s, http.MethodGet, fmt.Sprintf("loans/%d/transactions/external-id/W-2", other), ""),
			http.StatusNotFound, "error.msg.resource.not.found", item{code: "error.msg.loan.transaction.external.id.invalid",
				msg: "Transaction with external identifier W-2 does not exist", args: []any{"W-2"}})
		mine := repay(t, s, other, repayBody(loanToday, "10", `"externalId":"w-2"`))
		require.Equal(t, http.StatusOK, mine.Status)
		got = do(t, s, http.MethodGet, fmt.Sprintf("loans/external-id/loan-2/transactions/%v", mine.Body["resourceId"]), "")
		require.Equal(t, http.StatusOK, got.Status, "body: %s", got.Raw)
		assert.Equal(t, "loan-2", got.Body["externalLoanId"])
	})
}

// TestReversedTransactions: after undo-disbursal the single read still
// returns the reversed repayment, on 1.9+ with reversedOnDate and on 1.8
// indistinguishable; the loan's transactions leave it out on every line.
func TestReversedTransactions(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		r := repay(t, s, 1, repayBody(loanToday, "100"))
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
		live := do(t, s, http.MethodGet, "loans/1/transactions/3", "")
		require.Equal(t, http.StatusOK, loanCmd(t, s, 1, "undodisbursal", "").Status)

		got := do(t, s, http.MethodGet, "loans/1/transactions/3", "")
		require.Equal(t, http.StatusOK, got.Status, "body: %s", got.Raw)
		assert.Equal(t, false, got.Body["manuallyReversed"])
		if v.AtLeast(upstream.V1_9) {
			assert.Equal(t, []any{2024.0, 10.0, 24.0}, got.Body["reversedOnDate"])
		} else {
			assert.Equal(t, string(live.Raw), string(got.Raw), "nothing tells a reversed row on 1.8")
		}
		loan := do(t, s, http.MethodGet, "loans/1?associations=transactions", "").Body
		assert.Equal(t, []any{}, loan["transactions"])
		assert.True(t, s.LoanTransactions(1)[2].Reversed)
	})
}

// TestRepaymentFaults: injected faults act on repayments as on any write:
// a reset after the commit leaves the repayment posted, a 503 or a reset
// before it posts nothing.
func TestRepaymentFaults(t *testing.T) {
	s := newServer(upstream.V1_10)
	srv := httptest.NewServer(s)
	defer srv.Close()
	post := func() (*http.Response, error) {
		req, err := http.NewRequest(http.MethodPost, srv.URL+fake.BasePath+"/loans/1/transactions?command=repayment",
			strings.NewReader(repayBody(loanToday, "10")))
		require.NoError(t, err)
		req.Header.Set("Fineract-Platform-TenantId", "default")
		req.Header.Set("Content-Type", "application/json")
		req.SetBasicAuth("mifos", "password")
		return srv.Client().Do(req)
	}
	for _, tc := range []struct {
		name   string
		fault  fake.Fault
		posted int
	}{
		{"unavailable", fake.Fault{Status: http.StatusServiceUnavailable}, 0},
		{"reset before", fake.Fault{ResetBefore: true}, 0},
		{"reset after the commit", fake.Fault{ResetAfter: true}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(repayments(s, 1))
			s.InjectFaults(http.MethodPost, tc.fault)
			res, err := post()
			if tc.fault.Status != 0 {
				require.NoError(t, err)
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				assert.Equal(t, tc.fault.Status, res.StatusCode)
			} else {
				require.Error(t, err)
				assert.True(t, errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF), "%v", err)
			}
			assert.Len(t, repayments(s, 1), before+tc.posted)
		})
	}
}
