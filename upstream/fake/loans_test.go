package fake_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream"
	"lmsproxy/upstream/fake"
)

// loanToday is businessDate as a request date.
const loanToday = "2024-10-24"

// submitBody is a complete §4.5 application of the flat product for the
// line, with extra members replacing or adding to it (a nil value drops
// the member).
func submitBody(t *testing.T, v upstream.Version, extra map[string]any) string {
	t.Helper()
	m := map[string]any{"clientId": fake.SeedActiveID, "productId": fake.SeedFlatProductID, "loanType": "individual",
		"principal": 10000, "loanTermFrequency": 12, "loanTermFrequencyType": 2, "numberOfRepayments": 12,
		"repaymentEvery": 1, "repaymentFrequencyType": 2, "interestRatePerPeriod": 1.5, "amortizationType": 1,
		"interestType": 1, "interestCalculationPeriodType": 1, "expectedDisbursementDate": loanToday,
		"submittedOnDate": loanToday, "dateFormat": "yyyy-MM-dd", "locale": "en"}
	if v.AtLeast(upstream.V1_9) {
		m["transactionProcessingStrategyCode"] = "mifos-standard-strategy"
	} else {
		m["transactionProcessingStrategyId"] = 1
	}
	for k, val := range extra {
		if val == nil {
			delete(m, k)
		} else {
			m[k] = val
		}
	}
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return string(b)
}

// dated is a command body with one date.
func dated(param string) string {
	return `{"` + param + `":"` + loanToday + `","dateFormat":"yyyy-MM-dd","locale":"en"}`
}

// submit files an application and returns the new loan's id.
func submit(t *testing.T, s *fake.Server, v upstream.Version, extra map[string]any) int64 {
	t.Helper()
	r := do(t, s, http.MethodPost, "loans", submitBody(t, v, extra))
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
	return int64(r.Body["loanId"].(float64))
}

func loanCmd(t *testing.T, s *fake.Server, id int64, command, body string) resp {
	t.Helper()
	return do(t, s, http.MethodPost, fmt.Sprintf("loans/%d?command=%s", id, command), body)
}

// TestLoanLifecycle walks submit → approve → disburse → undo disbursal →
// undo approval → delete, with each answer and read per line.
func TestLoanLifecycle(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		r := do(t, s, http.MethodPost, "loans", submitBody(t, v, map[string]any{"externalId": "halotel-tx-1"}))
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
		// The seed's loan is 1.
		want := `{"officeId":1,"clientId":1,"loanId":2,"resourceId":2}`
		if v.AtLeast(upstream.V1_9) {
			want = `{"officeId":1,"clientId":1,"loanId":2,"resourceId":2,"resourceExternalId":"halotel-tx-1"}`
		}
		assert.JSONEq(t, want, string(r.Raw))
		const id = 2

		got := do(t, s, http.MethodGet, "loans/2", "").Body
		assert.Equal(t, "Submitted and pending approval", got["status"].(map[string]any)["value"])
		assert.Equal(t, true, got["status"].(map[string]any)["pendingApproval"])
		assert.NotContains(t, got, "summary", "no summary before disbursal")
		assert.Equal(t, "000000002", got["accountNo"])

		r = loanCmd(t, s, id, "approve", dated("approvedOnDate"))
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
		changes := r.Body["changes"].(map[string]any)
		assert.Equal(t, float64(200), changes["status"].(map[string]any)["id"])
		assert.Equal(t, loanToday, changes["approvedOnDate"])

		r = loanCmd(t, s, id, "disburse", `{"actualDisbursementDate":"`+loanToday+`","dateFormat":"yyyy-MM-dd","locale":"en","paymentTypeId":2}`)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
		if v.AtLeast(upstream.V1_9) {
			assert.Equal(t, float64(id), r.Body["resourceId"], "1.9+: the loan")
			assert.Equal(t, float64(3), r.Body["subResourceId"], "the disbursement (the seed's loan posted 1 and 2)")
		} else {
			assert.Equal(t, float64(4), r.Body["resourceId"], "1.8: the last transaction, the accrual")
			assert.NotContains(t, r.Body, "subResourceId")
		}

		got = do(t, s, http.MethodGet, "loans/2?associations=repaymentSchedule,transactions", "").Body
		assert.Equal(t, "Active", got["status"].(map[string]any)["value"])
		summary := got["summary"].(map[string]any)
		assert.Equal(t, 10000.0, summary["principalOutstanding"])
		assert.Equal(t, 1800.0, summary["interestCharged"])
		assert.Equal(t, 11800.0, summary["totalOutstanding"])
		periods := got["repaymentSchedule"].(map[string]any)["periods"].([]any)
		require.Len(t, periods, 13, "the disbursement pseudo-period and 12 repayments")
		assert.NotContains(t, periods[0], "period")
		first, last := periods[1].(map[string]any), periods[12].(map[string]any)
		assert.Equal(t, []any{2024.0, 11.0, 24.0}, first["dueDate"])
		assert.Equal(t, 833.33, first["principalDue"])
		assert.Equal(t, 150.0, first["interestDue"])
		assert.Equal(t, 833.37, last["principalDue"])
		assert.Equal(t, 0.0, last["principalLoanBalanceOutstanding"])
		txs := got["transactions"].([]any)
		require.Len(t, txs, 2)
		assert.Equal(t, "Disbursement", txs[0].(map[string]any)["type"].(map[string]any)["value"])
		assert.Equal(t, "Mobile Money", txs[0].(map[string]any)["paymentDetailData"].(map[string]any)["paymentType"].(map[string]any)["name"])
		assert.Equal(t, "Accrual", txs[1].(map[string]any)["type"].(map[string]any)["value"])
		assert.Equal(t, 1800.0, txs[1].(map[string]any)["amount"])

		r = loanCmd(t, s, id, "undodisbursal", "")
		require.Equal(t, http.StatusOK, r.Status, "undodisbursal validates no body: %s", r.Raw)
		got = do(t, s, http.MethodGet, "loans/2?associations=transactions", "").Body
		assert.Equal(t, "Approved", got["status"].(map[string]any)["value"])
		assert.NotContains(t, got, "summary")
		assert.Empty(t, got["transactions"], "reversed rows are hidden")

		r = loanCmd(t, s, id, "undoapproval", "")
		require.Equal(t, http.StatusBadRequest, r.Status, "undoapproval needs at least {}")
		assert.Equal(t, "error.msg.invalid.request.body", r.Body["userMessageGlobalisationCode"])
		r = loanCmd(t, s, id, "undoapproval", "{}")
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
		assert.Equal(t, "", r.Body["changes"].(map[string]any)["approvedOnDate"])

		r = do(t, s, http.MethodDelete, "loans/2", "")
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
		assert.Equal(t, float64(id), r.Body["resourceId"])
		assert.Equal(t, http.StatusNotFound, do(t, s, http.MethodGet, "loans/2", "").Status)
		assert.Equal(t, 6, s.Writes())
	})
}

// TestLoanDecliningSchedule: equal installments on the declining balance.
func TestLoanDecliningSchedule(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		id := submit(t, s, v, map[string]any{"productId": fake.SeedDecliningProductID, "interestType": 0})
		periods := do(t, s, http.MethodGet, fmt.Sprintf("loans/%d?associations=repaymentSchedule", id), "").
			Body["repaymentSchedule"].(map[string]any)["periods"].([]any)
		first := periods[1].(map[string]any)
		assert.Equal(t, 150.0, first["interestDue"])
		assert.Equal(t, 766.8, first["principalDue"])
		assert.Equal(t, 916.8, first["totalDueForPeriod"])
	})
}

// TestLoanSubmitRefusals pins the order of checks and texts of §4.3/§4.4.
func TestLoanSubmitRefusals(t *testing.T) {
	v18, v19up := []upstream.Version{upstream.V1_8}, []upstream.Version{upstream.V1_9, upstream.V1_10}
	cases := []struct {
		name     string
		versions []upstream.Version
		extra    map[string]any
		status   int
		top      string
		items    []item
	}{
		{"unknown product before unsupported keys", allVersions, map[string]any{"productId": 99, "foo": 1}, 404,
			"error.msg.resource.not.found", []item{{code: "error.msg.loanproduct.id.invalid", msg: "Loan product with identifier 99 does not exist"}}},
		{"unknown client", allVersions, map[string]any{"clientId": 99}, 404, "error.msg.resource.not.found",
			[]item{{code: "error.msg.client.id.invalid", msg: "Client with identifier 99 does not exist"}}},
		{"1.8 has no strategy code", v18, map[string]any{"transactionProcessingStrategyCode": "mifos-standard-strategy"}, 400,
			"validation.msg.validation.errors.exist",
			[]item{{code: "error.msg.parameter.unsupported", msg: "The parameter transactionProcessingStrategyCode is not supported."}}},
		{"1.9+ has no strategy id", v19up, map[string]any{"transactionProcessingStrategyId": 1}, 400,
			"validation.msg.validation.errors.exist",
			[]item{{code: "error.msg.parameter.unsupported", msg: "The parameter transactionProcessingStrategyId is not supported."}}},
		{"1.9+ missing strategy code hides the field errors", v19up,
			map[string]any{"transactionProcessingStrategyCode": nil, "loanTermFrequency": nil}, 404, "error.msg.resource.not.found",
			[]item{{code: "error.msg.transactions.processing.strategy.code.invalid", msg: "Loan transaction processing strategy with code null does not exist"}}},
		{"1.8 missing fields in one 400", v18, map[string]any{"transactionProcessingStrategyId": nil, "loanTermFrequency": nil}, 400,
			"validation.msg.validation.errors.exist", []item{
				{code: "validation.msg.loan.loanTermFrequency.cannot.be.blank", msg: "The parameter `loanTermFrequency` is mandatory."},
				{code: "validation.msg.loan.transactionProcessingStrategyId.cannot.be.blank", msg: "The parameter `transactionProcessingStrategyId` is mandatory."}}},
		{"1.8 unknown strategy id", v18, map[string]any{"transactionProcessingStrategyId": 99}, 404, "error.msg.resource.not.found",
			[]item{{code: "error.msg.transactions.processing.strategy.id.invalid", msg: "Loan transaction processing strategy with identifier 99 does not exist"}}},
		{"loan type is lowercase", allVersions, map[string]any{"loanType": "Individual"}, 400, "validation.msg.validation.errors.exist",
			[]item{{code: "validation.msg.loan.loanType.is.not.within.expected.range", msg: "The parameter `loanType` must be between 1 and 4."}}},
		{"principal out of the product's range", allVersions, map[string]any{"principal": 500}, 400, "validation.msg.validation.errors.exist",
			[]item{{code: "validation.msg.loan.principal.amount.is.not.within.min.max.range",
				msg: "The parameter `principal` amount 500.0 must be between 1000.00 and 50000.00 .", args: []any{"500.0", "1000.00", "50000.00"}}}},
		{"repayments out of the product's range", allVersions, map[string]any{"numberOfRepayments": 6, "loanTermFrequency": 6}, 400,
			"validation.msg.validation.errors.exist",
			[]item{{code: "validation.msg.loan.numberOfRepayments.is.not.within.expected.range", msg: "The parameter `numberOfRepayments` must be between 12 and 12."}}},
		{"client not active", allVersions, map[string]any{"clientId": fake.SeedPendingID}, 403, "validation.msg.domain.rule.violation",
			[]item{{code: "error.msg.client.not.active.exception", msg: "The Client with id `3` is not active"}}},
		{"future submission", allVersions, map[string]any{"submittedOnDate": "2024-10-25", "expectedDisbursementDate": "2024-10-25"}, 403,
			"validation.msg.domain.rule.violation",
			[]item{{code: "error.msg.loan.submittal.cannot.be.a.future.date", msg: "The date on which a loan is submitted cannot be in the future."}}},
		{"submitted after expected disbursement", allVersions, map[string]any{"expectedDisbursementDate": "2024-10-01"}, 403,
			"validation.msg.domain.rule.violation",
			[]item{{code: "error.msg.loan.submittal.cannot.be.after.expected.disbursement.date",
				msg: "The date on which a loan is submitted cannot be after its expected disbursement date: 2024-10-01"}}},
		{"term longer than the repayments", allVersions, map[string]any{"loanTermFrequency": 13}, 400, "validation.msg.validation.errors.exist",
			[]item{{code: "validation.msg.loan.loanTermFrequency.greater.than.repayment.structure.suggests",
				msg: "The parameter loanTermFrequency is greater than the suggested loan term as indicated by numberOfRepayments and repaymentEvery."}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			forEachVersion(t, tc.versions, func(t *testing.T, v upstream.Version, s *fake.Server) {
				wantError(t, do(t, s, http.MethodPost, "loans", submitBody(t, v, tc.extra)), tc.status, tc.top, tc.items...)
				assert.Equal(t, 0, s.Writes())
			})
		})
	}
	t.Run("duplicate external id", func(t *testing.T) {
		forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
			submit(t, s, v, map[string]any{"externalId": "x-1"})
			wantError(t, do(t, s, http.MethodPost, "loans", submitBody(t, v, map[string]any{"externalId": "X-1"})),
				http.StatusForbidden, "validation.msg.domain.rule.violation",
				item{code: "error.msg.loan.with.externalId.already.used", msg: "Loan with externalId is already registered."})
		})
	})
}

// TestLoanCommandRefusals: the state machine's refusals, the write-off
// that is not a loan command, and the addressing errors.
func TestLoanCommandRefusals(t *testing.T) {
	// Loan 1 is the seed's active loan.
	stateItem := func(code, msg string) item { return item{code: code, msg: msg, param: "id"} }
	cases := []struct {
		name           string
		method, path   string
		body           string
		status         int
		top            string
		item           item
		onlyExternalID bool
	}{
		{"approve an active loan", http.MethodPost, "loans/1?command=approve", dated("approvedOnDate"), 400,
			"validation.msg.validation.errors.exist", stateItem("error.msg.loan.approve.account.is.not.submitted.and.pending.state",
				"Loan Account Approval is not allowed. Loan Account is not in submitted and pending approval state."), false},
		{"disburse an active loan", http.MethodPost, "loans/1?command=disburse", dated("actualDisbursementDate"), 400,
			"validation.msg.validation.errors.exist", stateItem("error.msg.loan.disbursal.account.is.not.approve.not.disbursed.state",
				"Loan Disbursal is not allowed. Loan Account is not in approved and not disbursed state."), false},
		{"undo approval of an active loan", http.MethodPost, "loans/1?command=undoapproval", "{}", 400,
			"validation.msg.validation.errors.exist", stateItem("error.msg.loan.undo.approval.account.is.not.approved",
				"Loan Account Undo Approval is not allowed. Loan Account is not in approved state."), false},
		{"reject an active loan", http.MethodPost, "loans/1?command=reject", dated("rejectedOnDate"), 400,
			"validation.msg.validation.errors.exist", stateItem("error.msg.loan.reject.account.is.not.submitted.pending.approval.state",
				"Loan application cannot be rejected. Loan Account is not in Submitted and Pending approval state."), false},
		{"withdraw an active loan", http.MethodPost, "loans/1?command=withdrawnByApplicant", dated("withdrawnOnDate"), 403,
			"validation.msg.domain.rule.violation", item{code: "error.msg.loan.withdraw.cannot.withdraw",
				msg: "Only the loan applications with status 'Submitted and pending approval' are allowed to be withdrawn by applicant."}, false},
		{"delete an active loan", http.MethodDelete, "loans/1", "", 403, "validation.msg.domain.rule.violation",
			item{code: "error.msg.loan.cannot.delete.loan.in.its.present.state", msg: "Loan with identifier 1 cannot be deleted in its current state."}, false},
		{"write-off is a transaction command", http.MethodPost, "loans/1?command=writeoff", dated("transactionDate"), 400,
			"validation.msg.validation.errors.exist", item{code: "error.msg.query.parameter.value.unsupported",
				msg: "The query parameter command has an unsupported value of: writeoff"}, false},
		{"approve without a date", http.MethodPost, "loans/1?command=approve", "{}", 400, "validation.msg.validation.errors.exist",
			item{code: "validation.msg.loanapplication.approvedOnDate.cannot.be.blank", msg: "The parameter `approvedOnDate` is mandatory."}, false},
		{"approve with a malformed expected date", http.MethodPost, "loans/1?command=approve",
			`{"approvedOnDate":"2024-10-24","expectedDisbursementDate":"24/10/2024","dateFormat":"yyyy-MM-dd","locale":"en"}`, 400,
			"validation.msg.validation.errors.exist", item{code: "validation.msg.invalid.dateFormat.format",
				msg: "The parameter `expectedDisbursementDate` is invalid based on the dateFormat: `yyyy-MM-dd` and locale: `en` provided:"}, false},
		{"unknown loan", http.MethodPost, "loans/99?command=approve", dated("approvedOnDate"), 404, "error.msg.resource.not.found",
			item{code: "error.msg.loan.id.invalid", msg: "Loan with identifier 99 does not exist"}, false},
		{"unknown loan read", http.MethodGet, "loans/99", "", 404, "error.msg.resource.not.found",
			item{code: "error.msg.loan.id.invalid", msg: "Loan with identifier 99 does not exist"}, false},
		{"unknown external id", http.MethodGet, "loans/external-id/nope", "", 404, "error.msg.resource.not.found",
			item{code: "error.msg.loan.external.id.invalid", msg: "Loan with external identifier nope does not exist"}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			versions := allVersions
			if tc.onlyExternalID {
				versions = []upstream.Version{upstream.V1_9, upstream.V1_10}
			}
			forEachVersion(t, versions, func(t *testing.T, v upstream.Version, s *fake.Server) {
				wantError(t, do(t, s, tc.method, tc.path, tc.body), tc.status, tc.top, tc.item)
				assert.Equal(t, 0, s.Writes())
			})
		})
	}
	t.Run("disbursal checks", func(t *testing.T) {
		forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
			id := submit(t, s, v, nil)
			require.Equal(t, http.StatusOK, loanCmd(t, s, id, "approve", dated("approvedOnDate")).Status)
			wantError(t, loanCmd(t, s, id, "disburse", `{"actualDisbursementDate":"`+loanToday+`","dateFormat":"yyyy-MM-dd","locale":"en","paymentTypeId":99}`),
				http.StatusNotFound, "error.msg.resource.not.found",
				item{code: "error.msg.payment.type.invalid", msg: "PaymentType with 99 does not exist"})
			wantError(t, loanCmd(t, s, id, "disburse", strings.Replace(dated("actualDisbursementDate"), loanToday, "2024-10-25", 1)),
				http.StatusForbidden, "validation.msg.domain.rule.violation",
				item{code: "error.msg.loan.disbursal.cannot.be.a.future.date",
					msg: "The date on which a loan with identifier : 000000002 is disbursed cannot be in the future."})
			wantError(t, loanCmd(t, s, id, "undodisbursal", ""), http.StatusBadRequest, "validation.msg.validation.errors.exist",
				stateItem("error.msg.loan.undo.disbursal.account.is.not.active", "Loan Undo disbursal is not allowed. Loan Account is not active."))
		})
	})
	t.Run("external-id routes from 1.9", func(t *testing.T) {
		forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
			submit(t, s, v, map[string]any{"externalId": "ext-l"})
			r := do(t, s, http.MethodPost, "loans/external-id/ext-l?command=approve", dated("approvedOnDate"))
			if !v.HasExternalIDRoutes() {
				assert.Equal(t, http.StatusNotFound, r.Status)
				return
			}
			require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
			assert.Equal(t, "Approved", do(t, s, http.MethodGet, "loans/external-id/EXT-L", "").Body["status"].(map[string]any)["value"])
		})
	})
}
