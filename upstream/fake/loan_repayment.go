package fake

import (
	"unicode/utf8"

	"lmsproxy/upstream"
	"lmsproxy/upstream/wire"
)

// POST /loans/{loanId}/transactions?command=repayment and, from 1.9, its
// /loans/external-id/{x}/transactions form: LoanWritePlatformServiceJpaRepositoryImpl
// .makeLoanRepayment (1.9+: makeLoanRepaymentWithChargeRefundChargeType),
// body by LoanEventApiJsonValidator.validateNewRepaymentTransaction,
// LoanAccountDomainServiceJpa.makeRepayment, Loan.makeRepayment with
// validateRepaymentTypeAccountStatus and
// handleRepaymentOrRecoveryOrWaiverTransaction
// (fineract-provider/.../portfolio/loanaccount/{service,serialization,domain}/
// and fineract-loan/.../loanaccount/domain/Loan.java at 1.9.0 and 1.10.1,
// fineract-provider/... at 1.8.4; facts §9). Used by the proxy's
// repayments, next.

// repaymentWhitelist is validateNewRepaymentTransaction's, every line.
var repaymentWhitelist = []string{"transactionDate", "transactionAmount", "externalId", "note", "locale", "dateFormat",
	"paymentTypeId", "accountNumber", "checkNumber", "routingCode", "receiptNumber", "bankNumber", "loanId"}

// paymentNumbers are the payment-detail strings in PaymentDetailData's
// order, which is also the order generatePaymentDetail reports them in.
var paymentNumbers = []string{"accountNumber", "checkNumber", "routingCode", "receiptNumber", "bankNumber"}

// paymentNumbersChecked are the same in the order validatePaymentDetails
// checks their length: a HashSet's (16 buckets by String.hashCode).
var paymentNumbersChecked = []string{"bankNumber", "checkNumber", "accountNumber", "routingCode", "receiptNumber"}

// transactionExternalIDLength is m_loan_transaction.external_id's VARCHAR(100)
// (0001_initial_schema.xml); the validator does not check it.
const transactionExternalIDLength = 100

// planRepayment checks in the upstream's order: the body (400), the loan
// (404), the payment type (404), the client active (403), the loan's state
// (400), the value date against the disbursement and the business date
// (403), then the insert's unique external id; it commits the repayment.
// Transfer dates, holidays and non-working days, and the
// before-last-transaction rule of interest-recalculating products are not
// modelled.
func (s *Server) planRepayment(id int64, raw []byte) (commit, error) {
	v := s.opts.Version
	b, err := parseBody(raw, repaymentWhitelist...)
	if err != nil {
		return nil, err
	}
	f := &form{b: b, v: validator{resource: "loan.transaction"}}
	date := f.requiredDate("transactionDate")
	amount := f.requiredAmount("transactionAmount", false)
	f.v.maxLength("note", b.str("note"), 1000)
	f.v.positive("paymentTypeId", f.integerWithLocale("paymentTypeId"))
	for _, p := range paymentNumbersChecked {
		f.v.maxLength(p, b.str(p), 50)
	}
	if err := f.err(); err != nil {
		return nil, err
	}
	l, ok := s.db.loans.rows[id]
	if !ok {
		return nil, loanNotFoundError(id)
	}
	pt, _ := b.long("paymentTypeId") // validated as an integer above
	if pt != nil {
		if _, ok := s.db.paymentTypes[*pt]; !ok {
			return nil, notFoundError("error.msg.payment.type.invalid", "PaymentType with "+fmtID(*pt)+" does not exist", *pt)
		}
	}
	if !s.db.clients.rows[l.ClientID].active() {
		return nil, clientNotActiveError(l.ClientID)
	}
	if err := repaymentStateError(v, l.Status); err != nil {
		return nil, err
	}
	switch {
	case date.Before(l.disbursed):
		// 1.8.4 prints the approval date in the text (getApprovedOnDate).
		shown := l.disbursed
		if !v.AtLeast(upstream.V1_9) {
			shown = l.approvedOn
		}
		return nil, domainRuleError("error.msg.loan.transaction.cannot.be.before.disbursement.date",
			"The transaction date cannot be before the loan disbursement date: "+shown.ISO(), *date, l.disbursed)
	case s.today().Before(*date):
		return nil, domainRuleError("error.msg.loan.transaction.cannot.be.a.future.date",
			"The transaction date cannot be in the future.", *date)
	}
	ext := derefString(b.str("externalId"))
	if err := s.transactionInsertError(ext); err != nil {
		s.db.loanTxs.burn() // the failed insert used up its id
		return nil, err
	}
	var numbers obj
	if pt != nil {
		for _, p := range paymentNumbers {
			if n := b.str(p); n != nil {
				numbers = append(numbers, field{p, *n})
			}
		}
	}
	changes := s.repaymentChanges(b, pt, ext, numbers)
	return func() obj {
		tx := &loanTx{typ: txRepayment, date: *date, postedOn: s.today(), amount: amount, externalID: ext,
			paymentTypeID: deref(pt), paymentNumbers: numbers}
		s.db.repay(l, tx, s.today())
		cl := s.db.clients.rows[l.ClientID]
		return s.commandResult(obj{{"officeId", cl.OfficeID}, {"clientId", l.ClientID}, {"loanId", l.ID}},
			tx.id, changes, ext)
	}, nil
}

// repaymentStateError is validateRepaymentTypeAccountStatus: 1.9+ takes
// repayments on Active, Closed (obligations met) and Overpaid loans; 1.8
// falls through to validateAccountStatus(LOAN_REPAYMENT_OR_WAIVER), Active
// only.
func repaymentStateError(v upstream.Version, st LoanStatus) error {
	if repaysSettledLoans(v) {
		if st == LoanActive || st == LoanClosedObligationsMet || st == LoanOverpaid {
			return nil
		}
		return stateError("error.msg.loan.must.be.active.fully.paid.or.overpaid", "Loan must be Active, Fully Paid or Overpaid")
	}
	if st == LoanActive {
		return nil
	}
	return stateError("error.msg.loan.repayment.or.waiver.account.is.not.active",
		"Loan Repayment (or its types) or Waiver is not allowed. Loan Account is not active.")
}

// repaymentChanges is the handler's changes map: the input strings, the
// payment type (1.8: the string as sent, "" when absent; 1.9+: a Long,
// omitted when absent), the note, from 1.9 the transaction's external id,
// and the payment numbers generatePaymentDetail adds.
func (s *Server) repaymentChanges(b *body, pt *int64, ext string, numbers obj) obj {
	changes := obj{{"transactionDate", *b.str("transactionDate")}, {"transactionAmount", *b.str("transactionAmount")},
		{"locale", derefString(b.str("locale"))}, {"dateFormat", derefString(b.str("dateFormat"))}}
	if s.opts.Version.AtLeast(upstream.V1_9) {
		if pt != nil {
			changes = append(changes, field{"paymentTypeId", *pt})
		}
	} else {
		changes = append(changes, field{"paymentTypeId", derefString(b.str("paymentTypeId"))})
	}
	if note := b.str("note"); note != nil {
		changes = append(changes, field{"note", *note})
	}
	if ext != "" && s.opts.Version.AtLeast(upstream.V1_9) {
		changes = append(changes, field{"externalId", ext})
	}
	return append(changes, numbers...)
}

// transactionInsertError is the database refusing the new row of
// m_loan_transaction: an external id longer than its column, or one that
// any transaction of any loan already has, reversed or not (the column is
// UNIQUE; there is no pre-check). On PostgreSQL from 1.9 the duplicate's
// message names m_loan_transaction_external_id_key, which
// raiseValidationExceptionForUniqueConstraintViolation turns into a 400;
// MySQL's names the index external_id, which it does not match (it looks
// for "external_id_unique"), so the refusal goes on unmapped. 1.8.4 only
// looks for external_id_unique and swallows anything else, which leaves
// the transaction rolled back and the request a 500.
func (s *Server) transactionInsertError(ext string) error {
	v, db := s.opts.Version, s.opts.Database
	switch {
	case ext == "":
		return nil
	case utf8.RuneCountInString(ext) > transactionExternalIDLength:
		return dataAccessError(v, db.tooLong("external_id", transactionExternalIDLength))
	}
	if _, dup := s.db.loanTxByExternalID(ext); dup == nil {
		return nil
	}
	if db == PostgreSQL && v.AtLeast(upstream.V1_9) {
		vd := validator{resource: "loan.transaction"}
		vd.failWithCode("externalId", "value.must.be.unique")
		return vd.err()
	}
	return dataAccessError(v, "Duplicate entry '"+ext+"' for key 'external_id'")
}

// repay posts a repayment and moves the loan's status as
// doPostLoanTransactionChecks does: over-paid → Overpaid, its
// overpaidOnDate the repayment's date and no closedOnDate
// (handleLoanOverpayment); nothing left → Closed (obligations met) on the
// repayment's date (handleLoanRepaymentInFull); else it stays as it is.
func (st *store) repay(l *LoanSnapshot, tx *loanTx, today wire.Date) {
	lg := st.post(l, tx, today)
	switch {
	case lg.overpaid != 0:
		l.Status, l.overpaidOn, l.ClosedOn = LoanOverpaid, tx.date, wire.Date{}
	case lg.outstanding().total() == 0:
		l.Status, l.ClosedOn = LoanClosedObligationsMet, tx.date
	}
}
