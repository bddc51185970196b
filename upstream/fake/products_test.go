package fake_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream"
	"lmsproxy/upstream/fake"
)

// TestLoanProductOneShape pins GET /loanproducts/{id} per line: 1.8 names the
// strategy by id and keeps the Calcualtion typo; 1.9 adds the repayment
// start date type, down payment, delinquency and schedule types; money has
// the DECIMAL(19,6) scale.
func TestLoanProductOneShape(t *testing.T) {
	head := `{"id":1,"name":"Standard 12-Month","shortName":"STD1","description":"Standard individual loan, 12 months, monthly repayments",
		"includeInBorrowerCycle":false,"useBorrowerCycle":false,"status":"loanProduct.active",
		"currency":{"code":"TZS","name":"Tanzanian Shilling","decimalPlaces":2,"inMultiplesOf":0,"nameCode":"currency.TZS","displayLabel":"Tanzanian Shilling [TZS]"},
		"principal":10000,"minPrincipal":1000,"maxPrincipal":50000,"numberOfRepayments":12,"minNumberOfRepayments":12,"maxNumberOfRepayments":12,
		"repaymentEvery":1,"repaymentFrequencyType":{"id":2,"code":"repaymentFrequency.periodFrequencyType.months","value":"Months"},
		"interestRatePerPeriod":1.5,"interestRateFrequencyType":{"id":2,"code":"interestRateFrequency.periodFrequencyType.months","value":"Per month"},
		"annualInterestRate":18,"isLinkedToFloatingInterestRates":false,"isFloatingInterestRateCalculationAllowed":false,"allowVariableInstallments":false,
		"amortizationType":{"id":1,"code":"amortizationType.equal.installments","value":"Equal installments"},
		"interestType":{"id":1,"code":"interestType.flat","value":"Flat"},
		"interestCalculationPeriodType":{"id":1,"code":"interestCalculationPeriodType.same.as.repayment.period","value":"Same as repayment period"},`
	mid := `"transactionProcessingStrategyName":"Penalties, Fees, Interest, Principal order",
		"daysInMonthType":{"id":1,"code":"DaysInMonthType.actual","value":"Actual"},"daysInYearType":{"id":1,"code":"DaysInYearType.actual","value":"Actual"},
		"isInterestRecalculationEnabled":false,"canDefineInstallmentAmount":false,`
	tail := `"charges":[],"accountingRule":{"id":1,"code":"accountingRuleType.none","value":"NONE"},"canUseForTopup":false,"isRatesEnabled":false,
		"multiDisburseLoan":false,"holdGuaranteeFunds":false,"accountMovesOutOfNPAOnlyOnArrearsCompletion":false,
		"syncExpectedWithDisbursementDate":false,"isEqualAmortization":false`
	want := map[upstream.Version]string{
		upstream.V1_8: head + `"allowPartialPeriodInterestCalcualtion":false,"inArrearsTolerance":0,"transactionProcessingStrategyId":1,` +
			mid + tail + `}`,
		upstream.V1_10: head + `"allowPartialPeriodInterestCalculation":false,"inArrearsTolerance":0,"transactionProcessingStrategyCode":"mifos-standard-strategy",` +
			mid + `"repaymentStartDateType":{"id":1,"code":"repaymentStartDateType.disbursementDate","value":"Disbursement Date"},` + tail +
			`,"enableDownPayment":false,"enableAutoRepaymentForDownPayment":false,"enableInstallmentLevelDelinquency":false,
			"loanScheduleType":{"id":0,"code":"CUMULATIVE","value":"Cumulative"},"loanScheduleProcessingType":{"id":0,"code":"HORIZONTAL","value":"Horizontal"}}`,
	}
	want[upstream.V1_9] = want[upstream.V1_10]
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		r := do(t, s, http.MethodGet, "loanproducts/1", "")
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
		assert.JSONEq(t, want[v], string(r.Raw))
		assert.Contains(t, string(r.Raw), `"principal":10000.000000,"minPrincipal":1000.000000`, "DECIMAL(19,6) scale")
		assert.Contains(t, string(r.Raw), `"interestRatePerPeriod":1.500000`)
	})
}

// TestLoanProductList: a plain array in id order, without charges.
func TestLoanProductList(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		r := do(t, s, http.MethodGet, "loanproducts", "")
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
		var list []map[string]any
		require.NoError(t, json.Unmarshal(r.Raw, &list))
		require.Len(t, list, 2)
		for i, want := range []struct {
			id       int64
			name     string
			interest string
		}{{fake.SeedFlatProductID, "Standard 12-Month", "Flat"}, {fake.SeedDecliningProductID, "Declining 12-Month", "Declining Balance"}} {
			assert.Equal(t, float64(want.id), list[i]["id"])
			assert.Equal(t, want.name, list[i]["name"])
			assert.Equal(t, want.interest, list[i]["interestType"].(map[string]any)["value"])
			assert.NotContains(t, list[i], "charges", "list items have no charges")
		}
	})
}

// TestLoanProductErrors: unknown ids, the external-id route (1.9+ only),
// an unconvertible id and the read permission.
func TestLoanProductErrors(t *testing.T) {
	notFound := func(key string) item {
		return item{code: "error.msg.loanproduct.id.invalid", msg: "Loan product with identifier " + key + " does not exist", param: "id"}
	}
	cases := []struct {
		name     string
		versions []upstream.Version
		deny     string
		path     string
		status   int
		top      string
		items    []item
	}{
		{"unknown id", allVersions, "", "loanproducts/99", 404, "error.msg.resource.not.found", []item{notFound("99")}},
		{"unknown external id", []upstream.Version{upstream.V1_9, upstream.V1_10}, "", "loanproducts/external-id/p-1", 404,
			"error.msg.resource.not.found", []item{notFound("p-1")}},
		{"no permission", allVersions, "READ_LOANPRODUCT", "loanproducts", 403, "error.msg.not.authorized",
			[]item{{code: "error.msg.not.authorized", msg: "User has no authority to READ loanproducts"}}},
		{"no permission one", allVersions, "READ_LOANPRODUCT", "loanproducts/1", 403, "error.msg.not.authorized",
			[]item{{code: "error.msg.not.authorized", msg: "User has no authority to READ loanproducts"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			forEachVersion(t, tc.versions, func(t *testing.T, v upstream.Version, s *fake.Server) {
				if tc.deny != "" {
					s.DenyPermission(tc.deny)
				}
				wantError(t, do(t, s, http.MethodGet, tc.path, ""), tc.status, tc.top, tc.items...)
			})
		})
	}
	t.Run("no external-id route on 1.8", func(t *testing.T) {
		forEachVersion(t, []upstream.Version{upstream.V1_8}, func(t *testing.T, v upstream.Version, s *fake.Server) {
			assert.Equal(t, http.StatusNotFound, do(t, s, http.MethodGet, "loanproducts/external-id/p-1", "").Status)
		})
	})
	t.Run("unconvertible id", func(t *testing.T) {
		forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
			assert.Equal(t, http.StatusNotFound, do(t, s, http.MethodGet, "loanproducts/abc", "").Status)
		})
	})
}
