package fake

import (
	"cmp"
	"fmt"
	"slices"

	"lmsproxy/upstream/wire"
)

// LoanStatus is a loan's status as m_loan.loan_status_id stores it. The
// numbers are LoanStatus's (fineract-core/src/main/java/org/apache/fineract/
// portfolio/loanaccount/domain/LoanStatus.java, 1.10.1; the same in
// fineract-provider at 1.8.4). They overlap the client statuses with other
// meanings (700 is a rejected client but an overpaid loan), hence a type of
// their own.
type LoanStatus int

// Loan statuses.
const (
	LoanInvalid                           LoanStatus = 0
	LoanSubmittedAndPendingApproval       LoanStatus = 100
	LoanApproved                          LoanStatus = 200
	LoanActive                            LoanStatus = 300
	LoanTransferInProgress                LoanStatus = 303
	LoanTransferOnHold                    LoanStatus = 304
	LoanWithdrawnByClient                 LoanStatus = 400
	LoanRejected                          LoanStatus = 500
	LoanClosedObligationsMet              LoanStatus = 600
	LoanClosedWrittenOff                  LoanStatus = 601
	LoanClosedRescheduleOutstandingAmount LoanStatus = 602
	LoanOverpaid                          LoanStatus = 700
)

// ended reports whether a loan in this status has a closedOnDate: Loan sets
// one when it rejects, withdraws, closes, writes off or reschedules a loan
// (fineract-loan/src/main/java/org/apache/fineract/portfolio/loanaccount/
// domain/Loan.java, 1.10.1).
func (st LoanStatus) ended() bool {
	switch st {
	case LoanWithdrawnByClient, LoanRejected,
		LoanClosedObligationsMet, LoanClosedWrittenOff, LoanClosedRescheduleOutstandingAmount:
		return true
	}
	return false
}

// LoanSeed describes one loan for AddLoan. Zero fields take the defaults
// noted, so a test only spells out what it cares about.
type LoanSeed struct {
	ClientID int64      // the client it belongs to; it must exist
	Status   LoanStatus // 0 → LoanActive
	// ClosedOn zero → the business date when the status has ended.
	ClosedOn   wire.Date
	ProductID  int64 // 0 → SeedFlatProductID
	Principal  int64 // whole currency units; 0 → the product's default
	ExternalID string
	// SubmittedOn zero → the business date; a loan seeded past approval or
	// disbursement was approved and disbursed on the same day.
	SubmittedOn wire.Date
}

// LoanSnapshot is the current state of one loan: one m_loan row with its
// terms (copied from the product at submission, as LoanAssembler does) and
// its transactions. The schedule is derived from the terms (schedule.go).
type LoanSnapshot struct {
	ID int64
	LoanSeed
	AccountNo string

	product               *loanProduct
	principal, approved   decimal // requested (proposedPrincipal) and approved principal
	repayments, every     int
	rate                  decimal // interestRatePerPeriod, per month
	amortization          int
	interestType          int
	strategy              strategy
	expectedDisbursement  wire.Date
	approvedOn, disbursed wire.Date
	rejectedOn, withdrawn wire.Date
	writtenOffOn          wire.Date
	overpaidOn            wire.Date // 1.9's overpaidOnDate: the repayment that last over-paid it
	txs                   []*loanTx
}

// loanTx is one m_loan_transaction row. Type ids are LoanTransactionType's
// (fineract-loan/.../loanaccount/domain/LoanTransactionType.java, 1.10.1).
// Rows are never changed in place once stored: a change replaces the
// pointer (batch rollback and undo-disbursal rely on it).
type loanTx struct {
	id, typ        int64
	date, postedOn wire.Date // value date; business date it was posted on
	amount         decimal
	portions       parts   // what it paid (or wrote off), by component
	overpayment    decimal // overpaymentPortion
	balance        decimal // outstandingLoanBalance after it
	externalID     string
	paymentTypeID  int64
	// paymentNumbers are the non-blank accountNumber … bankNumber sent
	// with a payment type, in PaymentDetailData's order.
	paymentNumbers obj
	reversedOn     wire.Date // set when undo-disbursal or a replay reverses it
}

// reversed is is_reversed: every line stores it, only 1.9+ shows the date.
func (t *loanTx) reversed() bool { return !t.reversedOn.IsZero() }

// Loan transaction types the simulator posts.
const (
	txDisbursement int64 = 1
	txRepayment    int64 = 2
	txWriteOff     int64 = 6
	txAccrual      int64 = 10
)

// loanWithDefaults applies the LoanSeed defaults that need no store.
func loanWithDefaults(s LoanSeed, today wire.Date) *LoanSnapshot {
	if s.Status == 0 {
		s.Status = LoanActive
	}
	if s.Status.ended() && s.ClosedOn.IsZero() {
		s.ClosedOn = today
	}
	if s.SubmittedOn.IsZero() {
		s.SubmittedOn = today
	}
	if s.ProductID == 0 {
		s.ProductID = SeedFlatProductID
	}
	return &LoanSnapshot{LoanSeed: s}
}

// addLoan stores a seeded loan under the next loan id, with the product's
// terms and, past approval, the approval and disbursement of its
// submission day; a loan Closed (obligations met) was repaid in full on
// its ClosedOn, one Overpaid repaid one currency unit more than due on its
// submission day, and one Closed (written off) written off on its
// ClosedOn. It panics when the client or product does not exist
// (m_loan's foreign keys): a mistake in the set-up, not upstream behaviour.
func (st *store) addLoan(l *LoanSnapshot, today wire.Date) {
	if _, ok := st.clients.rows[l.ClientID]; !ok {
		panic(fmt.Sprintf("fake: loan for client %d, which does not exist", l.ClientID))
	}
	p, ok := st.products.rows[l.ProductID]
	if !ok {
		panic(fmt.Sprintf("fake: loan of product %d, which does not exist", l.ProductID))
	}
	principal := p.principal
	if l.Principal != 0 {
		principal = units(l.Principal)
	}
	l.ID = st.loans.next
	l.withTerms(p, principal, l.SubmittedOn)
	if l.AccountNo == "" {
		l.AccountNo = generatedAccountNo(l.ID)
	}
	switch l.Status {
	case LoanSubmittedAndPendingApproval, LoanWithdrawnByClient, LoanRejected:
	default:
		l.approvedOn = l.SubmittedOn
	}
	if l.Status >= LoanActive && l.Status != LoanWithdrawnByClient && l.Status != LoanRejected {
		status := l.Status
		st.disburse(l, l.SubmittedOn, today, PaymentTypeMoneyTransferID)
		lg := l.ledger()
		due := lg.expected().total()
		switch status {
		case LoanClosedObligationsMet:
			st.repay(l, &loanTx{typ: txRepayment, date: l.ClosedOn, postedOn: today, amount: due}, today)
		case LoanOverpaid:
			st.repay(l, &loanTx{typ: txRepayment, date: l.SubmittedOn, postedOn: today, amount: due + units(1)}, today)
		case LoanClosedWrittenOff:
			st.writeOff(l, l.ClosedOn, today, "")
		default:
			l.Status = status
		}
	}
	st.loans.insert(l.ID, l)
}

// withTerms copies the product's terms onto the loan, as LoanAssembler
// does for what the request leaves to the product.
func (l *LoanSnapshot) withTerms(p *loanProduct, principal decimal, expected wire.Date) {
	l.product, l.principal, l.approved = p, principal, principal
	l.repayments, l.every, l.rate = p.repayments, p.repaymentEvery, p.interestRatePerPeriod
	l.amortization, l.interestType, l.strategy = p.amortizationType, p.interestType, p.strategy
	l.expectedDisbursement = expected
}

// disburse is Loan.disburse with accounting NONE: status Active, a
// Disbursement and an "interest applied" Accrual transaction on the day
// (facts §14.3; fineract-loan/.../loanaccount/domain/Loan.java, 1.10.1).
func (st *store) disburse(l *LoanSnapshot, on, posted wire.Date, paymentType int64) {
	l.Status, l.disbursed = LoanActive, on
	sched := l.schedule()
	l.txs = append(l.txs,
		&loanTx{id: st.loanTxs.burn(), typ: txDisbursement, date: on, postedOn: posted, amount: l.approved,
			balance: l.approved, paymentTypeID: paymentType},
		&loanTx{id: st.loanTxs.burn(), typ: txAccrual, date: on, postedOn: posted, amount: sched.interest,
			portions: parts{interestPart: sched.interest}})
}

// live are the transactions not reversed, in the order Fineract lists and
// processes them: by value date, then as posted (retrieveLoanTransactions'
// ORDER BY transaction_date, created_on_utc, id;
// LoanReadPlatformServiceImpl, 1.10.1).
func (l *LoanSnapshot) live() []*loanTx {
	var out []*loanTx
	for _, t := range l.txs {
		if !t.reversed() {
			out = append(out, t)
		}
	}
	slices.SortStableFunc(out, func(a, b *loanTx) int {
		if c := a.date.Time().Compare(b.date.Time()); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	return out
}

// loansOf is LoanRepositoryWrapper.findLoanByClientId: the client's loans.
// Its query has no ORDER BY; they come in id order here.
func (st *store) loansOf(clientID int64) []*LoanSnapshot {
	var out []*LoanSnapshot
	for _, l := range st.loans.sorted() {
		if l.ClientID == clientID {
			out = append(out, l)
		}
	}
	return out
}

// loanByExternalID is LoanRepository.findIdByExternalId: an exact match
// under the database's collation.
func (st *store) loanByExternalID(ext string) *LoanSnapshot {
	for _, l := range st.loans.sorted() {
		if l.ExternalID != "" && collationEqual(l.ExternalID, ext) {
			return l
		}
	}
	return nil
}
