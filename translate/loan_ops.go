package translate

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"

	"lmsproxy/upstream/wire"
)

// ReservedExternalIDPrefix starts the externalIds the proxy gives the loans
// it originates for a partner that sent none: the upstream's externalId is
// how the proxy recognises its own loan after a lost answer (an exact,
// unique lookup), so every origination carries one. A partner externalId
// may not start with it, so a generated one never collides with a
// partner's, and the loan object omits such an id: it is the proxy's, not
// the partner's.
const ReservedExternalIDPrefix = "lmsproxy-"

// OriginationExternalID is the upstream externalId of a new loan: the
// partner's; else one derived from the partner's Idempotency-Key and
// scope (the caller: two partners' keys never meet), so that a retry names
// the same loan; else the prefix and nonce, which the caller draws at
// random per request (translate does no I/O), so that the proxy can still
// find its loan after a lost answer.
func OriginationExternalID(req LoanCreateRequest, scope, key, nonce string) string {
	switch {
	case req.ExternalID != nil:
		return *req.ExternalID
	case key != "":
		sum := sha256.Sum256([]byte(scope + "\x00" + key))
		return ReservedExternalIDPrefix + hex.EncodeToString(sum[:16])
	}
	return ReservedExternalIDPrefix + nonce
}

// errReservedPrefix is the problem with a partner externalId that starts
// with ReservedExternalIDPrefix.
const errReservedPrefix = "must not start with " + ReservedExternalIDPrefix + " (reserved for the ids the service generates)"

// partnerExternalID is the externalId the partner gave, or "" for none or
// one the proxy generated.
func partnerExternalID(upstreamValue string) string {
	if strings.HasPrefix(upstreamValue, ReservedExternalIDPrefix) {
		return ""
	}
	return upstreamValue
}

// loanExternalIDValue is a loan externalId a partner may choose: an
// externalId that does not start with the reserved prefix.
func loanExternalIDValue(v json.RawMessage) (string, string) {
	s, problem := externalIDValue(v)
	if problem == "" {
		problem = checkLoanExternalID(s)
	}
	return s, problem
}

// checkLoanExternalID is checkExternalID and the reserved prefix.
func checkLoanExternalID(s string) string {
	if problem := checkExternalID(s); problem != "" {
		return problem
	}
	if strings.HasPrefix(s, ReservedExternalIDPrefix) {
		return errReservedPrefix
	}
	return ""
}

// IdempotencyKeyHeader is the request header with which a partner makes an
// origination without an externalId safe to retry: the same key from the
// same partner names the same loan.
const IdempotencyKeyHeader = "Idempotency-Key"

// ParseIdempotencyKey validates the Idempotency-Key header's values: none
// ("" and no error), or exactly one following the externalId rules (1–100
// characters, no control characters or white space at either end).
func ParseIdempotencyKey(values []string) (string, *Error) {
	switch len(values) {
	case 0:
		return "", nil
	case 1:
		if problem := checkExternalID(values[0]); problem != "" {
			return "", Invalid(FieldError{Field: IdempotencyKeyHeader, Error: problem})
		}
		return values[0], nil
	}
	return "", Invalid(FieldError{Field: IdempotencyKeyHeader, Error: "must be sent once"})
}

// LoanStateRefused is the answer to a loan operation the loan's status does
// not allow, checked by the proxy before anything is sent upstream, so the
// loan is untouched: aborted, naming the loan as the partner addressed it,
// its status, and what the operation needs.
func LoanStateRefused(t Target, statusID int64, needs string) *Error {
	return &Error{Code: Aborted, Message: joinSegments(append(append(
		[]segment{{text: t.Resource.Name + " "}}, t.addressing(t.Resource, problem{})...),
		segment{text: " is " + LoanStatusLabel(statusID) + "; " + needs}))}
}

// LoanExists answers an origination whose externalId already names a loan
// that this request did not make: aborted, with the loan's id so the
// partner can read it. keyed tells whether the externalId came from the
// partner's Idempotency-Key (reused for another request) or its body.
func LoanExists(externalID, id string, keyed bool) *Error {
	if keyed {
		return NewError(Aborted, "the "+IdempotencyKeyHeader+" was used for another loan request (loan id "+id+"); use a new key for a new request")
	}
	return &Error{Code: Aborted, Message: joinSegments([]segment{
		{text: "Loan with externalId "}, {text: externalID, verbatim: true},
		{text: " already exists with other terms (id " + id + ")"}})}
}

// RedisbursementFailed is the answer to an adjust-disbursement-date whose
// new disbursement failed and whose restoring disbursement at the original
// date failed too: the loan is left Approved, and the operator or partner
// must disburse it again at original.
func RedisbursementFailed(t Target, original string, cause error) *Error {
	return &Error{Code: Internal, Cause: cause, Message: joinSegments(append(append(
		[]segment{{text: t.Resource.Name + " "}}, t.addressing(t.Resource, problem{})...),
		segment{text: " was left Approved: its disbursement was undone, and disbursing it again failed both at the new date and at the original date " + original + "; disburse it at " + original + " to restore it"}))}
}

// OriginationAwaitsApproval answers an origination the upstream would only
// store for maker-checker approval: the proxy removed whatever the upstream
// had applied, so nothing was originated, and resending will not help
// until the service account may originate alone. permission_denied, as for
// every write awaiting approval (AwaitingApproval).
func OriginationAwaitsApproval(cause error) *Error {
	return &Error{
		Code:    PermissionDenied,
		Message: answerPrefix(200) + "the loan management system requires approval of each origination step; nothing was originated",
		Cause:   cause,
	}
}

// Rollback is the answer to POST /v1/loans/{id}/rollback: the steps this
// call took, in order, and the loan as it stood before it was deleted.
type Rollback struct {
	Steps []string   `json:"steps"`
	Loan  LoanDetail `json:"loan"`
}

// Upstream is the upstream page request of a loan list.
func (r LoanListRequest) Upstream() wire.ListQuery { return r.upstreamPage(loanSortColumns) }

// LoanAccountOrder orders a customer's loans (GET /clients/{id}/accounts,
// which the proxy pages itself) as the list's orderBy and sortOrder ask,
// like the upstream list orders its rows: ascending unless DESC, by id
// without an orderBy, a missing date first (SQL sorts NULL lowest on
// MySQL), ties by id. The accounts carry no principal to order by
// (LoanPrincipalOrder orders the loans themselves).
func LoanAccountOrder(r LoanListRequest) func(a, b wire.LoanAccountSummary) int {
	key := func(a, b wire.LoanAccountSummary) int {
		switch r.OrderBy {
		case "disbursementDate":
			return compareDates(timelineOf(a).ActualDisbursementDate, timelineOf(b).ActualDisbursementDate)
		case "submittedDate":
			return compareDates(timelineOf(a).SubmittedOnDate, timelineOf(b).SubmittedOnDate)
		}
		return 0
	}
	return func(a, b wire.LoanAccountSummary) int { return directed(r, key(a, b), a.ID, b.ID) }
}

// LoanPrincipalOrder orders loans by principal as orderBy=principal asks,
// ties by id.
func LoanPrincipalOrder(r LoanListRequest) func(a, b wire.LoanData) int {
	return func(a, b wire.LoanData) int {
		x, _ := AmountFromUpstream(string(a.Principal))
		y, _ := AmountFromUpstream(string(b.Principal))
		return directed(r, x.Cmp(y), a.ID, b.ID)
	}
}

// directed is an order's comparison n, ties broken by id, in the list's
// sort order.
func directed(r LoanListRequest, n int, idA, idB int64) int {
	if n == 0 {
		n = cmp.Compare(idA, idB)
	}
	if strings.EqualFold(r.SortOrder, "DESC") {
		return -n
	}
	return n
}

func timelineOf(a wire.LoanAccountSummary) wire.LoanTimeline {
	if a.Timeline == nil {
		return wire.LoanTimeline{}
	}
	return *a.Timeline
}

// compareDates orders dates, the zero date (none) first.
func compareDates(a, b wire.Date) int {
	switch {
	case a == b:
		return 0
	case a.IsZero() || a.Before(b):
		return -1
	}
	return 1
}

// LoanDetail is the single-loan shape (spec §9): the loan and its
// repayments, newest first (RepaymentHistory). List rows are the Loan alone.
type LoanDetail struct {
	Loan
	RepaymentHistory []Repayment `json:"repaymentHistory"`
}

// LoanDetailFromUpstream maps one loan read with its transactions.
func LoanDetailFromUpstream(l wire.LoanData) (LoanDetail, error) {
	loan, err := LoanFromUpstream(l)
	if err != nil {
		return LoanDetail{}, err
	}
	history, err := RepaymentHistory(l.Transactions, l.ID)
	return LoanDetail{Loan: loan, RepaymentHistory: history}, err
}
