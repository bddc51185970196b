package translate

// The translation rows for loan products and loans: the codes only a loan
// or product operation draws (fineract-loans-facts §12, read in Loan.java,
// LoanApplicationCommandFromApiJsonHelper.java, LoanEventApiJsonValidator.java,
// DataValidatorBuilder.java, DateMismatchException.java and
// ApiGlobalErrorResponse.loanIsLocked at 1.8.4 and 1.10.1). The loans
// handlers use them next; assemble already places them.
//
// Per the contract (§3, §9): a state the action does not allow is aborted,
// whichever status the upstream chose for it (400 for most commands, 403
// for modify, delete and withdraw); a value the partner chose that a rule
// refuses is invalid_argument on that field, and internal when the proxy
// chose it (terms, strategy, origination dates); an unknown loan or
// product is not_found naming it as the partner did. Messages say Loan,
// Customer and Loan product, never the upstream's codes, strategy names or
// database text, and are the same whichever line produced them.

// Fixed texts of the loan rows.
const (
	msgProductLimits = "must be within the limits of the loan product"
	msgNotApproved   = "as it is not Approved"
)

// productRules are about the loan product a request addresses or names.
var productRules = rowsAbout(Products, []Rule{
	{Status: "404", Code: "error.msg.loanproduct.id.invalid", Partner: NotFound,
		Message: "Loan product {target} does not exist",
		Note:    "GET /v1/loan-products/{id}, or the productId of an origination"},
	{Status: "403", Code: "error.msg.loan.application.submitted.on.date.cannot.be.*.the.loan.product.*.date", Partner: Aborted,
		Message: "Loan product {target} does not take new loans today",
		Note:    "today is before the product's start date or after its close date"},
})

// loanRules are about the loan a request addresses (or originates).
var loanRules = rowsAbout(Loans, []Rule{
	// 400: limits and amounts on the partner's fields, checked by the
	// product (LoanApplicationCommandFromApiJsonHelper, DataValidatorBuilder).
	{Status: "400", Code: "validation.msg.loan.*.is.not.within.min.max.range", Partner: InvalidArgument, Message: msgProductLimits,
		Note: "principal or interestRatePerPeriod outside the product's limits (the proxy checks the principal first, from the cached product)"},
	{Status: "400", Code: "validation.msg.loan.*.is.not.within.expected.range", Partner: InvalidArgument, Message: msgProductLimits,
		Note: "numberOfRepayments outside the product's limits; loanType and the other enumerations are the proxy's, so internal"},
	{Status: "400", Code: "validation.msg.loan.*.is.less.than.min", Partner: InvalidArgument, Message: msgProductLimits},
	{Status: "400", Code: "validation.msg.loan.*.is.greater.than.max", Partner: InvalidArgument, Message: msgProductLimits},
	{Status: "400", Code: "validation.msg.loan.principal.not.greater.than.zero", Partner: InvalidArgument, Message: errNotPositive,
		Note: "an amount, not an id: the shared row's text would say integer"},
	{Status: "400", Code: "validation.msg.loan.loanTermFrequency.*", Partner: InvalidArgument, Message: msgProductLimits,
		Note: "the term the proxy derives from numberOfRepayments; internal unless the partner changed numberOfRepayments"},

	// 400: a command the loan's status does not allow (Loan.validateAccountStatus).
	{Status: "400", Code: "error.msg.loan.approve.account.is.not.submitted.and.pending.state", Partner: Aborted,
		Message: "Loan {target} cannot be approved as it is not Submitted and pending approval",
		Note:    "develop adds a second item with the same code"},
	{Status: "400", Code: "error.msg.loan.reject.account.is.not.submitted.pending.approval.state", Partner: Aborted,
		Message: "Loan {target} cannot be rejected as it is not Submitted and pending approval"},
	{Status: "400", Code: "error.msg.loan.undo.approval.account.is.not.approved", Partner: Aborted,
		Message: "Loan {target} approval cannot be undone " + msgNotApproved},
	{Status: "400", Code: "error.msg.loan.disbursal.account.is.not.approve.not.disbursed.state", Partner: Aborted,
		Message: "Loan {target} cannot be disbursed " + msgNotApproved},
	{Status: "400", Code: "error.msg.loan.undo.disbursal.account.is.not.active", Partner: Aborted,
		Message: "Loan {target} disbursal cannot be undone as it is not Active"},
	{Status: "400", Code: "error.msg.loan.undo.disbursal.not.allowed.on.topup.loan", Partner: Aborted,
		Message: "Loan {target} disbursal cannot be undone as it is a top-up loan"},
	{Status: "400", Code: "error.msg.loan.writtenoff.account.is.not.active", Partner: Aborted,
		Message: "Loan {target} cannot be written off as it is not Active"},
	{Status: "400", Code: "error.msg.loan.account.is.not.written.off", Partner: Aborted,
		Message: "Loan {target} is not written off"},
	{Status: "400", Code: "error.msg.loan.undo.writtenoff.account.is.not.written.off", Partner: Aborted,
		Message: "Loan {target} is not written off"},

	// 404.
	{Status: "404", Code: "error.msg.loan.id.invalid", Partner: NotFound, Message: "Loan {target} does not exist",
		Note: "every line (1.8's unknown transaction is a repayment row)"},
	{Status: "404", Code: "error.msg.loan.external.id.invalid", Partner: NotFound, Message: "Loan {target} does not exist",
		Note: "1.9+ /loans/external-id/{x}"},

	// 403: states of modify, delete and withdraw.
	{Status: "403", Code: "error.msg.loan.cannot.modify.loan.in.its.present.state", Partner: Aborted,
		Message: "Loan {target} cannot be modified as it is not Submitted and pending approval"},
	{Status: "403", Code: "error.msg.loan.cannot.delete.loan.in.its.present.state", Partner: Aborted,
		Message: "Loan {target} cannot be deleted as it is not Submitted and pending approval",
		Note:    "the product documentation's permission_denied is not a state answer; the contract's aborted is"},
	{Status: "403", Code: "error.msg.loan.withdraw.cannot.withdraw", Partner: Aborted,
		Message: "Loan {target} cannot be withdrawn as it is not Submitted and pending approval"},
	{Status: "403", Code: "error.msg.loan.is.charged.off", Partner: Aborted, Message: "Loan {target} is charged off", Note: "1.9+"},

	// 403: duplicates and the database's own refusals.
	{Status: "403", Code: "error.msg.loan.with.externalId.already.used", Partner: Aborted,
		Message: "Loan with {externalId|this externalId} already exists",
		Note:    "the upstream's pre-check, which echoes no value: the partner's externalId is named"},
	{Status: "403", Code: "error.msg.loan.duplicate.externalId", Partner: Aborted,
		Message: "Loan with {externalId|this externalId} already exists",
		Note:    "the database constraint, on an old schema (a race, or a PUT, which the upstream does not pre-check)"},
	{Status: "403", Code: "error.msg.*data.integrity.issue", Partner: Aborted,
		Message: "the change conflicts with data held by the loan management system",
		Note:    "unknown.data.integrity.issue, and 1.9+'s data.integrity.issue with raw database text: never shown"},

	// 403: dates. A future date means the upstream's business date is
	// behind the proxy's today (the proxy never sends a date after it).
	{Status: "403", Code: "error.msg.loan.*.cannot.be.a.future.date", Partner: Unavailable, Message: msgBusinessDate,
		Note: "submittal, approval, disbursal, write-off, transaction: the proxy checked the date against its business date"},
	{Status: "403", Code: "error.msg.loan.disbursal.cannot.be.before.approval.date", Partner: InvalidArgument,
		Field: "actualDisbursementDate", Message: "must not be before the approval date {date|of the loan}",
		Note: "adjust-disbursement-date; internal on origination, where the proxy chose the date"},
	{Status: "403", Code: "error.msg.actual.disbursement.date.does.not.match.with.expected.disbursal.date", Partner: InvalidArgument,
		Field: "actualDisbursementDate", Message: "must be the expected disbursement date {date|of the loan}, as its product requires",
		Note: "a product that keeps the disbursement on the expected date"},
	{Status: "403", Code: "error.msg.loan.application.disbursement.date.on.non.working.day", Partner: InvalidArgument,
		Field: "actualDisbursementDate", Message: "must be a working day"},
	{Status: "403", Code: "error.msg.loan.application.disbursement.date.on.holiday", Partner: InvalidArgument,
		Field: "actualDisbursementDate", Message: "must not be a holiday"},
	{Status: "403", Code: "error.msg.loan.writeoff.cannot.be.before.submittal.date", Partner: InvalidArgument,
		Field: "transactionDate", Message: "must not be before the disbursement date {date|of the loan}",
		Note: "the upstream's code says submittal; its check is against the disbursement date"},
	{Status: "403", Code: "error.msg.loan.writeoff.must.occur.on.or.after.other.transaction.dates", Partner: InvalidArgument,
		Field: "transactionDate", Message: "must not be before the loan's last transaction"},
	{Status: "403", Code: "error.msg.transaction.date.cannot.be.earlier.than.charge.off.date", Partner: Aborted,
		Message: "Loan {target} does not take transactions dated before its charge-off", Note: "1.9+"},
	{Status: "403", Code: "error.msg.loan.submittal.cannot.be.before.client.activation.date", Partner: Aborted,
		Message: "Loan cannot be submitted before the customer's activation date"},
	{Status: "403", Code: "error.msg.loan.*before.client.transfer.date", Partner: Aborted,
		Message: "Loan {target} cannot take a change dated before its customer's transfer to another office"},

	// 403: what only the proxy sends (it never sends an approved amount, a
	// first repayment date or a strategy of its own choosing).
	{Status: "403", Code: "error.msg.loan.submittal.cannot.be.after.expected.disbursement.date", Partner: Internal, Message: msgNotAccepted},
	{Status: "403", Code: "error.msg.loan.approval.cannot.be.before.submittal.date", Partner: Internal, Message: msgNotAccepted},
	{Status: "403", Code: "error.msg.loan.expecteddisbursal.should.be.on.or.after.approval.date", Partner: Internal, Message: msgNotAccepted},
	{Status: "403", Code: "error.msg.loan.*.expected.first.repayment.date", Partner: Internal, Message: msgNotAccepted},
	{Status: "403", Code: "error.msg.loan.approval.amount.can't.be.greater.than.loan.amount.demanded", Partner: Internal, Message: msgNotAccepted},
	{Status: "403", Code: "error.msg.loan.disburse.amount.must.be.less.than.approved.amount", Partner: Internal, Message: msgNotAccepted},
	{Status: "403", Code: "error.msg.loan.repayment.strategy.*", Partner: Internal, Message: msgNotAccepted,
		Note: "the product's strategy versus its schedule type (1.9+): the product's configuration; strategy names never shown"},

	// 409 (1.9+): the end-of-day job holds the loan.
	{Status: "409", Code: "error.msg.loan.locked", Partner: Unavailable,
		Message: "Loan {target} is being processed by the loan management system's end-of-day job, retry later",
		Note:    "LoanCOBApiFilter on every loan write while the COB job holds it"},
})
