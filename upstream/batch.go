package upstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"lmsproxy/upstream/wire"
)

// The Batch API (BatchApiResource, BatchApiServiceImpl and
// CommandStrategyProvider: fineract-provider/.../batch/ at 1.8.4,
// fineract-core/.../batch/ at 1.9.0 and 1.10.1). Used by the loans
// handlers, next: origination in one round trip and one database
// transaction, and a page's loans in one read.
var (
	// OpOriginateLoan is never resent: with the enclosing transaction a
	// lost answer means all or nothing was applied, and the caller finds out
	// which by the loan's externalId. Each item carries a key of its own on
	// 1.9+ (batchItemKey), so a partner's retry replays a committed batch
	// (IdempotencyStoreBatchFilter) and reruns a rolled-back one, whose keys
	// were stored in the transaction that was rolled back
	// (SynchronousCommandProcessingService.executeCommand, 1.10.1).
	OpOriginateLoan = Op{Name: "batches.originate", Method: http.MethodPost, Safety: Unsafe}
	// OpReadLoans only reads, although it is a POST.
	OpReadLoans = Op{Name: "batches.readloans", Method: http.MethodPost, Safety: ReadOnly}
)

// batchOps are the Batch API's operations, in Ops.
var batchOps = []Op{OpOriginateLoan, OpReadLoans}

// Origination is the three command results of an origination batch.
type Origination struct {
	Submitted, Approved, Disbursed wire.CommandResult
	// Held reports, beside a failed batch's error, that a step was stored
	// for maker-checker approval before a later one failed on it: what the
	// steps before applied may be committed (see OriginateLoan).
	Held bool
}

// AwaitingApproval reports a step stored for maker-checker approval: the
// batch committed, or partly, and the loan is not Active.
func (o Origination) AwaitingApproval() bool {
	return o.Held || o.Submitted.AwaitingApproval() || o.Approved.AwaitingApproval() || o.Disbursed.AwaitingApproval()
}

// batchStep is one logical request of a batch and the operation its
// failure is reported as.
type batchStep struct {
	op          Op
	relativeURL string
	body        any
}

// batchURL is the line's relative URL of path: CommandStrategyProvider
// matches "v1/loans…" from 1.9 and "loans…" on 1.8, each as a whole
// (HasVersionedBatchURLs). Query strings are written out, not encoded: its
// patterns want a literal "," in associations.
func batchURL(v Version, path string) string {
	if v.HasVersionedBatchURLs() {
		return "v1/" + path
	}
	return path
}

// OriginateLoan submits, approves and disburses a loan in one batch with
// an enclosing transaction: approve and disburse address the loan as
// "$.loanId" of the step before (each command's result carries loanId), so
// each runs only when the one before answered 200, and a failure anywhere
// rolls all three back. The error of a failed batch is the failed step's,
// as that call alone would have answered it (wire.BatchResponse.Error),
// named by the step's operation (OpSubmitLoan, OpApproveLoan,
// OpDisburseLoan); nothing was applied then.
func (c *Client) OriginateLoan(ctx context.Context, app wire.LoanApplication, approve wire.LoanApprove, disburse wire.LoanDisburse) (Origination, error) {
	reqs, err := OriginationBatch(c.version, idempotencyKey(ctx), app, approve, disburse)
	if err != nil {
		return Origination{}, &wire.Error{Op: OpOriginateLoan.Name, Shape: wire.ShapeOther, Err: err}
	}
	steps := originationSteps(c.version, app, approve, disburse)
	resps, err := c.batch(ctx, OpOriginateLoan, true, reqs)
	if err != nil {
		return Origination{}, err
	}
	if failed, ok := resps.FirstFailure(); ok {
		e := failed.Error(stepOp(steps, failed.RequestID, OpOriginateLoan).Name)
		// A step stored for maker-checker approval answers 200 without the
		// loanId the next one refers to, and that reference failing rolls
		// nothing back on 1.8.4 (processChildRequests answers 500 and the
		// transaction commits) nor on 1.9.0 (callRequestRecursive answers the
		// JsonPathException): the steps before may be committed.
		e.MaybeApplied = resps.awaitingApproval()
		return Origination{Held: e.MaybeApplied}, e
	}
	results := make([]wire.CommandResult, len(steps))
	for i, s := range steps {
		r, ok := resps.find(int64(i + 1))
		out := result[wire.LoanData]{of: loans}
		if !ok {
			err = errors.New("batch answer lacks a response")
		} else if err = json.Unmarshal([]byte(r.Body), &out); err == nil {
			err = out.WellFormed()
		}
		if err != nil {
			// Every step answered 200, so the transaction committed.
			e := unexpectedAnswer(s.op.Name, http.StatusOK, fmt.Errorf("batch step %d: %w", i+1, err))
			e.MaybeApplied = true
			return Origination{}, e
		}
		results[i] = out.CommandResult
	}
	return Origination{Submitted: results[0], Approved: results[1], Disbursed: results[2]}, nil
}

// originationSteps are an origination's three steps on line v.
func originationSteps(v Version, app wire.LoanApplication, approve wire.LoanApprove, disburse wire.LoanDisburse) []batchStep {
	return []batchStep{
		{OpSubmitLoan, batchURL(v, "loans"), app},
		{OpApproveLoan, batchURL(v, "loans/$.loanId?command=approve"), approve},
		{OpDisburseLoan, batchURL(v, "loans/$.loanId?command=disburse"), disburse},
	}
}

// OriginationBatch is the body of OriginateLoan's batch on line v: the
// three steps, each after the one before, and on the lines that honour it
// each with an Idempotency-Key of its own derived from requestKey like a
// step's (StepKey). Exported so that a benchmark's baseline posts exactly
// what the client posts.
func OriginationBatch(v Version, requestKey string, app wire.LoanApplication, approve wire.LoanApprove, disburse wire.LoanDisburse) ([]wire.BatchRequest, error) {
	steps := originationSteps(v, app, approve, disburse)
	reqs := make([]wire.BatchRequest, len(steps))
	for i, s := range steps {
		body, err := json.Marshal(s.body)
		if err != nil {
			return nil, err
		}
		reqs[i] = wire.BatchRequest{RequestID: int64(i + 1), RelativeURL: s.relativeURL, Method: http.MethodPost, Body: string(body)}
		if i > 0 {
			reqs[i].Reference = int64(i)
		}
		if v.HonoursIdempotencyKey() && requestKey != "" {
			reqs[i].Headers = []wire.BatchHeader{{Name: "Idempotency-Key", Value: StepKey(requestKey, "batch/"+s.op.Name)}}
		}
	}
	return reqs, nil
}

// stepOp is the operation of the step with requestId id, or whole when the
// failure names none (a failure of the batch itself).
func stepOp(steps []batchStep, id int64, whole Op) Op {
	if id >= 1 && id <= int64(len(steps)) {
		return steps[id-1].op
	}
	return whole
}

// LoanRead is one loan of a batch read: the loan or why it could not be
// read.
type LoanRead struct {
	Loan wire.LoanData
	Err  error
}

// ReadLoans reads the loans with the given ids, with their schedule and
// transactions, in one batch without an enclosing transaction: one round
// trip for a page, whatever its size. Each id's outcome is its own (a loan
// deleted since the list was read is a 404 there), in the order of ids.
func (c *Client) ReadLoans(ctx context.Context, ids []int64) ([]LoanRead, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	reqs := make([]wire.BatchRequest, len(ids))
	for i, id := range ids {
		path := "loans/" + strconv.FormatInt(id, 10) + "?associations=repaymentSchedule,transactions"
		reqs[i] = wire.BatchRequest{RequestID: int64(i + 1), RelativeURL: batchURL(c.version, path), Method: http.MethodGet}
	}
	resps, err := c.batch(ctx, OpReadLoans, false, reqs)
	if err != nil {
		return nil, err
	}
	out := make([]LoanRead, len(ids))
	for i, id := range ids {
		r, ok := resps.find(int64(i + 1))
		switch {
		case !ok:
			out[i].Err = unexpectedAnswer(OpGetLoan.Name, http.StatusOK, fmt.Errorf("batch answer lacks loan %d", id))
		case !r.OK():
			out[i].Err = r.Error(OpGetLoan.Name)
		default:
			var loan wire.LoanData
			if err := json.Unmarshal([]byte(r.Body), &loan); err != nil {
				out[i].Err = decodeError(OpGetLoan.Name, http.StatusOK, err)
			} else if err := loan.WellFormed(); err != nil {
				out[i].Err = unexpectedAnswer(OpGetLoan.Name, http.StatusOK, err)
			} else {
				out[i].Loan, out[i].Err = loans.verified(ByID(id), loan, nil)
			}
		}
	}
	return out, nil
}

// batch posts reqs to /batches.
func (c *Client) batch(ctx context.Context, op Op, enclosing bool, reqs []wire.BatchRequest) (batchAnswer, error) {
	u := c.base.String() + "/v1/batches"
	if enclosing {
		u += "?enclosingTransaction=true"
	}
	var out wire.BatchResponses
	err := c.do(ctx, op, u, reqs, &out)
	return batchAnswer{out}, err
}

// batchAnswer finds responses by request id.
type batchAnswer struct{ wire.BatchResponses }

// awaitingApproval reports a step answered 200 with a command stored for
// approval rather than applied (wire.CommandResult.AwaitingApproval).
func (a batchAnswer) awaitingApproval() bool {
	for _, r := range a.BatchResponses {
		var res wire.CommandResult
		if r.OK() && json.Unmarshal([]byte(r.Body), &res) == nil && res.AwaitingApproval() {
			return true
		}
	}
	return false
}

func (a batchAnswer) find(id int64) (wire.BatchResponse, bool) {
	for _, r := range a.BatchResponses {
		if r.RequestID == id {
			return r, true
		}
	}
	return wire.BatchResponse{}, false
}
