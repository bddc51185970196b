package fake

import (
	"strings"

	"lmsproxy/upstream/wire"
)

// Codes whose values are the reasons of state commands.
const (
	closureReasonCode  = "ClientClosureReason"
	rejectReasonCode   = "ClientRejectReason"
	withdrawReasonCode = "ClientWithdrawReason"
)

// transition is one ?command= state change: its permission, its body
// (locale, dateFormat, a mandatory date and possibly a mandatory reason
// from a code), and the rules it applies to a copy of the client.
type transition struct {
	task        string
	dateParam   string
	reasonParam string
	reasonCode  string
	withOffice  bool // activate's answer carries officeId; the others do not
	apply       func(s *Server, c *Snapshot, date wire.Date, reasonID int64) error
}

// transitions by lower-cased command name (the upstream compares
// case-insensitively after trimming).
var transitions = map[string]transition{
	"activate": {task: "ACTIVATE_CLIENT", dateParam: "activationDate", withOffice: true, apply: activate},
	"close": {task: "CLOSE_CLIENT", dateParam: "closureDate",
		reasonParam: "closureReasonId", reasonCode: closureReasonCode, apply: closeClient},
	"reject": {task: "REJECT_CLIENT", dateParam: "rejectionDate",
		reasonParam: "rejectionReasonId", reasonCode: rejectReasonCode,
		apply: leavePending("rejection", wire.ClientStatusRejected, "Only clients pending activation may be withdrawn.",
			"The client rejection date cannot be before the client submitted date.")},
	"withdraw": {task: "WITHDRAW_CLIENT", dateParam: "withdrawalDate",
		reasonParam: "withdrawalReasonId", reasonCode: withdrawReasonCode,
		apply: leavePending("withdrawal", wire.ClientStatusWithdrawn, "Only clients pending activation may be withdrawn.",
			"The client withdrawal date cannot be before the client submitted date.")},
	"reactivate": {task: "REACTIVATE_CLIENT", dateParam: "reactivationDate", apply: reactivate},
	"undorejection": {task: "UNDOREJECT_CLIENT", dateParam: "reopenedDate",
		apply: reopen(wire.ClientStatusRejected, "undorejection.on.nonrejected.account", "only rejected clients may be reactivated.")},
	"undowithdrawal": {task: "UNDOWITHDRAWAL_CLIENT", dateParam: "reopenedDate",
		apply: reopen(wire.ClientStatusWithdrawn, "undoWithdrawal.on.nonwithdrawal.account", "only withdrawal clients may be reactivated.")},
}

// command is POST /clients/{id}?command=...: the external id is resolved
// first, then an unknown command is refused before any permission check.
func (s *Server) command(c *call, t target) result {
	id, err := s.resolve(t)
	if err != nil {
		return s.render(c.r, nil, err)
	}
	var name *string
	if c.query.Has("command") {
		v := c.query.Get("command")
		name = &v
	}
	tr, ok := transitions[strings.ToLower(strings.TrimSpace(derefString(name)))]
	if !ok {
		return s.render(c.r, nil, unsupportedCommandError(name))
	}
	return s.execute(c, write{task: tr.task, clientID: id, plan: func() (commit, error) {
		return s.planTransition(tr, id, c.body)
	}})
}

// planTransition validates the body (400), looks the client up (404), then
// the reason's code value (404), then applies the rules (403/400).
func (s *Server) planTransition(tr transition, id int64, raw []byte) (commit, error) {
	whitelist := []string{"locale", "dateFormat", tr.dateParam}
	if tr.reasonParam != "" {
		whitelist = append(whitelist, tr.reasonParam)
	}
	b, err := parseBody(raw, whitelist...)
	if err != nil {
		return nil, err
	}
	f := &form{b: b}
	date := f.requiredDate(tr.dateParam)
	var reason int64
	if tr.reasonParam != "" {
		if r := f.requiredLong(tr.reasonParam); r != nil {
			reason = *r
		}
	}
	if err := f.err(); err != nil {
		return nil, err
	}
	cl, err := s.lookup(id)
	if err != nil {
		return nil, err
	}
	if tr.reasonCode != "" && !s.db.hasCodeValue(tr.reasonCode, reason) {
		return nil, codeValueNotFoundError(tr.reasonCode, reason)
	}
	next := *cl
	if err := tr.apply(s, &next, *date, reason); err != nil {
		return nil, err
	}
	return func() obj {
		*cl = next
		var office int64
		if tr.withOffice {
			office = cl.OfficeID
		}
		return s.commandResult(cl, office, nil)
	}, nil
}

// transitionError is InvalidClientStateTransitionException: a domain rule
// coded error.msg.client.<action>.<postfix>.
func transitionError(actionPostfix, msg string, args ...any) error {
	return domainRuleError("error.msg.client."+actionPostfix, msg, args...)
}

// activate refuses an active client with a 400 (not a domain rule), then
// re-runs Client.validate's date checks.
func activate(s *Server, c *Snapshot, date wire.Date, _ int64) error {
	if c.active() {
		return validationError(paramError("error.msg.clients.already.active",
			"Cannot activate client. Client is already active.", "activationDate", date))
	}
	c.Status, c.ActivatedOn = wire.ClientStatusActive, date
	var v validator
	s.submittedDateRules(&v, c)
	s.activationDateRules(&v, c)
	return v.err()
}

// closeClient is closeClient's rules, in order. A pending client may be
// closed, and there is no check of a future closure date.
func closeClient(_ *Server, c *Snapshot, date wire.Date, reason int64) error {
	switch {
	case c.Status == wire.ClientStatusClosed:
		return transitionError("close.is.already.closed", "Client is already closed.")
	case c.Status == wire.ClientStatusTransferInProgress || c.Status == wire.ClientStatusTransferOnHold:
		return transitionError("close.is.under.transfer", "Cannot Close a Client under Transfer")
	case !c.ActivatedOn.IsZero() && date.Before(c.ActivatedOn):
		return transitionError("close.date.cannot.before.client.actvation.date",
			"The client closureDate cannot be before the client ActivationDate.", date, c.ActivatedOn)
	case c.OpenLoan:
		return transitionError("close.loan.non-closed", "Client cannot be closed because of non-closed loans.")
	case !c.LoanClosedOn.IsZero() && date.Before(c.LoanClosedOn):
		return transitionError("close.date.cannot.before.loan.closed.date",
			"The client closureDate cannot be before the loan closedOnDate.", date, c.LoanClosedOn)
	case c.OverpaidLoan:
		return transitionError("close.loan.overpaid", "Client cannot be closed because of overpaid loans.")
	case c.OpenSavings:
		return transitionError("close.non-closed.savings.account",
			"Client cannot be closed because of non-closed savings account.")
	}
	c.Status, c.ClosedOn, c.ClosureReasonID = wire.ClientStatusClosed, date, reason
	return nil
}

// leavePending is reject and withdraw: only from Pending, not before the
// submission date.
func leavePending(action string, to int, notPendingMsg, beforeSubmittedMsg string) func(*Server, *Snapshot, wire.Date, int64) error {
	return func(_ *Server, c *Snapshot, date wire.Date, _ int64) error {
		switch {
		case c.Status != wire.ClientStatusPending:
			return transitionError(action+".on.account.not.in.pending.activation.status", notPendingMsg)
		case date.Before(c.SubmittedOn):
			return transitionError(action+".date.cannot.before.client.submitted.date", beforeSubmittedMsg, date, c.SubmittedOn)
		}
		c.Status = to
		return nil
	}
}

// reactivate puts a closed client back to Pending, not Active.
func reactivate(_ *Server, c *Snapshot, date wire.Date, _ int64) error {
	switch {
	case c.Status != wire.ClientStatusClosed:
		return transitionError("reactivation.on.nonclosed.account", "only closed clients may be reactivated.")
	case date.Before(c.ClosedOn):
		return transitionError("reactivation.date.cannot.before.client.closed.date",
			"The client reactivation date cannot be before the client closed date.", date, c.ClosedOn)
	}
	c.Status = wire.ClientStatusPending
	c.ActivatedOn, c.ClosedOn, c.ClosureReasonID = wire.Date{}, wire.Date{}, 0
	return nil
}

// reopen is undoRejection and undoWithdrawal: back to Pending from the one
// status each undoes.
func reopen(from int, postfix, msg string) func(*Server, *Snapshot, wire.Date, int64) error {
	return func(_ *Server, c *Snapshot, _ wire.Date, _ int64) error {
		if c.Status != from {
			return transitionError(postfix, msg)
		}
		c.Status = wire.ClientStatusPending
		return nil
	}
}
