package fake_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream"
	"lmsproxy/upstream/fake"
	"lmsproxy/upstream/wire"
)

// repayBody is a repayment of amount on date with extra members (raw JSON
// members, e.g. `"externalId":"w-1"`; "" adds none).
func repayBody(date string, amount string, extra ...string) string {
	members := []string{`"transactionDate":"` + date + `"`, `"transactionAmount":` + amount,
		`"dateFormat":"yyyy-MM-dd"`, `"locale":"en"`}
	for _, e := range extra {
		if e != "" {
			members = append(members, e)
		}
	}
	return "{" + strings.Join(members, ",") + "}"
}

func repay(t *testing.T, s *fake.Server, loanID int64, body string, opts ...reqOption) resp {
	t.Helper()
	return do(t, s, http.MethodPost, fmt.Sprintf("loans/%d/transactions?command=repayment", loanID), body, opts...)
}

// repayments are the loan's repayment rows, reversed ones included.
func repayments(s *fake.Server, loanID int64) []fake.LoanTransactionSnapshot {
	var out []fake.LoanTransactionSnapshot
	for _, tx := range s.LoanTransactions(loanID) {
		if tx.Type == wire.LoanTransactionRepayment {
			out = append(out, tx)
		}
	}
	return out
}

// newServerOn is newServer on a given database.
func newServerOn(v upstream.Version, db fake.Database) *fake.Server {
	return fake.New(fake.Options{Version: v, Database: db, Today: func() time.Time { return businessDate }})
}

func obj(t *testing.T, v any, key string) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)[key].(map[string]any)
	require.True(t, ok, "%s in %v", key, v)
	return m
}

// periods are the repayment periods of a loan read with its schedule.
func periods(t *testing.T, loan map[string]any) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, p := range obj(t, loan, "repaymentSchedule")["periods"].([]any) {
		if m := p.(map[string]any); m["period"] != nil {
			out = append(out, m)
		}
	}
	return out
}

func getLoan(t *testing.T, s *fake.Server, id int64) map[string]any {
	t.Helper()
	r := do(t, s, http.MethodGet, fmt.Sprintf("loans/%d?associations=repaymentSchedule,transactions", id), "")
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
	return r.Body
}

// TestRepaymentAllocation walks the seeded flat loan (12 × 833.33 + 150.00,
// the last 833.37 + 150.00: 11 800.00) through a partial payment, the
// payoff and, from 1.9, a repayment of the closed loan.
func TestRepaymentAllocation(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		r := repay(t, s, 1, repayBody(loanToday, "2000"))
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
		assert.Equal(t, float64(3), r.Body["resourceId"], "the transaction: the seed posted 1 and 2")

		tx := do(t, s, http.MethodGet, "loans/1/transactions/3", "").Body
		assert.Equal(t, 1666.66, tx["principalPortion"])
		assert.Equal(t, 333.34, tx["interestPortion"], "two instalments' interest, then 33.34 of the third's")
		assert.Equal(t, 0.0, tx["overpaymentPortion"])
		assert.Equal(t, 8333.34, tx["outstandingLoanBalance"])

		loan := getLoan(t, s, 1)
		ps := periods(t, loan)
		for i, want := range []struct {
			complete                      bool
			principalPaid, interestPaid   float64
			totalOutstanding, paidAdvance float64
		}{{true, 833.33, 150, 0, 983.33}, {true, 833.33, 150, 0, 983.33}, {false, 0, 33.34, 949.99, 33.34}, {false, 0, 0, 983.33, 0}} {
			assert.Equal(t, want.complete, ps[i]["complete"], "period %d", i+1)
			assert.Equal(t, want.principalPaid, ps[i]["principalPaid"], "period %d", i+1)
			assert.Equal(t, want.interestPaid, ps[i]["interestPaid"], "period %d", i+1)
			assert.Equal(t, want.totalOutstanding, ps[i]["totalOutstandingForPeriod"], "period %d", i+1)
			assert.Equal(t, want.paidAdvance, ps[i]["totalPaidInAdvanceForPeriod"], "period %d: paid before due", i+1)
		}
		assert.Equal(t, []any{2024.0, 10.0, 24.0}, ps[1]["obligationsMetOnDate"])
		assert.NotContains(t, ps[2], "obligationsMetOnDate")
		summary := obj(t, loan, "summary")
		assert.Equal(t, 1666.66, summary["principalPaid"])
		assert.Equal(t, 333.34, summary["interestPaid"])
		assert.Equal(t, 2000.0, summary["totalRepayment"])
		assert.Equal(t, 9800.0, summary["totalOutstanding"])
		assert.Equal(t, 8333.34, summary["principalOutstanding"])
		assert.Equal(t, 333.34, summary["totalCostOfLoan"])
		assert.Equal(t, "Active", obj(t, loan, "status")["value"])

		r = repay(t, s, 1, repayBody(loanToday, "9800"))
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
		loan = getLoan(t, s, 1)
		assert.Equal(t, float64(600), obj(t, loan, "status")["id"])
		assert.Equal(t, true, obj(t, loan, "status")["closedObligationsMet"])
		timeline := obj(t, loan, "timeline")
		assert.Equal(t, []any{2024.0, 10.0, 24.0}, timeline["closedOnDate"])
		if v.AtLeast(upstream.V1_9) {
			assert.Equal(t, []any{2024.0, 10.0, 24.0}, timeline["actualMaturityDate"], "the day it was repaid in full")
		}
		summary = obj(t, loan, "summary")
		assert.Equal(t, 0.0, summary["totalOutstanding"])
		assert.Equal(t, 11800.0, summary["totalRepayment"])
		assert.NotContains(t, loan, "totalOverpaid")
		for _, p := range periods(t, loan) {
			assert.Equal(t, true, p["complete"])
		}

		r = repay(t, s, 1, repayBody(loanToday, "50"))
		if !v.AtLeast(upstream.V1_9) {
			wantError(t, r, http.StatusBadRequest, "validation.msg.validation.errors.exist",
				item{code: "error.msg.loan.repayment.or.waiver.account.is.not.active",
					msg: "Loan Repayment (or its types) or Waiver is not allowed. Loan Account is not active.", param: "id"})
			return
		}
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
		tx = do(t, s, http.MethodGet, fmt.Sprintf("loans/1/transactions/%v", r.Body["resourceId"]), "").Body
		assert.Equal(t, 50.0, tx["overpaymentPortion"])
		assert.Equal(t, 0.0, tx["principalPortion"])
		loan = getLoan(t, s, 1)
		assert.Equal(t, "Overpaid", obj(t, loan, "status")["value"])
		assert.Equal(t, 50.0, loan["totalOverpaid"])
		assert.Equal(t, []any{2024.0, 10.0, 24.0}, loan["overpaidOnDate"])
		assert.NotContains(t, obj(t, loan, "timeline"), "closedOnDate", "an over-paid loan is not closed")
		assert.NotContains(t, obj(t, loan, "timeline"), "actualMaturityDate")
		assert.Equal(t, 11850.0, obj(t, loan, "summary")["totalRepaymentTransaction"])
	})
}

// TestRepaymentOverpayment: one payment beyond what is owed pays every
// instalment and leaves the rest as overpayment; on 1.9+ an Overpaid loan
// takes more.
func TestRepaymentOverpayment(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		r := repay(t, s, 1, repayBody(loanToday, "11801.5"))
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
		tx := do(t, s, http.MethodGet, "loans/1/transactions/3", "").Body
		assert.Equal(t, 10000.0, tx["principalPortion"])
		assert.Equal(t, 1800.0, tx["interestPortion"])
		assert.Equal(t, 1.5, tx["overpaymentPortion"])
		assert.Equal(t, 0.0, tx["outstandingLoanBalance"])
		loan := getLoan(t, s, 1)
		assert.Equal(t, float64(700), obj(t, loan, "status")["id"])
		assert.Equal(t, true, obj(t, loan, "status")["overpaid"])
		assert.Equal(t, 1.5, loan["totalOverpaid"])

		again := repay(t, s, 1, repayBody(loanToday, "1"))
		if v.AtLeast(upstream.V1_9) {
			require.Equal(t, http.StatusOK, again.Status, "body: %s", again.Raw)
			assert.Equal(t, 2.5, getLoan(t, s, 1)["totalOverpaid"])
			return
		}
		assert.Equal(t, http.StatusBadRequest, again.Status)
		assert.Len(t, repayments(s, 1), 1)
	})
}

// TestRepaymentResponse: the command's answer per line (facts §9.2): the
// transaction's id, its external id from 1.9, changes with the input
// strings; 1.8's paymentTypeId is the string sent, "" when absent.
func TestRepaymentResponse(t *testing.T) {
	cases := []struct {
		name     string
		versions []upstream.Version
		body     string
		want     string
	}{
		{"1.8 with a payment type", []upstream.Version{upstream.V1_8},
			repayBody(loanToday, "983.33", `"externalId":"w-1"`, `"paymentTypeId":2`, `"note":"halopesa"`, `"receiptNumber":"R-9"`, `"bankNumber":" "`),
			`{"officeId":1,"clientId":4,"loanId":1,"resourceId":3,"changes":{"transactionDate":"2024-10-24","transactionAmount":"983.33","locale":"en","dateFormat":"yyyy-MM-dd","paymentTypeId":"2","note":"halopesa","receiptNumber":"R-9"}}`},
		{"1.8 without", []upstream.Version{upstream.V1_8}, repayBody(loanToday, `"983.33"`),
			`{"officeId":1,"clientId":4,"loanId":1,"resourceId":3,"changes":{"transactionDate":"2024-10-24","transactionAmount":"983.33","locale":"en","dateFormat":"yyyy-MM-dd","paymentTypeId":""}}`},
		{"1.9+ with a payment type", []upstream.Version{upstream.V1_9, upstream.V1_10},
			repayBody(loanToday, "983.33", `"externalId":"w-1"`, `"paymentTypeId":2`, `"note":"halopesa"`, `"receiptNumber":"R-9"`),
			`{"officeId":1,"clientId":4,"loanId":1,"resourceId":3,"changes":{"transactionDate":"2024-10-24","transactionAmount":"983.33","locale":"en","dateFormat":"yyyy-MM-dd","paymentTypeId":2,"note":"halopesa","externalId":"w-1","receiptNumber":"R-9"},"resourceExternalId":"w-1"}`},
		{"1.9+ without", []upstream.Version{upstream.V1_9, upstream.V1_10}, repayBody(loanToday, "983.33"),
			`{"officeId":1,"clientId":4,"loanId":1,"resourceId":3,"changes":{"transactionDate":"2024-10-24","transactionAmount":"983.33","locale":"en","dateFormat":"yyyy-MM-dd"}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			forEachVersion(t, tc.versions, func(t *testing.T, v upstream.Version, s *fake.Server) {
				r := repay(t, s, 1, tc.body)
				require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
				assert.Equal(t, tc.want, string(r.Raw))
				assert.Equal(t, 1, s.Writes())
			})
		})
	}
}

// TestRepaymentRefusals: each refusal in the upstream's order, with
// nothing posted.
func TestRepaymentRefusals(t *testing.T) {
	long := strings.Repeat("x", 51)
	cases := []struct {
		name     string
		versions []upstream.Version
		path     string // "" → loans/1/transactions?command=repayment
		body     string
		status   int
		top      string
		items    []item
	}{
		{name: "no body", versions: allVersions, body: " ", status: 400},
		{name: "unsupported member", versions: allVersions, body: repayBody(loanToday, "10", `"idempotencyKey":"k"`), status: 400,
			top: "validation.msg.validation.errors.exist", items: []item{{code: "error.msg.parameter.unsupported",
				msg: "The parameter idempotencyKey is not supported.", param: "idempotencyKey"}}},
		{name: "nothing given", versions: allVersions, body: `{"locale":"en"}`, status: 400, top: "validation.msg.validation.errors.exist",
			items: []item{
				{code: "validation.msg.loan.transaction.transactionDate.cannot.be.blank", msg: "The parameter `transactionDate` is mandatory."},
				{code: "validation.msg.loan.transaction.transactionAmount.cannot.be.blank", msg: "The parameter `transactionAmount` is mandatory."}}},
		{name: "zero amount, zero payment type, long note and numbers", versions: allVersions,
			body: repayBody(loanToday, "0", `"paymentTypeId":0`, `"note":"`+strings.Repeat("n", 1001)+`"`,
				`"accountNumber":"`+long+`"`, `"bankNumber":"`+long+`"`),
			status: 400, top: "validation.msg.validation.errors.exist", items: []item{
				{code: "validation.msg.loan.transaction.transactionAmount.not.greater.than.zero",
					msg: "The parameter `transactionAmount` must be greater than 0.", args: []any{"0.0", 0.0}},
				{code: "validation.msg.loan.transaction.note.exceeds.max.length", msg: "The parameter `note` exceeds max length of 1000."},
				{code: "validation.msg.loan.transaction.paymentTypeId.not.greater.than.zero",
					msg: "The parameter `paymentTypeId` must be greater than 0."},
				{code: "validation.msg.loan.transaction.bankNumber.exceeds.max.length", msg: "The parameter `bankNumber` exceeds max length of 50."},
				{code: "validation.msg.loan.transaction.accountNumber.exceeds.max.length", msg: "The parameter `accountNumber` exceeds max length of 50."}}},
		{name: "payment type without a locale", versions: allVersions, body: `{"transactionAmount":5,"paymentTypeId":1}`, status: 400,
			top: "validation.msg.validation.errors.exist", items: []item{{code: "validation.msg.missing.locale.parameter",
				msg: "The parameter `paymentTypeId` requires a `locale` parameter to be passed with it.", param: "paymentTypeId"}}},
		{name: "unknown loan", versions: allVersions, path: "loans/99/transactions?command=repayment", body: repayBody(loanToday, "10"),
			status: 404, top: "error.msg.resource.not.found", items: []item{{code: "error.msg.loan.id.invalid", msg: "Loan with identifier 99 does not exist"}}},
		{name: "unknown loan external id", versions: []upstream.Version{upstream.V1_9, upstream.V1_10},
			path: "loans/external-id/nope/transactions?command=nonsense", body: repayBody(loanToday, "10"),
			status: 404, top: "error.msg.resource.not.found",
			items: []item{{code: "error.msg.loan.external.id.invalid", msg: "Loan with external identifier nope does not exist"}}},
		{name: "unknown payment type", versions: allVersions, body: repayBody(loanToday, "10", `"paymentTypeId":99`), status: 404,
			top: "error.msg.resource.not.found", items: []item{{code: "error.msg.payment.type.invalid", msg: "PaymentType with 99 does not exist"}}},
		{name: "future", versions: allVersions, body: repayBody("2024-10-25", "10"), status: 403, top: "validation.msg.domain.rule.violation",
			items: []item{{code: "error.msg.loan.transaction.cannot.be.a.future.date", msg: "The transaction date cannot be in the future.",
				args: []any{"2024-10-25"}}}},
		{name: "before the disbursement", versions: allVersions, body: repayBody("2024-10-23", "10"), status: 403,
			top: "validation.msg.domain.rule.violation", items: []item{{code: "error.msg.loan.transaction.cannot.be.before.disbursement.date",
				msg: "The transaction date cannot be before the loan disbursement date: 2024-10-24", args: []any{"2024-10-23", "2024-10-24"}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			forEachVersion(t, tc.versions, func(t *testing.T, v upstream.Version, s *fake.Server) {
				path := tc.path
				if path == "" {
					path = "loans/1/transactions?command=repayment"
				}
				r := do(t, s, http.MethodPost, path, tc.body)
				if tc.top == "" {
					require.Equal(t, tc.status, r.Status, "body: %s", r.Raw)
					assert.Equal(t, "error.msg.invalid.request.body", r.Body["userMessageGlobalisationCode"])
				} else {
					wantError(t, r, tc.status, tc.top, tc.items...)
				}
				assert.Zero(t, s.Writes())
				assert.Empty(t, repayments(s, 1))
			})
		})
	}
}

// TestRepaymentStates: which loans take repayments, per line, and the
// refusals that depend on the loan.
func TestRepaymentStates(t *testing.T) {
	notActive18 := item{code: "error.msg.loan.repayment.or.waiver.account.is.not.active",
		msg: "Loan Repayment (or its types) or Waiver is not allowed. Loan Account is not active.", param: "id"}
	notRepayable := item{code: "error.msg.loan.must.be.active.fully.paid.or.overpaid", msg: "Loan must be Active, Fully Paid or Overpaid", param: "id"}
	for _, st := range []fake.LoanStatus{fake.LoanSubmittedAndPendingApproval, fake.LoanApproved, fake.LoanActive,
		fake.LoanRejected, fake.LoanWithdrawnByClient, fake.LoanClosedObligationsMet, fake.LoanClosedWrittenOff, fake.LoanOverpaid} {
		t.Run(fmt.Sprint(int(st)), func(t *testing.T) {
			forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
				id := s.AddLoan(fake.LoanSeed{ClientID: fake.SeedActiveID, Status: st})
				r := repay(t, s, id, repayBody(loanToday, "10"))
				takes := st == fake.LoanActive ||
					(v.AtLeast(upstream.V1_9) && (st == fake.LoanClosedObligationsMet || st == fake.LoanOverpaid))
				switch {
				case takes:
					assert.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
				case v.AtLeast(upstream.V1_9):
					wantError(t, r, http.StatusBadRequest, "validation.msg.validation.errors.exist", notRepayable)
				default:
					wantError(t, r, http.StatusBadRequest, "validation.msg.validation.errors.exist", notActive18)
				}
			})
		})
	}
	t.Run("client not active", func(t *testing.T) {
		forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
			id := s.AddLoan(fake.LoanSeed{ClientID: fake.SeedClosedID})
			wantError(t, repay(t, s, id, repayBody(loanToday, "10")), http.StatusForbidden, "validation.msg.domain.rule.violation",
				item{code: "error.msg.client.not.active.exception", msg: "The Client with id `5` is not active"})
			assert.Empty(t, repayments(s, id))
		})
	})
	t.Run("1.8 names the approval date", func(t *testing.T) {
		for _, v := range allVersions {
			s := newServer(v)
			id := submit(t, s, v, map[string]any{"submittedOnDate": "2024-10-01", "expectedDisbursementDate": "2024-10-01"})
			require.Equal(t, http.StatusOK, loanCmd(t, s, id, "approve", strings.Replace(dated("approvedOnDate"), loanToday, "2024-10-02", 1)).Status)
			require.Equal(t, http.StatusOK, loanCmd(t, s, id, "disburse", strings.Replace(dated("actualDisbursementDate"), loanToday, "2024-10-10", 1)).Status)
			shown := "2024-10-10"
			if !v.AtLeast(upstream.V1_9) {
				shown = "2024-10-02" // getApprovedOnDate
			}
			wantError(t, repay(t, s, id, repayBody("2024-10-05", "10")), http.StatusForbidden, "validation.msg.domain.rule.violation",
				item{code: "error.msg.loan.transaction.cannot.be.before.disbursement.date",
					msg: "The transaction date cannot be before the loan disbursement date: " + shown, args: []any{"2024-10-05", "2024-10-10"}})
		}
	})
}

// TestRepaymentExternalIDUnique: a transaction external id is unique
// across every loan, reversed transactions keeping theirs; the refusal
// reads as the database and line make it, and nothing is posted.
func TestRepaymentExternalIDUnique(t *testing.T) {
	cases := []struct {
		v      upstream.Version
		db     fake.Database
		status int
		check  func(t *testing.T, r resp)
	}{
		{upstream.V1_10, fake.PostgreSQL, 400, func(t *testing.T, r resp) {
			wantError(t, r, 400, "validation.msg.validation.errors.exist", item{code: "validation.msg.loan.transaction.externalId.value.must.be.unique",
				msg: "Failed data validation due to: value.must.be.unique.", param: "externalId", args: []any{nil, []any{}}})
		}},
		{upstream.V1_9, fake.PostgreSQL, 400, nil},
		{upstream.V1_10, fake.MySQL, 403, func(t *testing.T, r resp) {
			wantError(t, r, 403, "error.msg.data.integrity.issue", item{code: "error.msg.data.integrity.issue",
				msg: "Duplicate entry 'W-1' for key 'external_id'"})
		}},
		{upstream.V1_9, fake.MySQL, 403, nil},
		{upstream.V1_8, fake.PostgreSQL, 500, func(t *testing.T, r resp) { wantSpring(t, r, 500, fake.BasePath+"/loans/2/transactions") }},
		{upstream.V1_8, fake.MySQL, 500, nil},
	}
	for _, tc := range cases {
		t.Run(tc.v.String()+"/"+string(tc.db), func(t *testing.T) {
			s := newServerOn(tc.v, tc.db)
			other := s.AddLoan(fake.LoanSeed{ClientID: fake.SeedActiveID})
			require.Equal(t, http.StatusOK, repay(t, s, 1, repayBody(loanToday, "10", `"externalId":"w-1"`)).Status)
			// Reversed by the undo-disbursal, it keeps its external id.
			require.Equal(t, http.StatusOK, loanCmd(t, s, 1, "undodisbursal", "").Status)

			r := repay(t, s, other, repayBody(loanToday, "10", `"externalId":"W-1"`))
			assert.Equal(t, tc.status, r.Status, "body: %s", r.Raw)
			if tc.check != nil {
				tc.check(t, r)
			}
			assert.Empty(t, repayments(s, other))
			assert.Equal(t, 2, s.Writes())
			next := repay(t, s, other, repayBody(loanToday, "10", `"externalId":"w-2"`))
			require.Equal(t, http.StatusOK, next.Status)
			assert.Equal(t, float64(7), next.Body["resourceId"], "the failed insert used up id 6")
		})
	}
	t.Run("too long", func(t *testing.T) {
		ext := `"externalId":"` + strings.Repeat("e", 101) + `"`
		for _, tc := range []struct {
			v   upstream.Version
			db  fake.Database
			msg string
		}{
			{upstream.V1_10, fake.PostgreSQL, "ERROR: value too long for type character varying(100)"},
			{upstream.V1_9, fake.MySQL, "Data too long for column 'external_id' at row 1"},
			{upstream.V1_8, fake.MySQL, ""},
		} {
			s := newServerOn(tc.v, tc.db)
			r := repay(t, s, 1, repayBody(loanToday, "10", ext))
			if tc.msg == "" {
				wantSpring(t, r, 500, fake.BasePath+"/loans/1/transactions")
			} else {
				wantError(t, r, 403, "error.msg.data.integrity.issue", item{code: "error.msg.data.integrity.issue", msg: tc.msg})
			}
			assert.Empty(t, repayments(s, 1))
		}
	})
}

// TestRepaymentIdempotency: on 1.9+ the key is scoped by task, not loan;
// a failure is stored as that failure; a key longer than its column fails
// the command source's insert; 1.8 ignores the header.
func TestRepaymentIdempotency(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		other := s.AddLoan(fake.LoanSeed{ClientID: fake.SeedActiveID})
		key := withHeader("Idempotency-Key", "pay-1")
		first := repay(t, s, 1, repayBody(loanToday, "100"), key)
		require.Equal(t, http.StatusOK, first.Status, "body: %s", first.Raw)
		again := repay(t, s, 1, repayBody(loanToday, "100"), key)
		onOther := repay(t, s, other, repayBody(loanToday, "100"), key)
		if !v.HonoursIdempotencyKey() {
			assert.Empty(t, again.Header.Get("x-served-from-cache"))
			assert.Len(t, repayments(s, 1), 2, "1.8 posts every time")
			assert.Len(t, repayments(s, other), 1)
			return
		}
		assert.Equal(t, "true", again.Header.Get("x-served-from-cache"))
		assert.Equal(t, string(first.Raw), string(again.Raw))
		assert.Equal(t, "true", onOther.Header.Get("x-served-from-cache"))
		assert.Equal(t, string(first.Raw), string(onOther.Raw), "the first loan's answer")
		assert.Len(t, repayments(s, 1), 1)
		assert.Empty(t, repayments(s, other), "nothing posted on the other loan")

		failKey := withHeader("Idempotency-Key", "pay-2")
		failed := repay(t, s, other, repayBody("2024-10-25", "100"), failKey)
		require.Equal(t, http.StatusForbidden, failed.Status)
		fixed := repay(t, s, other, repayBody(loanToday, "100"), failKey)
		assert.Equal(t, http.StatusForbidden, fixed.Status, "the stored failure, although the body is fine now")
		assert.Equal(t, "true", fixed.Header.Get("x-served-from-cache"))
		assert.Equal(t, string(failed.Raw), string(fixed.Raw))
		assert.Empty(t, repayments(s, other))

		long := withHeader("Idempotency-Key", strings.Repeat("k", 51))
		for range 2 {
			r := repay(t, s, other, repayBody(loanToday, "100"), long)
			wantError(t, r, http.StatusForbidden, "error.msg.data.integrity.issue", item{code: "error.msg.data.integrity.issue",
				msg: "ERROR: value too long for type character varying(50)"})
			assert.Empty(t, r.Header.Get("x-served-from-cache"), "nothing was stored")
		}
		assert.Empty(t, repayments(s, other))
		fifty := withHeader("Idempotency-Key", strings.Repeat("k", 50))
		assert.Equal(t, http.StatusOK, repay(t, s, other, repayBody(loanToday, "100"), fifty).Status)
	})
}

// TestRepaymentInFlight: a duplicate while the first is still running is
// answered 425 with its own request body on 1.9+; 1.8 posts both.
func TestRepaymentInFlight(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		inFlight, resume := s.PauseCommand("REPAYMENT_LOAN")
		defer resume()
		key := withHeader("Idempotency-Key", "pay-1")
		done := make(chan resp)
		go func() { done <- repay(t, s, 1, repayBody(loanToday, "100"), key) }()
		<-inFlight

		assert.Empty(t, repayments(s, 1), "not committed yet")
		dupBody := repayBody(loanToday, "100", `"note":"the retry"`)
		dup := repay(t, s, 1, dupBody, key)
		resume()
		first := <-done
		require.Equal(t, http.StatusOK, first.Status, "body: %s", first.Raw)
		if !v.HonoursIdempotencyKey() {
			assert.Equal(t, http.StatusOK, dup.Status)
			assert.Len(t, repayments(s, 1), 2)
			return
		}
		assert.Equal(t, http.StatusTooEarly, dup.Status)
		assert.Equal(t, dupBody, string(dup.Raw))
		assert.Equal(t, "true", dup.Header.Get("x-served-from-cache"))
		assert.Len(t, repayments(s, 1), 1)
		later := repay(t, s, 1, dupBody, key)
		assert.Equal(t, string(first.Raw), string(later.Raw), "once done, the repeat replays it")
	})
}

// TestRepaymentCOBLock: from 1.9 a loan the COB job holds refuses
// repayments with 409; 1.8 has no such filter.
func TestRepaymentCOBLock(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		s.LockLoanForCOB(1, true)
		r := repay(t, s, 1, repayBody(loanToday, "10"))
		if !v.AtLeast(upstream.V1_9) {
			assert.Equal(t, http.StatusOK, r.Status)
			return
		}
		wantError(t, r, http.StatusConflict, "error.msg.loan.locked")
		assert.Empty(t, repayments(s, 1))
	})
}

// TestRepaymentByLoanExternalID: 1.9+ addresses the loan by its external
// id; 1.8 has no such route.
func TestRepaymentByLoanExternalID(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		id := s.AddLoan(fake.LoanSeed{ClientID: fake.SeedActiveID, ExternalID: "loan-x"})
		r := do(t, s, http.MethodPost, "loans/external-id/loan-x/transactions?command=REPAYMENT", repayBody(loanToday, "10"))
		if !v.AtLeast(upstream.V1_9) {
			wantSpring(t, r, http.StatusNotFound, fake.BasePath+"/loans/external-id/loan-x/transactions")
			return
		}
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
		assert.Equal(t, float64(id), r.Body["loanId"])
		assert.Len(t, repayments(s, id), 1)
	})
}

// TestRepaymentBackdated: a repayment dated before another replays it; the
// later one's split changes, so it is reversed, losing its external id to
// the copy re-posted under a new id.
func TestRepaymentBackdated(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		id := s.AddLoan(fake.LoanSeed{ClientID: fake.SeedActiveID, SubmittedOn: fake.Day(2024, 1, 24)})
		require.Equal(t, http.StatusOK, repay(t, s, id, repayBody("2024-03-01", "500", `"paymentTypeId":1`)).Status)
		first := s.LoanTransactions(id)[2]
		r := repay(t, s, id, repayBody("2024-02-01", "1000"))
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
		assert.Equal(t, float64(first.ID+1), r.Body["resourceId"], "the new repayment is saved first")

		txs := s.LoanTransactions(id)
		require.Len(t, txs, 5)
		assert.True(t, txs[2].Reversed, "the replayed repayment")
		assert.False(t, txs[4].Reversed)
		assert.Equal(t, first.Date, txs[4].Date)
		assert.Equal(t, first.Amount, txs[4].Amount)

		got := do(t, s, http.MethodGet, fmt.Sprintf("loans/%d/transactions/%d", id, txs[4].ID), "").Body
		// The earlier 1000 paid instalment 1 and 16.67 of instalment 2's interest.
		assert.Equal(t, 133.33, got["interestPortion"])
		assert.Equal(t, 366.67, got["principalPortion"])
		assert.Equal(t, []any{2024.0, 10.0, 24.0}, got["submittedOnDate"], "posted by the replay, today")
		assert.Equal(t, 8800.0, got["outstandingLoanBalance"])
		assert.Contains(t, got, "paymentDetailData")
		loanTxs := getLoan(t, s, id)["transactions"].([]any)
		require.Len(t, loanTxs, 4, "disbursement, accrual, the two live repayments")
		assert.Equal(t, float64(txs[3].ID), loanTxs[2].(map[string]any)["id"], "in value-date order")
	})
	t.Run("the external id moves to the copy", func(t *testing.T) {
		s := newServer(upstream.V1_10)
		id := s.AddLoan(fake.LoanSeed{ClientID: fake.SeedActiveID, SubmittedOn: fake.Day(2024, 1, 24)})
		require.Equal(t, http.StatusOK, repay(t, s, id, repayBody("2024-03-01", "500", `"externalId":"late"`)).Status)
		require.Equal(t, http.StatusOK, repay(t, s, id, repayBody("2024-02-01", "1000")).Status)
		txs := s.LoanTransactions(id)
		assert.Equal(t, "", txs[2].ExternalID)
		assert.Equal(t, "late", txs[4].ExternalID)
		got := do(t, s, http.MethodGet, fmt.Sprintf("loans/%d/transactions/external-id/late", id), "").Body
		assert.Equal(t, float64(txs[4].ID), got["id"])
		reversed := do(t, s, http.MethodGet, fmt.Sprintf("loans/%d/transactions/%d", id, txs[2].ID), "").Body
		assert.Equal(t, []any{2024.0, 10.0, 24.0}, reversed["reversedOnDate"])
		assert.NotContains(t, reversed, "externalId")
	})
}

// TestWriteOffAfterRepayments: the write-off takes what is outstanding,
// and may not be dated before a repayment.
func TestWriteOffAfterRepayments(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		id := s.AddLoan(fake.LoanSeed{ClientID: fake.SeedActiveID, SubmittedOn: fake.Day(2024, 1, 24)})
		require.Equal(t, http.StatusOK, repay(t, s, id, repayBody("2024-03-01", "1000")).Status)
		writeOff := func(date string) resp {
			return do(t, s, http.MethodPost, fmt.Sprintf("loans/%d/transactions?command=writeoff", id),
				`{"transactionDate":"`+date+`","dateFormat":"yyyy-MM-dd","locale":"en"}`)
		}
		wantError(t, writeOff("2024-02-01"), http.StatusForbidden, "validation.msg.domain.rule.violation",
			item{code: "error.msg.loan.writeoff.must.occur.on.or.after.other.transaction.dates",
				msg: "The date of the writeoff transaction must occur on or before previous transactions.", args: []any{"2024-02-01"}})
		r := writeOff("2024-03-01")
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
		summary := obj(t, getLoan(t, s, id), "summary")
		assert.Equal(t, 10800.0, summary["totalWrittenOff"])
		assert.Equal(t, 0.0, summary["totalOutstanding"])
		assert.Equal(t, 1000.0, summary["totalRepayment"])
		tx := do(t, s, http.MethodGet, fmt.Sprintf("loans/%d/transactions/%v", id, r.Body["resourceId"]), "").Body
		assert.Equal(t, 10800.0, tx["amount"])
		assert.Equal(t, 9166.67, tx["principalPortion"])
	})
}

// TestSeededSettledLoans: a loan seeded Closed, Overpaid or written off
// carries the transaction that settled it.
func TestSeededSettledLoans(t *testing.T) {
	s := newServer(upstream.V1_10)
	for _, tc := range []struct {
		status      fake.LoanStatus
		outstanding float64
		overpaid    any
	}{{fake.LoanClosedObligationsMet, 0, nil}, {fake.LoanOverpaid, 0, 1.0}, {fake.LoanClosedWrittenOff, 0, nil}} {
		id := s.AddLoan(fake.LoanSeed{ClientID: fake.SeedActiveID, Status: tc.status})
		loan := getLoan(t, s, id)
		assert.Equal(t, float64(tc.status), obj(t, loan, "status")["id"])
		assert.Equal(t, tc.outstanding, obj(t, loan, "summary")["totalOutstanding"], "%d", tc.status)
		assert.Equal(t, tc.overpaid, loan["totalOverpaid"], "%d", tc.status)
		assert.Len(t, s.LoanTransactions(id), 3, "disbursement, accrual and the settlement")
	}
}
