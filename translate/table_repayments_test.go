package translate

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream/wire"
)

// Repayment answers from the catalogue (fineract-loans-facts §9.4, §9.6,
// §12), written by the 1.8 and the 1.9+ error writer unless a case names
// its line, and the partner error each must become.

func mustRepayment(t *testing.T, body string) RepaymentRequest {
	t.Helper()
	req, err := ParseRepayment([]byte(body))
	require.Nil(t, err)
	return req
}

// fxRepaymentItem is a validation item of validateNewRepaymentTransaction.
func fxRepaymentItem(param, rule, msg string, args ...any) fxItem {
	return fxItem{"validation.msg.loan.transaction." + param + "." + rule, msg, param, args}
}

func repaymentEnvelopeCases(t *testing.T) []envelopeCase {
	dated := mustRepayment(t, `{"transactionAmount":983.33,"transactionDate":"2026-05-01","idempotencyKey":"wallet-tx-778"}`).Target(Loans.ByID("501"))
	today := mustRepayment(t, `{"transactionAmount":983.33}`).Target(Loans.ByID("501"))
	byExt := mustRepayment(t, `{"transactionAmount":983.33}`).Target(Loans.ByExternalID("halotel-1"))
	getByID := RepaymentOf(Loans.ByID("501"), "9010")
	getByExt := RepaymentOf(Loans.ByExternalID("halotel-1"), "9010")
	txNotFound18 := fxNotFound(fxItem{"error.msg.loan.id.invalid", "Transaction with identifier 9010 does not exist", "id", []any{9010}})
	txNotFound19 := fxNotFound(fxItem{"error.msg.loan.transaction.id.invalid", "Transaction with identifier 9010 does not exist", "id", []any{9010}})
	loanNotFound := fxNotFound(fxItem{"error.msg.loan.id.invalid", "Loan with identifier 501 does not exist", "id", []any{501}})
	const (
		businessDate = "lms: status=403: the loan management system's business date is behind today's date, retry later"
		notAccepted  = "lms: status=403: the request was not accepted by the loan management system"
		noRepayments = "lms: status=400: Loan with id 501 does not take repayments in its current state"
	)
	return []envelopeCase{
		// The body: the partner's amount, the proxy's everything else.
		{name: "amount not positive", op: "loans.repay",
			env: fxValidation(fxRepaymentItem("transactionAmount", "not.greater.than.zero",
				"The parameter `transactionAmount` must be greater than 0.", 0.0, 0)),
			target: today, code: InvalidArgument, message: wantInvalid(t, FieldError{"transactionAmount", errNotPositive})},
		{name: "amount missing", op: "loans.repay",
			env:    fxValidation(fxRepaymentItem("transactionAmount", "cannot.be.blank", "The parameter `transactionAmount` is mandatory.")),
			target: today, code: InvalidArgument, message: wantInvalid(t, FieldError{"transactionAmount", errRequired})},
		{name: "date missing is the proxy's", op: "loans.repay",
			env:    fxValidation(fxRepaymentItem("transactionDate", "cannot.be.blank", "The parameter `transactionDate` is mandatory.")),
			target: today, code: Internal, message: wantNotAccepted},
		{name: "note too long is the proxy's", op: "loans.repay",
			env:    fxValidation(fxRepaymentItem("note", "exceeds.max.length", "The parameter `note` exceeds max length of 1000.", 1000)),
			target: dated, code: Internal, message: wantNotAccepted},
		{name: "payment type not positive is the proxy's", op: "loans.repay",
			env: fxValidation(fxRepaymentItem("paymentTypeId", "not.greater.than.zero",
				"The parameter `paymentTypeId` must be greater than 0.", 0)),
			target: dated, code: Internal, message: wantNotAccepted},
		{name: "a parameter the upstream does not know", op: "loans.repay",
			env:    fxValidation(fxItem{"error.msg.parameter.unsupported", "The parameter idempotencyKey is not supported.", "idempotencyKey", []any{"idempotencyKey"}}),
			target: dated, code: Internal, message: wantNotAccepted},
		{name: "unknown payment type", op: "loans.repay",
			env:    fxNotFound(fxItem{"error.msg.payment.type.invalid", "PaymentType with 99 does not exist", "id", []any{99}}),
			target: dated, code: Internal, message: "lms: status=404: the request was not accepted by the loan management system"},

		// The loan's state, the same on every line (1.8 refuses Closed and
		// Overpaid too).
		{name: "loan not repayable (1.9+)", op: "loans.repay", lines: []string{"1.9"},
			env: fxLoanState("error.msg.loan.must.be.active.fully.paid.or.overpaid", "Loan must be Active, Fully Paid or Overpaid"), target: today,
			code: Aborted, message: noRepayments},
		{name: "loan not active (1.8)", op: "loans.repay", lines: []string{"1.8"},
			env: fxLoanState("error.msg.loan.repayment.or.waiver.account.is.not.active",
				"Loan Repayment (or its types) or Waiver is not allowed. Loan Account is not active."), target: today,
			code: Aborted, message: noRepayments},
		{name: "loan not repayable, by externalId", op: "loans.repay", lines: []string{"1.9"},
			env: fxLoanState("error.msg.loan.must.be.active.fully.paid.or.overpaid", "Loan must be Active, Fully Paid or Overpaid"), target: byExt,
			code: Aborted, message: "lms: status=400: Loan with externalId halotel-1 does not take repayments in its current state"},
		{name: "the customer is not active", op: "loans.repay",
			env:    fxDomainRule("error.msg.client.not.active.exception", "The Client with id `42` is not active", 42),
			target: today, code: Aborted, message: "lms: status=403: Customer with id 42 is not active"},
		{name: "unknown loan", op: "loans.repay", env: loanNotFound, target: today,
			code: NotFound, message: "lms: status=404: Loan with id 501 does not exist"},
		{name: "loan locked by COB", op: "loans.repay", lines: []string{"1.9"},
			env:    fxEnvelope{409, "Loan is locked by the COB job. Loan ID: 501", "Loan is locked by the COB job. Loan ID: 501", "error.msg.loan.locked", nil},
			target: today, code: Unavailable,
			message: "lms: status=409: Loan with id 501 is being processed by the loan management system's end-of-day job, retry later"},

		// Dates: the partner's when it sent one, the proxy's (today) else.
		{name: "before disbursement", op: "loans.repay",
			env: fxDomainRule("error.msg.loan.transaction.cannot.be.before.disbursement.date",
				"The transaction date cannot be before the loan disbursement date: 2026-05-25", "2026-05-01", "2026-05-25"),
			target: dated, code: InvalidArgument, message: wantInvalid(t, FieldError{"transactionDate", "must not be before the disbursement date 2026-05-25"})},
		{name: "in the future", op: "loans.repay",
			env:    fxDomainRule("error.msg.loan.transaction.cannot.be.a.future.date", "The transaction date cannot be in the future.", "2026-05-26"),
			target: dated, code: Unavailable, message: businessDate},
		{name: "before the customer's transfer", op: "loans.repay",
			env: fxDomainRule("error.msg.loan.repayment.or.waiver.cannot.be.made.before.client.transfer.date",
				"The date on which a repayment or waiver is made cannot be earlier than client's transfer date to this office", "2026-05-10"),
			target: dated, code: InvalidArgument, message: wantInvalid(t, FieldError{"transactionDate", "must not be before the customer's transfer to its current office"})},
		{name: "before the last transaction", op: "loans.repay",
			env: fxDomainRule("error.msg.loan.repayment.or.waiver.cannot.be.made.before.last.transaction.date",
				"The date on which a repayment or waiver is made cannot be earlier than last transaction date", "2026-05-20"),
			target: dated, code: InvalidArgument, message: wantInvalid(t, FieldError{"transactionDate", "must not be before the loan's last transaction date 2026-05-20"})},
		{name: "on a holiday", op: "loans.repay",
			env:    fxDomainRule("error.msg.loan.application.repayment.date.on.holiday", "Repayment date cannot be on a holiday", "2026-05-01"),
			target: dated, code: InvalidArgument, message: wantInvalid(t, FieldError{"transactionDate", "must not be a holiday"})},
		{name: "today on a non-working day is the proxy's", op: "loans.repay",
			env:    fxDomainRule("error.msg.loan.application.repayment.date.on.non.working.day", "Repayment date cannot be on a non working day", "2026-05-30"),
			target: today, code: Internal, message: notAccepted},

		// Duplicates of the transaction externalId, which carries the key.
		{name: "duplicate externalId (PostgreSQL, 1.9+)", op: "loans.repay", lines: []string{"1.9"},
			env:    fxValidation(fxItem{"validation.msg.loan.transaction.externalId.value.must.be.unique", "Failed data validation due to: value.must.be.unique.", "externalId", nil}),
			target: dated, code: Aborted, message: "lms: status=400: Repayment with this idempotencyKey already exists"},
		{name: "duplicate externalId (1.8, index external_id_unique)", op: "loans.repay", lines: []string{"1.8"},
			env: fxValidation(fxItem{"validation.msg.loan.transaction.externalId.value.must.be.unique", "Failed data validation due to: value.must.be.unique.",
				"externalId", []any{"lmsproxy-501-wallet-tx-778"}}),
			target: dated, code: Aborted, message: "lms: status=400: Repayment with this idempotencyKey already exists"},
		{name: "duplicate externalId (MySQL, 1.9+)", op: "loans.repay", lines: []string{"1.9"},
			env: fxDataIntegrity("error.msg.data.integrity.issue",
				"Duplicate entry 'lmsproxy-501-wallet-tx-778' for key 'external_id'", "id"),
			target: dated, code: Aborted, message: wantConflict},

		// One transaction read by id: the repayment is not found, not the
		// loan, on both lines.
		{name: "unknown transaction (1.8 uses the loan's code)", op: "loans.transaction", lines: []string{"1.8"}, env: txNotFound18, target: getByID,
			code: NotFound, message: "lms: status=404: Repayment with id 9010 does not exist"},
		{name: "unknown transaction (1.9+)", op: "loans.transaction", lines: []string{"1.9"}, env: txNotFound19, target: getByExt,
			code: NotFound, message: "lms: status=404: Repayment with id 9010 does not exist"},
		{name: "another loan's transaction (1.8, two ids)", op: "loans.transaction", lines: []string{"1.8"},
			env:    fxNotFound(fxItem{"error.msg.loan.id.invalid", "Transaction with identifier 9010 does not exist for loan with identifier 501.", "id", []any{9010, 501}}),
			target: getByID, code: NotFound, message: "lms: status=404: Repayment with id 9010 does not exist"},
		{name: "the loan of a repayment read, by id", op: "loans.get", env: loanNotFound, target: getByID,
			code: NotFound, message: "lms: status=404: Loan with id 501 does not exist"},
		{name: "the loan of a repayment read, by externalId", op: "loans.get", lines: []string{"1.9"},
			env:    fxNotFound(fxItem{"error.msg.loan.external.id.invalid", "Loan with external identifier halotel-1 does not exist", "id", []any{"halotel-1"}}),
			target: getByExt, code: NotFound, message: "lms: status=404: Loan with externalId halotel-1 does not exist"},
		{name: "a transaction by externalId (1.9+)", op: "loans.transactionbyexternalid", lines: []string{"1.9"},
			env: fxNotFound(fxItem{"error.msg.loan.transaction.external.id.invalid", "Transaction with external identifier lmsproxy-501-wallet-tx-778 does not exist",
				"id", []any{"lmsproxy-501-wallet-tx-778"}}),
			target: dated, code: NotFound, message: "lms: status=404: Repayment does not exist"},
	}
}

func TestFromUpstreamRepaymentEnvelopes(t *testing.T) {
	runEnvelopeCases(t, repaymentEnvelopeCases(t))
}

// The upstream client's own not-found of a transaction by externalId
// (FindLoanTransaction's, on every line) is not_found: the server's
// isNotFound reads it through this table.
func TestFoundNoTransactionIsNotFound(t *testing.T) {
	ue := &wire.Error{Op: "loans.transactionbyexternalid", Status: 404, Shape: wire.ShapeEnvelope,
		Code: "error.msg.resource.not.found", Message: "The requested resource is not available.",
		Params: []wire.ParamError{{Code: "error.msg.loan.transaction.external.id.invalid", Message: "Transaction with external identifier does not exist", Parameter: "id"}}}
	got := FromUpstream(ue, mustRepayment(t, `{"transactionAmount":1}`).Target(Loans.ByID("501")))
	assert.Equal(t, NotFound, got.Code)
	assert.Equal(t, "lms: status=404: Repayment does not exist", got.Message)
}

// A second repayment with the same Idempotency-Key while the first still
// runs (1.9+) is answered 425 with the request's own JSON, not an error
// envelope: retry later.
func TestRepaymentInFlight(t *testing.T) {
	body := `{"transactionDate":"2026-06-25","transactionAmount":983.33,"externalId":"lmsproxy-501-wallet-tx-778","dateFormat":"yyyy-MM-dd","locale":"en"}`
	ue := wire.ParseError("loans.repay", 425, []byte(body))
	got := FromUpstream(ue, mustRepayment(t, `{"transactionAmount":983.33,"idempotencyKey":"wallet-tx-778"}`).Target(Loans.ByID("501")))
	assert.Equal(t, Unavailable, got.Code)
	assert.Equal(t, "lms: status=425: the same request is still being processed, retry later", got.Message)
	assert.NotContains(t, got.Message, "lmsproxy-501", "the request is not echoed")
}
