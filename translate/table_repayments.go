package translate

import "slices"

// The translation rows for repayments: the codes a repayment, or a read of
// one loan transaction, draws (fineract-loans-facts §9.4, §9.6, §12; read
// in LoanEventApiJsonValidator.validateNewRepaymentTransaction,
// Loan.validateAccountStatus, Loan.handleRepaymentOrRecoveryOrWaiverTransaction,
// Loan.validateActivityNotBeforeClientOrGroupTransferDate and
// validateActivityNotBeforeLastTransactionDate, LoanAccountDomainServiceJpa's
// unique-constraint mapping and LoanTransactionNotFoundException at 1.8.4
// and 1.10.1). They are registered ahead of the loan rows, whose patterns
// would otherwise take the transfer-date and the 1.8 not-found codes.
//
// Per the contract (§3, §10): a loan in a state that takes no repayment is
// aborted; a date the partner chose that a rule refuses is invalid_argument
// on transactionDate, and internal when the proxy chose it (today); an
// unknown transaction, another loan's, or one that is not a repayment is
// not_found of the repayment, on every line.

// codeTransactionNotFound is the upstream's code (1.9+) for an unknown
// transaction, or one of another loan.
const codeTransactionNotFound = "error.msg.loan.transaction.id.invalid"

// msgNoRepayments is the state answer of both lines.
const msgNoRepayments = "Loan {target} does not take repayments in its current state"

var repaymentRules = slices.Concat(
	rowsAbout(Repayments, []Rule{
		{Status: "404", Code: codeTransactionNotFound, Partner: NotFound, Message: "Repayment {target} does not exist",
			Note: "1.9+: unknown, or another loan's; also the proxy's answer for a transaction that is not a repayment"},
		{Status: "404", Code: "error.msg.loan.id.invalid", Text: "Transaction with ", Partner: NotFound, Message: "Repayment {target} does not exist",
			Note: "1.8 answers an unknown transaction with the loan's code; its text tells them apart"},
		{Status: "404", Code: "error.msg.loan.transaction.external.id.invalid", Partner: NotFound, Message: "Repayment {target} does not exist",
			Note: "1.9+ by externalId: the proxy's check whether its own repayment arrived, which it answers itself"},
		{Status: "400", Code: "validation.msg.loan.transaction.externalId.value.must.be.unique", Partner: Aborted,
			Message: "Repayment with this idempotencyKey already exists",
			Note:    "the transaction externalId carries the key (PostgreSQL 1.9+, or an index named external_id_unique); the proxy returns the first repayment before it would answer this"},
	}),
	rowsAbout(Loans, []Rule{
		{Status: "400", Code: "validation.msg.loan.transaction.transactionAmount.not.greater.than.zero", Partner: InvalidArgument, Message: errNotPositive,
			Note: "an amount, not an id: the shared row's text would say integer"},
		{Status: "400", Code: "error.msg.loan.must.be.active.fully.paid.or.overpaid", Partner: Aborted, Message: msgNoRepayments,
			Note: "1.9+: Submitted, Approved, Rejected, Withdrawn, Written off"},
		{Status: "400", Code: "error.msg.loan.repayment.or.waiver.account.is.not.active", Partner: Aborted, Message: msgNoRepayments,
			Note: "1.8, which also refuses Closed and Overpaid loans; the same text as 1.9+"},
		{Status: "404", Code: "error.msg.payment.type.invalid", Partner: Internal, Message: msgNotAccepted,
			Note: "the payment type the proxy is configured to send: its configuration"},
		{Status: "403", Code: "error.msg.loan.transaction.cannot.be.before.disbursement.date", Partner: InvalidArgument,
			Field: "transactionDate", Message: "must not be before the disbursement date {date|of the loan}"},
		{Status: "403", Code: "error.msg.loan.repayment.or.waiver.cannot.be.made.before.client.transfer.date", Partner: InvalidArgument,
			Field: "transactionDate", Message: "must not be before the customer's transfer to its current office"},
		{Status: "403", Code: "error.msg.loan.repayment.or.waiver.cannot.be.made.before.last.transaction.date", Partner: InvalidArgument,
			Field: "transactionDate", Message: "must not be before the loan's last transaction date {date}",
			Note: "only products with interest recalculation or hold-guarantee funds"},
		{Status: "403", Code: "error.msg.loan.application.repayment.date.on.non.working.day", Partner: InvalidArgument,
			Field: "transactionDate", Message: "must be a working day", Note: "only where the tenant refuses repayments then"},
		{Status: "403", Code: "error.msg.loan.application.repayment.date.on.holiday", Partner: InvalidArgument,
			Field: "transactionDate", Message: "must not be a holiday", Note: "only where the tenant refuses repayments then"},
	}),
)
