package translate

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream/wire"
)

// Loan and product answers from the catalogue (fineract-loans-facts §12),
// each written by the 1.8 and the 1.9+ error writer unless a case names
// its line, and the partner error each must become.

// fxLoanState is Loan.validateAccountStatus's 400: a validation envelope
// whose single item, on parameter id, names the refused command.
func fxLoanState(code, msg string) fxEnvelope {
	return fxValidation(fxItem{code, msg, "id", nil})
}

// fxLoanRange is a product limit refused by DataValidatorBuilder
// (amount, min, max).
func fxLoanRange(param string, args ...any) fxEnvelope {
	return fxValidation(fxItem{"validation.msg.loan." + param + ".amount.is.not.within.min.max.range",
		"The parameter `" + param + "` amount 500.0 must be between 1000.00 and 50000.00 .", param, args})
}

func mustCreate(t *testing.T, body string) LoanCreateRequest {
	t.Helper()
	req, err := ParseLoanCreate([]byte(body))
	require.Nil(t, err)
	return req
}

func mustUpdate(t *testing.T, body string) LoanUpdateRequest {
	t.Helper()
	req, err := ParseLoanUpdate([]byte(body))
	require.Nil(t, err)
	return req
}

func loanEnvelopeCases(t *testing.T) []envelopeCase {
	create := mustCreate(t, `{"customerId":42,"productId":3,"principal":500,"externalId":"halotel-1"}`).Target()
	createNoExt := mustCreate(t, `{"customerExternalId":"Client-7","productId":3,"principal":500}`).Target()
	// Origination's later steps address the loan it just submitted; no
	// partner field travels in them.
	origination := Target{Resource: Loans}
	adjust := AdjustDisbursementRequest{}.Target(Loans.ByID("501"))
	writeOffToday := WriteOffRequest{}.Target(Loans.ByID("501"))
	writeOffDated := WriteOffRequest{TransactionDate: &wire.Date{Year: 2026, Month: 5, Day: 1}}.Target(Loans.ByID("501"))
	loanNotFound := fxNotFound(fxItem{"error.msg.loan.id.invalid", "Loan with identifier 501 does not exist", "id", []any{501}})
	lockedBody := "Loan is locked by the COB job. Loan ID: 501"
	const businessDate = "lms: status=403: the loan management system's business date is behind today's date, retry later"
	const limits = "must be within the limits of the loan product"
	return []envelopeCase{
		// not_found, naming what the partner addressed or named.
		{name: "loan by id", op: "loans.get", env: loanNotFound, target: Loans.ByID("501"),
			code: NotFound, message: "lms: status=404: Loan with id 501 does not exist"},
		{name: "loan by externalId (1.9+ route)", op: "loans.get", lines: []string{"1.9"},
			env:    fxNotFound(fxItem{"error.msg.loan.external.id.invalid", "Loan with external identifier a/b%c does not exist", "id", []any{"a/b%c"}}),
			target: Loans.ByExternalID("a/b%c"),
			code:   NotFound, message: "lms: status=404: Loan with externalId a/b%c does not exist"},
		{name: "loan product by id", op: "loanproducts.get",
			env:    fxNotFound(fxItem{"error.msg.loanproduct.id.invalid", "Loan product with identifier 99 does not exist", "id", []any{99}}),
			target: Products.ByID("99"),
			code:   NotFound, message: "lms: status=404: Loan product with id 99 does not exist"},
		{name: "origination names the unknown product by its field", op: "loans.create",
			env:    fxNotFound(fxItem{"error.msg.loanproduct.id.invalid", "Loan product with identifier 3 does not exist", "id", []any{3}}),
			target: create,
			code:   NotFound, message: "lms: status=404: Loan product with productId 3 does not exist"},
		{name: "origination names the unknown customer by its field", op: "loans.create",
			env:    fxNotFound(fxItem{"error.msg.client.id.invalid", "Client with identifier 42 does not exist", "id", []any{42}}),
			target: create,
			code:   NotFound, message: "lms: status=404: Customer with customerId 42 does not exist"},
		{name: "origination for a customer that is not active", op: "loans.create",
			env:    fxDomainRule("error.msg.client.not.active.exception", "The Client with id `7` is not active", 7),
			target: createNoExt,
			code:   Aborted, message: "lms: status=403: Customer with customerExternalId Client-7 is not active"},

		// Duplicates.
		{name: "duplicate loan externalId, pre-check without a value", op: "loans.create",
			env: fxDomainRule("error.msg.loan.with.externalId.already.used", "Loan with externalId is already registered."), target: create,
			code: Aborted, message: "lms: status=403: Loan with externalId halotel-1 already exists"},
		{name: "duplicate of an externalId the proxy generated", op: "loans.create",
			env: fxDomainRule("error.msg.loan.with.externalId.already.used", "Loan with externalId is already registered."), target: createNoExt,
			code: Aborted, message: "lms: status=403: Loan with this externalId already exists"},
		{name: "duplicate on rename, database constraint", op: "loans.update",
			env:    fxDataIntegrity("error.msg.loan.duplicate.externalId", "Loan with externalId `taken` already exists", "externalId", "taken"),
			target: mustUpdate(t, `{"externalId":"taken"}`).Target(Loans.ByID("501")),
			code:   Aborted, message: "lms: status=403: Loan with externalId taken already exists"},
		{name: "raw database text (1.9+)", op: "loans.create", lines: []string{"1.9"},
			env: fxDataIntegrity("error.msg.data.integrity.issue",
				"could not execute statement; SQL [n/a]; constraint [m_loan.external_id]", "id"),
			target: create,
			code:   Aborted, message: "lms: status=403: the change conflicts with data held by the loan management system"},
		{name: "unknown data integrity issue", op: "loans.create",
			env:    fxDataIntegrity("error.msg.unknown.data.integrity.issue", "Unknown data integrity issue with resource.", "id"),
			target: create,
			code:   Aborted, message: "lms: status=403: the change conflicts with data held by the loan management system"},

		// invalid_argument on the partner's fields, internal on the proxy's.
		{name: "principal outside the product's limits", op: "loans.create", env: fxLoanRange("principal", 500.0, 1000.0, 50000.0), target: create,
			code: InvalidArgument, message: wantInvalid(t, FieldError{"principal", limits})},
		{name: "principal below the minimum", op: "loans.create",
			env: fxValidation(fxItem{"validation.msg.loan.principal.is.less.than.min",
				"The parameter `principal` value 500.0 must not be less than the minimum value 1000.00", "principal", []any{500.0, 1000.0}}),
			target: create, code: InvalidArgument, message: wantInvalid(t, FieldError{"principal", limits})},
		{name: "principal not positive", op: "loans.create",
			env: fxValidation(fxItem{"validation.msg.loan.principal.not.greater.than.zero",
				"The parameter `principal` must be greater than 0.", "principal", []any{0}}),
			target: create, code: InvalidArgument, message: wantInvalid(t, FieldError{"principal", errNotPositive})},
		{name: "repayments outside the product's limits on update", op: "loans.update",
			env: fxValidation(fxItem{"validation.msg.loan.numberOfRepayments.is.not.within.expected.range",
				"The parameter `numberOfRepayments` must be between 12 and 12.", "numberOfRepayments", []any{12, 12}}),
			target: mustUpdate(t, `{"numberOfRepayments":6}`).Target(Loans.ByID("501")),
			code:   InvalidArgument, message: wantInvalid(t, FieldError{"numberOfRepayments", limits})},
		{name: "the term follows the partner's numberOfRepayments", op: "loans.update",
			env: fxValidation(fxItem{"validation.msg.loan.loanTermFrequency.greater.than.repayment.structure.suggests",
				"The parameter loanTermFrequency is greater than the suggested loan term as indicated by numberOfRepayments and repaymentEvery.", "loanTermFrequency", nil}),
			target: mustUpdate(t, `{"numberOfRepayments":6}`).Target(Loans.ByExternalID("halotel-1")),
			code:   InvalidArgument, message: wantInvalid(t, FieldError{"numberOfRepayments", limits})},
		{name: "the term on origination is the proxy's", op: "loans.create",
			env: fxValidation(fxItem{"validation.msg.loan.loanTermFrequency.less.than.repayment.structure.suggests",
				"The parameter loanTermFrequency is less than the suggest loan term as indicated by numberOfRepayments and repaymentEvery.", "loanTermFrequency", nil}),
			target: create, code: Internal, message: wantNotAccepted},
		{name: "loanType out of range is the proxy's", op: "loans.create",
			env: fxValidation(fxItem{"validation.msg.loan.loanType.is.not.within.expected.range",
				"The parameter `loanType` must be between 1 and 4.", "loanType", []any{"Individual", 1, 4}}),
			target: create, code: Internal, message: wantNotAccepted},
		{name: "strategy code missing (1.9+ 404)", op: "loans.create", lines: []string{"1.9"},
			env: fxNotFound(fxItem{"error.msg.transactions.processing.strategy.code.invalid",
				"Loan transaction processing strategy with code null does not exist", "id", []any{nil}}),
			target: create, code: Internal, message: "lms: status=404: the request was not accepted by the loan management system"},
		{name: "strategy against schedule type (1.9+)", op: "loans.create", lines: []string{"1.9"},
			env: fxDomainRule("error.msg.loan.repayment.strategy.can.not.be.equal.to.advanced.payment.allocation",
				"Loan repayment strategy can not be equal to Advanced Payment Allocation"),
			target: create, code: Internal, message: "lms: status=403: the request was not accepted by the loan management system"},

		// aborted: a state the command does not allow.
		{name: "approve a loan not submitted (origination step)", op: "loans.approve",
			env: fxLoanState("error.msg.loan.approve.account.is.not.submitted.and.pending.state",
				"Loan Account Approval is not allowed. Loan Account is not in submitted and pending approval state."),
			target: origination,
			code:   Aborted, message: "lms: status=400: Loan cannot be approved as it is not Submitted and pending approval"},
		{name: "undo approval of a loan not approved", op: "loans.undoapproval",
			env: fxLoanState("error.msg.loan.undo.approval.account.is.not.approved",
				"Loan Account Undo Approval is not allowed. Loan Account is not in approved state."),
			target: NoteRequest{}.Target(Loans.ByExternalID("halotel-1")),
			code:   Aborted, message: "lms: status=400: Loan with externalId halotel-1 approval cannot be undone as it is not Approved"},
		{name: "disburse a loan not approved", op: "loans.disburse",
			env: fxLoanState("error.msg.loan.disbursal.account.is.not.approve.not.disbursed.state",
				"Loan Disbursal is not allowed. Loan Account is not in approved and not disbursed state."),
			target: adjust,
			code:   Aborted, message: "lms: status=400: Loan with id 501 cannot be disbursed as it is not Approved"},
		{name: "undo disbursal of a loan not active", op: "loans.undodisbursal",
			env: fxLoanState("error.msg.loan.undo.disbursal.account.is.not.active",
				"Loan Undo disbursal is not allowed. Loan Account is not active."),
			target: NoteRequest{}.Target(Loans.ByID("501")),
			code:   Aborted, message: "lms: status=400: Loan with id 501 disbursal cannot be undone as it is not Active"},
		{name: "write off a loan not active", op: "loans.writeoff",
			env: fxLoanState("error.msg.loan.writtenoff.account.is.not.active",
				"Loan Written off is not allowed. Loan Account is not active."),
			target: writeOffToday,
			code:   Aborted, message: "lms: status=400: Loan with id 501 cannot be written off as it is not Active"},
		{name: "modify a loan not submitted", op: "loans.update",
			env: fxDomainRule("error.msg.loan.cannot.modify.loan.in.its.present.state",
				"Loan application with identifier 501 cannot be modified in its current state.", 501),
			target: mustUpdate(t, `{"principal":2000}`).Target(Loans.ByID("501")),
			code:   Aborted, message: "lms: status=403: Loan with id 501 cannot be modified as it is not Submitted and pending approval"},
		{name: "delete a loan not submitted, by externalId", op: "loans.delete", lines: []string{"1.9"},
			env: fxDomainRule("error.msg.loan.cannot.delete.loan.in.its.present.state",
				"Loan with identifier 501 cannot be deleted in its current state.", 501),
			target: Loans.ByExternalID("halotel-1"),
			code:   Aborted, message: "lms: status=403: Loan with externalId halotel-1 cannot be deleted as it is not Submitted and pending approval"},
		{name: "delete without a path target names the upstream's id", op: "loans.delete",
			env: fxDomainRule("error.msg.loan.cannot.delete.loan.in.its.present.state",
				"Loan with identifier 501 cannot be deleted in its current state.", 501),
			target: origination,
			code:   Aborted, message: "lms: status=403: Loan with id 501 cannot be deleted as it is not Submitted and pending approval"},
		{name: "undo disbursal of a charged-off loan (1.9+)", op: "loans.undodisbursal", lines: []string{"1.9"},
			env:    fxDomainRule("error.msg.loan.is.charged.off", "Undo Loan: 501 disbursement is not allowed. Loan Account is Charged-off", 501),
			target: Loans.ByID("501"),
			code:   Aborted, message: "lms: status=403: Loan with id 501 is charged off"},
		{name: "a closed customer's loan", op: "loans.undodisbursal",
			env:    fxDomainRule("error.msg.client.not.active.exception", "The Client with id `42` is not active", 42),
			target: Loans.ByID("501"),
			code:   Aborted, message: "lms: status=403: Customer with id 42 is not active"},

		// Dates.
		{name: "disbursal in the future", op: "loans.disburse",
			env: fxDomainRule("error.msg.loan.disbursal.cannot.be.a.future.date",
				"The date on which a loan with identifier : 000000501 is disbursed cannot be in the future.", "2026-05-26"),
			target: adjust, code: Unavailable, message: businessDate},
		{name: "submittal in the future", op: "loans.create",
			env: fxDomainRule("error.msg.loan.submittal.cannot.be.a.future.date",
				"The date on which a loan is submitted cannot be in the future.", "2026-05-26"),
			target: create, code: Unavailable, message: businessDate},
		{name: "adjusted date before approval", op: "loans.disburse",
			env: fxDomainRule("error.msg.loan.disbursal.cannot.be.before.approval.date",
				"The date on which a loan is disbursed cannot be before its approval date: 2026-05-10", "2026-05-09", "2026-05-10"),
			target: adjust,
			code:   InvalidArgument, message: wantInvalid(t, FieldError{"actualDisbursementDate", "must not be before the approval date 2026-05-10"})},
		{name: "origination's date before approval is the proxy's", op: "loans.disburse",
			env: fxDomainRule("error.msg.loan.disbursal.cannot.be.before.approval.date",
				"The date on which a loan is disbursed cannot be before its approval date: 2026-05-10", "2026-05-09", "2026-05-10"),
			target: origination,
			code:   Internal, message: "lms: status=403: the request was not accepted by the loan management system"},
		{name: "adjusted date off the expected date", op: "loans.disburse",
			env: fxDomainRule("error.msg.actual.disbursement.date.does.not.match.with.expected.disbursal.date",
				"Actual disbursement date  (2026-05-26) should be equal to Expected disbursal date (2026-05-25)", "2026-05-26", "2026-05-25"),
			target: adjust,
			code:   InvalidArgument, message: wantInvalid(t, FieldError{"actualDisbursementDate", "must be the expected disbursement date 2026-05-25, as its product requires"})},
		{name: "write-off before disbursement", op: "loans.writeoff",
			env: fxDomainRule("error.msg.loan.writeoff.cannot.be.before.submittal.date",
				"The date on which a loan is written off cannot be before the loan disbursement date: 2026-05-25", "2026-05-01", "2026-05-25"),
			target: writeOffDated,
			code:   InvalidArgument, message: wantInvalid(t, FieldError{"transactionDate", "must not be before the disbursement date 2026-05-25"})},
		{name: "write-off dated today by the proxy", op: "loans.writeoff",
			env: fxDomainRule("error.msg.loan.writeoff.must.occur.on.or.after.other.transaction.dates",
				"The date of the writeoff transaction must occur on or before previous transactions.", "2026-05-25"),
			target: writeOffToday,
			code:   Internal, message: "lms: status=403: the request was not accepted by the loan management system"},
		{name: "a date before the customer's transfer", op: "loans.disburse",
			env: fxDomainRule("error.msg.loan.disbursal.cannot.be.before.client.transfer.date",
				"The date on which a loan is disbursed cannot be earlier than client's transfer date to this office", "2026-05-25"),
			target: adjust,
			code:   Aborted, message: "lms: status=403: Loan with id 501 cannot take a change dated before its customer's transfer to another office"},
		{name: "product closed to new loans", op: "loans.create",
			env: fxDomainRule("error.msg.loan.application.submitted.on.date.cannot.be.after.the.loan.product.close.date",
				"submittedOnDate cannot be after the loan product closeDate."),
			target: create,
			code:   Aborted, message: "lms: status=403: Loan product with productId 3 does not take new loans today"},

		// 409 (1.9+): the end-of-day job, retryable.
		{name: "loan locked by COB", op: "loans.disburse", lines: []string{"1.9"},
			env: fxEnvelope{409, lockedBody, lockedBody, "error.msg.loan.locked", nil}, target: adjust,
			code: Unavailable, message: "lms: status=409: Loan with id 501 is being processed by the loan management system's end-of-day job, retry later"},
	}
}

func TestFromUpstreamLoanEnvelopes(t *testing.T) {
	runEnvelopeCases(t, loanEnvelopeCases(t))
}

// The two lines refuse a repayment on a loan in the wrong state with
// different codes and texts; the partner reads one message.
func TestLoanRepaymentStateIsTheSameOnEveryLine(t *testing.T) {
	env18 := fxLoanState("error.msg.loan.repayment.or.waiver.account.is.not.active",
		"Loan Repayment (or its types) or Waiver is not allowed. Loan Account is not active.")
	env19 := fxLoanState("error.msg.loan.must.be.active.fully.paid.or.overpaid", "Loan must be Active, Fully Paid or Overpaid")
	target := Loans.ByID("501")
	a := FromUpstream(wire.ParseError("loans.repayment", 400, env18.body(t, "1.8")), target)
	b := FromUpstream(wire.ParseError("loans.repayment", 400, env19.body(t, "1.9")), target)
	assert.Equal(t, Aborted, a.Code)
	assert.Equal(t, "lms: status=400: Loan with id 501 does not take repayments in its current state", a.Message)
	assert.Equal(t, a.Code, b.Code)
	assert.Equal(t, a.Message, b.Message)
}
