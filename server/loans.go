package server

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"lmsproxy/translate"
	"lmsproxy/upstream"
	"lmsproxy/upstream/wire"
)

// LoansAPI is what the loan handlers need of the upstream.
type LoansAPI interface {
	GetLoan(ctx context.Context, ref upstream.Ref) (wire.LoanData, error)
	ListLoans(ctx context.Context, q wire.ListQuery, status int64) (wire.Page[wire.LoanData], error)
	ListClientLoans(ctx context.Context, ref upstream.Ref) ([]wire.LoanAccountSummary, error)
	ReadLoans(ctx context.Context, ids []int64) ([]upstream.LoanRead, error)
	ClientExternalIDs(ctx context.Context, ids []int64) (map[int64]string, error)
	OriginateLoan(ctx context.Context, app wire.LoanApplication, approve wire.LoanApprove, disburse wire.LoanDisburse) (upstream.Origination, error)
	UpdateLoan(ctx context.Context, ref upstream.Ref, body wire.LoanApplication) (wire.CommandResult, error)
	DeleteLoan(ctx context.Context, ref upstream.Ref) (wire.CommandResult, error)
	UndoLoanApproval(ctx context.Context, ref upstream.Ref, body wire.LoanNote) (wire.CommandResult, error)
	DisburseLoan(ctx context.Context, ref upstream.Ref, body wire.LoanDisburse) (wire.CommandResult, error)
	UndoLoanDisbursal(ctx context.Context, ref upstream.Ref, body wire.LoanNote) (wire.CommandResult, error)
	WriteOffLoan(ctx context.Context, ref upstream.Ref, body wire.LoanWriteOff) (wire.CommandResult, error)
}

// loanAddress is how partners name one loan: /loans/{loan_id} or
// /loans/external/{loan_external_id}.
var loanAddress = addressing[upstream.Ref]{
	resource: translate.Loans,
	idParam:  paramID,
	extParam: paramExternalID,
	parseID:  translate.ParseLoanID,
	parseExt: translate.ParseLoanExternalID,
	extField: translate.FieldLoanExternalID,
	byID:     upstream.ByID,
	byExt:    upstream.ByExternalID,
}

// loans holds the loan handlers. Like the customer handlers, each validates
// everything the partner sent before any upstream call; in addition every
// state command reads the loan first and refuses, untouched, a loan whose
// status does not allow it, so the partner hears the contract's rule rather
// than whatever the upstream would do (an undo-disbursal there silently
// reverses repayments).
type loans struct {
	s        *Server
	products *productCache
}

func (h *loans) mount(v1 *echo.Group) {
	bothForms(v1, "/loans", loanAddress, func(r router) {
		r.add(http.MethodGet, "", h.get)
		r.add(http.MethodPut, "", h.update)
		r.add(http.MethodDelete, "", h.delete)
		r.add(http.MethodPost, "/undo-disbursal", h.undoDisbursal)
		r.add(http.MethodPost, "/undo-approval", h.undoApproval)
		r.add(http.MethodPost, "/adjust-disbursement-date", h.adjustDisbursementDate)
		r.add(http.MethodPost, "/rollback", h.rollback)
		r.add(http.MethodPost, "/write-off", h.writeOff)
	})
	v1.GET("/loans", h.list)
	v1.POST("/loans", h.create)
}

func (h *loans) get(c echo.Context) error {
	a, err := loanAddress.bodiless(c)
	if err != nil {
		return err
	}
	loan, err := h.s.upstream.GetLoan(c.Request().Context(), a.ref)
	if err != nil {
		return translate.FromUpstream(err, a.target)
	}
	return h.answer(c, loan)
}

// answer writes one loan as the partner sees it, with its repayments.
func (h *loans) answer(c echo.Context, loan wire.LoanData) error {
	out, err := h.detail(c.Request().Context(), loan)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

// detail is one loan in the single-loan shape.
func (h *loans) detail(ctx context.Context, loan wire.LoanData) (translate.LoanDetail, error) {
	ls := []wire.LoanData{loan}
	if err := h.withCustomerExternalIDs(ctx, ls); err != nil {
		return translate.LoanDetail{}, err
	}
	return translate.LoanDetailFromUpstream(ls[0])
}

// withCustomerExternalIDs fills each loan's customer externalId on the
// lines whose loans do not carry it (1.8: LoanAccountData has no
// clientExternalId), with one upstream call for all of them; its failure
// is answered as the partner's.
func (h *loans) withCustomerExternalIDs(ctx context.Context, ls []wire.LoanData) error {
	var ids []int64
	for _, l := range ls {
		if l.ClientExternalID == "" && l.ClientID != 0 && !slices.Contains(ids, l.ClientID) {
			ids = append(ids, l.ClientID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	exts, err := h.s.upstream.ClientExternalIDs(ctx, ids)
	if err != nil {
		return translate.FromUpstream(err, translate.Target{Resource: translate.Customers})
	}
	for i := range ls {
		if ext, ok := exts[ls[i].ClientID]; ok && ls[i].ClientExternalID == "" {
			ls[i].ClientExternalID = ext
		}
	}
	return nil
}

// reader reads one loan, for a write's check.
func (h *loans) reader(ref upstream.Ref) func(context.Context) (wire.LoanData, error) {
	return func(ctx context.Context) (wire.LoanData, error) { return h.s.upstream.GetLoan(ctx, ref) }
}

// current reads the loan a command addresses and refuses the command,
// aborted and with nothing sent, when allowed says the loan's status does
// not take it; needs says what it takes.
func (h *loans) current(ctx context.Context, a addressed[upstream.Ref], target translate.Target, allowed func(wire.LoanData) bool, needs string) (wire.LoanData, error) {
	loan, err := h.s.upstream.GetLoan(ctx, a.ref)
	if err != nil {
		return wire.LoanData{}, translate.FromUpstream(err, target)
	}
	if !allowed(loan) {
		return wire.LoanData{}, translate.LoanStateRefused(target, loan.StatusID(), needs)
	}
	return loan, nil
}

// inStatus is the precondition of a loan in one status.
func inStatus(id int64) func(wire.LoanData) bool {
	return func(l wire.LoanData) bool { return l.StatusID() == id }
}

// activeWithoutRepayments is the precondition of undo-disbursal and
// adjust-disbursement-date: an undone disbursement takes every
// transaction with it, so a loan money was paid into is refused.
func activeWithoutRepayments(l wire.LoanData) bool {
	return l.StatusID() == wire.LoanStatusActive && !hasRepayments(l)
}

// hasRepayments reports a repayment, waiver or write-off the loan holds and
// has not reversed (1.9+ lists reversed rows with reversedOnDate; 1.8 omits
// them from the association).
func hasRepayments(l wire.LoanData) bool {
	for _, t := range l.Transactions {
		switch t.TypeID() {
		case wire.LoanTransactionDisbursement, wire.LoanTransactionAccrual:
			continue
		}
		if !t.Reversed() {
			return true
		}
	}
	return false
}

const (
	needsSubmitted          = "only a loan Submitted and pending approval allows this"
	needsApproved           = "only an Approved loan allows this"
	needsActive             = "only an Active loan allows this"
	needsActiveNoRepayments = "only an Active loan with no repayment recorded allows this"
	needsTeardown           = "only a loan Submitted and pending approval, Approved, or Active with no repayment recorded can be rolled back"
)

// held turns a maker-checker acceptance into the error that stops an
// operation's steps: nothing was applied, and the next step has no loan in
// the state it needs.
func held(res wire.CommandResult, err error) error {
	if err == nil && res.AwaitingApproval() {
		return translate.AwaitingApproval(res.CommandID)
	}
	return err
}

// command runs one upstream command on the loan current, already checked
// to allow it, and answers with the loan as it then stands. reached
// recognises the state the command leads to, to reconcile an unknown
// outcome by reading the loan back; found so, the loan read is the answer.
func (h *loans) command(c echo.Context, current wire.LoanData, target translate.Target, reached func(wire.LoanData) bool,
	do func(ctx context.Context, ref upstream.Ref) (wire.CommandResult, error)) error {
	ref := upstream.ByID(current.ID)
	var res wire.CommandResult
	var found *wire.LoanData
	err := runSteps(c.Request().Context(), target, step{
		do: func(ctx context.Context) (err error) {
			res, err = do(ctx, ref)
			return err
		},
		applied: inState(target, h.reader(ref), func(l wire.LoanData) bool {
			if !reached(l) {
				return false
			}
			found = &l
			return true
		}),
	})
	switch {
	case err != nil:
		return err
	case found != nil:
		return h.answer(c, *found)
	case res.AwaitingApproval():
		return translate.AwaitingApproval(res.CommandID)
	}
	return h.readBack(c, current.ID, target)
}

// readBack answers a write the upstream confirmed with the loan as it now
// stands. When the read fails the change still stands, so the answer says
// it was applied and where to read the loan; a read that is another loan
// puts the write itself in doubt.
func (h *loans) readBack(c echo.Context, id int64, target translate.Target) error {
	loan, err := h.s.upstream.GetLoan(c.Request().Context(), upstream.ByID(id))
	if err == nil {
		err = upstream.VerifyLoan(upstream.ByID(id), loan)
	}
	switch {
	case err == nil:
		return h.answer(c, loan)
	case unexpected(err):
		return translate.OutcomeUnknown(err, target)
	}
	return translate.Applied(translate.Loans, id, err)
}

func (h *loans) update(c echo.Context) error {
	a, aerr := loanAddress.address(c)
	req, err := withBody(c, translate.ParseLoanUpdate, aerr, noQuery(c))
	if err != nil {
		return err
	}
	target := req.Target(a.target)
	current, err := h.current(c.Request().Context(), a, target, inStatus(wire.LoanStatusSubmitted), needsSubmitted)
	if err != nil {
		return err
	}
	body, err := translate.LoanUpdateBody(current, req)
	if err != nil {
		return err
	}
	return h.command(c, current, target, func(l wire.LoanData) bool { return sameTerms(l, body) },
		func(ctx context.Context, ref upstream.Ref) (wire.CommandResult, error) {
			return h.s.upstream.UpdateLoan(ctx, ref, body)
		})
}

// sameTerms reports a loan whose terms are those of app: an update that
// reached the upstream.
func sameTerms(l wire.LoanData, app wire.LoanApplication) bool {
	return l.ExternalID == app.ExternalID && l.NumberOfRepayments == app.NumberOfRepayments &&
		sameAmount(l.Principal, app.Principal) && sameAmount(l.InterestRatePerPeriod, app.InterestRatePerPeriod)
}

// sameAmount compares two upstream decimals by value ("100" and
// "100.000000" are the same amount).
func sameAmount(a, b wire.Amount) bool {
	x, errA := translate.AmountFromUpstream(string(a))
	y, errB := translate.AmountFromUpstream(string(b))
	return errA == nil && errB == nil && x.Cmp(y) == 0
}

func (h *loans) delete(c echo.Context) error {
	a, err := loanAddress.bodiless(c)
	if err != nil {
		return err
	}
	current, err := h.current(c.Request().Context(), a, a.target, inStatus(wire.LoanStatusSubmitted), needsSubmitted)
	if err != nil {
		return err
	}
	ref := upstream.ByID(current.ID)
	err = runSteps(c.Request().Context(), a.target, step{
		do: func(ctx context.Context) error {
			return held(h.s.upstream.DeleteLoan(ctx, ref))
		},
		applied: gone(a.target, h.reader(ref)),
	})
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusOK)
}

func (h *loans) undoApproval(c echo.Context) error {
	return h.noteCommand(c, inStatus(wire.LoanStatusApproved), needsApproved, inStatus(wire.LoanStatusSubmitted), h.s.upstream.UndoLoanApproval)
}

func (h *loans) undoDisbursal(c echo.Context) error {
	return h.noteCommand(c, activeWithoutRepayments, needsActiveNoRepayments, inStatus(wire.LoanStatusApproved), h.s.upstream.UndoLoanDisbursal)
}

// noteCommand runs a command whose body is an optional note (the undos) on
// a loan allowed takes (needs says what that is), reconciled by the state
// reached.
func (h *loans) noteCommand(c echo.Context, allowed func(wire.LoanData) bool, needs string, reached func(wire.LoanData) bool,
	send func(context.Context, upstream.Ref, wire.LoanNote) (wire.CommandResult, error)) error {
	a, aerr := loanAddress.address(c)
	req, err := withBody(c, translate.ParseNote, aerr, noQuery(c))
	if err != nil {
		return err
	}
	target := req.Target(a.target)
	current, err := h.current(c.Request().Context(), a, target, allowed, needs)
	if err != nil {
		return err
	}
	return h.command(c, current, target, reached, func(ctx context.Context, ref upstream.Ref) (wire.CommandResult, error) {
		return send(ctx, ref, translate.NoteBody(req))
	})
}

func (h *loans) writeOff(c echo.Context) error {
	a, aerr := loanAddress.address(c)
	req, err := withBody(c, translate.ParseWriteOff, aerr, noQuery(c))
	if err != nil {
		return err
	}
	target := req.Target(a.target)
	ctx := c.Request().Context()
	current, err := h.current(ctx, a, target, inStatus(wire.LoanStatusActive), needsActive)
	if err != nil {
		return err
	}
	today := h.s.today.Date(ctx)
	if req.TransactionDate != nil {
		if err := translate.CheckDate("transactionDate", *req.TransactionDate, today, disbursedOn(current), "disbursement date"); err != nil {
			return err
		}
	}
	return h.command(c, current, target, inStatus(wire.LoanStatusClosedWrittenOff),
		func(ctx context.Context, ref upstream.Ref) (wire.CommandResult, error) {
			return h.s.upstream.WriteOffLoan(ctx, ref, translate.WriteOffBody(req, today))
		})
}

// disbursedOn is the loan's disbursement date, zero before one.
func disbursedOn(l wire.LoanData) wire.Date {
	if l.Timeline == nil {
		return wire.Date{}
	}
	return l.Timeline.ActualDisbursementDate
}

// disbursementPaymentType is the payment type the loan was disbursed by,
// so that a re-disbursement restores it; the configured one when the
// disbursement names none.
func (h *loans) disbursementPaymentType(l wire.LoanData) int64 {
	for _, t := range l.Transactions {
		if t.TypeID() == wire.LoanTransactionDisbursement && !t.Reversed() &&
			t.PaymentDetailData != nil && t.PaymentDetailData.PaymentType != nil {
			return t.PaymentDetailData.PaymentType.ID
		}
	}
	return h.s.cfg.DisbursementPaymentTypeID
}

// adjustDisbursementDate moves a disbursement: undo it, then disburse
// again at the partner's date. Should the second step fail, the first is
// undone by disbursing at the original date, so the partner sees all or
// nothing; should that fail too, the loan is left Approved and the answer
// says so, with the date to restore.
func (h *loans) adjustDisbursementDate(c echo.Context) error {
	a, aerr := loanAddress.address(c)
	req, err := withBody(c, translate.ParseAdjustDisbursement, aerr, noQuery(c))
	if err != nil {
		return err
	}
	target := req.Target(a.target)
	ctx := c.Request().Context()
	current, err := h.current(ctx, a, target, activeWithoutRepayments, needsActiveNoRepayments)
	if err != nil {
		return err
	}
	var approvedOn wire.Date
	if current.Timeline != nil {
		approvedOn = current.Timeline.ApprovedOnDate
	}
	if err := translate.CheckDate("actualDisbursementDate", req.ActualDisbursementDate, h.s.today.Date(ctx), approvedOn, "approval date"); err != nil {
		return err
	}
	ref := upstream.ByID(current.ID)
	original := disbursedOn(current)
	paymentType := h.disbursementPaymentType(current)
	disbursedAt := func(day wire.Date) func(wire.LoanData) bool {
		return func(l wire.LoanData) bool { return l.StatusID() == wire.LoanStatusActive && disbursedOn(l) == day }
	}
	err = runSteps(ctx, target,
		step{
			name: "undo-disbursal",
			do: func(ctx context.Context) error {
				return held(h.s.upstream.UndoLoanDisbursal(ctx, ref, translate.NoteBody(translate.NoteRequest{Note: req.Note})))
			},
			applied: inState(target, h.reader(ref), inStatus(wire.LoanStatusApproved)),
			undo: func(ctx context.Context) error {
				return held(h.s.upstream.DisburseLoan(ctx, ref, translate.DisburseBody(original, paymentType, nil)))
			},
		},
		step{
			name: "disburse",
			do: func(ctx context.Context) error {
				return held(h.s.upstream.DisburseLoan(ctx, ref, translate.DisburseBody(req.ActualDisbursementDate, paymentType, req.Note)))
			},
			applied: inState(target, h.reader(ref), disbursedAt(req.ActualDisbursementDate)),
		})
	var inc *incomplete
	if errors.As(err, &inc) {
		return translate.RedisbursementFailed(target, original.ISO(), err)
	}
	if err != nil {
		return err
	}
	return h.readBack(c, current.ID, target)
}

// rollback tears a loan down, from wherever it stands (or a failed earlier
// call left it): the answer lists the steps this call took and the loan as
// it last stood before its deletion.
func (h *loans) rollback(c echo.Context) error {
	a, aerr := loanAddress.address(c)
	req, err := withBody(c, translate.ParseNote, aerr, noQuery(c))
	if err != nil {
		return err
	}
	target := req.Target(a.target)
	ctx := c.Request().Context()
	current, err := h.current(ctx, a, target, func(l wire.LoanData) bool { return teardownSteps(l) != nil }, needsTeardown)
	if err != nil {
		return err
	}
	done, last, err := h.teardown(ctx, current, target, req)
	if err != nil {
		return err
	}
	out, err := h.detail(ctx, last)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, translate.Rollback{Steps: done, Loan: out})
}

// Teardown step names, as the rollback answer lists them.
const (
	stepUndoDisbursal = "undo-disbursal"
	stepUndoApproval  = "undo-approval"
	stepDelete        = "delete"
)

// teardownSteps are the steps that take l back to nothing, or nil for a
// loan that cannot be torn down (money was repaid into it, or it is
// settled).
func teardownSteps(l wire.LoanData) []string {
	switch {
	case activeWithoutRepayments(l):
		return []string{stepUndoDisbursal, stepUndoApproval, stepDelete}
	case l.StatusID() == wire.LoanStatusApproved:
		return []string{stepUndoApproval, stepDelete}
	case l.StatusID() == wire.LoanStatusSubmitted:
		return []string{stepDelete}
	}
	return nil
}

// teardown runs l's teardown steps. None is undone when a later one fails:
// each moves the loan back towards nothing, and a rollback called again
// resumes from where the loan stands. It returns the steps taken and the
// loan as it stood before the delete (read then, unless it is l itself).
func (h *loans) teardown(ctx context.Context, l wire.LoanData, target translate.Target, req translate.NoteRequest) ([]string, wire.LoanData, error) {
	ref := upstream.ByID(l.ID)
	last := l
	var done []string
	steps := teardownSteps(l)
	runs := make([]step, len(steps))
	for i, name := range steps {
		st := step{name: name}
		switch name {
		case stepUndoDisbursal:
			st.do = func(ctx context.Context) error {
				return held(h.s.upstream.UndoLoanDisbursal(ctx, ref, translate.NoteBody(req)))
			}
			st.applied = inState(target, h.reader(ref), func(l wire.LoanData) bool { return l.StatusID() != wire.LoanStatusActive })
		case stepUndoApproval:
			st.do = func(ctx context.Context) error {
				return held(h.s.upstream.UndoLoanApproval(ctx, ref, translate.NoteBody(req)))
			}
			st.applied = inState(target, h.reader(ref), inStatus(wire.LoanStatusSubmitted))
		case stepDelete:
			st.do = func(ctx context.Context) error {
				if i > 0 {
					read, err := h.s.upstream.GetLoan(ctx, ref)
					if err != nil {
						return err
					}
					last = read
				}
				return held(h.s.upstream.DeleteLoan(ctx, ref))
			}
			st.applied = gone(target, h.reader(ref))
		}
		do, applied := st.do, st.applied
		st.do = func(ctx context.Context) error {
			err := do(ctx)
			if err == nil {
				done = append(done, name)
			}
			return err
		}
		st.applied = func(ctx context.Context) (bool, error) {
			ok, err := applied(ctx)
			if ok {
				done = append(done, name)
			}
			return ok, err
		}
		runs[i] = st
	}
	err := runSteps(ctx, target, runs...)
	if err != nil {
		return nil, wire.LoanData{}, err
	}
	return done, last, nil
}

// productCache keeps the loan products originations check principals
// against, for productCacheTTL: a product's limits change rarely, and an
// origination then costs one round trip less.
type productCache = ttlCache[int64, cachedProduct]

// productCacheTTL bounds how long a changed product limit goes unseen.
const productCacheTTL = 30 * time.Second

type cachedProduct struct {
	wire    wire.LoanProductData
	partner translate.Product
}

// product reads the product an origination names, from the cache when it
// is fresh.
func (h *loans) product(ctx context.Context, id int64) (cachedProduct, error) {
	return h.products.get(ctx, id, func(ctx context.Context) (cachedProduct, error) {
		p, err := h.s.upstream.GetLoanProduct(ctx, id)
		if err != nil {
			return cachedProduct{}, err
		}
		partner, err := translate.ProductFromUpstream(p)
		return cachedProduct{wire: p, partner: partner}, err
	})
}

// caller names the partner for the Idempotency-Key's scope: two partners'
// keys never meet.
func caller(c echo.Context) string {
	id := IdentityOf(c)
	if id == nil {
		return ""
	}
	return id.Issuer + "\x00" + id.Subject
}

// create originates a loan: submit, approve and disburse in one upstream
// batch with an enclosing transaction, so the upstream applies all three
// or none. Every loan it makes carries an externalId
// (translate.OriginationExternalID), by which a lost answer is reconciled and a
// retry recognised.
func (h *loans) create(c echo.Context) error {
	key, kerr := translate.ParseIdempotencyKey(c.Request().Header.Values(translate.IdempotencyKeyHeader))
	req, err := withBody(c, translate.ParseLoanCreate, noQuery(c), kerr)
	if err != nil {
		return err
	}
	target := req.Target()
	ctx := c.Request().Context()
	product, err := h.product(ctx, req.ProductID)
	if err != nil {
		return translate.FromUpstream(err, target)
	}
	if err := product.partner.CheckPrincipal("principal", req.Principal); err != nil {
		return err
	}
	clientID, err := h.customerID(ctx, req, target)
	if err != nil {
		return err
	}
	ext := translate.OriginationExternalID(req, caller(c), key, newID())
	if key != "" && req.ExternalID == nil {
		// The upstream's own store (1.9+) then answers a retry of a
		// committed batch with its first answer.
		ctx = upstream.WithIdempotencyKey(ctx, ext)
	}
	today := h.s.today.Date(ctx)
	app := translate.LoanCreateBody(req, clientID, product.wire, ext, today)
	writeCtx, cancel := writeContext(ctx)
	orig, err := h.s.upstream.OriginateLoan(writeCtx, app, translate.ApproveBody(today),
		translate.DisburseBody(today, h.s.cfg.DisbursementPaymentTypeID, nil))
	cancel()
	switch {
	case err == nil && !orig.AwaitingApproval():
		return h.originated(c, orig.Submitted.LoanID, app, key != "" && req.ExternalID == nil, target)
	case err == nil || maybeApplied(err):
		return h.reconcileOrigination(c, app, key != "" && req.ExternalID == nil, target, err, orig.AwaitingApproval())
	case translate.FromUpstream(err, target).Code == translate.Aborted:
		return h.existingLoan(c, app, key != "" && req.ExternalID == nil, target, err)
	}
	return translate.FromUpstream(err, target)
}

// customerID is the upstream id of the customer an origination names: the
// partner's customerId as it is (the submission's own checks answer for an
// unknown or inactive one), or the customer the externalId names.
func (h *loans) customerID(ctx context.Context, req translate.LoanCreateRequest, target translate.Target) (int64, error) {
	if req.CustomerID != nil {
		return *req.CustomerID, nil
	}
	client, err := h.s.upstream.GetClient(ctx, upstream.ByExternalID(*req.CustomerExternalID))
	if err != nil {
		return 0, translate.FromUpstream(err, target)
	}
	return client.ID, nil
}

// originated answers a committed origination with the loan read back and
// checked to carry the externalId it was made with. A loan with other
// terms is an earlier request's, which the upstream's idempotency store
// answered for a retry that reused its key (1.9+).
func (h *loans) originated(c echo.Context, id int64, app wire.LoanApplication, keyed bool, target translate.Target) error {
	loan, err := h.s.upstream.GetLoan(c.Request().Context(), upstream.ByID(id))
	if err == nil {
		err = upstream.VerifyLoan(upstream.ByExternalID(app.ExternalID), loan)
	}
	switch {
	case err == nil && !sameApplication(loan, app):
		return translate.LoanExists(app.ExternalID, strconv.FormatInt(loan.ID, 10), keyed)
	case err == nil:
		return h.answer(c, loan)
	case unexpected(err):
		return translate.OutcomeUnknown(err, target)
	}
	return translate.Applied(translate.Loans, id, err)
}

// sameApplication reports a loan originated from app: its customer,
// product and principal.
func sameApplication(l wire.LoanData, app wire.LoanApplication) bool {
	return l.ClientID == app.ClientID && l.LoanProductID == app.ProductID && sameAmount(l.ApprovedPrincipal, app.Principal)
}

// reconcileOrigination settles an origination whose outcome is unknown (a
// cut-off answer) or that a maker-checker upstream partly stored: the loan
// its externalId names is read. An Active loan was originated and is the
// answer; none means nothing was applied; a loan short of Active (a step
// stored for approval) is torn down, so no half-made loan stays behind.
func (h *loans) reconcileOrigination(c echo.Context, app wire.LoanApplication, keyed bool, target translate.Target, cause error, awaiting bool) error {
	ctx := c.Request().Context()
	loan, err := h.s.upstream.GetLoan(ctx, upstream.ByExternalID(app.ExternalID))
	switch {
	case err == nil && !sameApplication(loan, app):
		// Not this request's loan: the externalId was taken before, and
		// the batch that was cut off failed on it.
		return translate.LoanExists(app.ExternalID, strconv.FormatInt(loan.ID, 10), keyed)
	case err == nil && loan.StatusID() == wire.LoanStatusActive && !awaiting:
		return h.answer(c, loan)
	case err == nil:
		if _, _, err := h.teardown(ctx, loan, target, translate.NoteRequest{}); err != nil {
			return err
		}
	case !isNotFound(err, target):
		return translate.OutcomeUnknown(errors.Join(cause, err), target)
	}
	if awaiting {
		return translate.OriginationAwaitsApproval(cause)
	}
	return translate.NotApplied(cause)
}

// existingLoan answers an origination the upstream refused as aborted: when
// its externalId already names a loan of the same customer, product and
// principal, that loan is the answer (a retry of a create whose answer was
// lost); another loan is the partner's duplicate; no loan, the refusal
// stands.
func (h *loans) existingLoan(c echo.Context, app wire.LoanApplication, keyed bool, target translate.Target, refusal error) error {
	loan, err := h.s.upstream.GetLoan(c.Request().Context(), upstream.ByExternalID(app.ExternalID))
	if err != nil {
		return translate.FromUpstream(refusal, target)
	}
	if loan.StatusID() == wire.LoanStatusActive && sameApplication(loan, app) {
		return h.answer(c, loan)
	}
	return translate.LoanExists(app.ExternalID, strconv.FormatInt(loan.ID, 10), keyed)
}

// list answers GET /v1/loans in a bounded number of round trips whatever
// the page size: the loans are found (one list call, or a customer's
// accounts), and the page's loans read in one batch, with their schedules.
func (h *loans) list(c echo.Context) error {
	req, qerr := translate.ParseLoanListQuery(c.Request().URL.RawQuery)
	if err := translate.Merge(qerr, noBody(c)); err != nil {
		return err
	}
	ctx := c.Request().Context()
	target := translate.Target{Resource: translate.Loans}
	switch {
	case req.HasExternalID:
		return h.lookup(c, req)
	case req.CustomerID != nil || req.CustomerExternalID != nil:
		found, total, err := h.customerLoans(ctx, req)
		if err != nil {
			return err
		}
		return h.page(c, found, total, req)
	}
	page, err := h.s.upstream.ListLoans(ctx, req.Upstream(), req.StatusID)
	if err != nil {
		return translate.FromUpstream(err, target)
	}
	ids := make([]int64, 0, len(page.PageItems))
	for _, l := range page.PageItems {
		ids = append(ids, l.ID)
	}
	found, err := h.readLoans(ctx, ids)
	if err != nil {
		return err
	}
	return h.page(c, found, page.TotalFilteredRecords, req)
}

// page writes one page of loans.
func (h *loans) page(c echo.Context, found []wire.LoanData, total int64, req translate.LoanListRequest) error {
	if err := h.withCustomerExternalIDs(c.Request().Context(), found); err != nil {
		return err
	}
	out, err := translate.LoanPage(found, total, req)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

// readLoans reads the loans of a page in one batch. A loan deleted since
// it was listed is left out; any other failure fails the page.
func (h *loans) readLoans(ctx context.Context, ids []int64) ([]wire.LoanData, error) {
	reads, err := h.s.upstream.ReadLoans(ctx, ids)
	if err != nil {
		return nil, translate.FromUpstream(err, translate.Target{Resource: translate.Loans})
	}
	out := make([]wire.LoanData, 0, len(reads))
	for i, r := range reads {
		target := translate.Loans.ByID(strconv.FormatInt(ids[i], 10))
		switch {
		case r.Err == nil:
			out = append(out, r.Loan)
		case !isNotFound(r.Err, target):
			return nil, translate.FromUpstream(r.Err, target)
		}
	}
	return out, nil
}

// lookup is the list's exact externalId lookup: one loan or none, which
// the other filters may still exclude.
func (h *loans) lookup(c echo.Context, req translate.LoanListRequest) error {
	target := translate.Loans.ByExternalID(req.ExternalID)
	loan, err := h.s.upstream.GetLoan(c.Request().Context(), upstream.ByExternalID(req.ExternalID))
	switch {
	case err == nil:
	case isNotFound(err, target):
		return h.page(c, nil, 0, req)
	default:
		return translate.FromUpstream(err, target)
	}
	if !h.matches(loan, req) {
		return h.page(c, nil, 0, req)
	}
	if req.Page != 1 {
		return h.page(c, nil, 1, req)
	}
	return h.page(c, []wire.LoanData{loan}, 1, req)
}

// matches applies the list's customer and status filters to one loan.
func (h *loans) matches(l wire.LoanData, req translate.LoanListRequest) bool {
	switch {
	case req.StatusID != 0 && l.StatusID() != req.StatusID:
		return false
	case req.CustomerID != nil && l.ClientID != *req.CustomerID:
		return false
	case req.CustomerExternalID != nil && l.ClientExternalID != "" && l.ClientExternalID != *req.CustomerExternalID:
		return false
	}
	return true
}

// customerLoans lists one customer's loans from its accounts (GET /loans
// has no customer filter on any line), filters by status, orders and pages
// them here, so total is exact. The accounts carry no principal before
// disbursement (LoanAccountSummaryData.originalLoan is
// principal_disbursed_derived, AccountDetailsReadPlatformServiceJpaRepositoryImpl
// at 1.8.4 and 1.10.1), so ordered by principal every match is read, in
// the same one batch a page's loans are.
func (h *loans) customerLoans(ctx context.Context, req translate.LoanListRequest) ([]wire.LoanData, int64, error) {
	var ref upstream.Ref
	var target translate.Target
	if req.CustomerID != nil {
		ref, target = upstream.ByID(*req.CustomerID), translate.Customers.ByID(strconv.FormatInt(*req.CustomerID, 10))
	} else {
		ref, target = upstream.ByExternalID(*req.CustomerExternalID), translate.Customers.ByExternalID(*req.CustomerExternalID)
	}
	accounts, err := h.s.upstream.ListClientLoans(ctx, ref)
	if err != nil {
		return nil, 0, translate.FromUpstream(err, target)
	}
	accounts = slices.DeleteFunc(accounts, func(a wire.LoanAccountSummary) bool {
		return req.StatusID != 0 && (a.Status == nil || a.Status.ID != req.StatusID)
	})
	total := int64(len(accounts))
	ids := make([]int64, 0, len(accounts))
	if req.OrderBy != "principal" {
		slices.SortStableFunc(accounts, translate.LoanAccountOrder(req))
		accounts = pageOf(accounts, req.ListRequest)
	}
	for _, a := range accounts {
		ids = append(ids, a.ID)
	}
	found, err := h.readLoans(ctx, ids)
	if req.CustomerExternalID != nil {
		// Every loan is the named customer's: no lookup of its externalId.
		for i := range found {
			found[i].ClientExternalID = *req.CustomerExternalID
		}
	}
	if err != nil || req.OrderBy != "principal" {
		return found, total, err
	}
	slices.SortStableFunc(found, translate.LoanPrincipalOrder(req))
	return pageOf(found, req.ListRequest), total, nil
}

// pageOf is the page req asks for of all, already ordered.
func pageOf[T any](all []T, req translate.ListRequest) []T {
	from := min((req.Page-1)*req.Rows, len(all))
	return all[from:min(from+req.Rows, len(all))]
}
