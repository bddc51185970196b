package fake

import (
	"net/http"
	"strings"

	"lmsproxy/upstream"
)

// POST /loans/{loanId}/transactions?command=writeoff and, from 1.9, its
// /loans/external-id/{x}/transactions form (LoanTransactionsApiResource
// .executeTransaction → LoanWritePlatformServiceJpaRepositoryImpl.writeOff,
// body by LoanEventApiJsonValidator.validateTransactionWithNoAmount, rules
// by Loan.closeAsWrittenOff; fineract-provider/.../loanaccount/{api,service,
// serialization}/ and fineract-loan/.../loanaccount/domain/Loan.java at
// 1.10.1; facts §10). Write-off is the only transaction command simulated;
// the others are answered as unknown. Used by the proxy's write-off, next.

// writeOffWhitelist: 1.9 added the transaction's externalId.
func writeOffWhitelist(v upstream.Version) []string {
	keys := []string{"transactionDate", "note", "locale", "dateFormat", "writeoffReasonId"}
	if v.AtLeast(upstream.V1_9) {
		keys = append(keys, "externalId")
	}
	return keys
}

// loanTransactionRoutes are the transaction commands on a loan. They come
// before /loans/external-id/{x}: LoanTransactionsApiResource's template has
// more literal characters, so /loans/external-id/transactions is its,
// with an unconvertible loanId (404).
var loanTransactionRoutes = addressed("loans", "loanId", "loanExternalId", "/transactions", func(s *Server, c *call, t target) methods {
	return methods{http.MethodPost: func() result { return s.unlessLocked(c, t, s.loanTransaction) }}
})

// loanTransaction dispatches ?command= (case-insensitive).
func (s *Server) loanTransaction(c *call, t target) result {
	var name *string
	if c.query.Has("command") {
		v := c.query.Get("command")
		name = &v
	}
	if !strings.EqualFold(derefString(name), "writeoff") {
		return s.render(c.r, nil, unsupportedCommandError(name))
	}
	return s.writeOn(c, loanEntity, t, "WRITEOFF_LOAN", func(id int64) (commit, error) {
		return s.planWriteOff(id, c.body)
	})
}

// planWriteOff: body (400), loan (404), client active (403), reason
// (404), state (400), dates (403); then the whole outstanding is written
// off in one transaction and the loan is Closed (written off).
func (s *Server) planWriteOff(id int64, raw []byte) (commit, error) {
	b, err := parseBody(raw, writeOffWhitelist(s.opts.Version)...)
	if err != nil {
		return nil, err
	}
	f := &form{b: b, v: validator{resource: "loan.transaction"}}
	date := f.requiredDate("transactionDate")
	reason := f.long("writeoffReasonId")
	f.v.maxLength("note", b.str("note"), 1000)
	if err := f.err(); err != nil {
		return nil, err
	}
	l, err := s.loanOf(id)
	if err != nil {
		return nil, err
	}
	if reason != nil && !s.db.hasCodeValue(writeOffReasonCode, *reason) {
		return nil, codeValueNotFoundError(writeOffReasonCode, *reason)
	}
	if l.Status != LoanActive {
		return nil, stateError("error.msg.loan.writtenoff.account.is.not.active",
			"Loan Written off is not allowed. Loan Account is not active.")
	}
	switch {
	case date.Before(l.disbursed):
		return nil, domainRuleError("error.msg.loan.writeoff.cannot.be.before.submittal.date",
			"The date on which a loan is written off cannot be before the loan disbursement date: "+l.disbursed.ISO(), *date, l.disbursed)
	case s.today().Before(*date):
		return nil, domainRuleError("error.msg.loan.writeoff.cannot.be.a.future.date",
			"The date on which a loan is written off cannot be in the future.", *date)
	}
	return func() obj {
		sched := l.schedule()
		tx := &loanTx{id: s.db.loanTxs.burn(), typ: txWriteOff, date: *date, postedOn: s.today(),
			amount: sched.principal + sched.interest, principal: sched.principal, interest: sched.interest}
		l.txs = append(l.txs, tx)
		l.Status, l.writtenOffOn, l.ClosedOn = LoanClosedWrittenOff, *date, *date
		changes := dateChanges(b, "transactionDate")
		changes = append(changes, field{"status", loanStatusObject(LoanClosedWrittenOff)})
		if note := b.str("note"); note != nil {
			changes = append(changes, field{"note", *note})
		}
		changes = append(changes, field{"closedOnDate", *b.str("transactionDate")},
			field{"writtenOffOnDate", *b.str("transactionDate")})
		o := s.loanResult(l, tx.id, changes)
		return o.set("resourceExternalId", optString(derefString(b.str("externalId"))))
	}, nil
}
