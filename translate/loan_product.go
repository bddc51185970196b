package translate

import (
	"strconv"

	"lmsproxy/upstream/wire"
)

// This file is used by the loan product handlers (server/loan_products.go)
// and, next, by the loan handlers.

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

// enumLabel is the partner label of an upstream enumeration; one the body
// lacks, or whose id the contract does not know, is omitted rather than
// passed through (id 0 is a real value: Days, Declining Balance).
func enumLabel(labels map[int64]string, e *wire.EnumOption) string {
	if e == nil {
		return ""
	}
	return labels[e.ID]
}

// ProductFromUpstream maps one upstream loan product to the partner shape.
// An amount the contract cannot carry (negative) is an error: the answer is
// not one the proxy can read.
func ProductFromUpstream(p wire.LoanProductData) (Product, error) {
	var r amountReader
	out := Product{
		ID:                        strconv.FormatInt(p.ID, 10),
		Name:                      p.Name,
		ShortName:                 p.ShortName,
		Description:               p.Description,
		Principal:                 r.optional(p.Principal),
		MinPrincipal:              r.optional(p.MinPrincipal),
		MaxPrincipal:              r.optional(p.MaxPrincipal),
		NumberOfRepayments:        p.NumberOfRepayments,
		MinNumberOfRepayments:     p.MinNumberOfRepayments,
		MaxNumberOfRepayments:     p.MaxNumberOfRepayments,
		RepaymentEvery:            p.RepaymentEvery,
		RepaymentFrequencyType:    enumLabel(frequencyLabels, p.RepaymentFrequencyType),
		InterestRatePerPeriod:     r.optional(p.InterestRatePerPeriod),
		MinInterestRatePerPeriod:  r.optional(p.MinInterestRatePerPeriod),
		MaxInterestRatePerPeriod:  r.optional(p.MaxInterestRatePerPeriod),
		InterestRateFrequencyType: enumLabel(interestFrequencyLabels, p.InterestRateFrequencyType),
		AnnualInterestRate:        r.optional(p.AnnualInterestRate),
		AmortizationType:          enumLabel(amortizationLabels, p.AmortizationType),
		InterestType:              enumLabel(interestTypeLabels, p.InterestType),
		Active:                    p.Active(),
	}
	if p.Currency != nil {
		out.CurrencyCode, out.CurrencyDecimals = p.Currency.Code, p.Currency.DecimalPlaces
	}
	return out, r.err
}

// ProductList is the partner's GET /v1/loan-products answer: every product,
// unpaged as the upstream has them (spec §8).
type ProductList struct {
	Items []Product `json:"items"`
}

// ProductListFromUpstream maps the upstream's product array; the items are
// never null.
func ProductListFromUpstream(ps wire.LoanProducts) (ProductList, error) {
	out := ProductList{Items: make([]Product, 0, len(ps))}
	for _, p := range ps {
		item, err := ProductFromUpstream(p)
		if err != nil {
			return ProductList{}, err
		}
		out.Items = append(out.Items, item)
	}
	return out, nil
}

// amountReader converts upstream amounts, keeping the first that cannot be
// read, so a mapping reads as a list of fields and fails once.
type amountReader struct{ err error }

// read is the amount, 0 when the upstream omitted it (its NULL columns read
// as 0, JdbcSupport.getBigDecimalDefaultToZeroIfNull).
func (r *amountReader) read(a wire.Amount) Amount {
	if a.IsZero() {
		return Amount{}
	}
	v, err := AmountFromUpstream(a.String())
	if err != nil && r.err == nil {
		r.err = err
	}
	return v
}

// optional is the amount, nil when the upstream omitted it (a limit the
// product does not set).
func (r *amountReader) optional(a wire.Amount) *Amount {
	if a.IsZero() {
		return nil
	}
	v := r.read(a)
	return &v
}

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
	if err := CheckCurrencyScale(field, a, p.CurrencyCode, p.CurrencyDecimals); err != nil {
		return err
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
