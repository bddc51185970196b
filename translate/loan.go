package translate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"lmsproxy/upstream/wire"
)

// This file is used by the loans handlers, next: the server does not route
// /v1/loans yet.

// Loans is the loan resource: the upstream's loans.
var Loans = Resource{Name: "Loan", Path: "/v1/loans"}

// Loan is the partner's loan object (spec §9). Ids are strings, dates ISO,
// money JSON numbers of exact decimal text. Dates that do not exist yet
// are omitted; the balance roll-up is always complete (see Balances).
type Loan struct {
	ID                    string  `json:"id"`
	AccountNo             string  `json:"accountNo"`
	ExternalID            string  `json:"externalId,omitempty"`
	CustomerID            string  `json:"customerId"`
	CustomerExternalID    string  `json:"customerExternalId,omitempty"`
	CustomerName          string  `json:"customerName"`
	LoanProductID         string  `json:"loanProductId"`
	LoanProductName       string  `json:"loanProductName"`
	Status                string  `json:"status"`
	CurrencyCode          string  `json:"currencyCode"`
	Principal             Amount  `json:"principal"`
	ApprovedPrincipal     *Amount `json:"approvedPrincipal,omitempty"`
	NumberOfRepayments    int     `json:"numberOfRepayments"`
	TermFrequency         int     `json:"termFrequency"`
	InterestRatePerPeriod Amount  `json:"interestRatePerPeriod"`
	SubmittedDate         string  `json:"submittedDate,omitempty"`
	ApprovedDate          string  `json:"approvedDate,omitempty"`
	DisbursementDate      string  `json:"disbursementDate,omitempty"`
	ExpectedMaturityDate  string  `json:"expectedMaturityDate,omitempty"`
	ClosedDate            string  `json:"closedDate,omitempty"`
	Balances
	NextDueDate   string  `json:"nextDueDate,omitempty"`
	NextDueAmount *Amount `json:"nextDueAmount,omitempty"`
	// RepaymentSchedule is never null: a loan without instalments has [].
	RepaymentSchedule []Instalment `json:"repaymentSchedule"`
}

// Balances is the loan's roll-up. Every field is always present and 0 when
// nothing, also before disbursement, when the upstream sends no summary at
// all (LoanMapper.mapRow only maps it from status 300 on, every line):
// partners sum these without checking for absence. The zero Amount
// marshals as 0.
type Balances struct {
	PrincipalDisbursed        Amount `json:"principalDisbursed"`
	PrincipalPaid             Amount `json:"principalPaid"`
	PrincipalWrittenOff       Amount `json:"principalWrittenOff"`
	PrincipalOutstanding      Amount `json:"principalOutstanding"`
	InterestCharged           Amount `json:"interestCharged"`
	InterestPaid              Amount `json:"interestPaid"`
	InterestWaived            Amount `json:"interestWaived"`
	InterestOutstanding       Amount `json:"interestOutstanding"`
	FeeChargesCharged         Amount `json:"feeChargesCharged"`
	FeeChargesPaid            Amount `json:"feeChargesPaid"`
	FeeChargesOutstanding     Amount `json:"feeChargesOutstanding"`
	PenaltyChargesCharged     Amount `json:"penaltyChargesCharged"`
	PenaltyChargesPaid        Amount `json:"penaltyChargesPaid"`
	PenaltyChargesOutstanding Amount `json:"penaltyChargesOutstanding"`
	TotalExpectedRepayment    Amount `json:"totalExpectedRepayment"`
	// TotalRepayment is the total paid.
	TotalRepayment   Amount `json:"totalRepayment"`
	TotalOutstanding Amount `json:"totalOutstanding"`
	TotalOverdue     Amount `json:"totalOverdue"`
}

// Instalment is one repayment period of the schedule. The upstream's
// disbursement pseudo-period (no period number) is not one.
type Instalment struct {
	Period            int    `json:"period"`
	FromDate          string `json:"fromDate"`
	DueDate           string `json:"dueDate"`
	PrincipalDue      Amount `json:"principalDue"`
	InterestDue       Amount `json:"interestDue"`
	FeeChargesDue     Amount `json:"feeChargesDue"`
	PenaltyChargesDue Amount `json:"penaltyChargesDue"`
	TotalDue          Amount `json:"totalDue"`
	TotalPaid         Amount `json:"totalPaid"`
	TotalOutstanding  Amount `json:"totalOutstanding"`
	Complete          bool   `json:"complete"`
	PaidDate          string `json:"paidDate,omitempty"`
}

// loanStatuses are the contract's labels (spec §9, in its order), which
// are the upstream's value texts (LoanEnumerations.status), keyed by id
// because the ids are what every line guarantees (wire.LoanStatus*).
var loanStatuses = []struct {
	id    int64
	label string
}{
	{wire.LoanStatusSubmitted, "Submitted and pending approval"},
	{wire.LoanStatusApproved, "Approved"},
	{wire.LoanStatusActive, "Active"},
	{wire.LoanStatusWithdrawnByApplicant, "Withdrawn by applicant"},
	{wire.LoanStatusRejected, "Rejected"},
	{wire.LoanStatusClosedObligationsMet, "Closed (obligations met)"},
	{wire.LoanStatusClosedWrittenOff, "Closed (written off)"},
	{wire.LoanStatusClosedRescheduled, "Closed (rescheduled)"},
	{wire.LoanStatusOverpaid, "Overpaid"},
	{wire.LoanStatusTransferInProgress, "Transfer in progress"},
	{wire.LoanStatusTransferOnHold, "Transfer on hold"},
}

// LoanFromUpstream maps one upstream loan, read with the repaymentSchedule
// association, to the partner shape (spec §9). A loan before disbursement
// has no summary upstream; its balances are all 0. The schedule leaves out
// the disbursement pseudo-period, and the next due instalment is the first
// one not complete. customerExternalId comes from the loan on 1.9+ only
// (LoanAccountData.clientExternalId); on 1.8 the caller fills it from the
// customer. An amount the contract cannot carry is an error.
func LoanFromUpstream(l wire.LoanData) (Loan, error) {
	var r amountReader
	out := Loan{
		ID:                    strconv.FormatInt(l.ID, 10),
		AccountNo:             l.AccountNo,
		ExternalID:            partnerExternalID(l.ExternalID),
		CustomerExternalID:    l.ClientExternalID,
		CustomerName:          l.ClientName,
		LoanProductName:       l.LoanProductName,
		Status:                LoanStatusLabel(l.StatusID()),
		Principal:             r.read(l.Principal),
		NumberOfRepayments:    l.NumberOfRepayments,
		TermFrequency:         l.TermFrequency,
		InterestRatePerPeriod: r.read(l.InterestRatePerPeriod),
		RepaymentSchedule:     []Instalment{},
	}
	if l.ClientID != 0 {
		out.CustomerID = strconv.FormatInt(l.ClientID, 10)
	}
	if l.LoanProductID != 0 {
		out.LoanProductID = strconv.FormatInt(l.LoanProductID, 10)
	}
	if l.Currency != nil {
		out.CurrencyCode = l.Currency.Code
	}
	if tl := l.Timeline; tl != nil {
		out.SubmittedDate = tl.SubmittedOnDate.ISO()
		out.ApprovedDate = tl.ApprovedOnDate.ISO()
		out.DisbursementDate = tl.ActualDisbursementDate.ISO()
		out.ExpectedMaturityDate = tl.ExpectedMaturityDate.ISO()
		out.ClosedDate = tl.ClosedOnDate.ISO()
		// The upstream sends approvedPrincipal from submission on (the
		// requested amount); the contract shows it once approved.
		if !tl.ApprovedOnDate.IsZero() {
			out.ApprovedPrincipal = r.optional(l.ApprovedPrincipal)
		}
	}
	if s := l.Summary; s != nil {
		out.Balances = Balances{
			PrincipalDisbursed:        r.read(s.PrincipalDisbursed),
			PrincipalPaid:             r.read(s.PrincipalPaid),
			PrincipalWrittenOff:       r.read(s.PrincipalWrittenOff),
			PrincipalOutstanding:      r.read(s.PrincipalOutstanding),
			InterestCharged:           r.read(s.InterestCharged),
			InterestPaid:              r.read(s.InterestPaid),
			InterestWaived:            r.read(s.InterestWaived),
			InterestOutstanding:       r.read(s.InterestOutstanding),
			FeeChargesCharged:         r.read(s.FeeChargesCharged),
			FeeChargesPaid:            r.read(s.FeeChargesPaid),
			FeeChargesOutstanding:     r.read(s.FeeChargesOutstanding),
			PenaltyChargesCharged:     r.read(s.PenaltyChargesCharged),
			PenaltyChargesPaid:        r.read(s.PenaltyChargesPaid),
			PenaltyChargesOutstanding: r.read(s.PenaltyChargesOutstanding),
			TotalExpectedRepayment:    r.read(s.TotalExpectedRepayment),
			TotalRepayment:            r.read(s.TotalRepayment),
			TotalOutstanding:          r.read(s.TotalOutstanding),
			TotalOverdue:              r.read(s.TotalOverdue),
		}
	}
	if l.RepaymentSchedule != nil {
		for _, p := range l.RepaymentSchedule.Periods {
			if !p.Installment() {
				continue
			}
			out.RepaymentSchedule = append(out.RepaymentSchedule, Instalment{
				Period:            p.Period,
				FromDate:          p.FromDate.ISO(),
				DueDate:           p.DueDate.ISO(),
				PrincipalDue:      r.read(p.PrincipalDue),
				InterestDue:       r.read(p.InterestDue),
				FeeChargesDue:     r.read(p.FeeChargesDue),
				PenaltyChargesDue: r.read(p.PenaltyChargesDue),
				TotalDue:          r.read(p.TotalDueForPeriod),
				TotalPaid:         r.read(p.TotalPaidForPeriod),
				TotalOutstanding:  r.read(p.TotalOutstandingForPeriod),
				Complete:          p.Complete,
				PaidDate:          p.ObligationsMetOnDate.ISO(),
			})
		}
	}
	for _, in := range out.RepaymentSchedule {
		if !in.Complete {
			due := in.TotalOutstanding
			out.NextDueDate, out.NextDueAmount = in.DueDate, &due
			break
		}
	}
	return out, r.err
}

// LoanPage maps one page of upstream loans, already filtered and ordered,
// with the count of every match (spec §9: total after every filter).
func LoanPage(loans []wire.LoanData, total int64, r LoanListRequest) (Page[Loan], error) {
	items := make([]Loan, 0, len(loans))
	for _, l := range loans {
		item, err := LoanFromUpstream(l)
		if err != nil {
			return Page[Loan]{}, err
		}
		items = append(items, item)
	}
	return Page[Loan]{Items: items, Total: total, Page: r.Page, RowsPerPage: r.Rows}, nil
}

// LoanStatusLabel is the partner status for an upstream loan status id.
func LoanStatusLabel(id int64) string {
	for _, s := range loanStatuses {
		if s.id == id {
			return s.label
		}
	}
	return "Unknown"
}

// loanStatusID is the status id of a partner label, compared without
// regard to letter case (the list filter accepts "active" for "Active").
func loanStatusID(label string) (int64, bool) {
	for _, s := range loanStatuses {
		if strings.EqualFold(s.label, label) {
			return s.id, true
		}
	}
	return 0, false
}

// LoanListRequest is a validated GET /v1/loans query: the shared paging,
// order and externalId lookup, and the loan filters.
type LoanListRequest struct {
	ListRequest
	// At most one of CustomerID and CustomerExternalID is set.
	CustomerID         *int64
	CustomerExternalID *string
	// StatusID, when not 0, keeps only the loans in that status.
	StatusID int64
}

// loanSortColumns are the partner's orderBy values for loans and the
// upstream list's columns (select aliases of LoanMapper.loanSchema, see
// upstream/loans.go).
var loanSortColumns = sortColumns{
	{"id", "id"},
	{"principal", "principal"},
	{"disbursementDate", "actualDisbursementDate"},
	{"submittedDate", "submittedOnDate"},
}

var loanListParams = append(append([]string(nil), listParams...), "customerId", "customerExternalId", "status")

// ParseLoanListQuery validates a loan list query, given raw as received;
// like ParseListQuery it reports every problem with its field.
func ParseLoanListQuery(raw string) (LoanListRequest, *Error) {
	q, fields := ParseQuery(raw, loanListParams...)
	list, more := parseListParams(q, loanSortColumns)
	fields = append(fields, more...)
	req := LoanListRequest{ListRequest: list}
	if v, ok := q["customerId"]; ok {
		n, valid := parsePositiveDigits(v)
		if !valid {
			fields = append(fields, FieldError{Field: "customerId", Error: errPositiveInt})
		}
		req.CustomerID = &n
	}
	if v, ok := q["customerExternalId"]; ok {
		switch problem := checkExternalID(v); {
		case problem != "":
			fields = append(fields, FieldError{Field: "customerExternalId", Error: problem})
		case req.CustomerID != nil:
			fields = append(fields, FieldError{Field: "customerExternalId", Error: "must not be given with customerId"})
		}
		req.CustomerExternalID = &v
	}
	if v, ok := q["status"]; ok {
		id, valid := loanStatusID(v)
		if !valid {
			labels := make([]string, 0, len(loanStatuses))
			for _, s := range loanStatuses {
				labels = append(labels, s.label)
			}
			fields = append(fields, FieldError{Field: "status", Error: "must be one of " + strings.Join(labels, ", ")})
		}
		req.StatusID = id
	}
	if len(fields) > 0 {
		return LoanListRequest{}, Invalid(fields...)
	}
	return req, nil
}

// Path parameter names of the loan routes, as the contract spells them.
const (
	FieldLoanID         = "loan_id"
	FieldLoanExternalID = "loan_external_id"
)

// ParseLoanID validates a loan path id: digits only, positive, fits int64.
func ParseLoanID(s string) (int64, *Error) { return parsePathID(FieldLoanID, s) }

// ParseLoanExternalID validates a loan externalId taken from the path.
func ParseLoanExternalID(s string) (string, *Error) {
	if problem := checkLoanExternalID(s); problem != "" {
		return "", Invalid(FieldError{Field: FieldLoanExternalID, Error: problem})
	}
	return s, nil
}

// maxUpstreamScale is the scale of the upstream's amount and rate columns
// (m_loan.principal_amount, m_loan.nominal_interest_rate_per_period:
// DECIMAL(19,6), 0001_initial_schema.xml at 1.8.4 and 1.10.1). A body is
// parsed to it; the currency's own decimals are checked against the
// product (Product.CheckPrincipal), which the body names.
const maxUpstreamScale = 6

// LoanCreateRequest is the partner's POST /v1/loans body. Exactly one of
// CustomerID and CustomerExternalID is set.
type LoanCreateRequest struct {
	CustomerID         *int64
	CustomerExternalID *string
	ProductID          int64
	Principal          Amount
	ExternalID         *string
}

// ParseLoanCreate decodes and validates an origination body. The principal
// is checked here as an amount; against the product's currency and limits
// by Product.CheckPrincipal once the product is known.
func ParseLoanCreate(body []byte) (LoanCreateRequest, *Error) {
	var req LoanCreateRequest
	if err := parseBody(body, []field{
		optional("customerId", &req.CustomerID, positiveIntValue),
		optional("customerExternalId", &req.CustomerExternalID, externalIDValue),
		required("productId", &req.ProductID, positiveIntValue),
		required("principal", &req.Principal, moneyValue(maxUpstreamScale)),
		optional("externalId", &req.ExternalID, loanExternalIDValue),
	}, [2]string{"customerId", "customerExternalId"}); err != nil {
		return LoanCreateRequest{}, err
	}
	return req, nil
}

// customerField is the partner field that names the customer, and its
// value as the partner meant it.
func (r LoanCreateRequest) customerField() (string, string) {
	if r.CustomerExternalID != nil {
		return "customerExternalId", *r.CustomerExternalID
	}
	return "customerId", strconv.FormatInt(*r.CustomerID, 10)
}

// Target is what an origination's upstream errors are about: the loan
// being made, the customer and product the body names (so "Customer with
// customerId 42 does not exist"), and the upstream parameters that carry
// the partner's fields. Terms, dates and the strategy are the proxy's.
func (r LoanCreateRequest) Target() Target {
	field, value := r.customerField()
	t := Target{
		Resource: Loans,
		Refs: []Ref{
			{Resource: Customers, Field: field, Value: value},
			{Resource: Products, Field: "productId", Value: strconv.FormatInt(r.ProductID, 10)},
		},
		Fields: map[string]string{"clientId": field, "productId": "productId", "principal": "principal"},
	}
	if r.ExternalID != nil {
		t.Values = []string{*r.ExternalID}
		t.Fields["externalId"] = "externalId"
	}
	return t
}

// LoanUpdateRequest is the partner's PUT body: the terms it changes, at
// least one.
type LoanUpdateRequest struct {
	Principal             *Amount
	NumberOfRepayments    *int64
	InterestRatePerPeriod *Amount
	ExternalID            *string
}

// loanUpdateFields are the fields a PUT may change, in the contract's order.
var loanUpdateFields = []string{"principal", "numberOfRepayments", "interestRatePerPeriod", "externalId"}

// ParseLoanUpdate decodes and validates an update body. A body changing
// nothing is refused here: the upstream would answer "no parameters for
// update" about a parameter the partner never sent.
func ParseLoanUpdate(body []byte) (LoanUpdateRequest, *Error) {
	var req LoanUpdateRequest
	if err := parseBody(body, []field{
		optional("principal", &req.Principal, moneyValue(maxUpstreamScale)),
		optional("numberOfRepayments", &req.NumberOfRepayments, positiveIntValue),
		optional("interestRatePerPeriod", &req.InterestRatePerPeriod, rateValue),
		optional("externalId", &req.ExternalID, loanExternalIDValue),
	}); err != nil {
		return LoanUpdateRequest{}, err
	}
	if req == (LoanUpdateRequest{}) {
		return LoanUpdateRequest{}, Invalid(FieldError{Field: "body",
			Error: "must change at least one of " + strings.Join(loanUpdateFields, ", ")})
	}
	return req, nil
}

// Target adds the update's fields to the loan the partner addressed. The
// upstream derives loanTermFrequency from numberOfRepayments, so a
// complaint about the term is about the partner's numberOfRepayments, and
// only when the partner changed it.
func (r LoanUpdateRequest) Target(addressed Target) Target {
	t := addressed
	t.Values = append([]string(nil), addressed.Values...)
	t.Fields = map[string]string{}
	if r.Principal != nil {
		t.Fields["principal"] = "principal"
	}
	if r.NumberOfRepayments != nil {
		t.Fields["numberOfRepayments"] = "numberOfRepayments"
		t.Fields["loanTermFrequency"] = "numberOfRepayments"
	}
	if r.InterestRatePerPeriod != nil {
		t.Fields["interestRatePerPeriod"] = "interestRatePerPeriod"
	}
	if r.ExternalID != nil {
		t.Values = append(t.Values, *r.ExternalID)
		t.Fields["externalId"] = "externalId"
	}
	return t
}

// maxNoteLength is the upstream's limit on a command's note, in UTF-16
// code units (notExceedingLengthOf(1000) in LoanApplicationTransitionApiJsonValidator
// and LoanEventApiJsonValidator, fineract-provider/.../portfolio/
// loanaccount/serialization/, 1.8.4 and 1.10.1).
const maxNoteLength = 1000

// noteValue is a free-text note: any valid string up to maxNoteLength.
// Line breaks are allowed; a note is text for people, not an identifier.
func noteValue(v json.RawMessage) (string, string) {
	s, problem := decodeString(v)
	if problem == "" && upstreamLength(s) > maxNoteLength {
		problem = "must be at most " + strconv.Itoa(maxNoteLength) + " characters (UTF-16 code units: an emoji counts as 2)"
	}
	return s, problem
}

// parseOptionalBody is parseBody for commands whose fields are all
// optional: an empty body (or only white space) is the empty object, as
// the contract allows ("empty body valid").
func parseOptionalBody(body []byte, fields []field) *Error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	return parseBody(body, fields)
}

// NoteRequest is the body of undo-disbursal, undo-approval and rollback:
// an optional note, an empty body included.
type NoteRequest struct {
	Note *string
}

// ParseNote decodes and validates a note-only body.
func ParseNote(body []byte) (NoteRequest, *Error) {
	var req NoteRequest
	if err := parseOptionalBody(body, []field{optional("note", &req.Note, noteValue)}); err != nil {
		return NoteRequest{}, err
	}
	return req, nil
}

// noteFields maps the upstream's note parameter to the partner's, for every
// command that carries one.
var noteFields = map[string]string{"note": "note"}

// Target adds the note's field to the loan the partner addressed.
func (r NoteRequest) Target(addressed Target) Target {
	return withFields(addressed, r.Note != nil, noteFields)
}

// withFields is addressed with fields, when the partner sent them, as the
// upstream parameters that carry partner input.
func withFields(addressed Target, sent bool, fields map[string]string) Target {
	t := addressed
	if sent {
		t.Fields = fields
	}
	return t
}

// AdjustDisbursementRequest is the body of adjust-disbursement-date.
type AdjustDisbursementRequest struct {
	ActualDisbursementDate wire.Date
	Note                   *string
}

// ParseAdjustDisbursement decodes and validates an adjust-disbursement-date
// body. The date's bounds depend on the loan and today (CheckDate).
func ParseAdjustDisbursement(body []byte) (AdjustDisbursementRequest, *Error) {
	var req AdjustDisbursementRequest
	if err := parseBody(body, []field{
		required("actualDisbursementDate", &req.ActualDisbursementDate, dateValue),
		optional("note", &req.Note, noteValue),
	}); err != nil {
		return AdjustDisbursementRequest{}, err
	}
	return req, nil
}

// Target adds the adjustment's fields to the loan the partner addressed:
// the re-disbursement's date is the partner's.
func (r AdjustDisbursementRequest) Target(addressed Target) Target {
	return withFields(addressed, true, map[string]string{"actualDisbursementDate": "actualDisbursementDate", "note": "note"})
}

// WriteOffRequest is the body of write-off; without a date the loan is
// written off today.
type WriteOffRequest struct {
	TransactionDate *wire.Date
	Note            *string
}

// ParseWriteOff decodes and validates a write-off body; an empty body is
// valid (every field is optional).
func ParseWriteOff(body []byte) (WriteOffRequest, *Error) {
	var req WriteOffRequest
	if err := parseOptionalBody(body, []field{
		optional("transactionDate", &req.TransactionDate, dateValue),
		optional("note", &req.Note, noteValue),
	}); err != nil {
		return WriteOffRequest{}, err
	}
	return req, nil
}

// Target adds the write-off's fields to the loan the partner addressed.
// A date the proxy filled in (today) is not the partner's, so a complaint
// about it is not on the partner's field.
func (r WriteOffRequest) Target(addressed Target) Target {
	fields := map[string]string{"note": "note"}
	if r.TransactionDate != nil {
		fields["transactionDate"] = "transactionDate"
	}
	return withFields(addressed, true, fields)
}

// CheckDate refuses, on field, a date after today (the upstream's business
// date) or before earliest (the loan's approval date for an adjustment, its
// disbursement date for a write-off), which earliestName names. It runs
// before any upstream write, so an adjustment never undoes a disbursement
// it cannot redo (fineract-loans-facts §11).
func CheckDate(field string, d, today, earliest wire.Date, earliestName string) *Error {
	switch {
	case today.Before(d):
		return Invalid(FieldError{Field: field, Error: "must not be after today's date " + today.ISO()})
	case !earliest.IsZero() && d.Before(earliest):
		return Invalid(FieldError{Field: field, Error: "must not be before the " + earliestName + " " + earliest.ISO()})
	}
	return nil
}

// LoanCreateBody is the upstream submission of an origination: the
// partner's customer, product and principal, the terms copied from the
// product because the upstream demands them although the product has them
// (fineract-loans-facts §4.2: LoanApplicationCommandFromApiJsonHelper.
// validateForCreate, notNull without a product fallback, at 1.8.4 and
// 1.10.1), the strategy as the product's line names it (code 1.9+, id 1.8),
// and today as submission and expected disbursement. externalID is the
// partner's, or the one the proxy generated to recognise its own retries.
// The product passed WellFormed, so its terms are present.
func LoanCreateBody(req LoanCreateRequest, clientID int64, p wire.LoanProductData, externalID string, today wire.Date) wire.LoanApplication {
	return wire.LoanApplication{
		ClientID:                          clientID,
		ProductID:                         p.ID,
		LoanType:                          wire.LoanTypeIndividual,
		Principal:                         wire.Amount(req.Principal.String()),
		LoanTermFrequency:                 p.NumberOfRepayments * p.RepaymentEvery,
		LoanTermFrequencyType:             p.RepaymentFrequencyType.ID,
		NumberOfRepayments:                p.NumberOfRepayments,
		RepaymentEvery:                    p.RepaymentEvery,
		RepaymentFrequencyType:            p.RepaymentFrequencyType.ID,
		InterestRatePerPeriod:             p.InterestRatePerPeriod,
		AmortizationType:                  p.AmortizationType.ID,
		InterestType:                      p.InterestType.ID,
		InterestCalculationPeriodType:     p.InterestCalculationPeriodType.ID,
		TransactionProcessingStrategyCode: p.TransactionProcessingStrategyCode,
		TransactionProcessingStrategyID:   p.TransactionProcessingStrategyID,
		ExpectedDisbursementDate:          today.ISO(),
		SubmittedOnDate:                   today.ISO(),
		ExternalID:                        externalID,
		DateFormat:                        wire.DateFormat,
		Locale:                            wire.Locale,
	}
}

// LoanUpdateBody is the upstream PUT of an update: the whole application
// again, from the loan as it is, with the partner's changes over it. The
// upstream computes the new schedule from the PUT body alone (≤1.10.1
// LoanScheduleCalculationPlatformService.calculateLoanSchedule on the
// command's JSON, fineract-loans-facts §6.1), so a partial body would fail
// or lose terms. The term follows the number of repayments, as on create.
// A loan lacking a term the PUT must repeat is an error: the answer was not
// a loan the proxy can re-submit.
func LoanUpdateBody(current wire.LoanData, req LoanUpdateRequest) (wire.LoanApplication, error) {
	enums := []*wire.EnumOption{current.RepaymentFrequencyType, current.AmortizationType, current.InterestType, current.InterestCalculationPeriodType}
	if slices.Contains(enums, nil) || current.Timeline == nil {
		return wire.LoanApplication{}, fmt.Errorf("loan %d lacks the terms a re-submission repeats", current.ID)
	}
	out := wire.LoanApplication{
		ClientID:                          current.ClientID,
		ProductID:                         current.LoanProductID,
		LoanType:                          wire.LoanTypeIndividual,
		Principal:                         current.Principal,
		NumberOfRepayments:                current.NumberOfRepayments,
		RepaymentEvery:                    current.RepaymentEvery,
		RepaymentFrequencyType:            current.RepaymentFrequencyType.ID,
		LoanTermFrequencyType:             current.RepaymentFrequencyType.ID,
		InterestRatePerPeriod:             current.InterestRatePerPeriod,
		AmortizationType:                  current.AmortizationType.ID,
		InterestType:                      current.InterestType.ID,
		InterestCalculationPeriodType:     current.InterestCalculationPeriodType.ID,
		TransactionProcessingStrategyCode: current.TransactionProcessingStrategyCode,
		TransactionProcessingStrategyID:   current.TransactionProcessingStrategyID,
		ExpectedDisbursementDate:          current.Timeline.ExpectedDisbursementDate.ISO(),
		SubmittedOnDate:                   current.Timeline.SubmittedOnDate.ISO(),
		ExternalID:                        current.ExternalID,
		DateFormat:                        wire.DateFormat,
		Locale:                            wire.Locale,
	}
	if req.Principal != nil {
		out.Principal = wire.Amount(req.Principal.String())
	}
	if req.NumberOfRepayments != nil {
		out.NumberOfRepayments = int(*req.NumberOfRepayments)
	}
	if req.InterestRatePerPeriod != nil {
		out.InterestRatePerPeriod = wire.Amount(req.InterestRatePerPeriod.String())
	}
	if req.ExternalID != nil {
		out.ExternalID = *req.ExternalID
	}
	out.LoanTermFrequency = out.NumberOfRepayments * out.RepaymentEvery
	return out, nil
}

// ApproveBody approves a submission today, as origination does.
func ApproveBody(today wire.Date) wire.LoanApprove {
	return wire.LoanApprove{ApprovedOnDate: today.ISO(), DateFormat: wire.DateFormat, Locale: wire.Locale}
}

// DisburseBody disburses the full approved principal on day (today on
// origination, the partner's date on an adjustment) by the configured
// payment type; 0 sends none.
func DisburseBody(day wire.Date, paymentTypeID int64, note *string) wire.LoanDisburse {
	return wire.LoanDisburse{
		ActualDisbursementDate: day.ISO(),
		PaymentTypeID:          paymentTypeID,
		Note:                   deref(note),
		DateFormat:             wire.DateFormat,
		Locale:                 wire.Locale,
	}
}

// NoteBody is the body of undoapproval and undodisbursal: {} without a
// note, which undoapproval needs (wire.LoanNote).
func NoteBody(req NoteRequest) wire.LoanNote { return wire.LoanNote{Note: deref(req.Note)} }

// WriteOffBody writes the loan off on the partner's date, or today.
func WriteOffBody(req WriteOffRequest, today wire.Date) wire.LoanWriteOff {
	day := today
	if req.TransactionDate != nil {
		day = *req.TransactionDate
	}
	return wire.LoanWriteOff{TransactionDate: day.ISO(), Note: deref(req.Note), DateFormat: wire.DateFormat, Locale: wire.Locale}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
