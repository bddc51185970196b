package fake

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"lmsproxy/upstream"
)

// GET /loans/{loanId} and, from 1.9, /loans/external-id/{x}
// (LoansApiResource.retrieveLoan → LoanReadPlatformServiceImpl.retrieveOne,
// LoanAccountData; facts §7.1–§7.6). Used by the proxy's loan reads, next.

// loanStatusLabels are LoanEnumerations.status: code suffix and value.
var loanStatusLabels = map[LoanStatus][2]string{
	LoanSubmittedAndPendingApproval:       {"submitted.and.pending.approval", "Submitted and pending approval"},
	LoanApproved:                          {"approved", "Approved"},
	LoanActive:                            {"active", "Active"},
	LoanTransferInProgress:                {"transfer.in.progress", "Transfer in progress"},
	LoanTransferOnHold:                    {"transfer.on.hold", "Transfer on hold"},
	LoanWithdrawnByClient:                 {"withdrawn.by.client", "Withdrawn by applicant"},
	LoanRejected:                          {"rejected", "Rejected"},
	LoanClosedObligationsMet:              {"closed.obligations.met", "Closed (obligations met)"},
	LoanClosedWrittenOff:                  {"closed.written.off", "Closed (written off)"},
	LoanClosedRescheduleOutstandingAmount: {"closed.reschedule.outstanding.amount", "Closed (rescheduled)"},
	LoanOverpaid:                          {"overpaid", "Overpaid"},
}

// loanStatusObject is LoanStatusEnumData: the enum option and eight flags
// derived from the id; none for Withdrawn or Rejected.
func loanStatusObject(st LoanStatus) obj {
	l := loanStatusLabels[st]
	closed := st == LoanClosedObligationsMet || st == LoanClosedWrittenOff || st == LoanClosedRescheduleOutstandingAmount
	return obj{{"id", int(st)}, {"code", "loanStatusType." + l[0]}, {"value", l[1]},
		{"pendingApproval", st == LoanSubmittedAndPendingApproval}, {"waitingForDisbursal", st == LoanApproved},
		{"active", st == LoanActive}, {"closedObligationsMet", st == LoanClosedObligationsMet},
		{"closedWrittenOff", st == LoanClosedWrittenOff}, {"closedRescheduled", st == LoanClosedRescheduleOutstandingAmount},
		{"closed", closed}, {"overpaid", st == LoanOverpaid}}
}

// getLoan reads one loan: READ_LOAN, the external id, then the row.
func (s *Server) getLoan(c *call, t target) (obj, error) {
	if err := s.permitRead(loanEntity.name); err != nil {
		return nil, err
	}
	id, err := s.resolve(loanEntity, t)
	if err != nil {
		return nil, err
	}
	l, ok := s.db.loans.rows[id]
	if !ok {
		return nil, loanNotFoundError(id)
	}
	assoc := map[string]bool{}
	for _, a := range strings.Split(c.query.Get("associations"), ",") {
		assoc[strings.TrimSpace(a)] = true
	}
	return s.loanObject(l, assoc["all"] || assoc["repaymentSchedule"], assoc["all"] || assoc["transactions"]), nil
}

// loanObject is LoanAccountData in declaration order, trimmed to what the
// proxy reads plus the flags around it; summary only from status 300
// (LoanMapper.mapRow), associations only when asked for.
func (s *Server) loanObject(l *LoanSnapshot, withSchedule, withTxs bool) obj {
	v := s.opts.Version
	cl := s.db.clients.rows[l.ClientID]
	p := l.product
	sched := l.schedule()
	o := obj{
		{"id", l.ID}, {"accountNo", l.AccountNo}, {"externalId", optString(l.ExternalID)},
		{"status", loanStatusObject(l.Status)},
		{"clientId", cl.ID}, {"clientAccountNo", cl.AccountNo}, {"clientName", cl.DisplayName()},
	}
	if v.AtLeast(upstream.V1_9) {
		o = append(o, field{"clientExternalId", optString(cl.ExternalID)})
	}
	o = append(o,
		field{"clientOfficeId", cl.OfficeID},
		field{"loanProductId", p.id}, field{"loanProductName", p.name}, field{"loanProductDescription", optString(p.desc)},
		field{"isLoanProductLinkedToFloatingRate", false},
		field{"loanType", enumOption(1, "accountType.individual", "Individual")},
		field{"currency", p.currency.object()},
		field{"principal", l.approved}, field{"approvedPrincipal", l.approved}, field{"proposedPrincipal", l.principal},
		field{"netDisbursalAmount", l.approved},
		field{"termFrequency", l.repayments * l.every},
		field{"termPeriodFrequencyType", enumFrom(periodFrequencies, "termFrequency.periodFrequencyType.", 2)},
		field{"numberOfRepayments", l.repayments}, field{"repaymentEvery", l.every},
		field{"repaymentFrequencyType", repaymentFrequency(2)},
		field{"interestRatePerPeriod", l.rate},
		field{"interestRateFrequencyType", enumFrom(rateFrequencies, "interestRateFrequency.periodFrequencyType.", 2)},
		field{"annualInterestRate", l.rate * 12}, field{"isFloatingInterestRate", false},
		field{"amortizationType", enumFrom(amortizations, "amortizationType.", l.amortization)},
		field{"interestType", enumFrom(interestTypes, "interestType.", l.interestType)},
		field{"interestCalculationPeriodType", enumFrom(calcPeriods, "interestCalculationPeriodType.", 1)},
	)
	if v.AtLeast(upstream.V1_9) {
		o = append(o, field{"allowPartialPeriodInterestCalculation", false}, field{"inArrearsTolerance", decimal(0)},
			field{"transactionProcessingStrategyCode", l.strategy.code})
	} else {
		o = append(o, field{"allowPartialPeriodInterestCalcualtion", false}, field{"inArrearsTolerance", decimal(0)},
			field{"transactionProcessingStrategyId", l.strategy.id})
	}
	o = append(o, field{"transactionProcessingStrategyName", l.strategy.name},
		field{"syncDisbursementWithMeeting", false},
		field{"timeline", s.loanTimeline(l, sched)})
	if l.Status >= LoanActive {
		o = append(o, field{"summary", s.loanSummary(l, sched)})
	}
	if withSchedule {
		o = append(o, field{"repaymentSchedule", scheduleObject(l, sched)})
	}
	if withTxs {
		o = append(o, field{"transactions", s.transactionObjects(l)})
	}
	return append(o, field{"feeChargesAtDisbursementCharged", decimal(0)},
		field{"inArrears", false}, field{"isNPA", false})
}

// loanTimeline is LoanApplicationTimelineData: each step's date and user,
// nulls omitted; actualMaturityDate from 1.9.
func (s *Server) loanTimeline(l *LoanSnapshot, sched schedule) obj {
	u := s.user()
	t := obj{{"submittedOnDate", l.SubmittedOn}}
	t = append(t, u.fields("submittedBy")...)
	step := func(date string, d any, by string) {
		if d == nil {
			return
		}
		t = append(t, field{date, d})
		t = append(t, u.fields(by)...)
	}
	step("rejectedOnDate", optDate(l.rejectedOn), "rejectedBy")
	step("withdrawnOnDate", optDate(l.withdrawn), "withdrawnBy")
	step("approvedOnDate", optDate(l.approvedOn), "approvedBy")
	t = append(t, field{"expectedDisbursementDate", l.expectedDisbursement})
	step("actualDisbursementDate", optDate(l.disbursed), "disbursedBy")
	if l.Status.ended() || l.Status == LoanClosedWrittenOff {
		step("closedOnDate", optDate(l.ClosedOn), "closedBy")
	}
	if !l.disbursed.IsZero() && s.opts.Version.AtLeast(upstream.V1_9) {
		t = append(t, field{"actualMaturityDate", sched.maturity})
	}
	t = append(t, field{"expectedMaturityDate", sched.maturity})
	step("writeOffOnDate", optDate(l.writtenOffOn), "writeOffBy")
	return t
}

// loanSummary is LoanSummaryData from the derived columns: disbursed,
// expected and written-off amounts (no repayments are modelled), every key
// present; 1.9 added principalAdjustments and the single GET's transaction
// totals, 1.10 the fee and penalty adjustments.
func (s *Server) loanSummary(l *LoanSnapshot, sched schedule) obj {
	v := s.opts.Version
	var prinOff, intOff decimal
	if l.Status == LoanClosedWrittenOff {
		prinOff, intOff = sched.principal, sched.interest
	}
	o := obj{{"currency", l.product.currency.object()}, {"principalDisbursed", l.approved}}
	if v.AtLeast(upstream.V1_9) {
		o = append(o, field{"principalAdjustments", decimal(0)})
	}
	zero := decimal(0)
	o = append(o,
		field{"principalPaid", zero}, field{"principalWrittenOff", prinOff},
		field{"principalOutstanding", sched.principal - prinOff}, field{"principalOverdue", zero},
		field{"interestCharged", sched.interest}, field{"interestPaid", zero}, field{"interestWaived", zero},
		field{"interestWrittenOff", intOff}, field{"interestOutstanding", sched.interest - intOff},
		field{"interestOverdue", zero}, field{"feeChargesCharged", zero})
	if v.AtLeast(upstream.V1_10) {
		o = append(o, field{"feeAdjustments", zero})
	}
	o = append(o, field{"feeChargesDueAtDisbursementCharged", zero}, field{"feeChargesPaid", zero},
		field{"feeChargesWaived", zero}, field{"feeChargesWrittenOff", zero}, field{"feeChargesOutstanding", zero},
		field{"feeChargesOverdue", zero}, field{"penaltyChargesCharged", zero})
	if v.AtLeast(upstream.V1_10) {
		o = append(o, field{"penaltyAdjustments", zero})
	}
	total := sched.principal + sched.interest
	off := prinOff + intOff
	o = append(o, field{"penaltyChargesPaid", zero}, field{"penaltyChargesWaived", zero},
		field{"penaltyChargesWrittenOff", zero}, field{"penaltyChargesOutstanding", zero},
		field{"penaltyChargesOverdue", zero}, field{"totalExpectedRepayment", total}, field{"totalRepayment", zero},
		field{"totalExpectedCostOfLoan", sched.interest}, field{"totalCostOfLoan", zero}, field{"totalWaived", zero},
		field{"totalWrittenOff", off}, field{"totalOutstanding", total - off}, field{"totalOverdue", zero},
		field{"totalRecovered", zero})
	if v.AtLeast(upstream.V1_9) {
		o = append(o, field{"totalRepaymentTransaction", zero}, field{"totalRepaymentTransactionReversed", zero})
	}
	return o
}

// scheduleObject is LoanScheduleData: the disbursement pseudo-period (no
// "period", no fromDate) and then the repayment periods.
func scheduleObject(l *LoanSnapshot, sched schedule) obj {
	zero := decimal(0)
	cur := l.product.currency.object()
	periods := []obj{{{"dueDate", sched.start}, {"principalDisbursed", l.approved},
		{"principalLoanBalanceOutstanding", l.approved}, {"feeChargesDue", zero}, {"feeChargesPaid", zero},
		{"totalOriginalDueForPeriod", zero}, {"totalDueForPeriod", zero}, {"totalPaidForPeriod", zero},
		{"totalActualCostOfLoanForPeriod", zero}}}
	for _, p := range sched.periods {
		due := p.principal + p.interest
		periods = append(periods, obj{
			{"period", p.n}, {"fromDate", p.from}, {"dueDate", p.due}, {"complete", false},
			{"daysInPeriod", int(p.due.Time().Sub(p.from.Time()).Hours() / 24)},
			{"principalOriginalDue", p.principal}, {"principalDue", p.principal}, {"principalPaid", zero},
			{"principalWrittenOff", zero}, {"principalOutstanding", p.principal},
			{"principalLoanBalanceOutstanding", p.balance},
			{"interestOriginalDue", p.interest}, {"interestDue", p.interest}, {"interestPaid", zero},
			{"interestWaived", zero}, {"interestWrittenOff", zero}, {"interestOutstanding", p.interest},
			{"feeChargesDue", zero}, {"feeChargesOutstanding", zero}, {"penaltyChargesDue", zero},
			{"penaltyChargesOutstanding", zero},
			{"totalOriginalDueForPeriod", due}, {"totalDueForPeriod", due}, {"totalPaidForPeriod", zero},
			{"totalOutstandingForPeriod", due}, {"totalActualCostOfLoanForPeriod", p.interest},
			{"totalInstallmentAmountForPeriod", due},
		})
	}
	total := sched.principal + sched.interest
	return obj{{"currency", cur}, {"loanTermInDays", int(sched.maturity.Time().Sub(sched.start.Time()).Hours() / 24)},
		{"totalPrincipalDisbursed", l.approved}, {"totalPrincipalExpected", sched.principal},
		{"totalPrincipalPaid", zero}, {"totalInterestCharged", sched.interest}, {"totalFeeChargesCharged", zero},
		{"totalPenaltyChargesCharged", zero}, {"totalRepaymentExpected", total}, {"totalRepayment", zero},
		{"totalOutstanding", total}, {"periods", periods}}
}

// loanTxTypes are LoanEnumerations.transactionType for the types posted.
var loanTxTypes = map[int64][3]string{
	txDisbursement: {"disbursement", "Disbursement", "disbursement"},
	txWriteOff:     {"writeOff", "Close (as written-off)", "writeOff"},
	txAccrual:      {"accrual", "Accrual", "accrual"},
}

// transactionObjects is the transactions association: the live rows
// (LoanReadPlatformServiceImpl.retrieveLoanTransactions hides those an
// undo-disbursal reversed), Accruals included; 1.9 added loanId and
// externalLoanId.
func (s *Server) transactionObjects(l *LoanSnapshot) []obj {
	out := []obj{}
	cl := s.db.clients.rows[l.ClientID]
	for _, t := range l.live() {
		lab := loanTxTypes[t.typ]
		typ := obj{{"id", t.typ}, {"code", "loanTransactionType." + lab[0]}, {"value", lab[1]}}
		for _, flag := range []string{"disbursement", "repayment", "accrual", "writeOff"} {
			typ = append(typ, field{flag, flag == lab[2]})
		}
		o := obj{{"id", t.id}}
		if s.opts.Version.AtLeast(upstream.V1_9) {
			o = append(o, field{"loanId", l.ID}, field{"externalLoanId", optString(l.ExternalID)})
		}
		o = append(o, field{"officeId", cl.OfficeID}, field{"officeName", s.db.offices[cl.OfficeID].name},
			field{"type", typ}, field{"date", t.date}, field{"currency", l.product.currency.object()})
		if t.paymentTypeID != 0 {
			o = append(o, field{"paymentDetailData", obj{{"id", t.id}, {"paymentType", obj{{"id", t.paymentTypeID},
				{"name", s.db.paymentTypes[t.paymentTypeID]}, {"isSystemDefined", false}}}}})
		}
		o = append(o, field{"amount", t.amount}, field{"principalPortion", t.principal},
			field{"interestPortion", t.interest}, field{"feeChargesPortion", decimal(0)},
			field{"penaltyChargesPortion", decimal(0)}, field{"overpaymentPortion", decimal(0)},
			field{"outstandingLoanBalance", t.balance}, field{"submittedOnDate", t.postedOn},
			field{"manuallyReversed", false})
		out = append(out, o)
	}
	return out
}

// listLoans is GET /loans (LoansApiResource.retrieveAll,
// LoanReadPlatformServiceImpl.retrieveAll; facts §7.7): exact externalId
// (1.8's way to find a loan by it) and accountNo, on 1.9+ a numeric status
// (a name fails Integer.parseInt unmapped: 500), paging with the line's
// defaults; no client filter on any line. Items are the single read
// without associations. orderBy and sortOrder are not modelled: rows come
// in id order.
func (s *Server) listLoans(c *call) (obj, error) {
	if err := s.permitRead(loanEntity.name); err != nil {
		return nil, err
	}
	q := c.query
	offset, okOffset := queryInt(q, "offset")
	limit, okLimit := queryInt(q, "limit")
	if !okOffset || !okLimit {
		return nil, springError(http.StatusNotFound)
	}
	status := -1
	if st := q.Get("status"); st != "" && s.opts.Version.AtLeast(upstream.V1_9) {
		n, err := strconv.Atoi(st)
		if err != nil {
			return nil, unmappedError(s.opts.Version, `For input string: "`+st+`"`)
		}
		status = n
	}
	if search := q.Get("sqlSearch"); search != "" && !s.opts.Version.AtLeast(upstream.V1_9) {
		n, err := loanStatusSearch(search)
		if err != nil {
			return nil, err
		}
		status = n
	}
	var rows []*LoanSnapshot
	for _, l := range s.db.loans.sorted() {
		switch {
		case q.Get("externalId") != "" && !collationEqual(l.ExternalID, q.Get("externalId")):
		case q.Get("accountNo") != "" && l.AccountNo != q.Get("accountNo"):
		case status >= 0 && int(l.Status) != status:
		default:
			rows = append(rows, l)
		}
	}
	total := len(rows)
	items := []obj{}
	for _, l := range page(s, rows, offset, limit) {
		items = append(items, s.loanObject(l, false, false))
	}
	return obj{{"totalFilteredRecords", total}, {"pageItems", items}}, nil
}

// loanStatusSearch is the one 1.8 loan sqlSearch the simulator models, a
// status comparison ("l.loan_status_id = 300"), after the injection check
// every sqlSearch passes first (SQLInjectionValidator: 400). Any other
// condition is answered as a database error (500) rather than guessed at.
func loanStatusSearch(search string) (int, error) {
	if err := checkSQLInput(search); err != nil {
		return 0, err
	}
	m := loanStatusCondition.FindStringSubmatch(search)
	if m == nil {
		return 0, springError(http.StatusInternalServerError)
	}
	return strconv.Atoi(m[1])
}

var loanStatusCondition = regexp.MustCompile(`^\s*l\.loan_status_id\s*=\s*([0-9]{1,9})\s*$`)

// unmappedError is a RuntimeException no mapper knows: 1.9+'s
// DefaultExceptionMapper answers {"Exception": message}, 1.8 Spring Boot's
// error JSON.
func unmappedError(v upstream.Version, msg string) error {
	if !exceptionMapperCatchesAll(v) {
		return springError(http.StatusInternalServerError)
	}
	return &apiError{status: http.StatusInternalServerError, body: obj{{"Exception", msg}}}
}
