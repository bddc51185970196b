package fake

import (
	"lmsproxy/upstream/wire"
)

// What a loan's transactions did to its schedule: the mifos standard
// strategy (FineractStyleLoanRepaymentScheduleTransactionProcessor with
// AbstractLoanRepaymentScheduleTransactionProcessor, fineract-loan/.../
// loanaccount/domain/transactionprocessor/ at 1.10.1, fineract-provider/...
// at 1.8.4) run over the live transactions in order, as
// reprocessLoanTransactions does. The schedule itself never changes (no
// interest recalculation is modelled); what each instalment was paid and
// written off is derived, and so are the loan's summary and the split of
// each transaction. Used by the loan reads and the transaction commands.

// component is one part of what an instalment owes, in the order the
// strategy pays them (handleTransactionThatIsOnTimePaymentOfInstallment:
// penalties, fees, interest, principal; early and late payments are paid
// the same way). The simulator has no charges, so nothing is ever due for
// the first two; they are kept so that every amount is allocated and
// rendered the one way Fineract does.
type component int

const (
	penaltyPart component = iota
	feePart
	interestPart
	principalPart
	partCount
)

// parts are amounts by component.
type parts [partCount]decimal

func (p parts) total() decimal {
	var t decimal
	for _, d := range p {
		t += d
	}
	return t
}

func (p parts) plus(q parts) parts {
	for c := range p {
		p[c] += q[c]
	}
	return p
}

func (p parts) minus(q parts) parts {
	for c := range p {
		p[c] -= q[c]
	}
	return p
}

// period is one instalment (LoanRepaymentScheduleInstallment) as the
// transactions left it.
type period struct {
	installment
	// expected is what the schedule asks for, by component.
	expected, paid, writtenOff parts
	// inAdvance and late are what was paid before and after its due date
	// (trackAdvanceAndLateTotalsForRepaymentPeriod).
	inAdvance, late decimal
	// metOn is obligationsMetOnDate: the date of the transaction that left
	// nothing outstanding (checkIfRepaymentPeriodObligationsAreMet).
	metOn wire.Date
}

func (p *period) outstanding() parts { return p.expected.minus(p.paid).minus(p.writtenOff) }

func (p *period) complete() bool { return p.outstanding().total() == 0 }

// allocation is what one transaction took: its portions and the
// overpayment left over.
type allocation struct {
	portions    parts
	overpayment decimal
}

// ledger is a loan's schedule with its live transactions applied.
type ledger struct {
	schedule
	periods  []period
	overpaid decimal // totalOverpaid: every overpayment portion
	// split is each repayment's and write-off's allocation, by transaction
	// id.
	split map[int64]allocation
}

// ledger replays the loan's live transactions.
func (l *LoanSnapshot) ledger() ledger {
	sched := l.schedule()
	lg := ledger{schedule: sched, split: map[int64]allocation{}}
	for _, in := range sched.periods {
		lg.periods = append(lg.periods, period{installment: in,
			expected: parts{interestPart: in.interest, principalPart: in.principal}})
	}
	for _, t := range l.live() {
		switch t.typ {
		case txRepayment:
			lg.split[t.id] = lg.repay(t.date, t.amount)
		case txWriteOff:
			lg.split[t.id] = lg.writeOff(t.date)
		}
	}
	return lg
}

// repay is handleTransactionAndCharges for a repayment: the oldest
// instalment not fully paid first, each component in order; what is left
// when every instalment is paid is the overpayment (processLatestTransaction,
// setOverPayments).
func (lg *ledger) repay(on wire.Date, amount decimal) allocation {
	var a allocation
	left := amount
	for i := range lg.periods {
		p := &lg.periods[i]
		if left == 0 {
			break
		}
		owed := p.outstanding()
		if owed.total() == 0 {
			continue
		}
		for c := range owed {
			take := min(left, owed[c])
			p.paid[c] += take
			a.portions[c] += take
			left -= take
			switch {
			case on.Before(p.due):
				p.inAdvance += take
			case p.due.Before(on):
				p.late += take
			}
		}
		if p.complete() {
			p.metOn = on
		}
	}
	a.overpayment = left
	lg.overpaid += left
	return a
}

// writeOff is handleWriteOff: every instalment's outstanding is written
// off, which meets its obligations.
func (lg *ledger) writeOff(on wire.Date) allocation {
	var a allocation
	for i := range lg.periods {
		p := &lg.periods[i]
		if p.complete() {
			continue
		}
		owed := p.outstanding()
		p.writtenOff = p.writtenOff.plus(owed)
		a.portions = a.portions.plus(owed)
		p.metOn = on
	}
	return a
}

// sum adds one measure over the instalments.
func (lg *ledger) sum(measure func(p *period) parts) parts {
	var t parts
	for i := range lg.periods {
		t = t.plus(measure(&lg.periods[i]))
	}
	return t
}

func (lg *ledger) expected() parts   { return lg.sum(func(p *period) parts { return p.expected }) }
func (lg *ledger) paid() parts       { return lg.sum(func(p *period) parts { return p.paid }) }
func (lg *ledger) writtenOff() parts { return lg.sum(func(p *period) parts { return p.writtenOff }) }
func (lg *ledger) outstanding() parts {
	return lg.sum(func(p *period) parts { return p.outstanding() })
}

// post adds a repayment or a write-off, given without id or portions, as
// Loan.handleRepaymentOrRecoveryOrWaiverTransaction and closeAsWrittenOff
// do: it takes the next id and its allocation. A repayment dated before
// others replays them (reprocessLoanTransactions): each whose split
// changed is reversed on the business date, losing its external id, and
// re-posted under a new id with it (createNewTransaction; 1.8.4 the same
// inline). Then every balance is recomputed (updateLoanOutstandingBalances).
// The caller moves the loan's status.
func (st *store) post(l *LoanSnapshot, tx *loanTx, today wire.Date) ledger {
	tx.id = st.loanTxs.burn()
	l.txs = append(append([]*loanTx(nil), l.txs...), tx)
	lg := l.ledger()
	for _, t := range l.live() {
		a := lg.split[t.id]
		switch {
		case t == tx:
			tx.portions, tx.overpayment = a.portions, a.overpayment
			if tx.typ == txWriteOff { // updateComponentsAndTotal: it is what it took
				tx.amount = a.portions.total()
			}
		case t.typ == txRepayment && a != (allocation{t.portions, t.overpayment}):
			old := *t
			old.reversedOn, old.externalID = today, ""
			l.replace(t, &old)
			replayed := *t
			replayed.id, replayed.postedOn = st.loanTxs.burn(), today
			replayed.portions, replayed.overpayment = a.portions, a.overpayment
			l.txs = append(l.txs, &replayed)
		}
	}
	l.updateBalances()
	return lg
}

// updateBalances is updateLoanOutstandingBalances: the principal
// outstanding after each live transaction but the accruals.
func (l *LoanSnapshot) updateBalances() {
	var outstanding decimal
	for _, t := range l.live() {
		switch t.typ {
		case txAccrual:
			continue
		case txDisbursement:
			outstanding += t.amount
		default:
			outstanding -= t.portions[principalPart]
		}
		if t.balance != outstanding {
			updated := *t
			updated.balance = outstanding
			l.replace(t, &updated)
		}
	}
}

// replace swaps a stored row for its new version.
func (l *LoanSnapshot) replace(old, updated *loanTx) {
	for i, t := range l.txs {
		if t == old {
			l.txs[i] = updated
			return
		}
	}
}
