package wire

import (
	"errors"
	"fmt"
)

// Currency is CurrencyData, as products, loans and their summaries carry it.
type Currency struct {
	Code          string `json:"code"`
	Name          string `json:"name,omitempty"`
	DecimalPlaces int    `json:"decimalPlaces"`
	InMultiplesOf int    `json:"inMultiplesOf"`
	DisplaySymbol string `json:"displaySymbol,omitempty"`
	NameCode      string `json:"nameCode,omitempty"`
	DisplayLabel  string `json:"displayLabel,omitempty"`
}

// Loan product status texts: LoanProductMapper derives them from closeDate
// against the business date (LoanProductReadPlatformServiceImpl,
// fineract-provider/.../portfolio/loanproduct/service/ at 1.8.4 and 1.10.1).
const (
	LoanProductActive   = "loanProduct.active"
	LoanProductInactive = "loanProduct.inActive"
)

// LoanProductData is one product as GET /loanproducts and
// /loanproducts/{id} return it (LoanProductData, fineract-provider/.../
// portfolio/loanproduct/data/ at 1.8.4 and 1.10.1). Only the fields the
// proxy reads are declared: what the partner's product shows and what a
// loan submission must copy although the product has it (facts §4.2).
// Used by the loans handlers, next.
type LoanProductData struct {
	ID                       int64       `json:"id"`
	Name                     string      `json:"name,omitempty"`
	ShortName                string      `json:"shortName,omitempty"`
	Description              string      `json:"description,omitempty"`
	ExternalID               string      `json:"externalId,omitempty"`
	Status                   string      `json:"status,omitempty"`
	StartDate                Date        `json:"startDate,omitzero"`
	CloseDate                Date        `json:"closeDate,omitzero"`
	Currency                 *Currency   `json:"currency,omitempty"`
	Principal                Amount      `json:"principal,omitzero"`
	MinPrincipal             Amount      `json:"minPrincipal,omitzero"`
	MaxPrincipal             Amount      `json:"maxPrincipal,omitzero"`
	NumberOfRepayments       int         `json:"numberOfRepayments"`
	MinNumberOfRepayments    int         `json:"minNumberOfRepayments,omitempty"`
	MaxNumberOfRepayments    int         `json:"maxNumberOfRepayments,omitempty"`
	RepaymentEvery           int         `json:"repaymentEvery"`
	RepaymentFrequencyType   *EnumOption `json:"repaymentFrequencyType,omitempty"`
	InterestRatePerPeriod    Amount      `json:"interestRatePerPeriod,omitzero"`
	MinInterestRatePerPeriod Amount      `json:"minInterestRatePerPeriod,omitzero"`
	MaxInterestRatePerPeriod Amount      `json:"maxInterestRatePerPeriod,omitzero"`
	// InterestRateFrequencyType is always the product's on a loan
	// (LoanScheduleAssembler ignores the request's).
	InterestRateFrequencyType     *EnumOption `json:"interestRateFrequencyType,omitempty"`
	AnnualInterestRate            Amount      `json:"annualInterestRate,omitzero"`
	AmortizationType              *EnumOption `json:"amortizationType,omitempty"`
	InterestType                  *EnumOption `json:"interestType,omitempty"`
	InterestCalculationPeriodType *EnumOption `json:"interestCalculationPeriodType,omitempty"`
	InArrearsTolerance            Amount      `json:"inArrearsTolerance,omitzero"`
	// The repayment strategy to copy into every submission: the code from
	// 1.9.0 (FINERACT-1783), the numeric id on 1.8 (LoanProductData's
	// transactionProcessingStrategyCode at 1.10.1, transactionProcessingStrategyId
	// at 1.8.4).
	TransactionProcessingStrategyCode string      `json:"transactionProcessingStrategyCode,omitempty"`
	TransactionProcessingStrategyID   int64       `json:"transactionProcessingStrategyId,omitempty"`
	TransactionProcessingStrategyName string      `json:"transactionProcessingStrategyName,omitempty"`
	DaysInMonthType                   *EnumOption `json:"daysInMonthType,omitempty"`
	DaysInYearType                    *EnumOption `json:"daysInYearType,omitempty"`
	// RepaymentStartDateType is 1.9+ (FINERACT-1958).
	RepaymentStartDateType           *EnumOption `json:"repaymentStartDateType,omitempty"`
	AccountingRule                   *EnumOption `json:"accountingRule,omitempty"`
	MultiDisburseLoan                bool        `json:"multiDisburseLoan,omitempty"`
	SyncExpectedWithDisbursementDate bool        `json:"syncExpectedWithDisbursementDate,omitempty"`
	IsLinkedToFloatingInterestRates  bool        `json:"isLinkedToFloatingInterestRates,omitempty"`
}

// WellFormed reports a body that is not a product: LoanProductMapper maps
// the generated id, the currency and the loan terms for every product
// (LoanProductReadPlatformServiceImpl at 1.8.4 and 1.10.1), and a loan
// submission copies those terms.
func (p *LoanProductData) WellFormed() error {
	switch {
	case p.ID <= 0:
		return errors.New("loan product answer carries no id")
	case p.Currency == nil || p.Currency.Code == "":
		return fmt.Errorf("loan product %d carries no currency", p.ID)
	case p.RepaymentFrequencyType == nil || p.AmortizationType == nil || p.InterestType == nil || p.InterestCalculationPeriodType == nil:
		return fmt.Errorf("loan product %d lacks its loan terms", p.ID)
	}
	return nil
}

// Active reports whether a loan may be submitted with the product (status
// derived from closeDate).
func (p LoanProductData) Active() bool { return p.Status != LoanProductInactive }

// LoanProducts is the body of GET /loanproducts: a plain JSON array, no page
// (LoanProductsApiResource.retrieveAllLoanProducts at 1.8.4 and 1.10.1).
type LoanProducts []LoanProductData

// WellFormed reports a body that is not a product list: null, or any item
// that is not a product, for the same reason as Page.WellFormed.
func (ps *LoanProducts) WellFormed() error {
	if *ps == nil {
		return errors.New("loan products answer is not a list")
	}
	for i := range *ps {
		if err := (*ps)[i].WellFormed(); err != nil {
			return fmt.Errorf("loan product item %d: %w", i, err)
		}
	}
	return nil
}
