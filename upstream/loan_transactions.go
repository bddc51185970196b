package upstream

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"lmsproxy/upstream/wire"
)

// The loan transactions API (LoanTransactionsApiResource, fineract-provider/
// .../portfolio/loanaccount/api/ at 1.8.4, 1.9.0 and 1.10.1): repayments,
// the write-off (loans.go) and the reads of one transaction. Used by the
// repayments handlers, next.
var (
	// OpRepayLoan is a REPAYMENT command on LOAN, so like every loan write
	// it is resent only with an Idempotency-Key the upstream honours (1.9+).
	// Without one a resend after the first may have arrived could post the
	// money twice; the caller reconciles by the transaction's externalId
	// instead (FindLoanTransaction). With one, a resend is answered from the
	// upstream's store: the first attempt's result, or 425 while it still
	// runs (IdempotencyStoreFilter, SynchronousCommandProcessingService,
	// 1.9.0 and 1.10.1).
	OpRepayLoan = Op{Name: "loans.repay", Method: http.MethodPost, Safety: Unsafe, Keyed: true}
	// OpGetLoanTransaction reads one transaction of a loan by its id.
	OpGetLoanTransaction = Op{Name: "loans.transaction", Method: http.MethodGet, Safety: ReadOnly}
	// OpFindLoanTransaction finds one transaction of a loan by its
	// externalId: the transaction route (1.9+) or the loan's transactions.
	OpFindLoanTransaction = Op{Name: "loans.transactionbyexternalid", Method: http.MethodGet, Safety: ReadOnly}
)

// loanTransactionOps are the loan transactions API's operations, in Ops.
var loanTransactionOps = []Op{OpRepayLoan, OpGetLoanTransaction, OpFindLoanTransaction}

// RepayLoan posts a repayment to the loan ref names: POST
// /loans/{id}/transactions?command=repayment on every line. A loan named by
// external id is resolved to its id first, with the exact comparison every
// loan write makes (resource.writeRef), so the 1.9+ route
// /loans/external-id/{x}/transactions, which matches under the database's
// collation, is never used. The result names the loan as loanId and the
// transaction as resourceId (LoanWritePlatformServiceJpaRepositoryImpl.
// makeLoanRepayment at 1.10.1; LoanAccountDomainServiceJpa.makeRepayment's
// withEntityId at 1.8.4); 1.9+ adds the transaction's externalId as
// resourceExternalId.
func (c *Client) RepayLoan(ctx context.Context, loan Ref, body wire.LoanRepayment) (wire.CommandResult, error) {
	return c.loanTransactionCommand(ctx, OpRepayLoan, loan, "repayment", body)
}

// loanTransactionCommand runs ?command= on the transactions of the loan ref
// names, resolved to its id first (writeRef): the write-off and the
// repayment, which LoanTransactionsApiResource.executeLoanTransaction takes
// and the loan's own ?command= refuses as unsupported.
func (c *Client) loanTransactionCommand(ctx context.Context, op Op, ref Ref, command string, body any) (wire.CommandResult, error) {
	ref, err := loans.writeRef(ctx, c, ref)
	if err != nil {
		return wire.CommandResult{}, err
	}
	out := result[wire.LoanData]{of: loans}
	err = c.do(ctx, op, loans.url(c, transactionsPath(ref.ID), url.Values{"command": {command}}), body, &out)
	return out.CommandResult, err
}

// transactionsPath is /loans/{loanID}/transactions, below /v1/loans.
func transactionsPath(loanID int64) string {
	return strconv.FormatInt(loanID, 10) + "/transactions"
}

// GetLoanTransaction returns transaction txID of loan loanID, whatever its
// type and whether or not it was reversed: the route reads `where l.id = ?
// and tr.id = ?` (LoanReadPlatformServiceImpl.retrieveLoanTransaction at
// 1.8.4 and 1.10.1), so a transaction of another loan, an unknown one and
// an unknown loan are all its 404 for the transaction, whose code is
// error.msg.loan.transaction.id.invalid from 1.9.0 and
// error.msg.loan.id.invalid, the loan's, on 1.8 (LoanTransactionNotFoundException;
// its text, "Transaction with identifier …", tells them apart). A reversal
// by undo-disbursal shows only on 1.9+ (reversedOnDate); on 1.8 the
// transaction is then missing from the loan's transactions association.
func (c *Client) GetLoanTransaction(ctx context.Context, loanID, txID int64) (wire.LoanTransaction, error) {
	var out wire.LoanTransaction
	u := loans.url(c, transactionsPath(loanID)+"/"+strconv.FormatInt(txID, 10), nil)
	if err := c.do(ctx, OpGetLoanTransaction, u, nil, &out); err != nil {
		return wire.LoanTransaction{}, err
	}
	if out.ID != txID {
		return wire.LoanTransaction{}, unexpectedAnswer(OpGetLoanTransaction.Name, http.StatusOK,
			fmt.Errorf("answer is for transaction %d, not %d", out.ID, txID))
	}
	return verifyTransactionLoan(OpGetLoanTransaction, loanID, out)
}

// FindLoanTransaction returns the transaction of loan loanID whose
// externalId is exactly externalID, or the not-found error
// transactionNotFound makes, the same on every line and every way, so a
// caller asks one question (did the repayment it sent reach the upstream?):
//
//   - 1.9+: GET /loans/{id}/transactions/external-id/{x}, percent-encoded,
//     where the upstream's firewall lets the id through (routable). The
//     lookup is global and under the database collation
//     (LoanTransactionRepository.findIdByExternalId; the column is unique
//     across every loan), then read with `where l.id = ? and tr.id = ?`:
//     another loan's transaction is the route's 404, and one whose
//     externalId differs in letter case is not the one asked for. A
//     transaction the upstream reversed is found.
//   - 1.8, or an id the route cannot carry: the loan's transactions
//     association, scanned for the exact id. It lists every transaction
//     but those an undo-disbursal reversed (`is_reversed = false or
//     manually_adjusted_or_reversed = true` in LoanReadPlatformServiceImpl.
//     retrieveLoanTransactions at 1.8.4 and 1.10.1), which are not found.
//
// An unknown loan is the loan's 404 on 1.8 and the transaction's on 1.9+.
func (c *Client) FindLoanTransaction(ctx context.Context, loanID int64, externalID string) (wire.LoanTransaction, error) {
	op := OpFindLoanTransaction
	if c.version.HasExternalIDRoutes() && routable(externalID) {
		var out wire.LoanTransaction
		u := loans.url(c, transactionsPath(loanID)+"/external-id/"+url.PathEscape(externalID), nil)
		err := c.do(ctx, op, u, nil, &out)
		switch e, _ := wire.AsError(err); {
		case e != nil && e.Status == http.StatusNotFound &&
			(e.HasCode(codeTransactionExternalIDNotFound) || e.HasCode(codeTransactionNotFound)):
			return wire.LoanTransaction{}, transactionNotFound(op.Name)
		case err != nil:
			return wire.LoanTransaction{}, err
		case out.ExternalID != externalID:
			return wire.LoanTransaction{}, transactionNotFound(op.Name)
		}
		return verifyTransactionLoan(op, loanID, out)
	}
	var loan wire.LoanData
	err := c.do(ctx, op, loans.url(c, strconv.FormatInt(loanID, 10), url.Values{"associations": {"transactions"}}), nil, &loan)
	if loan, err = loans.verified(ByID(loanID), loan, err); err != nil {
		return wire.LoanTransaction{}, err
	}
	for _, t := range loan.Transactions {
		if t.ExternalID == externalID {
			return t, nil
		}
	}
	return wire.LoanTransaction{}, transactionNotFound(op.Name)
}

// verifyTransactionLoan refuses a transaction that names another loan;
// only 1.9+ names one (LoanTransactionData.loanId).
func verifyTransactionLoan(op Op, loanID int64, t wire.LoanTransaction) (wire.LoanTransaction, error) {
	if t.LoanID != 0 && t.LoanID != loanID {
		return wire.LoanTransaction{}, unexpectedAnswer(op.Name, http.StatusOK,
			fmt.Errorf("answer is transaction %d of loan %d, not of loan %d", t.ID, t.LoanID, loanID))
	}
	return t, nil
}

// The not-found codes of one transaction from 1.9.0
// (LoanTransactionNotFoundException, fineract-provider/.../portfolio/
// loanaccount/exception/ at 1.10.1).
const (
	codeTransactionNotFound           = "error.msg.loan.transaction.id.invalid"
	codeTransactionExternalIDNotFound = "error.msg.loan.transaction.external.id.invalid"
)

// transactionNotFound is the 1.9+ transaction external-id route's answer
// for an unknown id, which FindLoanTransaction gives whichever way it
// looked; like loanNotFound's, its text does not name the id.
func transactionNotFound(op string) *wire.Error {
	return &wire.Error{
		Op: op, Status: http.StatusNotFound, Shape: wire.ShapeEnvelope,
		Code: "error.msg.resource.not.found", Message: "The requested resource is not available.",
		Params: []wire.ParamError{{Code: codeTransactionExternalIDNotFound, Message: "Transaction with external identifier does not exist", Parameter: "id"}},
	}
}
