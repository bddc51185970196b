package upstream

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"lmsproxy/upstream/wire"
)

// The loans API (LoansApiResource and, for write-off, LoanTransactionsApiResource,
// fineract-provider/.../portfolio/loanaccount/api/ at 1.8.4, 1.9.0 and
// 1.10.1). Used by the loans handlers, next. Every write is a command of
// its own in the upstream (CREATE, UPDATE, DELETE, APPROVE, APPROVALUNDO,
// DISBURSE, DISBURSALUNDO, WRITEOFF on LOAN), so like the clients' writes
// each is resent only with an Idempotency-Key the upstream honours (1.9+),
// one per step of a partner request (WithStep): the upstream keys its
// replay store on (action, entity, key), not on the loan.
var (
	OpListLoans         = Op{Name: "loans.list", Method: http.MethodGet, Safety: ReadOnly}
	OpGetLoan           = Op{Name: "loans.get", Method: http.MethodGet, Safety: ReadOnly}
	OpSubmitLoan        = Op{Name: "loans.submit", Method: http.MethodPost, Safety: Unsafe, Keyed: true}
	OpUpdateLoan        = Op{Name: "loans.update", Method: http.MethodPut, Safety: Unsafe, Keyed: true}
	OpDeleteLoan        = Op{Name: "loans.delete", Method: http.MethodDelete, Safety: Unsafe, Keyed: true}
	OpApproveLoan       = Op{Name: "loans.approve", Method: http.MethodPost, Safety: Unsafe, Keyed: true}
	OpUndoApprovalLoan  = Op{Name: "loans.undoapproval", Method: http.MethodPost, Safety: Unsafe, Keyed: true}
	OpDisburseLoan      = Op{Name: "loans.disburse", Method: http.MethodPost, Safety: Unsafe, Keyed: true}
	OpUndoDisbursalLoan = Op{Name: "loans.undodisbursal", Method: http.MethodPost, Safety: Unsafe, Keyed: true}
	OpWriteOffLoan      = Op{Name: "loans.writeoff", Method: http.MethodPost, Safety: Unsafe, Keyed: true}
	// OpListClientLoans reads /clients/{id}/accounts for its loans.
	OpListClientLoans = Op{Name: "loans.byclient", Method: http.MethodGet, Safety: ReadOnly}
)

// loanOps are the loans API's operations, in Ops.
var loanOps = []Op{OpListLoans, OpGetLoan, OpSubmitLoan, OpUpdateLoan, OpDeleteLoan,
	OpApproveLoan, OpUndoApprovalLoan, OpDisburseLoan, OpUndoDisbursalLoan, OpWriteOffLoan, OpListClientLoans}

// loanAssociations are what every read of one loan attaches: without
// ?associations= nothing is (ApiParameterHelper.extractAssociationsForResponseIfProvided
// on the decoded query; the resource's @DefaultValue("all") is unused).
var loanAssociations = url.Values{"associations": {"repaymentSchedule,transactions"}}

// loans addresses /v1/loans.
var loans = &resource[wire.LoanData]{
	segment: "loans",
	noun:    "loan",
	get:     OpGetLoan,
	list:    OpListLoans,
	// /loans/external-id/{loanExternalId} exists from 1.9.0 (commit
	// 2532c58cb, FINERACT-1760).
	externalIDRoutes: Version.HasExternalIDRoutes,
	shadows:          loanExternalIDShadows,
	// The list's externalId is `l.external_id = ?`
	// (LoanReadPlatformServiceImpl.retrieveAll at 1.8.4 and 1.10.1), the
	// only way on 1.8. From 1.10 LoansApiResource also runs the SqlValidator
	// on it, and an exact comparison has no wildcard to fall back to: an id
	// that is refused there and cannot take the route (a "/" with a space,
	// say) is not found on 1.10.
	filter:      "externalId",
	filterExact: true,
	sortColumns: loanSortColumns,
	getQuery:    loanAssociations,
	identity:    func(l *wire.LoanData) (int64, string) { return l.ID, l.ExternalID },
	notFound:    loanNotFound,
	// Every loan command answers with the loan's id as loanId, whatever its
	// resourceId: the disbursement's is the last transaction's id on 1.8.4
	// (the Accrual) and the loan's from 1.9.0 (FINERACT-1842), the
	// write-off's the write-off transaction's (LoanWritePlatformServiceJpaRepositoryImpl
	// and LoanApplicationWritePlatformServiceJpaRepositoryImpl: withLoanId,
	// 1.8.4 and 1.10.1).
	appliedID: func(r wire.CommandResult) int64 { return r.LoanID },
}

// loanSortColumns are the columns a loan list may be ordered by: select
// aliases of LoanMapper.loanSchema, each defined once (l.id, l.principal_amount,
// l.disbursedon_date, l.submittedon_date; 1.8.4 and 1.10.1), which ORDER BY
// resolves on MySQL and PostgreSQL; retrieveAll appends orderBy and
// sortOrder as clients' does (clients.go's clientSortColumns).
var loanSortColumns = map[string]bool{"id": true, "principal": true, "actualDisbursementDate": true, "submittedOnDate": true}

// loanExternalIDShadows are the ids that, as /loans/external-id/{id}, reach
// another template (1.9.0 to develop). Jersey prefers the template with
// more literal characters and does not backtrack: the root resources
// /v1/loans/{loanId}/collaterals, …/disbursements, …/guarantors,
// …/postdatedchecks, …/schedule and /v1/{type}/{id}/calendars, …/documents,
// …/images, …/meetings, …/notes beat the merged /v1/loans resource, and
// within it {loanId}/delinquency-actions, {loanId}/delinquencytags and
// {loanId}/transactions have more than external-id/{loanExternalId}'s 12
// (LoansApiResource, LoanTransactionsApiResource; {loanId}/charges and
// {loanId}/template have fewer and do not).
var loanExternalIDShadows = map[string]bool{
	"collaterals": true, "disbursements": true, "guarantors": true, "postdatedchecks": true, "schedule": true,
	"calendars": true, "documents": true, "images": true, "meetings": true, "notes": true,
	"delinquency-actions": true, "delinquencytags": true, "transactions": true,
}

// loanNotFound is the 1.9+ external-id route's answer for an unknown id
// (LoanNotFoundException(ExternalId), fineract-loan/.../loanaccount/
// exception/ at 1.10.1), whose message names the id; this one, given only
// the operation, does not.
func loanNotFound(op string) *wire.Error {
	return &wire.Error{
		Op: op, Status: http.StatusNotFound, Shape: wire.ShapeEnvelope,
		Code: "error.msg.resource.not.found", Message: "The requested resource is not available.",
		Params: []wire.ParamError{{Code: "error.msg.loan.external.id.invalid", Message: "Loan with external identifier does not exist", Parameter: "id"}},
	}
}

// ListLoans returns one page of loans (without associations), only those in
// status when it is not 0. The status parameter exists from 1.9
// (HasLoanStatusFilter); 1.8 filters by sqlSearch, which
// LoanReadPlatformServiceImpl.retrieveAll (fineract-provider/.../portfolio/
// loanaccount/service/ at 1.8.4) appends as "and (<sqlSearch>)" after
// SQLInjectionValidator and the column validator pass it: a comparison of
// m_loan's status column with a number the proxy formats passes both.
func (c *Client) ListLoans(ctx context.Context, q wire.ListQuery, status int64) (wire.Page[wire.LoanData], error) {
	var filter url.Values
	switch {
	case status == 0:
	case c.version.HasLoanStatusFilter():
		filter = url.Values{"status": {strconv.FormatInt(status, 10)}}
	default:
		filter = url.Values{"sqlSearch": {"l.loan_status_id = " + strconv.FormatInt(status, 10)}}
	}
	return loans.page(ctx, c, q, filter)
}

// GetLoan returns the loan ref names with its repayment schedule and
// transactions, or an error (verify.go). By external id on 1.8 it costs a
// list call and the read by id.
func (c *Client) GetLoan(ctx context.Context, ref Ref) (wire.LoanData, error) {
	return loans.fetch(ctx, c, ref)
}

// VerifyLoan reports an answer that is not the loan ref names (verify.go).
func VerifyLoan(ref Ref, got wire.LoanData) error { return loans.verify(ref, &got) }

// SubmitLoan submits an application (status 100).
func (c *Client) SubmitLoan(ctx context.Context, body wire.LoanApplication) (wire.CommandResult, error) {
	return loans.create(ctx, c, OpSubmitLoan, body)
}

// UpdateLoan re-submits a Submitted loan's whole application.
func (c *Client) UpdateLoan(ctx context.Context, ref Ref, body wire.LoanApplication) (wire.CommandResult, error) {
	return loans.command(ctx, c, OpUpdateLoan, ref, nil, body)
}

// DeleteLoan hard-deletes a Submitted loan.
func (c *Client) DeleteLoan(ctx context.Context, ref Ref) (wire.CommandResult, error) {
	return loans.command(ctx, c, OpDeleteLoan, ref, nil, nil)
}

// ApproveLoan runs ?command=approve (100 → 200).
func (c *Client) ApproveLoan(ctx context.Context, ref Ref, body wire.LoanApprove) (wire.CommandResult, error) {
	return loans.command(ctx, c, OpApproveLoan, ref, url.Values{"command": {"approve"}}, body)
}

// UndoLoanApproval runs ?command=undoapproval (200 → 100).
func (c *Client) UndoLoanApproval(ctx context.Context, ref Ref, body wire.LoanNote) (wire.CommandResult, error) {
	return loans.command(ctx, c, OpUndoApprovalLoan, ref, url.Values{"command": {"undoapproval"}}, body)
}

// DisburseLoan runs ?command=disburse (200 → 300).
func (c *Client) DisburseLoan(ctx context.Context, ref Ref, body wire.LoanDisburse) (wire.CommandResult, error) {
	return loans.command(ctx, c, OpDisburseLoan, ref, url.Values{"command": {"disburse"}}, body)
}

// UndoLoanDisbursal runs ?command=undodisbursal (300 → 200). The upstream
// reverses every transaction, repayments included, without a word; callers
// check for repayments first.
func (c *Client) UndoLoanDisbursal(ctx context.Context, ref Ref, body wire.LoanNote) (wire.CommandResult, error) {
	return loans.command(ctx, c, OpUndoDisbursalLoan, ref, url.Values{"command": {"undodisbursal"}}, body)
}

// WriteOffLoan writes an Active loan off (300 → 601). It is a transaction
// command, POST /loans/{id}/transactions?command=writeoff, on every line;
// ?command=writeoff on the loan itself is 400 unsupported
// (LoanTransactionsApiResource.executeLoanTransaction).
func (c *Client) WriteOffLoan(ctx context.Context, ref Ref, body wire.LoanWriteOff) (wire.CommandResult, error) {
	return c.loanTransactionCommand(ctx, OpWriteOffLoan, ref, "writeoff", body)
}

// ListClientLoans returns every loan of the client ref names, from GET
// /clients/{id}/accounts (ClientsApiResource at 1.8.4 and 1.10.1): GET
// /loans has no client filter on any line. A client by external id is
// resolved first, with the exact match every client lookup makes
// (clients.writeRef), so the accounts are those of the client the partner
// named; an unknown client is the clients API's not-found.
func (c *Client) ListClientLoans(ctx context.Context, ref Ref) ([]wire.LoanAccountSummary, error) {
	ref, err := clients.writeRef(ctx, c, ref)
	if err != nil {
		return nil, err
	}
	var out wire.ClientAccounts
	err = c.do(ctx, OpListClientLoans, clients.url(c, strconv.FormatInt(ref.ID, 10)+"/accounts", nil), nil, &out)
	return out.LoanAccounts, err
}
