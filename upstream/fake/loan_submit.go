package fake

import (
	"math/big"
	"strconv"
	"strings"

	"lmsproxy/upstream"
	"lmsproxy/upstream/wire"
)

// POST /loans, the loan application (LoanApplicationWritePlatformServiceJpaRepositoryImpl
// .submitApplication with LoanApplicationCommandFromApiJsonHelper.validateForCreate,
// fineract-provider/src/main/java/org/apache/fineract/portfolio/loanaccount/
// {service,serialization}/, 1.8.4 and 1.10.1; facts §4). Only individual
// loans with monthly repayments are modelled.

// submitCommon is the submit whitelist of every line
// (LoanApplicationCommandFromApiJsonHelper.supportedParameters).
var submitCommon = []string{"dateFormat", "locale", "id", "clientId", "groupId", "loanType", "productId", "principal",
	"totalLoan", "isParentAccount", "loanTermFrequency", "loanTermFrequencyType", "numberOfRepayments", "repaymentEvery",
	"repaymentFrequencyType", "repaymentFrequencyNthDayType", "repaymentFrequencyDayOfWeekType", "interestRatePerPeriod",
	"amortizationType", "interestType", "isFloatingInterestRate", "interestRateDifferential",
	"interestCalculationPeriodType", "allowPartialPeriodInterestCalcualtion", "interestRateFrequencyType",
	"expectedDisbursementDate", "repaymentsStartingFromDate", "graceOnPrincipalPayment", "graceOnInterestPayment",
	"graceOnInterestCharged", "graceOnArrearsAgeing", "interestChargedFromDate", "accountNo", "externalId", "fundId",
	"loanOfficerId", "loanPurposeId", "inArrearsTolerance", "charges", "collateral", "calendarId",
	"syncDisbursementWithMeeting", "linkAccountId", "disbursementData", "fixedEmiAmount", "maxOutstandingLoanBalance",
	"createStandingInstructionAtDisbursement", "isTopup", "loanIdToClose", "datatables", "isEqualAmortization", "rates",
	"applicationId", "lastApplication", "daysInYearType", "fixedPrincipalPercentagePerInstallment", "submittedOnDate"}

// submitWhitelist adds each line's own keys (facts §4.1): 1.8 names the
// strategy by id and has no submittedOnNote (its constant is
// "interestChargedFromDate", a bug); 1.9 switched to the code (FINERACT-1783)
// and added loanScheduleType, which 1.10 dropped again for fixedLength.
func submitWhitelist(v upstream.Version) []string {
	if !v.AtLeast(upstream.V1_9) {
		return append(submitCommon, "transactionProcessingStrategyId")
	}
	keys := append(submitCommon, "transactionProcessingStrategyCode", "submittedOnNote", "amortizationTypeOptions",
		"disallowExpectedDisbursements", "fraud", "loanScheduleProcessingType")
	if v.AtLeast(upstream.V1_10) {
		return append(keys, "fixedLength")
	}
	return append(keys, "loanScheduleType")
}

// strategies are the repayment strategies of every line (facts §3.2).
var strategies = []strategy{
	mifosStandardStrategy,
	{2, "heavensfamily-strategy", "HeavensFamily Unique"},
	{3, "creocore-strategy", "Creocore Unique"},
	{4, "rbi-india-strategy", "Overdue/Due Fee/Int,Principal"},
	{5, "principal-interest-penalties-fees-order-strategy", "Principal, Interest, Penalties, Fees Order"},
	{6, "interest-principal-penalties-fees-order-strategy", "Interest, Principal, Penalties, Fees Order"},
	{7, "early-repayment-strategy", "Early Repayment Strategy"},
}

// strategyByCode is LoanRepaymentScheduleTransactionProcessorFactory
// .determineProcessor (1.9+): the code or the name, case-insensitive; none
// is a 404 that ends the request.
func strategyByCode(code *string) (strategy, error) {
	for _, st := range strategies {
		if code != nil && (strings.EqualFold(st.code, *code) || strings.EqualFold(st.name, *code)) {
			return st, nil
		}
	}
	shown := "null"
	var arg any = obj{}
	if code != nil {
		shown, arg = *code, *code
	}
	return strategy{}, notFoundError("error.msg.transactions.processing.strategy.code.invalid",
		"Loan transaction processing strategy with code "+shown+" does not exist", arg)
}

// application is a validated submit body.
type application struct {
	productID                    int64
	principal                    decimal
	termFrequency, termType      int
	repayments, every, repayType int
	rate                         decimal
	amortization, interestType   int
	expected, submitted          wire.Date
	externalID, accountNo        string
	strategy                     strategy
	strategyID                   *int64 // 1.8: looked up after the field rules
}

// submitLoan runs the submit through the write pipeline.
func (s *Server) submitLoan(c *call) result {
	return s.execute(c, write{task: "CREATE_LOAN", entity: loanEntity, plan: func() (commit, error) {
		return s.planSubmit(c.body)
	}})
}

// planSubmit checks in the upstream's order (facts §4.3): the body parses
// (bare 400); the product (404) and the client (404) are looked up; then the
// whitelist and the accumulated field rules (400; on 1.9+ an unknown or
// missing strategy code is a 404 before them); a duplicate external id
// (403); the product's ranges (400); the 1.8 strategy id (404); the client
// active (403); the submission dates (403); the loan term (400).
func (s *Server) planSubmit(raw []byte) (commit, error) {
	b, err := parseObject(raw)
	if err != nil {
		return nil, err
	}
	v := s.opts.Version
	productID, err := b.long("productId")
	if err != nil {
		return nil, err
	}
	if productID == nil {
		return nil, missingProductError(v)
	}
	product, ok := s.db.products.rows[*productID]
	if !ok {
		return nil, productNotFoundError(*productID)
	}
	var client *ClientSnapshot
	if cid, err := b.long("clientId"); err != nil {
		return nil, err
	} else if cid != nil {
		if client, err = s.lookup(*cid); err != nil {
			return nil, err
		}
	}
	if err := b.onlyFrom(submitWhitelist(v)); err != nil {
		return nil, err
	}
	a, err := s.readApplication(loanEntity.form(b), v)
	if err != nil {
		return nil, err
	}
	if a.externalID != "" && s.db.loanByExternalID(a.externalID) != nil {
		return nil, domainRuleError("error.msg.loan.with.externalId.already.used", "Loan with externalId is already registered.")
	}
	if err := productRanges(product, a); err != nil {
		return nil, err
	}
	if a.strategyID != nil {
		found := false
		for _, st := range strategies {
			if st.id == *a.strategyID {
				a.strategy, found = st, true
			}
		}
		if !found {
			return nil, notFoundError("error.msg.transactions.processing.strategy.id.invalid",
				"Loan transaction processing strategy with identifier "+fmtID(*a.strategyID)+" does not exist", *a.strategyID)
		}
	}
	if !client.active() {
		return nil, clientNotActiveError(client.ID)
	}
	if err := s.submissionDates(client, a); err != nil {
		return nil, err
	}
	if err := loanTerm(a); err != nil {
		return nil, err
	}
	return func() obj {
		l := &LoanSnapshot{ID: s.db.loans.next, LoanSeed: LoanSeed{ClientID: client.ID, Status: LoanSubmittedAndPendingApproval,
			ProductID: product.id, ExternalID: a.externalID, SubmittedOn: a.submitted}, AccountNo: a.accountNo}
		l.withTerms(product, a.principal, a.expected)
		l.repayments, l.every, l.rate, l.amortization, l.interestType = a.repayments, a.every, a.rate, a.amortization, a.interestType
		l.strategy = a.strategy
		if l.AccountNo == "" {
			l.AccountNo = generatedAccountNo(l.ID)
		}
		s.db.loans.insert(l.ID, l)
		return s.loanResult(l, l.ID, nil)
	}, nil
}

// readApplication runs validateForCreate's field rules in its order.
func (s *Server) readApplication(f *form, v upstream.Version) (*application, error) {
	a := &application{}
	loanType := f.b.str("loanType")
	if loanType == nil {
		f.v.mandatory("loanType")
	} else if *loanType != "individual" { // AccountType.fromName compares with the lowercase name
		zero := 0
		f.v.inRange("loanType", &zero, 1, 4)
	}
	f.requiredLong("clientId")
	a.productID = deref(f.requiredLong("productId"))
	accountNo, ext := f.b.str("accountNo"), f.b.str("externalId")
	f.v.maxLength("accountNo", accountNo, 20)
	f.v.maxLength("externalId", ext, 100)
	a.accountNo, a.externalID = derefString(accountNo), derefString(ext)
	a.principal = f.requiredAmount("principal", false)
	a.termFrequency = f.requiredInt("loanTermFrequency", true, 0, 0)
	a.termType = f.requiredInt("loanTermFrequencyType", false, 0, 3)
	a.repayments = f.requiredInt("numberOfRepayments", true, 0, 0)
	a.every = f.requiredInt("repaymentEvery", true, 0, 0)
	a.repayType = f.requiredInt("repaymentFrequencyType", false, 0, 3)
	a.interestType = f.requiredInt("interestType", false, 0, 1)
	f.requiredInt("interestCalculationPeriodType", false, 0, 1)
	a.rate = f.requiredAmount("interestRatePerPeriod", true)
	a.amortization = f.requiredInt("amortizationType", false, 0, 1)
	a.expected = deref(f.requiredDate("expectedDisbursementDate"))
	a.submitted = deref(f.requiredDate("submittedOnDate"))
	if f.abort != nil {
		return nil, f.abort
	}
	if v.AtLeast(upstream.V1_9) {
		code := f.b.str("transactionProcessingStrategyCode")
		if code == nil {
			f.v.mandatory("transactionProcessingStrategyCode")
		}
		st, err := strategyByCode(code)
		if err != nil {
			return nil, err
		}
		a.strategy = st
	} else {
		a.strategyID = f.requiredLong("transactionProcessingStrategyId")
	}
	if err := f.err(); err != nil {
		return nil, err
	}
	return a, nil
}

// requiredInt is notNull() then integerGreaterThanZero() (positive) or
// inMinMaxRange(lo, hi).
func (f *form) requiredInt(name string, positive bool, lo, hi int) int {
	n := f.integer(name)
	switch {
	case n == nil:
		f.v.mandatory(name)
		return 0
	case positive:
		f.v.positiveInt(name, n)
	default:
		f.v.inRange(name, n, lo, hi)
	}
	return *n
}

// requiredAmount is notNull() then positiveAmount(), or
// zeroOrPositiveAmount() when zeroOK (DataValidatorBuilder,
// fineract-core/.../infrastructure/core/data/DataValidatorBuilder.java, 1.10.1).
func (f *form) requiredAmount(name string, zeroOK bool) decimal {
	if f.abort != nil {
		return 0
	}
	d, err := f.b.amount(name)
	f.keep(err)
	switch {
	case err != nil:
	case d == nil:
		f.v.mandatory(name)
	case zeroOK && *d < 0:
		f.v.add(paramError(f.v.code(name, "not.zero.or.greater"), "The parameter `"+name+"` must be greater than or equal to 0.",
			name, javaDouble(*d), 0))
	case !zeroOK && *d <= 0:
		f.v.add(paramError(f.v.code(name, "not.greater.than.zero"), "The parameter `"+name+"` must be greater than 0.",
			name, javaDouble(*d), 0))
	default:
		return *d
	}
	return 0
}

// amount is extractBigDecimalWithLocaleNamed: a JSON number as it is, a
// string in the request's locale (only the "en" form is modelled); nil when
// absent or blank.
func (b *body) amount(name string) (*decimal, error) {
	s := b.str(name)
	if s == nil {
		return nil, nil
	}
	r, ok := new(big.Rat).SetString(strings.TrimSpace(*s))
	if !ok {
		locale, _, _ := b.locale()
		return nil, validationError(paramErrorWithValue("validation.msg.invalid.decimal.format",
			"The parameter `"+name+"` has value: "+*s+" which is invalid decimal value for provided locale of ["+locale+"].",
			name, *s, *s))
	}
	d := decimalOf(r, 6)
	return &d, nil
}

// javaDouble is Double.toString of an amount, as validation messages print
// request amounts (Double.parseDouble): 500.0, 1500.5, 1.0E7.
func javaDouble(d decimal) string {
	f, _ := d.rat().Float64()
	if f != 0 && (f >= 1e7 || f <= -1e7 || (f < 1e-3 && f > -1e-3)) {
		s := strconv.FormatFloat(f, 'E', -1, 64)
		mant, exp, _ := strings.Cut(s, "E")
		if !strings.Contains(mant, ".") {
			mant += ".0"
		}
		return mant + "E" + strings.TrimPrefix(strings.TrimPrefix(exp, "+"), "0")
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// money is Money.toString at the currency's scale, as the product limits
// print in messages (1000.00).
func money(d decimal, places int) string {
	s, _ := d.MarshalJSON()
	text := string(s)
	return text[:len(text)-(6-places)]
}

// missingProductError is findById(null): Spring Data's
// IllegalArgumentException, unmapped up to 1.8 (500) and from 1.9 turned
// into a data-integrity 403 by ErrorHandler.getMappable (facts §4.3 step 2;
// derived, not seen on a server).
func missingProductError(v upstream.Version) error {
	return dataAccessError(v, "The given id must not be null")
}

// clientNotActiveError is ClientNotActiveException.
func clientNotActiveError(id int64) error {
	return domainRuleError("error.msg.client.not.active.exception", "The Client with id `"+fmtID(id)+"` is not active", id)
}

// productRanges is LoanProductDataValidator's min/max checks of the
// application against the product (facts §4.4), one 400 with every problem.
func productRanges(p *loanProduct, a *application) error {
	v := validator{resource: loanEntity.name}
	places := p.currency.places
	if a.principal < p.minPrincipal || a.principal > p.maxPrincipal {
		lo, hi := money(p.minPrincipal, places), money(p.maxPrincipal, places)
		v.add(paramError("validation.msg.loan.principal.amount.is.not.within.min.max.range",
			"The parameter `principal` amount "+javaDouble(a.principal)+" must be between "+lo+" and "+hi+" .",
			"principal", javaDouble(a.principal), lo, hi))
	}
	if a.repayments != p.repayments {
		n := p.repayments
		v.add(paramError("validation.msg.loan.numberOfRepayments.is.not.within.expected.range",
			"The parameter `numberOfRepayments` must be between "+strconv.Itoa(n)+" and "+strconv.Itoa(n)+".",
			"numberOfRepayments", a.repayments, n, n))
	}
	return v.err()
}

// submissionDates are Loan.loanApplicationSubmittal's date rules (403s):
// not in the future, not before the client's activation, not after the
// expected disbursement.
func (s *Server) submissionDates(c *ClientSnapshot, a *application) error {
	switch {
	case s.today().Before(a.submitted):
		return domainRuleError("error.msg.loan.submittal.cannot.be.a.future.date",
			"The date on which a loan is submitted cannot be in the future.", a.submitted)
	case a.submitted.Before(c.ActivatedOn):
		return domainRuleError("error.msg.loan.submittal.cannot.be.before.client.activation.date",
			"The date on which a loan is submitted cannot be earlier than client's activation date.", a.submitted)
	case a.expected.Before(a.submitted):
		return domainRuleError("error.msg.loan.submittal.cannot.be.after.expected.disbursement.date",
			"The date on which a loan is submitted cannot be after its expected disbursement date: "+a.expected.ISO(),
			a.submitted, a.expected)
	}
	return nil
}

// loanTerm is validateLoanTermAndRepaidEveryValues (400): the term's unit
// is the repayments' and its length numberOfRepayments × repaymentEvery.
func loanTerm(a *application) error {
	v := validator{resource: loanEntity.name}
	if a.termType != a.repayType {
		v.add(paramError(v.code("loanTermFrequencyType", "not.the.same.as.repaymentFrequencyType"),
			"The parameters loanTermFrequencyType and repaymentFrequencyType must be the same.", "loanTermFrequencyType",
			a.termType, a.repayType))
	}
	switch suggested := a.repayments * a.every; {
	case a.termFrequency < suggested:
		v.add(paramError(v.code("loanTermFrequency", "less.than.repayment.structure.suggests"),
			"The parameter loanTermFrequency is less than the suggest loan term as indicated by numberOfRepayments and repaymentEvery.",
			"loanTermFrequency", a.termFrequency, a.repayments, a.every))
	case a.termFrequency > suggested:
		v.add(paramError(v.code("loanTermFrequency", "greater.than.repayment.structure.suggests"),
			"The parameter loanTermFrequency is greater than the suggested loan term as indicated by numberOfRepayments and repaymentEvery.",
			"loanTermFrequency", a.termFrequency, a.repayments, a.every))
	}
	return v.err()
}

// deref is *p, or the zero value when p is nil.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
