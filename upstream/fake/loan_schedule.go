package fake

import (
	"math/big"
	"time"

	"lmsproxy/upstream/wire"
)

// The repayment schedule of a loan, derived from its terms as facts §14.3
// outlines CumulativeFlatInterestLoanScheduleGenerator and
// CumulativeDecliningBalanceInterestLoanScheduleGenerator with
// LoanApplicationTerms (fineract-loan/.../loanaccount/loanschedule/domain/,
// 1.10.1): monthly periods from the (actual, else expected) disbursement
// date, amounts rounded HALF_EVEN to the currency, the last period
// absorbing the remainders. Not penny-exact with Fineract; the proxy maps
// Fineract's numbers and never recomputes them. Used by the loan reads.

// installment is one repayment period.
type installment struct {
	n                   int
	from, due           wire.Date
	principal, interest decimal
	balance             decimal // principal outstanding after it
}

// schedule is the whole plan.
type schedule struct {
	start               wire.Date // the disbursement date it runs from
	periods             []installment
	principal, interest decimal
	maturity            wire.Date
}

// schedule builds the loan's plan.
func (l *LoanSnapshot) schedule() schedule {
	start := l.disbursed
	if start.IsZero() {
		start = l.expectedDisbursement
	}
	places := l.product.currency.places
	n := l.repayments
	r := new(big.Rat).Quo(l.rate.rat(), big.NewRat(100, 1)) // per month, as "Per month" rates are
	r.Mul(r, big.NewRat(int64(l.every), 1))
	p := l.approved
	sc := schedule{start: start}
	emi := decimal(0)
	if l.interestType == 0 && r.Sign() > 0 {
		// EMI = P·r / (1 − (1+r)^−n), in floating point as the upstream's
		// MathContext-bounded BigDecimal power is not exact either.
		rf, _ := r.Float64()
		pf, _ := p.rat().Float64()
		pow := 1.0
		for i := 0; i < n; i++ {
			pow *= 1 + rf
		}
		emi = decimalOf(new(big.Rat).SetFloat64(pf*rf/(1-1/pow)), places)
	}
	flatPrincipal := decimalOf(new(big.Rat).Quo(p.rat(), big.NewRat(int64(n), 1)), places)
	flatInterest := p.times(r, places)
	balance := p
	from := start
	for k := 1; k <= n; k++ {
		due := plusMonths(start, k*l.every)
		var prin, intr decimal
		switch {
		case l.interestType == 1: // flat
			prin, intr = flatPrincipal, flatInterest
		default:
			intr = balance.times(r, places)
			prin = emi - intr
			if emi == 0 { // zero rate: equal principal
				prin = flatPrincipal
			}
		}
		if k == n {
			prin = balance
			if l.interestType == 1 {
				intr = decimalOf(new(big.Rat).Mul(p.rat(), new(big.Rat).Mul(r, big.NewRat(int64(n), 1))), places) - sc.interest
			}
		}
		balance -= prin
		sc.periods = append(sc.periods, installment{n: k, from: from, due: due, principal: prin, interest: intr, balance: balance})
		sc.principal += prin
		sc.interest += intr
		from = due
	}
	sc.maturity = from
	return sc
}

// plusMonths is LocalDate.plusMonths: the day is clipped to the month's end.
func plusMonths(d wire.Date, months int) wire.Date {
	first := time.Date(d.Year, d.Month+time.Month(months), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return wire.Date{Year: first.Year(), Month: first.Month(), Day: min(d.Day, last)}
}
