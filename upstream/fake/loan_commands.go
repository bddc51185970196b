package fake

import (
	"strings"

	"lmsproxy/upstream"
	"lmsproxy/upstream/wire"
)

// POST /loans/{loanId}?command=… and DELETE /loans/{loanId} (and their
// /loans/external-id/{x} forms from 1.9): the state machine of
// DefaultLoanLifecycleStateMachine with Loan.validateAccountStatus's texts
// (fineract-loan/.../loanaccount/domain/Loan.java and
// fineract-provider/.../loanaccount/domain/DefaultLoanLifecycleStateMachine.java,
// 1.10.1; fineract-provider/... at 1.8.4; facts §5, §6.2). Every command
// checks permission, then its body (400), the loan (404), its client active
// (403), the state (400), then dates and amounts (403). Used by the proxy's
// loans handlers, next.

// loanCommand is one ?command= of a loan.
type loanCommand struct {
	task string
	// whitelist nil: the body is not validated at all (undodisbursal).
	whitelist []string
	// resource is the DataValidatorBuilder resource of the body's codes.
	resource string
	// dateParam is the mandatory date, if any.
	dateParam string
	// apply checks the state and the date against the loan and changes the
	// copy it is given; it returns the result's changes.
	apply func(s *Server, l *LoanSnapshot, b *body, date wire.Date) (obj, error)
}

var loanCommands = map[string]loanCommand{
	"approve": {task: "APPROVE_LOAN", resource: "loanapplication", dateParam: "approvedOnDate",
		whitelist: []string{"approvedOnDate", "approvedLoanAmount", "expectedDisbursementDate", "netDisbursalAmount",
			"disbursementData", "note", "loanId", "locale", "dateFormat"},
		apply: approveLoan},
	"undoapproval": {task: "APPROVALUNDO_LOAN", resource: "loanapplication.undo", whitelist: []string{"note"},
		apply: undoApproval},
	"disburse": {task: "DISBURSE_LOAN", resource: "loan.disbursement", dateParam: "actualDisbursementDate",
		whitelist: []string{"actualDisbursementDate", "transactionAmount", "externalId", "note", "paymentTypeId",
			"accountNumber", "checkNumber", "routingCode", "receiptNumber", "bankNumber", "adjustRepaymentDate",
			"fixedEmiAmount", "postDatedChecks", "netDisbursalAmount", "locale", "dateFormat"},
		apply: disburseLoan},
	"undodisbursal": {task: "DISBURSALUNDO_LOAN", apply: undoDisbursal},
	"reject": {task: "REJECT_LOAN", resource: "loanapplication", dateParam: "rejectedOnDate",
		whitelist: []string{"rejectedOnDate", "note", "locale", "dateFormat"}, apply: rejectLoan},
	"withdrawnbyapplicant": {task: "WITHDRAW_LOAN", resource: "loanapplication", dateParam: "withdrawnOnDate",
		whitelist: []string{"withdrawnOnDate", "note", "locale", "dateFormat"}, apply: withdrawLoan},
}

// loanCommand runs ?command= (matched case-insensitively,
// CommandParameterUtil.is); an unknown one, write-off included (a
// transaction command), is refused before anything else.
func (s *Server) loanCommand(c *call, t target) result {
	var name *string
	if c.query.Has("command") {
		v := c.query.Get("command")
		name = &v
	}
	cmd, ok := loanCommands[strings.ToLower(derefString(name))]
	if !ok {
		return s.render(c.r, nil, unsupportedCommandError(name))
	}
	return s.writeOn(c, loanEntity, t, cmd.task, func(id int64) (commit, error) {
		return s.planLoanCommand(cmd, id, c.body)
	})
}

// planLoanCommand validates the body, finds the loan and its client, and
// plans the change on a copy.
func (s *Server) planLoanCommand(cmd loanCommand, id int64, raw []byte) (commit, error) {
	var b *body
	var date wire.Date
	if cmd.whitelist != nil {
		var err error
		if b, err = parseBody(raw, cmd.whitelist...); err != nil {
			return nil, err
		}
		f := &form{b: b, v: validator{resource: cmd.resource}}
		if cmd.dateParam != "" {
			date = deref(f.requiredDate(cmd.dateParam))
		}
		if contains(cmd.whitelist, "expectedDisbursementDate") {
			f.optionalDate("expectedDisbursementDate")
		}
		for _, p := range []string{"approvedLoanAmount", "transactionAmount"} {
			if contains(cmd.whitelist, p) && b.has(p) {
				f.requiredAmount(p, false)
			}
		}
		if contains(cmd.whitelist, "paymentTypeId") {
			f.v.positive("paymentTypeId", f.long("paymentTypeId"))
		}
		f.v.maxLength("note", b.str("note"), 1000)
		if err := f.err(); err != nil {
			return nil, err
		}
	}
	l, err := s.loanOf(id)
	if err != nil {
		return nil, err
	}
	next := *l
	next.txs = append([]*loanTx(nil), l.txs...)
	changes, err := cmd.apply(s, &next, b, date)
	if err != nil {
		return nil, err
	}
	return func() obj {
		*l = next
		if cmd.task == "DISBURSE_LOAN" {
			return s.disburseResult(l, changes)
		}
		return s.loanResult(l, l.ID, changes)
	}, nil
}

// loanOf is the loan lookup (404) then checkClientOrGroupActive (403).
func (s *Server) loanOf(id int64) (*LoanSnapshot, error) {
	l, ok := s.db.loans.rows[id]
	if !ok {
		return nil, loanNotFoundError(id)
	}
	if !s.db.clients.rows[l.ClientID].active() {
		return nil, clientNotActiveError(l.ClientID)
	}
	return l, nil
}

// stateError is Loan.validateAccountStatus's refusal: a 400 with one
// general error.
func stateError(code, msg string) error {
	return validationError(generalError(code, msg))
}

// dateChanges are the changes every dated command reports: the input
// strings, as JsonCommand keeps them.
func dateChanges(b *body, dateParam string) obj {
	o := obj{}
	for _, k := range []string{"locale", "dateFormat", dateParam} {
		if v := b.str(k); v != nil {
			o = append(o, field{k, *v})
		}
	}
	return o
}

func approveLoan(s *Server, l *LoanSnapshot, b *body, date wire.Date) (obj, error) {
	if l.Status != LoanSubmittedAndPendingApproval {
		return nil, stateError("error.msg.loan.approve.account.is.not.submitted.and.pending.state",
			"Loan Account Approval is not allowed. Loan Account is not in submitted and pending approval state.")
	}
	amount, _ := b.amount("approvedLoanAmount")
	if amount != nil && *amount > l.principal {
		return nil, domainRuleError("error.msg.loan.approval.amount.can't.be.greater.than.loan.amount.demanded",
			"Loan approved amount can't be greater than loan amount demanded.", javaDouble(*amount), javaDouble(l.principal))
	}
	expected, _ := b.date("expectedDisbursementDate")
	switch {
	case date.Before(l.SubmittedOn):
		return nil, domainRuleError("error.msg.loan.approval.cannot.be.before.submittal.date",
			"The date on which a loan is approved cannot be before its submittal date: "+l.SubmittedOn.ISO(), date, l.SubmittedOn)
	case expected != nil && expected.Before(date):
		return nil, domainRuleError("error.msg.loan.expecteddisbursal.should.be.on.or.after.approval.date",
			"The expected disbursement date should be either on or after the approval date: "+date.ISO(), date, *expected)
	case s.today().Before(date):
		return nil, domainRuleError("error.msg.loan.approval.cannot.be.a.future.date",
			"The date on which a loan is approved cannot be in the future.", date)
	}
	l.Status, l.approvedOn = LoanApproved, date
	if amount != nil {
		l.approved = *amount
	}
	if expected != nil {
		l.expectedDisbursement = *expected
	}
	changes := obj{{"status", loanStatusObject(LoanApproved)}}
	changes = append(changes, dateChanges(b, "approvedOnDate")...)
	if note := b.str("note"); note != nil {
		changes = append(changes, field{"note", *note})
	}
	return changes, nil
}

func undoApproval(_ *Server, l *LoanSnapshot, _ *body, _ wire.Date) (obj, error) {
	if l.Status != LoanApproved {
		return nil, stateError("error.msg.loan.undo.approval.account.is.not.approved",
			"Loan Account Undo Approval is not allowed. Loan Account is not in approved state.")
	}
	l.Status, l.approvedOn, l.approved = LoanSubmittedAndPendingApproval, wire.Date{}, l.principal
	return obj{{"status", loanStatusObject(LoanSubmittedAndPendingApproval)}, {"approvedOnDate", ""}}, nil
}

// disburseLoan is the full disbursal of a single-tranche loan (facts §5.4
// order, ≤1.10.1): state (400), payment type (404), amount, before
// approval, future (403).
func disburseLoan(s *Server, l *LoanSnapshot, b *body, date wire.Date) (obj, error) {
	if l.Status != LoanApproved {
		return nil, stateError("error.msg.loan.disbursal.account.is.not.approve.not.disbursed.state",
			"Loan Disbursal is not allowed. Loan Account is not in approved and not disbursed state.")
	}
	pt, _ := b.long("paymentTypeId")
	if pt != nil {
		if _, ok := s.db.paymentTypes[*pt]; !ok {
			return nil, notFoundError("error.msg.payment.type.invalid", "PaymentType with "+fmtID(*pt)+" does not exist", *pt)
		}
	}
	if amount, _ := b.amount("transactionAmount"); amount != nil && *amount > l.approved {
		return nil, domainRuleError("error.msg.loan.disburse.amount.must.be.less.than.approved.amount",
			"Loan can't be disbursed,disburse amount is exceeding approved amount ", javaDouble(*amount))
	}
	switch {
	case date.Before(l.approvedOn):
		return nil, domainRuleError("error.msg.loan.disbursal.cannot.be.before.approval.date",
			"The date on which a loan is disbursed cannot be before its approval date: "+l.approvedOn.ISO(), date, l.approvedOn)
	case s.today().Before(date):
		return nil, domainRuleError("error.msg.loan.disbursal.cannot.be.a.future.date",
			"The date on which a loan with identifier : "+l.AccountNo+" is disbursed cannot be in the future.", date)
	}
	s.db.disburse(l, date, s.today(), deref(pt))
	changes := obj{}
	if pt != nil {
		changes = append(changes, field{"paymentTypeId", *pt})
	}
	changes = append(changes, dateChanges(b, "actualDisbursementDate")...)
	return append(changes, field{"status", loanStatusObject(LoanActive)}), nil
}

// disburseResult: from 1.9 (FINERACT-1842) resourceId is the loan and
// subResourceId the disbursement; 1.8 answers the id of the last
// transaction appended, the Accrual, and no subResourceId.
func (s *Server) disburseResult(l *LoanSnapshot, changes obj) obj {
	txs := l.txs[len(l.txs)-2:] // the disbursement and its accrual
	if !s.opts.Version.AtLeast(upstream.V1_9) {
		return s.loanResult(l, txs[1].id, changes)
	}
	o := s.loanResult(l, l.ID, changes)
	for i, f := range o {
		if f.key == "resourceId" {
			return append(o[:i+1], append(obj{{"subResourceId", txs[0].id}}, o[i+1:]...)...)
		}
	}
	return o
}

// undoDisbursal reverses every transaction (repayments too; facts §5.5) and
// returns the loan to Approved.
func undoDisbursal(s *Server, l *LoanSnapshot, _ *body, _ wire.Date) (obj, error) {
	if l.Status != LoanActive {
		return nil, stateError("error.msg.loan.undo.disbursal.account.is.not.active",
			"Loan Undo disbursal is not allowed. Loan Account is not active.")
	}
	for i, t := range l.txs {
		if t.reversedOn.IsZero() {
			reversed := *t
			reversed.reversedOn = s.today()
			l.txs[i] = &reversed
		}
	}
	l.Status, l.disbursed = LoanApproved, wire.Date{}
	return obj{{"status", loanStatusObject(LoanApproved)}, {"actualDisbursementDate", ""}}, nil
}

func rejectLoan(s *Server, l *LoanSnapshot, b *body, date wire.Date) (obj, error) {
	if l.Status != LoanSubmittedAndPendingApproval {
		return nil, stateError("error.msg.loan.reject.account.is.not.submitted.pending.approval.state",
			"Loan application cannot be rejected. Loan Account is not in Submitted and Pending approval state.")
	}
	if err := applicationDate(s, l, "reject", "rejected", date); err != nil {
		return nil, err
	}
	l.Status, l.rejectedOn, l.ClosedOn = LoanRejected, date, date
	changes := obj{{"status", loanStatusObject(LoanRejected)}}
	changes = append(changes, dateChanges(b, "rejectedOnDate")...)
	return append(changes, field{"closedOnDate", *b.str("rejectedOnDate")}), nil
}

// withdrawLoan has no validateAccountStatus: a wrong state is a 403.
func withdrawLoan(s *Server, l *LoanSnapshot, b *body, date wire.Date) (obj, error) {
	if l.Status != LoanSubmittedAndPendingApproval {
		return nil, domainRuleError("error.msg.loan.withdraw.cannot.withdraw",
			"Only the loan applications with status 'Submitted and pending approval' are allowed to be withdrawn by applicant.")
	}
	if err := applicationDate(s, l, "withdraw", "withdrawn", date); err != nil {
		return nil, err
	}
	l.Status, l.withdrawn, l.ClosedOn = LoanWithdrawnByClient, date, date
	changes := obj{{"status", loanStatusObject(LoanWithdrawnByClient)}}
	return append(changes, dateChanges(b, "withdrawnOnDate")...), nil
}

// applicationDate is the reject and withdraw date rules (403): not before
// the submission, not in the future.
func applicationDate(s *Server, l *LoanSnapshot, action, done string, date wire.Date) error {
	switch {
	case date.Before(l.SubmittedOn):
		return domainRuleError("error.msg.loan."+action+".cannot.be.before.submittal.date",
			"The date on which a loan is "+done+" cannot be before its submittal date: "+l.SubmittedOn.ISO(), date, l.SubmittedOn)
	case s.today().Before(date):
		return domainRuleError("error.msg.loan."+action+".cannot.be.a.future.date",
			"The date on which a loan is "+done+" cannot be in the future.", date)
	}
	return nil
}

// deleteLoan is DELETE: Submitted only (403), a hard delete; its id is not
// reused and its external id is free again.
func (s *Server) deleteLoan(c *call, t target) result {
	return s.writeOn(c, loanEntity, t, "DELETE_LOAN", func(id int64) (commit, error) {
		l, err := s.loanOf(id)
		if err != nil {
			return nil, err
		}
		if l.Status != LoanSubmittedAndPendingApproval {
			return nil, domainRuleError("error.msg.loan.cannot.delete.loan.in.its.present.state",
				"Loan with identifier "+fmtID(id)+" cannot be deleted in its current state.", id)
		}
		return func() obj {
			delete(s.db.loans.rows, id)
			return s.loanResult(l, id, nil)
		}, nil
	})
}
