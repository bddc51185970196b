package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"lmsproxy/translate"
	"lmsproxy/upstream"
	"lmsproxy/upstream/wire"
)

// RepaymentsAPI is what the repayment handlers need of the upstream.
type RepaymentsAPI interface {
	RepayLoan(ctx context.Context, loan upstream.Ref, body wire.LoanRepayment) (wire.CommandResult, error)
	GetLoanTransaction(ctx context.Context, loanID, txID int64) (wire.LoanTransaction, error)
	FindLoanTransaction(ctx context.Context, loanID int64, externalID string) (wire.LoanTransaction, error)
	// Version is the upstream line, which decides which loans take
	// repayments.
	Version() upstream.Version
}

// paramRepaymentID is the path parameter of one repayment.
const paramRepaymentID = "transactionId"

// repayments holds the repayment handlers, below a loan in either of its
// addressing forms.
//
// A repayment is posted exactly once. Each carries a transaction externalId
// the proxy derives (with the partner's idempotencyKey, from the loan and
// the key; without, at random), which is unique across the upstream's
// loans: before posting a keyed repayment the proxy looks it up, and
// after any failure or lost answer it looks again before answering, so a
// repeat, a cut-off or a concurrent duplicate returns the repayment that
// was posted instead of posting another. Within one replica concurrent
// repeats of one key wait for each other (keyLocks); across replicas the
// upstream's unique externalId (every line) and Idempotency-Key store (1.9+)
// refuse the second post, which the lookup then answers.
type repayments struct {
	s     *Server
	loans *loans
	locks keyLocks
}

func (h *repayments) mount(v1 *echo.Group) {
	bothForms(v1, "/loans", loanAddress, func(r router) {
		r.add(http.MethodPost, "/repayments", h.repay)
		r.add(http.MethodGet, "/repayments", h.list)
		r.add(http.MethodGet, "/repayments/:"+paramRepaymentID, h.get)
	})
}

// takesRepayments reports a loan the line takes a repayment on: Active,
// and from 1.9 Closed (obligations met) or Overpaid (RepaysSettledLoans).
// It is checked before anything is sent, so the upstream stores no refusal
// under the partner's key.
func takesRepayments(v upstream.Version) func(wire.LoanData) bool {
	return func(l wire.LoanData) bool {
		switch l.StatusID() {
		case wire.LoanStatusActive:
			return true
		case wire.LoanStatusClosedObligationsMet, wire.LoanStatusOverpaid:
			return v.RepaysSettledLoans()
		}
		return false
	}
}

// needsRepayable is the refusal's reason, the same whichever line runs.
const needsRepayable = "a loan in this status takes no repayments"

func (h *repayments) repay(c echo.Context) error {
	a, aerr := loanAddress.address(c)
	req, err := withBody(c, translate.ParseRepayment, aerr, noQuery(c))
	if err != nil {
		return err
	}
	target := req.Target(a.target)
	ctx := c.Request().Context()
	loan, err := h.loans.current(ctx, a, target, takesRepayments(h.s.upstream.Version()), needsRepayable)
	if err != nil {
		return err
	}
	if err := h.check(ctx, req, loan); err != nil {
		return err
	}
	ext := translate.NewRepaymentExternalID(newID())
	if req.IdempotencyKey != nil {
		ext = translate.RepaymentExternalID(loan.ID, *req.IdempotencyKey)
		ctx = upstream.WithIdempotencyKey(ctx, translate.RepaymentUpstreamKey(loan.ID, *req.IdempotencyKey))
		unlock := h.locks.lock(ext)
		defer unlock()
		// A repeat: the first repayment is the answer, and nothing is posted.
		if tx, err := h.s.upstream.FindLoanTransaction(ctx, loan.ID, ext); err == nil {
			return h.answer(c, loan.ID, tx)
		} else if !isNotFound(err, target) {
			return translate.FromUpstream(err, target)
		}
	}
	body := translate.RepaymentBody(req, ext, h.s.today.Date(ctx))
	writeCtx, cancel := writeContext(ctx)
	res, err := h.s.upstream.RepayLoan(writeCtx, upstream.ByID(loan.ID), body)
	cancel()
	switch {
	case err == nil && res.AwaitingApproval():
		return translate.AwaitingApproval(res.CommandID)
	case err == nil:
		return h.posted(c, loan.ID, res.ResourceID, ext, target)
	}
	return h.reconcile(c, loan.ID, ext, req.IdempotencyKey != nil, target, err)
}

// check refuses, before anything is posted, an amount with more decimals
// than the loan's currency and a date after today or before the
// disbursement (spec §10).
func (h *repayments) check(ctx context.Context, req translate.RepaymentRequest, loan wire.LoanData) error {
	var errs []*translate.Error
	if loan.Currency != nil {
		errs = append(errs, translate.CheckCurrencyScale("transactionAmount", req.TransactionAmount, loan.Currency.Code, loan.Currency.DecimalPlaces))
	}
	if req.TransactionDate != nil {
		errs = append(errs, translate.CheckDate("transactionDate", *req.TransactionDate, h.s.today.Date(ctx), disbursedOn(loan), "disbursement date"))
	}
	if err := translate.Merge(errs...); err != nil {
		return err
	}
	return nil
}

// posted answers a repayment the upstream confirmed with the transaction
// read back by its id. When the read fails the money is posted all the
// same: the answer says so and where to read it, never to post again. A
// read that is not the repayment sent puts the result itself in doubt.
func (h *repayments) posted(c echo.Context, loanID, txID int64, ext string, target translate.Target) error {
	ctx := c.Request().Context()
	tx, err := h.s.upstream.GetLoanTransaction(ctx, loanID, txID)
	switch {
	case err == nil && tx.ExternalID != ext:
		// The result named another transaction: whether this one was
		// posted is in doubt.
		return translate.OutcomeUnknown(fmt.Errorf("transaction %d read back is not the repayment posted as %s", txID, ext), target)
	case err == nil:
		return h.answer(c, loanID, tx)
	case unexpected(err):
		return translate.OutcomeUnknown(err, target)
	}
	return translate.Applied(translate.RepaymentsOfLoan(loanID), txID, err)
}

// reconcileWaits are the pauses before each look for a repayment whose post
// failed: none at first; then, while a duplicate of it may still be in
// flight upstream (a 425, or its unique externalId refusing this one while
// the first commits), a few short waits within the request's deadline.
var reconcileWaits = []time.Duration{0, 100 * time.Millisecond, 300 * time.Millisecond, 600 * time.Millisecond}

// reconcile answers a post that failed or whose answer was lost: the
// repayment its externalId names, if the upstream has it (this post arrived
// after all, or an earlier one with the same key did), else the failure.
// Without a key only a lost answer is looked into: any other failure was
// the upstream's refusal of this very post, which nothing else carries.
func (h *repayments) reconcile(c echo.Context, loanID int64, ext string, keyed bool, target translate.Target, failure error) error {
	lost := maybeApplied(failure)
	if !keyed && !lost {
		return translate.FromUpstream(failure, target)
	}
	ctx := c.Request().Context()
	waits := reconcileWaits[:1]
	if keyed && translate.FromUpstream(failure, target).Code != translate.InvalidArgument {
		waits = reconcileWaits
	}
	var readErr error
	for _, wait := range waits {
		if !sleep(ctx, wait) {
			break
		}
		var tx wire.LoanTransaction
		if tx, readErr = h.s.upstream.FindLoanTransaction(ctx, loanID, ext); readErr == nil {
			return h.answer(c, loanID, tx)
		}
		if !isNotFound(readErr, target) {
			break
		}
	}
	switch {
	case !lost:
		return translate.FromUpstream(failure, target)
	case readErr != nil && !isNotFound(readErr, target):
		return translate.OutcomeUnknown(errors.Join(failure, readErr), target)
	}
	return translate.NotApplied(failure)
}

// sleep waits d, or less when ctx ends first, which it reports as false.
func sleep(ctx context.Context, d time.Duration) bool {
	if d == 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// answer writes one repayment of loan loanID.
func (h *repayments) answer(c echo.Context, loanID int64, tx wire.LoanTransaction) error {
	out, err := translate.RepaymentFromUpstream(tx, loanID)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

// get answers one repayment of the loan addressed. The loan is read first,
// with its transactions: by id the transaction read checks the loan, but
// only the loan's transactions tell, on 1.8, whether an undo-disbursal
// reversed it.
func (h *repayments) get(c echo.Context) error {
	a, aerr := loanAddress.address(c)
	raw := c.Param(paramRepaymentID)
	txID, terr := translate.ParseRepaymentID(raw)
	if err := translate.Merge(aerr, terr, noQuery(c), noBody(c)); err != nil {
		return err
	}
	ctx := c.Request().Context()
	loan, err := h.s.upstream.GetLoan(ctx, a.ref)
	if err != nil {
		return translate.FromUpstream(err, a.target)
	}
	target := translate.RepaymentOf(a.target, raw)
	tx, err := h.s.upstream.GetLoanTransaction(ctx, loan.ID, txID)
	if err != nil {
		return translate.FromUpstream(err, target)
	}
	out, err := translate.RepaymentFromLoan(loan, tx)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

// list answers a page of the loan's repayments, newest first, from one read
// of the loan with its transactions.
func (h *repayments) list(c echo.Context) error {
	a, aerr := loanAddress.address(c)
	req, qerr := translate.ParseRepaymentListQuery(c.Request().URL.RawQuery)
	if err := translate.Merge(aerr, qerr, noBody(c)); err != nil {
		return err
	}
	loan, err := h.s.upstream.GetLoan(c.Request().Context(), a.ref)
	if err != nil {
		return translate.FromUpstream(err, a.target)
	}
	out, err := translate.RepaymentPage(loan.Transactions, loan.ID, req)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

// keyLocks serialises the requests of one replica that post under the same
// transaction externalId, so a concurrent repeat waits for the first and
// then finds its repayment instead of racing it upstream.
type keyLocks struct {
	mu   sync.Mutex
	held map[string]*keyLock
}

type keyLock struct {
	mu      sync.Mutex
	waiters int
}

// lock takes key's lock and returns its release.
func (l *keyLocks) lock(key string) func() {
	l.mu.Lock()
	if l.held == nil {
		l.held = map[string]*keyLock{}
	}
	k := l.held[key]
	if k == nil {
		k = &keyLock{}
		l.held[key] = k
	}
	k.waiters++
	l.mu.Unlock()
	k.mu.Lock()
	return func() {
		k.mu.Unlock()
		l.mu.Lock()
		if k.waiters--; k.waiters == 0 {
			delete(l.held, key)
		}
		l.mu.Unlock()
	}
}
