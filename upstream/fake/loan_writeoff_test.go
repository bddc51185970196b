package fake_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream"
	"lmsproxy/upstream/fake"
)

// TestLoanWriteOff: the transaction command closes an active loan as
// written off, with the whole outstanding in one transaction.
func TestLoanWriteOff(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		body := fmt.Sprintf(`{"transactionDate":"%s","dateFormat":"yyyy-MM-dd","locale":"en","writeoffReasonId":%d,"note":"gone"}`,
			loanToday, fake.WriteOffReasonID)
		r := do(t, s, http.MethodPost, "loans/1/transactions?command=writeoff", body)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
		assert.Equal(t, float64(3), r.Body["resourceId"], "the write-off transaction (the seed posted 1 and 2)")
		changes := r.Body["changes"].(map[string]any)
		assert.Equal(t, float64(601), changes["status"].(map[string]any)["id"])
		assert.Equal(t, loanToday, changes["writtenOffOnDate"])

		got := do(t, s, http.MethodGet, "loans/1?associations=transactions", "").Body
		assert.Equal(t, "Closed (written off)", got["status"].(map[string]any)["value"])
		summary := got["summary"].(map[string]any)
		assert.Equal(t, 0.0, summary["totalOutstanding"])
		assert.Equal(t, 11800.0, summary["totalWrittenOff"])
		txs := got["transactions"].([]any)
		require.Len(t, txs, 3)
		assert.Equal(t, "Close (as written-off)", txs[2].(map[string]any)["type"].(map[string]any)["value"])
		assert.Equal(t, []any{2024.0, 10.0, 24.0}, got["timeline"].(map[string]any)["writeOffOnDate"])
	})
}

func TestLoanWriteOffRefusals(t *testing.T) {
	txDate := func(d string) string {
		return `{"transactionDate":"` + d + `","dateFormat":"yyyy-MM-dd","locale":"en"}`
	}
	cases := []struct {
		name     string
		versions []upstream.Version
		path     string
		body     string
		status   int
		top      string
		item     item
	}{
		{"future", allVersions, "loans/1/transactions?command=writeoff", txDate("2024-10-25"), 403, "validation.msg.domain.rule.violation",
			item{code: "error.msg.loan.writeoff.cannot.be.a.future.date", msg: "The date on which a loan is written off cannot be in the future."}},
		{"before the disbursement", allVersions, "loans/1/transactions?command=writeoff", txDate("2024-10-01"), 403,
			"validation.msg.domain.rule.violation", item{code: "error.msg.loan.writeoff.cannot.be.before.submittal.date",
				msg: "The date on which a loan is written off cannot be before the loan disbursement date: 2024-10-24"}},
		{"unknown reason", allVersions, "loans/1/transactions?command=writeoff",
			strings.Replace(txDate(loanToday), "{", `{"writeoffReasonId":7,`, 1), 404, "error.msg.resource.not.found",
			item{code: "error.msg.codevalue.codename.id.combination.invalid", msg: "Code value with identifier 7 does not exist for a code with name WriteOffReasons"}},
		{"no date", allVersions, "loans/1/transactions?command=writeoff", "{}", 400, "validation.msg.validation.errors.exist",
			item{code: "validation.msg.loan.transaction.transactionDate.cannot.be.blank", msg: "The parameter `transactionDate` is mandatory."}},
		{"1.8 has no transaction external id", []upstream.Version{upstream.V1_8}, "loans/1/transactions?command=writeoff",
			strings.Replace(txDate(loanToday), "{", `{"externalId":"w-1",`, 1), 400, "validation.msg.validation.errors.exist",
			item{code: "error.msg.parameter.unsupported", msg: "The parameter externalId is not supported."}},
		{"other transaction commands", allVersions, "loans/1/transactions?command=waiveinterest", txDate(loanToday), 400,
			"validation.msg.validation.errors.exist", item{code: "error.msg.query.parameter.value.unsupported",
				msg: "The query parameter command has an unsupported value of: waiveinterest"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			forEachVersion(t, tc.versions, func(t *testing.T, v upstream.Version, s *fake.Server) {
				wantError(t, do(t, s, http.MethodPost, tc.path, tc.body), tc.status, tc.top, tc.item)
				assert.Equal(t, 0, s.Writes())
			})
		})
	}
	t.Run("not active", func(t *testing.T) {
		forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
			id := submit(t, s, v, nil)
			wantError(t, do(t, s, http.MethodPost, fmt.Sprintf("loans/%d/transactions?command=writeoff", id), txDate(loanToday)),
				http.StatusBadRequest, "validation.msg.validation.errors.exist",
				item{code: "error.msg.loan.writtenoff.account.is.not.active", msg: "Loan Written off is not allowed. Loan Account is not active.", param: "id"})
		})
	})
}

// TestLoanWritePipeline: loan commands go through the shared pipeline:
// permission first, maker-checker holds without applying, and on 1.9+ an
// Idempotency-Key replays the first answer per task.
func TestLoanWritePipeline(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		id := submit(t, s, v, nil)
		s.DenyPermission("APPROVE_LOAN")
		wantError(t, loanCmd(t, s, id, "approve", dated("approvedOnDate")), http.StatusForbidden, "error.msg.not.authorized",
			item{code: "error.msg.not.authorized", msg: "User has no authority to: APPROVE_LOAN"})
		s.GrantPermission("APPROVE_LOAN")

		s.SetMakerChecker("APPROVE_LOAN", true)
		r := loanCmd(t, s, id, "approve", dated("approvedOnDate"))
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
		assert.Contains(t, r.Body, "commandId")
		assert.Equal(t, []fake.PendingCommand{{ID: 1, Task: "APPROVE_LOAN", LoanID: id}}, s.PendingCommands())
		got := do(t, s, http.MethodGet, fmt.Sprintf("loans/%d", id), "").Body
		assert.Equal(t, float64(100), got["status"].(map[string]any)["id"], "held, not applied")
		s.SetMakerChecker("APPROVE_LOAN", false)

		key := withHeader("Idempotency-Key", "orig-1")
		first := loanCmd(t, s, id, "approve", dated("approvedOnDate"))
		require.Equal(t, http.StatusOK, first.Status)
		r = do(t, s, http.MethodPost, fmt.Sprintf("loans/%d?command=undoapproval", id), "{}", key)
		require.Equal(t, http.StatusOK, r.Status)
		again := do(t, s, http.MethodPost, fmt.Sprintf("loans/%d?command=undoapproval", id), "{}", key)
		if v.HonoursIdempotencyKey() {
			assert.Equal(t, "true", again.Header.Get("x-served-from-cache"))
			assert.Equal(t, string(r.Raw), string(again.Raw))
			return
		}
		assert.Equal(t, http.StatusBadRequest, again.Status, "1.8 runs it again: no longer approved")
	})
}

// TestLoanCOBLock: from 1.9 a loan held by the COB job refuses writes,
// direct or batched, with 409 before anything else; reads still work.
func TestLoanCOBLock(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		s.LockLoanForCOB(1, true)
		s.DenyPermission("WRITEOFF_LOAN")
		writes := []struct{ method, path, body string }{
			{http.MethodPost, "loans/1/transactions?command=writeoff", "{}"},
			{http.MethodPost, "loans/1?command=undodisbursal", ""},
			{http.MethodDelete, "loans/1", ""},
			{http.MethodPost, "batches", `[{"requestId":1,"relativeUrl":"loans/1?command=approve","method":"POST","body":"{}"}]`},
		}
		for _, w := range writes {
			r := do(t, s, w.method, w.path, w.body)
			if !v.AtLeast(upstream.V1_9) {
				assert.NotEqual(t, http.StatusConflict, r.Status, "1.8 has no COB filter: %s", w.path)
				continue
			}
			wantError(t, r, http.StatusConflict, "error.msg.loan.locked")
			assert.Equal(t, "Loan is locked by the COB job. Loan ID: 1", r.Body["defaultUserMessage"])
		}
		assert.Equal(t, http.StatusOK, do(t, s, http.MethodGet, "loans/1", "").Status)
	})
}
