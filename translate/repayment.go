package translate

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"lmsproxy/upstream/wire"
)

// Repayments is the repayment resource: the upstream's loan transactions
// of type Repayment. Its path depends on the loan: a message that tells
// the partner where to read one uses RepaymentsOfLoan.
var Repayments = Resource{Name: "Repayment", Path: "/v1/loans/{loan_id}/repayments"}

// RepaymentsOfLoan is the repayments of loan loanID, with the path a
// partner can read them at.
func RepaymentsOfLoan(loanID int64) Resource {
	r := Repayments
	r.Path = Loans.Path + "/" + strconv.FormatInt(loanID, 10) + "/repayments"
	return r
}

// Repayment is the partner's repayment object (spec §10). The amounts are
// omitted when 0, so overpaymentPortion appears only when the payment
// exceeded what was owed; idempotencyKey only when the repayment was made
// with one.
type Repayment struct {
	ID                 string `json:"id"`
	Type               string `json:"type"`
	Date               string `json:"date"`
	Amount             Amount `json:"amount,omitzero"`
	Principal          Amount `json:"principal,omitzero"`
	Interest           Amount `json:"interest,omitzero"`
	Fees               Amount `json:"fees,omitzero"`
	Penalties          Amount `json:"penalties,omitzero"`
	OverpaymentPortion Amount `json:"overpaymentPortion,omitzero"`
	Reversed           bool   `json:"reversed"`
	IdempotencyKey     string `json:"idempotencyKey,omitempty"`
}

// repaymentType is the partner's type of every repayment.
const repaymentType = "Repayment"

// RepaymentFromUpstream maps transaction tx of loan loanID. Only a
// repayment (type 2: not a disbursement, accrual, waiver, write-off nor a
// recovery after write-off, which the proxy never posts) of this loan is
// one: anything else is the not_found the upstream gives for a transaction
// of another loan (notARepayment), as the contract wants (spec §10: the
// upstream's numeric route does not look at the type). reversed is
// manuallyReversed or, from 1.9, reversedOnDate (fineract-loans-facts §9.3);
// on 1.8 a reversal by undo-disbursal shows only in the loan's
// transactions association (RepaymentFromLoan). idempotencyKey is the key
// the repayment was posted with, recovered from its externalId
// (RepaymentExternalID); a hashed or foreign externalId gives none. An
// amount the contract cannot carry is an error.
func RepaymentFromUpstream(tx wire.LoanTransaction, loanID int64) (Repayment, error) {
	if tx.TypeID() != wire.LoanTransactionRepayment || (tx.LoanID != 0 && tx.LoanID != loanID) {
		return Repayment{}, notARepayment(tx, loanID)
	}
	var r amountReader
	out := Repayment{
		ID:                 strconv.FormatInt(tx.ID, 10),
		Type:               repaymentType,
		Date:               tx.Date.ISO(),
		Amount:             r.read(tx.Amount),
		Principal:          r.read(tx.PrincipalPortion),
		Interest:           r.read(tx.InterestPortion),
		Fees:               r.read(tx.FeeChargesPortion),
		Penalties:          r.read(tx.PenaltyChargesPortion),
		OverpaymentPortion: r.read(tx.OverpaymentPortion),
		Reversed:           tx.Reversed(),
		IdempotencyKey:     idempotencyKeyOf(loanID, tx.ExternalID),
	}
	return out, r.err
}

// RepaymentFromLoan maps transaction tx, read by its id, of loan, read
// with its transactions association (as the upstream client's GetLoan
// reads it). The association leaves out what an undo-disbursal reversed
// (LoanReadPlatformServiceImpl.retrieveLoanTransactions, `is_reversed =
// false or manually_adjusted_or_reversed = true`, 1.8.4 and 1.10.1), so a
// transaction missing from it is reversed: on 1.8, where nothing else tells,
// this is the way to know; from 1.9 it agrees with reversedOnDate.
func RepaymentFromLoan(loan wire.LoanData, tx wire.LoanTransaction) (Repayment, error) {
	out, err := RepaymentFromUpstream(tx, loan.ID)
	if err == nil && !slices.ContainsFunc(loan.Transactions, func(t wire.LoanTransaction) bool { return t.ID == tx.ID }) {
		out.Reversed = true
	}
	return out, err
}

// notARepayment is the answer for a transaction the proxy read that is not
// a repayment of the loan addressed, worded by the table's row for the
// upstream's own 404 of a transaction of another loan, so the partner reads
// one message for both. The cause says what the proxy found.
func notARepayment(tx wire.LoanTransaction, loanID int64) *Error {
	e := FromUpstream(&wire.Error{Status: 404, Shape: wire.ShapeEnvelope, Code: codeNotFound,
		Params: []wire.ParamError{{Code: codeTransactionNotFound, Parameter: "id"}}}, Repayments.ByID(strconv.FormatInt(tx.ID, 10)))
	e.Cause = fmt.Errorf("transaction %d (type %d, loan %d) is not a repayment of loan %d", tx.ID, tx.TypeID(), tx.LoanID, loanID)
	return e
}

// RepaymentHistory is every repayment among a loan's transactions (its
// transactions association), newest first: by value date, then by id,
// which the upstream allocates in posting order. It is the loan's
// repaymentHistory and what RepaymentPage pages (spec §9, §10).
func RepaymentHistory(txs []wire.LoanTransaction, loanID int64) ([]Repayment, error) {
	var repayments []wire.LoanTransaction
	for _, t := range txs {
		// 1.9+ lists what an undo-disbursal reversed, with reversedOnDate;
		// 1.8 leaves it out (RepaymentFromLoan). Left out on every line, so
		// the history reads the same whichever line runs.
		undone := !t.ManuallyReversed && !t.ReversedOnDate.IsZero()
		if t.TypeID() == wire.LoanTransactionRepayment && !undone {
			repayments = append(repayments, t)
		}
	}
	slices.SortStableFunc(repayments, func(a, b wire.LoanTransaction) int {
		if c := b.Date.Time().Compare(a.Date.Time()); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	out := make([]Repayment, 0, len(repayments))
	for _, t := range repayments {
		r, err := RepaymentFromUpstream(t, loanID)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// RepaymentPage is one page of a loan's repayments (RepaymentHistory): the
// upstream has no paged list of them, so the page is cut here, with the
// standard paging (spec §6); total counts every repayment.
func RepaymentPage(txs []wire.LoanTransaction, loanID int64, req ListRequest) (Page[Repayment], error) {
	all, err := RepaymentHistory(txs, loanID)
	if err != nil {
		return Page[Repayment]{}, err
	}
	from := min(len(all), (req.Page-1)*req.Rows)
	to := min(len(all), from+req.Rows)
	return Page[Repayment]{Items: all[from:to], Total: int64(len(all)), Page: req.Page, RowsPerPage: req.Rows}, nil
}

// ParseRepaymentListQuery validates a repayment list query: paging only.
func ParseRepaymentListQuery(raw string) (ListRequest, *Error) {
	q, fields := ParseQuery(raw, "page", "rows")
	req, more := parseListParams(q, nil)
	if fields = append(fields, more...); len(fields) > 0 {
		return ListRequest{}, Invalid(fields...)
	}
	return req, nil
}

// FieldRepaymentID is the path parameter of GET
// /v1/loans/{loan_id}/repayments/{transaction_id}.
const FieldRepaymentID = "transaction_id"

// ParseRepaymentID validates a repayment path id: digits only, positive,
// fits int64.
func ParseRepaymentID(s string) (int64, *Error) { return parsePathID(FieldRepaymentID, s) }

// RepaymentOf is the target of a request that addresses repayment
// transactionID (raw, from the path) of the loan loan addresses: the
// repayment is named by its id, the loan the way the partner named it
// ("Loan with externalId X does not exist").
func RepaymentOf(loan Target, transactionID string) Target {
	ref := Ref{Resource: Loans, Field: "id", Value: loan.ID}
	if loan.ExternalID != "" {
		ref = Ref{Resource: Loans, Field: "externalId", Value: loan.ExternalID}
	}
	t := Repayments.ByID(transactionID)
	t.Refs = []Ref{ref}
	t.Values = append(t.Values, loan.Values...)
	return t
}

// RepaymentRequest is the partner's POST /v1/loans/{id}/repayments body.
// Without a date the repayment is made today; without a key it is still
// made once (the proxy reconciles its own retries by the externalId it
// generates, NewRepaymentExternalID).
type RepaymentRequest struct {
	TransactionAmount Amount
	TransactionDate   *wire.Date
	IdempotencyKey    *string
}

// ParseRepayment decodes and validates a repayment body. The amount is
// parsed to the upstream's scale, as a principal is; against the loan's
// currency by CheckCurrencyScale, and the date against today and the
// disbursement by CheckDate, once the loan is read. The key follows the
// externalId rules (1 to 100 characters, no control characters, no white
// space at either end).
func ParseRepayment(body []byte) (RepaymentRequest, *Error) {
	var req RepaymentRequest
	if err := parseBody(body, []field{
		required("transactionAmount", &req.TransactionAmount, moneyValue(maxUpstreamScale)),
		optional("transactionDate", &req.TransactionDate, dateValue),
		optional("idempotencyKey", &req.IdempotencyKey, externalIDValue),
	}); err != nil {
		return RepaymentRequest{}, err
	}
	return req, nil
}

// Target adds the repayment's fields to the loan the partner addressed. A
// date the proxy filled in (today) is not the partner's, so a complaint
// about it is not on the partner's field; the externalId is always the
// proxy's.
func (r RepaymentRequest) Target(addressed Target) Target {
	fields := map[string]string{"transactionAmount": "transactionAmount"}
	if r.TransactionDate != nil {
		fields["transactionDate"] = "transactionDate"
	}
	return withFields(addressed, true, fields)
}

// RepaymentBody is the upstream repayment: the partner's amount on its
// date, or today, under the externalId ext the proxy chose
// (RepaymentExternalID or NewRepaymentExternalID).
func RepaymentBody(req RepaymentRequest, ext string, today wire.Date) wire.LoanRepayment {
	day := today
	if req.TransactionDate != nil {
		day = *req.TransactionDate
	}
	return wire.LoanRepayment{
		TransactionDate:   day.ISO(),
		TransactionAmount: wire.Amount(req.TransactionAmount.String()),
		ExternalID:        ext,
		DateFormat:        wire.DateFormat,
		Locale:            wire.Locale,
	}
}

// The proxy's transaction externalIds. Each begins with externalIDPrefix
// and a tag no other form starts with: a loan id's digits (keyed), "h-"
// (keyed, hashed) or "r-" (no key).
const (
	externalIDPrefix = "lmsproxy-"
	hashedTag        = "h-"
	unkeyedTag       = "r-"
)

// RepaymentExternalID is the transaction externalId of a repayment of loan
// loanID made with the partner's key: "lmsproxy-<loanID>-<key>" when that
// fits the upstream's 100 characters (m_loan_transaction.external_id,
// VARCHAR(100) and unique across every loan, 0001_initial_schema.xml at
// 1.8.4 and 1.10.1; nothing validates its length before the insert, so a
// longer one fails in the database), else "lmsproxy-h-" and the hex SHA-256
// of the loan id and the key. Either way it is the same for the same loan
// and key, so a repeat finds the first repayment (upstream's
// FindLoanTransaction) on every line, and a key used on two loans makes
// two repayments. Length is counted in UTF-16 code units, as the upstream
// counts everything else (upstreamLength): never fewer than the column's
// characters.
//
// Uniqueness follows the database collation, case-insensitive by default
// on MySQL and MariaDB: two keys of one loan differing only in letter case
// (and short enough for the plain form) collide there, and the second is
// refused as a duplicate.
func RepaymentExternalID(loanID int64, key string) string {
	plain := externalIDPrefix + strconv.FormatInt(loanID, 10) + "-" + key
	if upstreamLength(plain) <= MaxExternalIDLength {
		return plain
	}
	return externalIDPrefix + hashedTag + hex.EncodeToString(keyDigest(loanID, key))
}

// RepaymentUpstreamKey is the Idempotency-Key of a repayment of loan loanID
// made with the partner's key (upstream.WithIdempotencyKey): 49 characters,
// within the upstream's 50 (m_portfolio_command_source.idempotency_key,
// VARCHAR(50), liquibase tenant part 0061 at 1.9.0). The upstream scopes
// its store by action and entity, not by loan (CommandSourceService.
// findCommandSource, 1.10.1), so the loan id is part of the key, or a key
// used on a second loan would be answered with the first loan's repayment.
// The upstream also stores a failure under the key and replays it: a
// repayment refused (a date in the future, say) is refused again for the
// same loan and key until the partner sends a new key.
func RepaymentUpstreamKey(loanID int64, key string) string {
	return externalIDPrefix + hex.EncodeToString(keyDigest(loanID, key))[:40]
}

// keyDigest binds a partner key to its loan.
func keyDigest(loanID int64, key string) []byte {
	sum := sha256.Sum256([]byte(strconv.FormatInt(loanID, 10) + "\x00" + key))
	return sum[:]
}

// NewRepaymentExternalID is the transaction externalId of a repayment made
// without a key: "lmsproxy-r-" and nonce, which the caller draws at random
// per partner request (translate does no I/O), e.g. 32 hex digits. The
// proxy can then tell, after a cut-off answer, whether its own post
// arrived (upstream's FindLoanTransaction) rather than post again.
func NewRepaymentExternalID(nonce string) string {
	return externalIDPrefix + unkeyedTag + nonce
}

// idempotencyKeyOf recovers the partner key from a transaction externalId
// of loan loanID: only from the plain form RepaymentExternalID makes for
// this loan. A hashed one cannot be reversed, and any other externalId was
// not made with a key by the proxy.
func idempotencyKeyOf(loanID int64, ext string) string {
	key, ok := strings.CutPrefix(ext, externalIDPrefix+strconv.FormatInt(loanID, 10)+"-")
	if !ok || checkExternalID(key) != "" || RepaymentExternalID(loanID, key) != ext {
		return ""
	}
	return key
}
