package fake

import (
	"net/http"
	"strings"

	"lmsproxy/upstream"
	"lmsproxy/upstream/wire"
)

// POST /loans/{loanId}/transactions?command=writeoff and, from 1.9, its
// /loans/external-id/{x}/transactions form (LoanTransactionsApiResource
// .executeTransaction → LoanWritePlatformServiceJpaRepositoryImpl.writeOff,
// body by LoanEventApiJsonValidator.validateTransactionWithNoAmount, rules
// by Loan.closeAsWrittenOff; fineract-provider/.../loanaccount/{api,service,
// serialization}/ and fineract-loan/.../loanaccount/domain/Loan.java at
// 1.10.1; facts §10), with the dispatch of the transaction commands.
// Write-off and repayment (loan_repayment.go) are the transaction commands
// simulated; the others are answered as unknown. Used by the proxy's
// write-off, next.

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

// loanTransactionCommand is one ?command= of LoanTransactionsApiResource.
type loanTransactionCommand struct {
	task string
	plan func(s *Server, id int64, raw []byte) (commit, error)
}

var loanTransactionCommands = map[string]loanTransactionCommand{
	"repayment": {task: "REPAYMENT_LOAN", plan: (*Server).planRepayment},
	"writeoff":  {task: "WRITEOFF_LOAN", plan: (*Server).planWriteOff},
}

// loanTransaction is executeTransaction: the loan's external id is resolved
// (404) before ?command= is read (CommandParameterUtil.is, case-insensitive),
// then the command runs through the write pipeline.
func (s *Server) loanTransaction(c *call, t target) result {
	id, err := s.resolve(loanEntity, t)
	if err != nil {
		return s.render(c.r, nil, err)
	}
	var name *string
	if c.query.Has("command") {
		v := c.query.Get("command")
		name = &v
	}
	cmd, ok := loanTransactionCommands[strings.ToLower(derefString(name))]
	if !ok {
		return s.render(c.r, nil, unsupportedCommandError(name))
	}
	return s.execute(c, write{task: cmd.task, entity: loanEntity, id: id, plan: func() (commit, error) {
		return cmd.plan(s, id, c.body)
	}})
}

// planWriteOff: body (400), loan (404), client active (403), reason
// (404), state (400), dates (403); then whatever is outstanding is written
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
	case date.Before(l.lastUserTransactionDate()):
		return nil, domainRuleError("error.msg.loan.writeoff.must.occur.on.or.after.other.transaction.dates",
			"The date of the writeoff transaction must occur on or before previous transactions.", *date)
	}
	return func() obj {
		tx := s.db.writeOff(l, *date, s.today(), derefString(b.str("externalId")))
		changes := dateChanges(b, "transactionDate")
		changes = append(changes, field{"status", loanStatusObject(LoanClosedWrittenOff)})
		if note := b.str("note"); note != nil {
			changes = append(changes, field{"note", *note})
		}
		changes = append(changes, field{"closedOnDate", *b.str("transactionDate")},
			field{"writtenOffOnDate", *b.str("transactionDate")})
		o := s.loanResult(l, tx.id, changes)
		return o.set("resourceExternalId", optString(tx.externalID))
	}, nil
}

// writeOff closes the loan as written off on the date, posting the
// write-off of everything outstanding.
func (st *store) writeOff(l *LoanSnapshot, on, today wire.Date, externalID string) *loanTx {
	tx := &loanTx{typ: txWriteOff, date: on, postedOn: today, externalID: externalID}
	st.post(l, tx, today)
	l.Status, l.writtenOffOn, l.ClosedOn = LoanClosedWrittenOff, on, on
	return tx
}

// lastUserTransactionDate is getLastUserTransactionDate: the latest value
// date of a live transaction other than an accrual, at least the
// disbursement's.
func (l *LoanSnapshot) lastUserTransactionDate() wire.Date {
	last := l.disbursed
	for _, t := range l.live() {
		if t.typ != txAccrual && last.Before(t.date) {
			last = t.date
		}
	}
	return last
}
