package translate

import (
	"strconv"
	"strings"
)

// This file is used by the loan product and loan handlers, next: the
// server does not route /v1/loan-products yet.

// Products is the loan product resource: the upstream's loanproducts.
var Products = Resource{Name: "Loan product", Path: "/v1/loan-products"}

// Product is the partner's loan product object (spec §8): what a partner
// needs to originate within the product's limits. Absent limits are
// omitted; `active` is always present because false is meaningful.
type Product struct {
	ID                        string  `json:"id"`
	Name                      string  `json:"name,omitempty"`
	ShortName                 string  `json:"shortName,omitempty"`
	Description               string  `json:"description,omitempty"`
	CurrencyCode              string  `json:"currencyCode,omitempty"`
	Principal                 *Amount `json:"principal,omitempty"`
	MinPrincipal              *Amount `json:"minPrincipal,omitempty"`
	MaxPrincipal              *Amount `json:"maxPrincipal,omitempty"`
	NumberOfRepayments        int     `json:"numberOfRepayments,omitempty"`
	MinNumberOfRepayments     int     `json:"minNumberOfRepayments,omitempty"`
	MaxNumberOfRepayments     int     `json:"maxNumberOfRepayments,omitempty"`
	RepaymentEvery            int     `json:"repaymentEvery,omitempty"`
	RepaymentFrequencyType    string  `json:"repaymentFrequencyType,omitempty"`
	InterestRatePerPeriod     *Amount `json:"interestRatePerPeriod,omitempty"`
	MinInterestRatePerPeriod  *Amount `json:"minInterestRatePerPeriod,omitempty"`
	MaxInterestRatePerPeriod  *Amount `json:"maxInterestRatePerPeriod,omitempty"`
	InterestRateFrequencyType string  `json:"interestRateFrequencyType,omitempty"`
	AnnualInterestRate        *Amount `json:"annualInterestRate,omitempty"`
	AmortizationType          string  `json:"amortizationType,omitempty"`
	InterestType              string  `json:"interestType,omitempty"`
	Active                    bool    `json:"active"`
	// CurrencyDecimals is the currency's decimal places, which bound a
	// principal (CheckPrincipal); the partner object does not carry it.
	CurrencyDecimals int `json:"-"`
}

// Product enumerations are keyed by the upstream's ids, which every line
// shares, and labelled with its value texts, which the contract adopts
// (LoanEnumerations.java: fineract-provider/.../portfolio/loanproduct/
// service/ at 1.8.4, fineract-loan/... at 1.10.1; ids from
// PeriodFrequencyType, AmortizationMethod and InterestMethod).
var (
	frequencyLabels         = map[int64]string{0: "Days", 1: "Weeks", 2: "Months", 3: "Years"}
	interestFrequencyLabels = map[int64]string{2: "Per month", 3: "Per year", 4: "Whole term"}
	amortizationLabels      = map[int64]string{0: "Equal principal payments", 1: "Equal installments"}
	interestTypeLabels      = map[int64]string{0: "Declining Balance", 1: "Flat"}
)

// enumLabel is the partner label of an upstream enumeration id; an id the
// contract does not know is omitted rather than passed through.
func enumLabel(labels map[int64]string, id int64) string { return labels[id] }

// FieldProductID is the path parameter of GET /v1/loan-products/{product_id}.
const FieldProductID = "product_id"

// ParseProductID validates a product path id: digits only, positive, fits
// int64.
func ParseProductID(s string) (int64, *Error) {
	return parsePathID(FieldProductID, s)
}

// parsePathID is a path id of any resource, refused on the path
// parameter's own name.
func parsePathID(field, s string) (int64, *Error) {
	id, ok := parsePositiveDigits(s)
	if !ok {
		return 0, Invalid(FieldError{Field: field, Error: errPositiveInt})
	}
	return id, nil
}

// CheckPrincipal refuses, on field, a principal the product does not
// allow: more decimals than its currency has, or outside its limits. It
// runs before anything is sent upstream, so the partner learns the range
// from the answer instead of from a half-made loan (spec §9).
func (p Product) CheckPrincipal(field string, a Amount) *Error {
	if _, frac, _ := strings.Cut(a.String(), "."); len(frac) > p.CurrencyDecimals {
		problem := errWhole
		if p.CurrencyDecimals > 0 {
			problem = "must have at most " + strconv.Itoa(p.CurrencyDecimals) + " decimal places"
		}
		return Invalid(FieldError{Field: field, Error: problem + " (" + p.CurrencyCode + ")"})
	}
	low := p.MinPrincipal != nil && a.Cmp(*p.MinPrincipal) < 0
	high := p.MaxPrincipal != nil && a.Cmp(*p.MaxPrincipal) > 0
	if !low && !high {
		return nil
	}
	var problem string
	switch {
	case p.MinPrincipal != nil && p.MaxPrincipal != nil:
		problem = "must be between " + p.MinPrincipal.String() + " and " + p.MaxPrincipal.String()
	case low:
		problem = "must be at least " + p.MinPrincipal.String()
	default:
		problem = "must be at most " + p.MaxPrincipal.String()
	}
	return Invalid(FieldError{Field: field, Error: problem + " for product " + p.ID})
}
