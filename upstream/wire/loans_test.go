package wire_test

import (
	"encoding/json"
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream/wire"
)

// TestAmount: amounts keep the upstream's decimal text, compare by value and
// never go through float64.
func TestAmount(t *testing.T) {
	tests := []struct {
		in      string
		want    wire.Amount
		wantErr bool
	}{
		{`10000.000000`, "10000.000000", false},
		{`833.33`, "833.33", false},
		{`0`, "0", false},
		{`-1.5`, "-1.5", false},
		{`1E+3`, "1E+3", false},
		{`0.1000000000000000055511151231257827`, "0.1000000000000000055511151231257827", false},
		{`null`, "", false},
		{`"833.33"`, "", true},
		{`01`, "", true},
		{`1.`, "", true},
		{`{}`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var got wire.Amount
			err := json.Unmarshal([]byte(tt.in), &got)
			if tt.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			out, err := json.Marshal(got)
			require.NoError(t, err)
			assert.Equal(t, tt.in, string(out), "marshalled back as the same JSON number")
		})
	}
	assert.Zero(t, wire.Amount("10000.000000").Cmp("10000"))
	assert.Equal(t, -1, wire.Amount("833.33").Cmp("833.330001"))
	sum := new(big.Rat).Add(wire.Amount("0.1").Rat(), wire.Amount("0.2").Rat())
	assert.Zero(t, sum.Cmp(wire.Amount("0.3").Rat()), "0.1 + 0.2 is 0.3")
	assert.Zero(t, wire.Amount("").Rat().Sign(), "absent reads as 0")
	_, err := wire.ParseAmount("1,5")
	assert.Error(t, err)
	_, err = json.Marshal(wire.Amount("abc"))
	assert.Error(t, err, "only decimal text is ever sent")
}

const currencyTZS = `{"code":"TZS","name":"Tanzanian Shilling","decimalPlaces":2,"inMultiplesOf":0,"nameCode":"currency.TZS","displayLabel":"Tanzanian Shilling [TZS]"}`

// productBodies are GET /loanproducts/1 per line (facts §3.3; 1.8.4 with the
// strategy id and the misspelt partial-period key).
var productBodies = map[string]string{
	"1.8":  `{"id":1,"name":"Standard 12-Month","shortName":"STD1","status":"loanProduct.active","currency":` + currencyTZS + `,"principal":10000.000000,"minPrincipal":1000.000000,"maxPrincipal":50000.000000,"numberOfRepayments":12,"minNumberOfRepayments":12,"maxNumberOfRepayments":12,"repaymentEvery":1,"repaymentFrequencyType":{"id":2,"code":"repaymentFrequency.periodFrequencyType.months","value":"Months"},"interestRatePerPeriod":1.500000,"interestRateFrequencyType":{"id":2,"code":"interestRateFrequency.periodFrequencyType.months","value":"Per month"},"annualInterestRate":18.000000,"amortizationType":{"id":1,"code":"amortizationType.equal.installments","value":"Equal installments"},"interestType":{"id":1,"code":"interestType.flat","value":"Flat"},"interestCalculationPeriodType":{"id":1,"code":"interestCalculationPeriodType.same.as.repayment.period","value":"Same as repayment period"},"allowPartialPeriodInterestCalcualtion":false,"inArrearsTolerance":0.000000,"transactionProcessingStrategyId":1,"transactionProcessingStrategyName":"Penalties, Fees, Interest, Principal order","daysInMonthType":{"id":1,"code":"DaysInMonthType.actual","value":"Actual"},"daysInYearType":{"id":1,"code":"DaysInYearType.actual","value":"Actual"},"isInterestRecalculationEnabled":false,"charges":[],"accountingRule":{"id":1,"code":"accountingRuleType.none","value":"NONE"},"multiDisburseLoan":false}`,
	"1.10": `{"id":1,"name":"Standard 12-Month","shortName":"STD1","description":"Standard individual loan, 12 months, monthly repayments","includeInBorrowerCycle":false,"useBorrowerCycle":false,"status":"loanProduct.active","currency":` + currencyTZS + `,"principal":10000.000000,"minPrincipal":1000.000000,"maxPrincipal":50000.000000,"numberOfRepayments":12,"minNumberOfRepayments":12,"maxNumberOfRepayments":12,"repaymentEvery":1,"repaymentFrequencyType":{"id":2,"code":"repaymentFrequency.periodFrequencyType.months","value":"Months"},"interestRatePerPeriod":1.500000,"interestRateFrequencyType":{"id":2,"code":"interestRateFrequency.periodFrequencyType.months","value":"Per month"},"annualInterestRate":18.000000,"isLinkedToFloatingInterestRates":false,"isFloatingInterestRateCalculationAllowed":false,"allowVariableInstallments":false,"amortizationType":{"id":1,"code":"amortizationType.equal.installments","value":"Equal installments"},"interestType":{"id":1,"code":"interestType.flat","value":"Flat"},"interestCalculationPeriodType":{"id":1,"code":"interestCalculationPeriodType.same.as.repayment.period","value":"Same as repayment period"},"allowPartialPeriodInterestCalculation":false,"inArrearsTolerance":0.000000,"transactionProcessingStrategyCode":"mifos-standard-strategy","transactionProcessingStrategyName":"Penalties, Fees, Interest, Principal order","daysInMonthType":{"id":1,"code":"DaysInMonthType.actual","value":"Actual"},"daysInYearType":{"id":1,"code":"DaysInYearType.actual","value":"Actual"},"isInterestRecalculationEnabled":false,"canDefineInstallmentAmount":false,"repaymentStartDateType":{"id":1,"code":"repaymentStartDateType.disbursementDate","value":"Disbursement Date"},"charges":[],"accountingRule":{"id":1,"code":"accountingRuleType.none","value":"NONE"},"canUseForTopup":false,"multiDisburseLoan":false,"syncExpectedWithDisbursementDate":false,"isEqualAmortization":false,"enableDownPayment":false,"enableInstallmentLevelDelinquency":false,"loanScheduleType":{"id":0,"code":"CUMULATIVE","value":"Cumulative"}}`,
}

func TestLoanProductDecoding(t *testing.T) {
	for line, body := range productBodies {
		t.Run(line, func(t *testing.T) {
			var p wire.LoanProductData
			require.NoError(t, json.Unmarshal([]byte(body), &p))
			require.NoError(t, p.WellFormed())
			assert.EqualValues(t, 1, p.ID)
			assert.Equal(t, "TZS", p.Currency.Code)
			assert.Equal(t, 2, p.Currency.DecimalPlaces)
			assert.Equal(t, wire.Amount("1000.000000"), p.MinPrincipal)
			assert.Equal(t, wire.Amount("50000.000000"), p.MaxPrincipal)
			assert.Equal(t, wire.Amount("1.500000"), p.InterestRatePerPeriod)
			assert.Equal(t, 12, p.NumberOfRepayments)
			assert.Equal(t, "Months", p.RepaymentFrequencyType.Value)
			assert.Equal(t, "Per month", p.InterestRateFrequencyType.Value)
			assert.Equal(t, "Flat", p.InterestType.Value)
			assert.True(t, p.Active())
			if line == "1.8" {
				assert.EqualValues(t, 1, p.TransactionProcessingStrategyID)
				assert.Empty(t, p.TransactionProcessingStrategyCode)
			} else {
				assert.Equal(t, "mifos-standard-strategy", p.TransactionProcessingStrategyCode)
				assert.Zero(t, p.TransactionProcessingStrategyID)
			}
		})
	}
}

func TestLoanProductsWellFormed(t *testing.T) {
	tests := []struct {
		name, body, wantErr string
	}{
		{"list", `[` + productBodies["1.10"] + `]`, ""},
		{"empty list", `[]`, ""},
		{"null", `null`, "not a list"},
		{"item without id", `[{"name":"x"}]`, "item 0: loan product answer carries no id"},
		{"item without currency", `[{"id":3,"repaymentFrequencyType":{"id":2}}]`, "loan product 3 carries no currency"},
		{"item without terms", `[{"id":3,"currency":{"code":"TZS"}}]`, "loan product 3 lacks its loan terms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ps wire.LoanProducts
			require.NoError(t, json.Unmarshal([]byte(tt.body), &ps))
			err := ps.WellFormed()
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, tt.wantErr)
		})
	}
}

// loanActive is GET /loans/501?associations=repaymentSchedule,transactions
// on 1.9+ (facts §7.6, trimmed); loanApproved18 a 1.8.4 Approved loan, which
// has no summary.
const (
	statusActive = `{"id":300,"code":"loanStatusType.active","value":"Active","pendingApproval":false,"waitingForDisbursal":false,"active":true,"closedObligationsMet":false,"closedWrittenOff":false,"closedRescheduled":false,"closed":false,"overpaid":false}`
	loanActive   = `{"id":501,"accountNo":"000000501","externalId":"halotel-tx-12345","status":` + statusActive + `,"clientId":42,"clientAccountNo":"000000042","clientName":"ext-ada-001 Customer","clientExternalId":"ext-ada-001","clientOfficeId":1,"loanProductId":1,"loanProductName":"Standard 12-Month","loanType":{"id":1,"code":"accountType.individual","value":"Individual"},"currency":` + currencyTZS + `,"principal":10000.000000,"approvedPrincipal":10000.000000,"proposedPrincipal":10000.000000,"netDisbursalAmount":10000.000000,"termFrequency":12,"termPeriodFrequencyType":{"id":2,"code":"termFrequency.periodFrequencyType.months","value":"Months"},"numberOfRepayments":12,"repaymentEvery":1,"repaymentFrequencyType":{"id":2,"code":"repaymentFrequency.periodFrequencyType.months","value":"Months"},"interestRatePerPeriod":1.500000,"interestRateFrequencyType":{"id":2,"code":"interestRateFrequency.periodFrequencyType.months","value":"Per month"},"annualInterestRate":18.000000,"amortizationType":{"id":1,"code":"amortizationType.equal.installments","value":"Equal installments"},"interestType":{"id":1,"code":"interestType.flat","value":"Flat"},"interestCalculationPeriodType":{"id":1,"code":"interestCalculationPeriodType.same.as.repayment.period","value":"Same as repayment period"},"transactionProcessingStrategyCode":"mifos-standard-strategy",` +
		`"timeline":{"submittedOnDate":[2026,5,25],"submittedByUsername":"mifos","approvedOnDate":[2026,5,25],"expectedDisbursementDate":[2026,5,25],"actualDisbursementDate":[2026,5,25],"expectedMaturityDate":[2027,5,25]},` +
		`"summary":{"currency":` + currencyTZS + `,"principalDisbursed":10000.000000,"principalAdjustments":0,"principalPaid":0,"principalWrittenOff":0,"principalOutstanding":10000.000000,"principalOverdue":0,"interestCharged":1800.000000,"interestPaid":0,"interestWaived":0,"interestWrittenOff":0,"interestOutstanding":1800.000000,"interestOverdue":0,"feeChargesCharged":0,"feeChargesPaid":0,"feeChargesOutstanding":0,"penaltyChargesCharged":0,"penaltyChargesPaid":0,"penaltyChargesOutstanding":0,"totalExpectedRepayment":11800.000000,"totalRepayment":0,"totalOutstanding":11800.000000,"totalOverdue":0,"totalRecovered":0},` +
		`"repaymentSchedule":{"currency":` + currencyTZS + `,"loanTermInDays":365,"totalPrincipalDisbursed":10000.000000,"totalPrincipalExpected":10000.00,"totalRepaymentExpected":11800.00,"totalOutstanding":11800.00,"periods":[` +
		`{"dueDate":[2026,5,25],"principalDisbursed":10000.000000,"principalLoanBalanceOutstanding":10000.000000,"feeChargesDue":0,"totalOriginalDueForPeriod":0,"totalDueForPeriod":0,"totalPaidForPeriod":0,"totalCredits":0,"downPaymentPeriod":false},` +
		`{"period":1,"fromDate":[2026,5,25],"dueDate":[2026,6,25],"complete":false,"daysInPeriod":31,"principalOriginalDue":833.330000,"principalDue":833.330000,"principalPaid":0,"principalOutstanding":833.330000,"interestDue":150.000000,"interestPaid":0,"interestOutstanding":150.000000,"feeChargesDue":0,"penaltyChargesDue":0,"totalDueForPeriod":983.330000,"totalPaidForPeriod":0,"totalOutstandingForPeriod":983.330000,"totalInstallmentAmountForPeriod":983.33,"downPaymentPeriod":false},` +
		`{"period":12,"fromDate":[2027,4,25],"dueDate":[2027,5,25],"complete":false,"principalDue":833.370000,"interestDue":150.000000,"totalDueForPeriod":983.370000,"totalOutstandingForPeriod":983.370000}]},` +
		`"transactions":[` +
		`{"id":9001,"loanId":501,"externalLoanId":"halotel-tx-12345","officeId":1,"type":{"id":1,"code":"loanTransactionType.disbursement","value":"Disbursement","disbursement":true,"repayment":false,"accrual":false},"date":[2026,5,25],"currency":` + currencyTZS + `,"paymentDetailData":{"id":9001,"paymentType":{"id":1,"name":"Money Transfer","isSystemDefined":false}},"amount":10000.000000,"principalPortion":0,"interestPortion":0,"feeChargesPortion":0,"penaltyChargesPortion":0,"overpaymentPortion":0,"outstandingLoanBalance":10000.000000,"submittedOnDate":[2026,5,25],"manuallyReversed":false,"loanChargePaidByList":[],"transactionRelations":[]},` +
		`{"id":9002,"loanId":501,"type":{"id":10,"code":"loanTransactionType.accrual","value":"Accrual","accrual":true},"date":[2026,5,25],"amount":1800.000000,"interestPortion":1800.000000,"manuallyReversed":false}],` +
		`"feeChargesAtDisbursementCharged":0,"inArrears":false,"isNPA":false}`
	loanApproved18 = `{"id":7,"accountNo":"000000007","status":{"id":200,"code":"loanStatusType.approved","value":"Approved","pendingApproval":false,"waitingForDisbursal":true,"active":false,"closedObligationsMet":false,"closedWrittenOff":false,"closedRescheduled":false,"closed":false,"overpaid":false},"clientId":42,"clientName":"Ada Customer","loanProductId":1,"currency":` + currencyTZS + `,"principal":5000.000000,"approvedPrincipal":5000.000000,"proposedPrincipal":5000.000000,"termFrequency":12,"numberOfRepayments":12,"repaymentEvery":1,"interestRatePerPeriod":1.500000,"transactionProcessingStrategyId":1,"timeline":{"submittedOnDate":[2023,2,1],"approvedOnDate":[2023,2,1],"expectedDisbursementDate":[2023,2,1]}}`
)

func TestLoanDecoding(t *testing.T) {
	t.Run("1.10 active with associations", func(t *testing.T) {
		var l wire.LoanData
		require.NoError(t, json.Unmarshal([]byte(loanActive), &l))
		require.NoError(t, l.WellFormed())
		assert.EqualValues(t, wire.LoanStatusActive, l.StatusID())
		assert.Equal(t, "halotel-tx-12345", l.ExternalID)
		assert.Equal(t, "ext-ada-001", l.ClientExternalID)
		assert.Equal(t, "mifos-standard-strategy", l.TransactionProcessingStrategyCode)
		assert.Equal(t, "2026-05-25", l.Timeline.ActualDisbursementDate.ISO())
		assert.Equal(t, "2027-05-25", l.Timeline.ExpectedMaturityDate.ISO())
		require.NotNil(t, l.Summary)
		assert.Equal(t, wire.Amount("11800.000000"), l.Summary.TotalOutstanding)
		assert.Equal(t, wire.Amount("0"), l.Summary.TotalRepayment)
		require.NotNil(t, l.RepaymentSchedule)
		periods := l.RepaymentSchedule.Periods
		require.Len(t, periods, 3)
		assert.False(t, periods[0].Installment(), "the disbursement pseudo-period")
		assert.True(t, periods[1].Installment())
		assert.Equal(t, "2026-06-25", periods[1].DueDate.ISO())
		assert.Equal(t, wire.Amount("983.330000"), periods[1].TotalOutstandingForPeriod)
		assert.Equal(t, wire.Amount("833.370000"), periods[2].PrincipalDue)
		require.Len(t, l.Transactions, 2)
		assert.EqualValues(t, wire.LoanTransactionDisbursement, l.Transactions[0].TypeID())
		assert.EqualValues(t, 1, l.Transactions[0].PaymentDetailData.PaymentType.ID)
		assert.EqualValues(t, wire.LoanTransactionAccrual, l.Transactions[1].TypeID(), "Accrual rows are among the transactions")
		assert.False(t, l.Transactions[1].Reversed())
	})
	t.Run("1.8 approved has no summary", func(t *testing.T) {
		var l wire.LoanData
		require.NoError(t, json.Unmarshal([]byte(loanApproved18), &l))
		require.NoError(t, l.WellFormed())
		assert.EqualValues(t, wire.LoanStatusApproved, l.StatusID())
		assert.Nil(t, l.Summary)
		assert.Nil(t, l.RepaymentSchedule)
		assert.EqualValues(t, 1, l.TransactionProcessingStrategyID)
		assert.Empty(t, l.ExternalID)
	})
	t.Run("reversed transactions", func(t *testing.T) {
		var txs []wire.LoanTransaction
		require.NoError(t, json.Unmarshal([]byte(`[{"id":1,"manuallyReversed":true},{"id":2,"reversedOnDate":[2026,5,26],"manuallyReversed":false},{"id":3,"manuallyReversed":false}]`), &txs))
		assert.True(t, txs[0].Reversed())
		assert.True(t, txs[1].Reversed())
		assert.False(t, txs[2].Reversed())
		assert.Zero(t, txs[2].TypeID())
	})
	for name, body := range map[string]string{"null": `null`, "{}": `{}`, "no status": `{"id":5}`, "status 0": `{"id":5,"status":{"id":0}}`} {
		t.Run("not a loan: "+name, func(t *testing.T) {
			var l wire.LoanData
			require.NoError(t, json.Unmarshal([]byte(body), &l))
			assert.Error(t, l.WellFormed())
		})
	}
}

// TestLoanBodies: the write bodies carry what the upstream insists on and
// nothing it refuses.
func TestLoanBodies(t *testing.T) {
	tests := []struct {
		name string
		body any
		want string
	}{
		{"undo with no note is {}", wire.LoanNote{}, `{}`},
		{"undo with a note", wire.LoanNote{Note: "payout failed"}, `{"note":"payout failed"}`},
		{"disburse the approved principal", wire.LoanDisburse{ActualDisbursementDate: "2026-05-25", PaymentTypeID: 1, DateFormat: wire.DateFormat, Locale: wire.Locale},
			`{"actualDisbursementDate":"2026-05-25","paymentTypeId":1,"dateFormat":"yyyy-MM-dd","locale":"en"}`},
		{"approve", wire.LoanApprove{ApprovedOnDate: "2026-05-25", DateFormat: wire.DateFormat, Locale: wire.Locale},
			`{"approvedOnDate":"2026-05-25","dateFormat":"yyyy-MM-dd","locale":"en"}`},
		{"write-off", wire.LoanWriteOff{TransactionDate: "2026-09-01", DateFormat: wire.DateFormat, Locale: wire.Locale},
			`{"transactionDate":"2026-09-01","dateFormat":"yyyy-MM-dd","locale":"en"}`},
		{"repayment", wire.LoanRepayment{TransactionDate: "2026-06-25", TransactionAmount: "983.33", ExternalID: "lmsproxy-501-wallet-tx-778", DateFormat: wire.DateFormat, Locale: wire.Locale},
			`{"transactionDate":"2026-06-25","transactionAmount":983.33,"externalId":"lmsproxy-501-wallet-tx-778","dateFormat":"yyyy-MM-dd","locale":"en"}`},
		{"repayment with a note", wire.LoanRepayment{TransactionDate: "2026-06-25", TransactionAmount: "1", Note: "halopesa", DateFormat: wire.DateFormat, Locale: wire.Locale},
			`{"transactionDate":"2026-06-25","transactionAmount":1,"note":"halopesa","dateFormat":"yyyy-MM-dd","locale":"en"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.body)
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, string(got))
		})
	}
}

// Transactions as GET /loans/{id}/transactions/{txId} returns them
// (fineract-loans-facts §9.3): 1.10 with loanId and reversedOnDate, 1.8
// without either.
const (
	repayment110 = `{"id":9010,"loanId":501,"externalLoanId":"halotel-tx-12345","officeId":1,"officeName":"Head Office","type":{"id":2,"code":"loanTransactionType.repayment","value":"Repayment","disbursement":false,"repayment":true,"accrual":false,"writeOff":false},"date":[2026,6,25],"currency":` + currencyTZS + `,"paymentDetailData":{"id":9010,"paymentType":{"id":1,"name":"Money Transfer","isSystemDefined":false}},"amount":983.330000,"netDisbursalAmount":10000.000000,"principalPortion":833.330000,"interestPortion":150.000000,"feeChargesPortion":0,"penaltyChargesPortion":0,"overpaymentPortion":0,"unrecognizedIncomePortion":0,"externalId":"wallet-tx-778","outstandingLoanBalance":9166.670000,"submittedOnDate":[2026,6,26],"manuallyReversed":false,"loanChargePaidByList":[],"reversedOnDate":[2026,6,27],"transactionRelations":[]}`
	repayment18  = `{"id":9010,"officeId":1,"officeName":"Head Office","type":{"id":2,"code":"loanTransactionType.repayment","value":"Repayment","disbursement":false,"repayment":true},"date":[2026,6,25],"currency":` + currencyTZS + `,"amount":983.330000,"principalPortion":833.330000,"interestPortion":150.000000,"feeChargesPortion":0,"penaltyChargesPortion":0,"overpaymentPortion":0,"unrecognizedIncomePortion":0,"externalId":"wallet-tx-778","outstandingLoanBalance":9166.670000,"submittedOnDate":[2026,6,25],"manuallyReversed":false,"loanChargePaidByList":[]}`
)

func TestLoanTransactionDecoding(t *testing.T) {
	tests := []struct {
		line, body string
		loanID     int64
		reversed   bool
		submitted  string
	}{
		{"1.10", repayment110, 501, true, "2026-06-26"},
		{"1.8", repayment18, 0, false, "2026-06-25"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			var tx wire.LoanTransaction
			require.NoError(t, json.Unmarshal([]byte(tt.body), &tx))
			require.NoError(t, tx.WellFormed())
			assert.EqualValues(t, 9010, tx.ID)
			assert.Equal(t, tt.loanID, tx.LoanID, "loanId exists from 1.9")
			assert.EqualValues(t, wire.LoanTransactionRepayment, tx.TypeID())
			assert.Equal(t, "2026-06-25", tx.Date.ISO(), "the value date")
			assert.Equal(t, tt.submitted, tx.SubmittedOnDate.ISO(), "the business date it was posted on")
			assert.Equal(t, wire.Amount("983.330000"), tx.Amount)
			assert.Equal(t, wire.Amount("833.330000"), tx.PrincipalPortion)
			assert.Equal(t, wire.Amount("150.000000"), tx.InterestPortion)
			assert.Equal(t, wire.Amount("0"), tx.FeeChargesPortion, "portions are present at 0")
			assert.Equal(t, wire.Amount("0"), tx.OverpaymentPortion)
			assert.Equal(t, "wallet-tx-778", tx.ExternalID)
			assert.Equal(t, tt.reversed, tx.Reversed(), "reversedOnDate (1.9+) marks a reversal")
		})
	}
	for name, body := range map[string]string{"null": `null`, "{}": `{}`, "no type": `{"id":5}`, "type 0": `{"id":5,"type":{"id":0}}`} {
		t.Run("not a transaction: "+name, func(t *testing.T) {
			var tx wire.LoanTransaction
			require.NoError(t, json.Unmarshal([]byte(body), &tx))
			assert.Error(t, tx.WellFormed())
		})
	}
}
