package fake

import (
	"net/http"

	"lmsproxy/upstream"
)

// GET /loans/{loanId}/transactions/{transactionId} and, from 1.9 (commit
// 507905940, FINERACT-1760), its three external-id forms
// (LoanTransactionsApiResource.retrieveTransaction →
// LoanReadPlatformServiceImpl.retrieveLoanTransaction, LoanTransactionData;
// fineract-provider/.../portfolio/loanaccount/{api,service}/ and
// fineract-loan/.../loanaccount/data/LoanTransactionData.java at 1.10.1,
// fineract-provider/... at 1.8.4; facts §9.3). Used by the proxy's
// repayment reads, next.

// loanTransactionReadRoutes are the four addressings of one transaction.
var loanTransactionReadRoutes = []route{
	loanTransactionRoute("loans/{loanId}/transactions/{transactionId}", nil),
	loanTransactionRoute("loans/{loanId}/transactions/external-id/{externalTransactionId}", upstream.Version.HasExternalIDRoutes),
	loanTransactionRoute("loans/external-id/{loanExternalId}/transactions/{transactionId}", upstream.Version.HasExternalIDRoutes),
	loanTransactionRoute("loans/external-id/{loanExternalId}/transactions/external-id/{externalTransactionId}",
		upstream.Version.HasExternalIDRoutes),
}

func loanTransactionRoute(template string, served func(upstream.Version) bool) route {
	return route{template: template, served: served, methods: func(s *Server, c *call, p params) methods {
		loan, okLoan := p.target("loanId", "loanExternalId")
		tx, okTx := p.target("transactionId", "externalTransactionId")
		if !okLoan || !okTx {
			return nil
		}
		return methods{http.MethodGet: func() result {
			v, err := s.getLoanTransaction(loan, tx)
			return s.render(c.r, v, err)
		}}
	}}
}

// getLoanTransaction is retrieveTransaction: READ_LOAN, the loan's external
// id (404), the transaction's external id, looked up among every loan's
// transactions (LoanTransactionRepository.findIdByExternalId: 404
// error.msg.loan.transaction.external.id.invalid), then the row WHERE
// l.id = ? AND tr.id = ?, joined on tr.loan_id = l.id: a transaction of
// another loan, or of a loan that does not exist, is not found
// (LoanTransactionNotFoundException, whose code 1.8.4 shares with the loan's).
// Reversed rows are returned like the others.
func (s *Server) getLoanTransaction(loan, tx target) (obj, error) {
	if err := s.permitRead(loanEntity.name); err != nil {
		return nil, err
	}
	loanID, err := s.resolve(loanEntity, loan)
	if err != nil {
		return nil, err
	}
	txID := tx.id
	if tx.ext != nil {
		_, t := s.db.loanTxByExternalID(*tx.ext)
		if t == nil {
			return nil, notFoundError("error.msg.loan.transaction.external.id.invalid",
				"Transaction with external identifier "+*tx.ext+" does not exist", *tx.ext)
		}
		txID = t.id
	}
	if l, ok := s.db.loans.rows[loanID]; ok {
		for _, t := range l.txs {
			if t.id == txID {
				return s.transactionObject(l, t, true), nil
			}
		}
	}
	code := "error.msg.loan.transaction.id.invalid"
	if !s.opts.Version.AtLeast(upstream.V1_9) {
		code = "error.msg.loan.id.invalid"
	}
	return nil, entityNotFoundError(code, "Transaction", txID)
}

// loanTxByExternalID finds a transaction of any loan by its external id,
// under the database's collation; reversed rows keep theirs.
func (st *store) loanTxByExternalID(ext string) (*LoanSnapshot, *loanTx) {
	for _, l := range st.loans.sorted() {
		for _, t := range l.txs {
			if t.externalID != "" && collationEqual(t.externalID, ext) {
				return l, t
			}
		}
	}
	return nil, nil
}

// loanTxTypes are LoanEnumerations.transactionType for the types posted:
// code suffix, value and the flag that is true.
var loanTxTypes = map[int64][3]string{
	txDisbursement: {"disbursement", "Disbursement", "disbursement"},
	txRepayment:    {"repayment", "Repayment", "repayment"},
	txWriteOff:     {"writeOff", "Close (as written-off)", "writeOff"},
	txAccrual:      {"accrual", "Accrual", "accrual"},
}

// transactionTypeFlags are LoanTransactionEnumData's booleans in
// declaration order: 1.9 added chargeRefund and the four at the end, 1.10
// reAge and reAmortize.
func transactionTypeFlags(v upstream.Version) []string {
	flags := []string{"disbursement", "repaymentAtDisbursement", "repayment", "merchantIssuedRefund", "payoutRefund",
		"goodwillCredit"}
	if v.AtLeast(upstream.V1_9) {
		flags = append(flags, "chargeRefund")
	}
	flags = append(flags, "contra", "waiveInterest", "waiveCharges", "accrual", "writeOff", "recoveryRepayment",
		"initiateTransfer", "approveTransfer", "withdrawTransfer", "rejectTransfer", "chargePayment", "refund",
		"refundForActiveLoans", "creditBalanceRefund")
	if v.AtLeast(upstream.V1_9) {
		flags = append(flags, "chargeAdjustment", "chargeback", "chargeoff", "downPayment")
	}
	if v.AtLeast(upstream.V1_10) {
		flags = append(flags, "reAge", "reAmortize")
	}
	return flags
}

// transactionObject is LoanTransactionData from LoanTransactionsMapper, in
// declaration order: every portion present (NULL reads as 0), the payment
// detail under the transaction's own id (the mapper passes it), 1.9's
// loanId, externalLoanId, reversedOnDate and transactionRelations (no
// relation is modelled, so the list is empty, also for a replayed
// repayment). loanChargePaidByList is set by the single read on every line
// and by the 1.9+ association; numberOfRepayments keeps its initial 0.
func (s *Server) transactionObject(l *LoanSnapshot, t *loanTx, single bool) obj {
	v := s.opts.Version
	cl := s.db.clients.rows[l.ClientID]
	lab := loanTxTypes[t.typ]
	typ := obj{{"id", t.typ}, {"code", "loanTransactionType." + lab[0]}, {"value", lab[1]}}
	for _, flag := range transactionTypeFlags(v) {
		typ = append(typ, field{flag, flag == lab[2]})
	}
	o := obj{{"id", t.id}}
	if v.AtLeast(upstream.V1_9) {
		o = append(o, field{"loanId", l.ID}, field{"externalLoanId", optString(l.ExternalID)})
	}
	o = append(o, field{"officeId", cl.OfficeID}, field{"officeName", s.db.offices[cl.OfficeID].name},
		field{"type", typ}, field{"date", t.date}, field{"currency", l.product.currency.object()})
	if t.paymentTypeID != 0 {
		pt := obj{{"id", t.paymentTypeID}, {"name", s.db.paymentTypes[t.paymentTypeID]}}
		if v.AtLeast(upstream.V1_9) { // PaymentTypeData.instance(id, name) sets it from 1.9
			pt = append(pt, field{"isSystemDefined", false})
		}
		o = append(o, field{"paymentDetailData", append(obj{{"id", t.id}, {"paymentType", pt}}, t.paymentNumbers...)})
	}
	o = append(o, field{"amount", t.amount}, field{"netDisbursalAmount", l.approved},
		field{"principalPortion", t.portions[principalPart]}, field{"interestPortion", t.portions[interestPart]},
		field{"feeChargesPortion", t.portions[feePart]}, field{"penaltyChargesPortion", t.portions[penaltyPart]},
		field{"overpaymentPortion", t.overpayment}, field{"unrecognizedIncomePortion", decimal(0)},
		field{"externalId", optString(t.externalID)},
		field{"outstandingLoanBalance", t.balance}, field{"submittedOnDate", t.postedOn},
		field{"manuallyReversed", false})
	if single || v.AtLeast(upstream.V1_9) {
		o = append(o, field{"loanChargePaidByList", []any{}})
	}
	o = append(o, field{"numberOfRepayments", 0})
	if v.AtLeast(upstream.V1_9) {
		o = append(o, field{"reversedOnDate", optDate(t.reversedOn)}, field{"transactionRelations", []any{}})
	}
	return o
}
