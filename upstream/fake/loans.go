package fake

import (
	"fmt"

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

// LoanSeed describes one loan for AddLoan. Only what the simulator's rules
// read is modelled; the loan routes will grow it.
type LoanSeed struct {
	ClientID int64      // the client it belongs to; it must exist
	Status   LoanStatus // 0 → LoanActive
	// ClosedOn zero → the business date when the status has ended.
	ClosedOn wire.Date
}

// LoanSnapshot is the current state of one loan.
type LoanSnapshot struct {
	ID int64
	LoanSeed
}

// loanWithDefaults applies the LoanSeed defaults.
func loanWithDefaults(s LoanSeed, today wire.Date) *LoanSnapshot {
	if s.Status == 0 {
		s.Status = LoanActive
	}
	if s.Status.ended() && s.ClosedOn.IsZero() {
		s.ClosedOn = today
	}
	return &LoanSnapshot{LoanSeed: s}
}

// addLoan stores a loan under the next loan id. It panics when the client
// does not exist (m_loan.client_id is a foreign key): a mistake in the
// set-up, not upstream behaviour.
func (st *store) addLoan(l *LoanSnapshot) {
	if _, ok := st.clients.rows[l.ClientID]; !ok {
		panic(fmt.Sprintf("fake: loan for client %d, which does not exist", l.ClientID))
	}
	l.ID = st.loans.next
	st.loans.insert(l.ID, l)
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
