package fake

import (
	"fmt"
	"net/http"

	"lmsproxy/upstream"
)

// The loan products resource (LoanProductsApiResource): GET /loanproducts,
// /loanproducts/{productId} and, from 1.9, /loanproducts/external-id/{x}.
// Products are seeded (seed.go), never written through the pipeline, so
// they have routes but no entity. Used by the loans submit rules and by
// the proxy's loan-products handlers.

// loanProductResource is the resource name of the product read permission
// (LoanProductsApiResource: validateHasReadPermission("LOANPRODUCT")).
const loanProductResource = "loanproduct"

// strategy is one repayment allocation order: 1.8 stores its id, 1.9+ its
// code (FINERACT-1783; facts §3.2).
type strategy struct {
	id         int64
	code, name string
}

// mifosStandardStrategy is the only strategy the seed uses
// (ref_loan_transaction_processing_strategy row 1 in 1.8.4's
// 0002_initial_data.xml; the code from LoanRepaymentScheduleTransactionProcessorFactory).
var mifosStandardStrategy = strategy{1, "mifos-standard-strategy", "Penalties, Fees, Interest, Principal order"}

// currency is one m_currency row.
type currency struct {
	code, name string
	places     int
}

// object is CurrencyData as Gson writes it: no displaySymbol when the
// currency has none, and then a displayLabel "name [code]"
// (CurrencyData.generateDisplayLabel).
func (c currency) object() obj {
	return obj{{"code", c.code}, {"name", c.name}, {"decimalPlaces", c.places}, {"inMultiplesOf", 0},
		{"nameCode", "currency." + c.code}, {"displayLabel", c.name + " [" + c.code + "]"}}
}

// loanProduct is one m_product_loan row, as far as the simulator's rules
// and the proxy read it. Enum-valued settings hold their ids.
type loanProduct struct {
	id                          int64
	name, shortName, desc       string
	externalID                  string
	currency                    currency
	principal, minPrincipal     decimal
	maxPrincipal                decimal
	repayments                  int // numberOfRepayments, also its min and max
	repaymentEvery              int
	repaymentFrequencyType      int     // 2 Months
	interestRatePerPeriod       decimal // per interestRateFrequencyType
	interestRateFrequencyType   int     // 2 Per month
	amortizationType            int     // 1 Equal installments
	interestType                int     // 0 Declining Balance, 1 Flat
	interestCalculationPeriod   int     // 1 Same as repayment period
	strategy                    strategy
	daysInMonthType, daysInYear int
	accountingRule              int // 1 NONE
}

// annualInterestRate is LoanProductRelatedDetail's annual nominal rate: the
// per-period rate times 12 for "Per month".
func (p *loanProduct) annualInterestRate() decimal {
	if p.interestRateFrequencyType == 2 {
		return p.interestRatePerPeriod * 12
	}
	return p.interestRatePerPeriod
}

// enumOption is EnumOptionData: {"id","code","value"}.
func enumOption(id int, code, value string) obj {
	return obj{{"id", id}, {"code", code}, {"value", value}}
}

// Enum options of the product settings the seed uses, by id
// (LoanEnumerations, fineract-loan/.../loanproduct/service/LoanEnumerations.java
// at 1.10.1; fineract-provider/... at 1.8.4).
var (
	periodFrequencies = map[int][2]string{0: {"days", "Days"}, 1: {"weeks", "Weeks"}, 2: {"months", "Months"}, 3: {"years", "Years"}}
	rateFrequencies   = map[int][2]string{2: {"months", "Per month"}, 3: {"years", "Per year"}, 4: {"whole_term", "Whole term"}}
	amortizations     = map[int][2]string{0: {"equal.principal", "Equal principal payments"}, 1: {"equal.installments", "Equal installments"}}
	interestTypes     = map[int][2]string{0: {"declining.balance", "Declining Balance"}, 1: {"flat", "Flat"}}
	calcPeriods       = map[int][2]string{0: {"daily", "Daily"}, 1: {"same.as.repayment.period", "Same as repayment period"}}
	accountingRules   = map[int][2]string{1: {"none", "NONE"}, 2: {"cash", "CASH BASED"}, 3: {"accrual.periodic", "ACCRUAL PERIODIC"}, 4: {"accrual.upfront", "ACCRUAL UPFRONT"}}
)

func enumFrom(table map[int][2]string, prefix string, id int) obj {
	l := table[id]
	return enumOption(id, prefix+l[0], l[1])
}

func repaymentFrequency(id int) obj {
	return enumFrom(periodFrequencies, "repaymentFrequency.periodFrequencyType.", id)
}

func daysInMonth(id int) obj {
	if id == 30 {
		return enumOption(30, "DaysInMonthType.days360", "30 Days")
	}
	return enumOption(1, "DaysInMonthType.actual", "Actual")
}

func daysInYear(id int) obj {
	if id == 1 {
		return enumOption(1, "DaysInYearType.actual", "Actual")
	}
	n := map[int]string{360: "360", 364: "364", 365: "365"}[id]
	return enumOption(id, "DaysInYearType.days"+n, n+" Days")
}

// productObject is LoanProductData as Gson writes it, members in
// declaration order (fineract-provider/src/main/java/org/apache/fineract/
// portfolio/loanproduct/data/LoanProductData.java at 1.8.4, 1.9.0 and
// 1.10.1): 1.8 names the strategy by id and spells
// allowPartialPeriodInterestCalcualtion (sic); 1.9 added
// repaymentStartDateType, the down-payment and delinquency flags and the
// schedule types. single is GET /loanproducts/{id}, whose mapper also fills
// the charges; list items have none (LoanProductMapper(null, …)).
func (s *Server) productObject(p *loanProduct, single bool) obj {
	v := s.opts.Version
	o := obj{
		{"id", p.id}, {"name", p.name}, {"shortName", p.shortName}, {"description", optString(p.desc)},
		{"includeInBorrowerCycle", false}, {"useBorrowerCycle", false},
		{"status", "loanProduct.active"}, {"externalId", optString(p.externalID)},
		{"currency", p.currency.object()},
		{"principal", p.principal}, {"minPrincipal", p.minPrincipal}, {"maxPrincipal", p.maxPrincipal},
		{"numberOfRepayments", p.repayments}, {"minNumberOfRepayments", p.repayments}, {"maxNumberOfRepayments", p.repayments},
		{"repaymentEvery", p.repaymentEvery}, {"repaymentFrequencyType", repaymentFrequency(p.repaymentFrequencyType)},
		{"interestRatePerPeriod", p.interestRatePerPeriod},
		{"interestRateFrequencyType", enumFrom(rateFrequencies, "interestRateFrequency.periodFrequencyType.", p.interestRateFrequencyType)},
		{"annualInterestRate", p.annualInterestRate()},
		{"isLinkedToFloatingInterestRates", false}, {"isFloatingInterestRateCalculationAllowed", false},
		{"allowVariableInstallments", false},
		{"amortizationType", enumFrom(amortizations, "amortizationType.", p.amortizationType)},
		{"interestType", enumFrom(interestTypes, "interestType.", p.interestType)},
		{"interestCalculationPeriodType", enumFrom(calcPeriods, "interestCalculationPeriodType.", p.interestCalculationPeriod)},
	}
	if v.AtLeast(upstream.V1_9) {
		o = append(o, field{"allowPartialPeriodInterestCalculation", false}, field{"inArrearsTolerance", decimal(0)},
			field{"transactionProcessingStrategyCode", p.strategy.code})
	} else {
		o = append(o, field{"allowPartialPeriodInterestCalcualtion", false}, field{"inArrearsTolerance", decimal(0)},
			field{"transactionProcessingStrategyId", p.strategy.id})
	}
	o = append(o,
		field{"transactionProcessingStrategyName", p.strategy.name},
		field{"daysInMonthType", daysInMonth(p.daysInMonthType)},
		field{"daysInYearType", daysInYear(p.daysInYear)},
		field{"isInterestRecalculationEnabled", false},
		field{"canDefineInstallmentAmount", false},
	)
	if v.AtLeast(upstream.V1_9) {
		o = append(o, field{"repaymentStartDateType", enumOption(1, "repaymentStartDateType.disbursementDate", "Disbursement Date")})
	}
	if single {
		o = append(o, field{"charges", []any{}})
	}
	o = append(o,
		field{"accountingRule", enumFrom(accountingRules, "accountingRuleType.", p.accountingRule)},
		field{"canUseForTopup", false}, field{"isRatesEnabled", false},
		field{"multiDisburseLoan", false}, field{"holdGuaranteeFunds", false},
		field{"accountMovesOutOfNPAOnlyOnArrearsCompletion", false},
		field{"syncExpectedWithDisbursementDate", false}, field{"isEqualAmortization", false},
	)
	if v.AtLeast(upstream.V1_9) {
		o = append(o, field{"enableDownPayment", false}, field{"enableAutoRepaymentForDownPayment", false},
			field{"enableInstallmentLevelDelinquency", false},
			field{"loanScheduleType", enumOption(0, "CUMULATIVE", "Cumulative")},
			field{"loanScheduleProcessingType", enumOption(0, "HORIZONTAL", "Horizontal")})
	}
	return o
}

// loanProductRoutes are the product reads.
var loanProductRoutes = []route{
	{template: "loanproducts", methods: func(s *Server, c *call, _ params) methods {
		return methods{http.MethodGet: func() result { return s.listProducts(c) }}
	}},
	{template: "loanproducts/{productId}", methods: func(s *Server, c *call, p params) methods {
		id, ok := p.long("productId")
		if !ok {
			return nil
		}
		return methods{http.MethodGet: func() result {
			v, err := s.getProduct(func() *loanProduct { return s.db.products.rows[id] }, id)
			return s.render(c.r, v, err)
		}}
	}},
	{template: "loanproducts/external-id/{externalProductId}", served: upstream.Version.HasExternalIDRoutes,
		methods: func(s *Server, c *call, p params) methods {
			ext := p["externalProductId"]
			return methods{http.MethodGet: func() result {
				v, err := s.getProduct(func() *loanProduct { return s.db.productByExternalID(ext) }, ext)
				return s.render(c.r, v, err)
			}}
		}},
}

// listProducts is GET /loanproducts: a plain JSON array, unpaged.
func (s *Server) listProducts(c *call) result {
	if err := s.permitRead(loanProductResource); err != nil {
		return s.render(c.r, nil, err)
	}
	items := []obj{}
	for _, p := range s.db.products.sorted() {
		items = append(items, s.productObject(p, false))
	}
	return result{status: http.StatusOK, body: encodeSuccess(items)}
}

// getProduct is one product by id or external id; LoanProductNotFoundException
// prints either in the same text
// (fineract-provider/.../loanproduct/exception/LoanProductNotFoundException.java, 1.10.1).
func (s *Server) getProduct(find func() *loanProduct, key any) (obj, error) {
	if err := s.permitRead(loanProductResource); err != nil {
		return nil, err
	}
	p := find()
	if p == nil {
		return nil, productNotFoundError(key)
	}
	return s.productObject(p, true), nil
}

// productNotFoundError is LoanProductNotFoundException.
func productNotFoundError(key any) *apiError {
	return notFoundError("error.msg.loanproduct.id.invalid", "Loan product with identifier "+fmt.Sprint(key)+" does not exist", key)
}

// productByExternalID is LoanProductRepository.findByExternalId.
func (st *store) productByExternalID(ext string) *loanProduct {
	for _, p := range st.products.sorted() {
		if p.externalID != "" && p.externalID == ext {
			return p
		}
	}
	return nil
}
