package translate_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/translate"
	"lmsproxy/upstream/wire"
)

func amount(t *testing.T, s string) translate.Amount {
	t.Helper()
	a, err := translate.AmountFromUpstream(s)
	require.NoError(t, err)
	return a
}

func date(t *testing.T, s string) wire.Date {
	t.Helper()
	d, err := wire.ParseISODate(s)
	require.NoError(t, err)
	return d
}

// The zero Loan already has the full balance roll-up at 0 and an empty
// schedule array: a Submitted loan, which the upstream sends without a
// summary, reads the same as any other.
func TestLoanShapeBalancesAlwaysPresent(t *testing.T) {
	b, err := json.Marshal(translate.Loan{ID: "7", Principal: amount(t, "10000.000000"), RepaymentSchedule: []translate.Instalment{}})
	require.NoError(t, err)
	var got map[string]any
	require.NoError(t, json.Unmarshal(b, &got))
	for _, f := range []string{"principalDisbursed", "principalPaid", "principalWrittenOff", "principalOutstanding",
		"interestCharged", "interestPaid", "interestWaived", "interestOutstanding", "feeChargesCharged", "feeChargesPaid",
		"feeChargesOutstanding", "penaltyChargesCharged", "penaltyChargesPaid", "penaltyChargesOutstanding",
		"totalExpectedRepayment", "totalRepayment", "totalOutstanding", "totalOverdue"} {
		assert.Contains(t, string(b), `"`+f+`":0`, f)
	}
	assert.Equal(t, []any{}, got["repaymentSchedule"])
	assert.Contains(t, string(b), `"principal":10000,`)
	for _, absent := range []string{"externalId", "approvedPrincipal", "submittedDate", "nextDueDate", "nextDueAmount", "closedDate"} {
		assert.NotContains(t, got, absent)
	}
	assert.NotContains(t, string(b), "null")
}

func TestLoanStatusLabel(t *testing.T) {
	tests := []struct {
		id   int64
		want string
	}{
		{100, "Submitted and pending approval"}, {200, "Approved"}, {300, "Active"},
		{303, "Transfer in progress"}, {304, "Transfer on hold"}, {400, "Withdrawn by applicant"},
		{500, "Rejected"}, {600, "Closed (obligations met)"}, {601, "Closed (written off)"},
		{602, "Closed (rescheduled)"}, {700, "Overpaid"}, {0, "Unknown"}, {999, "Unknown"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, translate.LoanStatusLabel(tt.id), tt.id)
	}
}

func TestParseLoanCreate(t *testing.T) {
	id, ext, loanExt := int64(42), "Client-7", "halotel-tx-12345"
	tests := []struct {
		name    string
		body    string
		want    translate.LoanCreateRequest
		wantErr string
	}{
		{"contract example", `{"customerId": 42, "productId": 1, "principal": 10000, "externalId": "halotel-tx-12345"}`,
			translate.LoanCreateRequest{CustomerID: &id, ProductID: 1, Principal: amount(t, "10000"), ExternalID: &loanExt}, ""},
		{"customer by externalId, ids as digits", `{"customerExternalId":"Client-7","productId":"1","principal":833.33}`,
			translate.LoanCreateRequest{CustomerExternalID: &ext, ProductID: 1, Principal: amount(t, "833.33")}, ""},
		{"no customer", `{"productId":1,"principal":1}`, translate.LoanCreateRequest{},
			`[{"field":"customerId","error":"required unless customerExternalId is given"}]`},
		{"both customers", `{"customerId":42,"customerExternalId":"c","productId":1,"principal":1}`, translate.LoanCreateRequest{},
			`[{"field":"customerExternalId","error":"must not be given with customerId"}]`},
		{"everything missing", `{}`, translate.LoanCreateRequest{},
			`[{"field":"productId","error":"required"},{"field":"principal","error":"required"},{"field":"customerId","error":"required unless customerExternalId is given"}]`},
		{"zero principal", `{"customerId":42,"productId":1,"principal":0}`, translate.LoanCreateRequest{},
			`[{"field":"principal","error":"must be greater than 0"}]`},
		{"principal as a string", `{"customerId":42,"productId":1,"principal":"10000"}`, translate.LoanCreateRequest{},
			`[{"field":"principal","error":"must be a number"}]`},
		{"principal finer than the upstream stores", `{"customerId":42,"productId":1,"principal":1.0000001}`, translate.LoanCreateRequest{},
			`[{"field":"principal","error":"must have at most 6 decimal places"}]`},
		{"bad product", `{"customerId":42,"productId":-1,"principal":1}`, translate.LoanCreateRequest{},
			`[{"field":"productId","error":"must be a positive integer"}]`},
		{"externalId too long", `{"customerId":42,"productId":1,"principal":1,"externalId":"` + strings.Repeat("x", 101) + `"}`, translate.LoanCreateRequest{},
			`[{"field":"externalId","error":"must be 1 to 100 characters (UTF-16 code units: an emoji counts as 2)"}]`},
		{"terms come from the product", `{"customerId":42,"productId":1,"principal":1,"numberOfRepayments":12}`, translate.LoanCreateRequest{},
			`[{"field":"numberOfRepayments","error":"unknown field"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := translate.ParseLoanCreate([]byte(tt.body))
			assertParsed(t, tt.want, got, err, tt.wantErr)
		})
	}
}

func TestLoanCreateTarget(t *testing.T) {
	req, err := translate.ParseLoanCreate([]byte(`{"customerExternalId":"Client-7","productId":3,"principal":5,"externalId":"l-1"}`))
	require.Nil(t, err)
	got := req.Target()
	assert.Equal(t, translate.Loans, got.Resource)
	assert.Equal(t, []translate.Ref{
		{Resource: translate.Customers, Field: "customerExternalId", Value: "Client-7"},
		{Resource: translate.Products, Field: "productId", Value: "3"},
	}, got.Refs)
	assert.Equal(t, []string{"l-1"}, got.Values)
	assert.Equal(t, map[string]string{"clientId": "customerExternalId", "productId": "productId", "principal": "principal", "externalId": "externalId"}, got.Fields)

	req, err = translate.ParseLoanCreate([]byte(`{"customerId":42,"productId":3,"principal":5}`))
	require.Nil(t, err)
	got = req.Target()
	assert.Equal(t, "customerId", got.Refs[0].Field)
	assert.Empty(t, got.Values, "no externalId from the partner: none to name")
	assert.NotContains(t, got.Fields, "externalId", "an externalId the proxy generated is not the partner's field")
}

func TestProductCheckPrincipal(t *testing.T) {
	lo, hi := amount(t, "1000.000000"), amount(t, "50000.000000")
	both := translate.Product{ID: "1", CurrencyCode: "TZS", CurrencyDecimals: 2, MinPrincipal: &lo, MaxPrincipal: &hi}
	minOnly := translate.Product{ID: "2", CurrencyCode: "TZS", CurrencyDecimals: 2, MinPrincipal: &lo}
	maxOnly := translate.Product{ID: "3", CurrencyCode: "UGX", CurrencyDecimals: 0, MaxPrincipal: &hi}
	tests := []struct {
		name    string
		product translate.Product
		amount  string
		wantErr string
	}{
		{"within", both, "10000", ""},
		{"at the minimum", both, "1000", ""},
		{"at the maximum", both, "50000", ""},
		{"cents", both, "1000.01", ""},
		{"below", both, "999.99", `[{"field":"principal","error":"must be between 1000 and 50000 for product 1"}]`},
		{"above", both, "50000.01", `[{"field":"principal","error":"must be between 1000 and 50000 for product 1"}]`},
		{"far above, more digits", both, "100000", `[{"field":"principal","error":"must be between 1000 and 50000 for product 1"}]`},
		{"below a lone minimum", minOnly, "5", `[{"field":"principal","error":"must be at least 1000 for product 2"}]`},
		{"no maximum", minOnly, "9999999999", ""},
		{"above a lone maximum", maxOnly, "50001", `[{"field":"principal","error":"must be at most 50000 for product 3"}]`},
		{"more decimals than the currency", both, "1000.001", `[{"field":"principal","error":"must have at most 2 decimal places (TZS)"}]`},
		{"a whole-unit currency", maxOnly, "10.5", `[{"field":"principal","error":"must be a whole number (UGX)"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.product.CheckPrincipal("principal", amount(t, tt.amount))
			assertParsed[any](t, nil, nil, err, tt.wantErr)
		})
	}
}

func TestParseLoanUpdate(t *testing.T) {
	n, ext := int64(6), "new-ext"
	p, r, zero := amount(t, "2000"), amount(t, "1.25"), amount(t, "0")
	tests := []struct {
		name    string
		body    string
		want    translate.LoanUpdateRequest
		wantErr string
	}{
		{"all four", `{"principal":2000,"numberOfRepayments":6,"interestRatePerPeriod":1.25,"externalId":"new-ext"}`,
			translate.LoanUpdateRequest{Principal: &p, NumberOfRepayments: &n, InterestRatePerPeriod: &r, ExternalID: &ext}, ""},
		{"an interest-free rate", `{"interestRatePerPeriod":0}`, translate.LoanUpdateRequest{InterestRatePerPeriod: &zero}, ""},
		{"nothing to change", `{}`, translate.LoanUpdateRequest{},
			`[{"field":"body","error":"must change at least one of principal, numberOfRepayments, interestRatePerPeriod, externalId"}]`},
		{"negative rate", `{"interestRatePerPeriod":-1}`, translate.LoanUpdateRequest{}, `[{"field":"interestRatePerPeriod","error":"must be 0 or greater"}]`},
		{"zero repayments", `{"numberOfRepayments":0}`, translate.LoanUpdateRequest{}, `[{"field":"numberOfRepayments","error":"must be a positive integer"}]`},
		{"a field update does not take", `{"productId":2}`, translate.LoanUpdateRequest{}, `[{"field":"productId","error":"unknown field"}]`},
		{"empty body", ``, translate.LoanUpdateRequest{}, `[{"field":"body","error":"must be a JSON object"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := translate.ParseLoanUpdate([]byte(tt.body))
			assertParsed(t, tt.want, got, err, tt.wantErr)
		})
	}
}

func TestLoanUpdateTarget(t *testing.T) {
	req, err := translate.ParseLoanUpdate([]byte(`{"numberOfRepayments":6,"externalId":"new"}`))
	require.Nil(t, err)
	got := req.Target(translate.Loans.ByExternalID("old"))
	assert.Equal(t, "old", got.ExternalID)
	assert.Equal(t, []string{"old", "new"}, got.Values)
	assert.Equal(t, map[string]string{"numberOfRepayments": "numberOfRepayments", "loanTermFrequency": "numberOfRepayments", "externalId": "externalId"}, got.Fields)
}

func TestParseNote(t *testing.T) {
	note := "wallet payout failed"
	tests := []struct {
		name    string
		body    string
		want    *string
		wantErr string
	}{
		{"empty body", ``, nil, ""},
		{"white space only", " \n", nil, ""},
		{"empty object", `{}`, nil, ""},
		{"a note", `{"note":"wallet payout failed"}`, &note, ""},
		{"a note at the limit", `{"note":"` + strings.Repeat("n", 1000) + `"}`, ptr(strings.Repeat("n", 1000)), ""},
		{"a note too long", `{"note":"` + strings.Repeat("n", 1001) + `"}`, nil,
			`[{"field":"note","error":"must be at most 1000 characters (UTF-16 code units: an emoji counts as 2)"}]`},
		{"a note as a number", `{"note":5}`, nil, `[{"field":"note","error":"must be a string"}]`},
		{"anything else", `{"reason":"x"}`, nil, `[{"field":"reason","error":"unknown field"}]`},
		{"not an object", `"x"`, nil, `[{"field":"body","error":"must be a JSON object"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := translate.ParseNote([]byte(tt.body))
			assertParsed(t, tt.want, got.Note, err, tt.wantErr)
		})
	}
}

func TestParseAdjustDisbursement(t *testing.T) {
	got, err := translate.ParseAdjustDisbursement([]byte(`{"actualDisbursementDate":"2026-05-20","note":"payout on the 20th"}`))
	require.Nil(t, err)
	assert.Equal(t, "2026-05-20", got.ActualDisbursementDate.ISO())
	assert.Equal(t, "payout on the 20th", *got.Note)

	for body, want := range map[string]string{
		``:                                       `[{"field":"body","error":"must be a JSON object"}]`,
		`{}`:                                     `[{"field":"actualDisbursementDate","error":"required"}]`,
		`{"actualDisbursementDate":[2026,5,20]}`: `[{"field":"actualDisbursementDate","error":"must be a date YYYY-MM-DD"}]`,
		`{"actualDisbursementDate":"20 May 2026"}`: `[{"field":"actualDisbursementDate","error":"must be a date YYYY-MM-DD"}]`,
	} {
		_, err := translate.ParseAdjustDisbursement([]byte(body))
		require.NotNil(t, err, body)
		assert.Equal(t, want, err.Message, body)
	}
}

func TestParseWriteOff(t *testing.T) {
	got, err := translate.ParseWriteOff(nil)
	require.Nil(t, err, "every field is optional")
	assert.Nil(t, got.TransactionDate)
	assert.Equal(t, map[string]string{"note": "note"}, got.Target(translate.Loans.ByID("5")).Fields,
		"a date the proxy fills in is not the partner's field")

	got, err = translate.ParseWriteOff([]byte(`{"transactionDate":"2026-09-01"}`))
	require.Nil(t, err)
	assert.Equal(t, "2026-09-01", got.TransactionDate.ISO())
	assert.Equal(t, "transactionDate", got.Target(translate.Loans.ByID("5")).Fields["transactionDate"])

	_, err = translate.ParseWriteOff([]byte(`{"transactionDate":"2026-02-30"}`))
	require.NotNil(t, err)
	assert.Equal(t, `[{"field":"transactionDate","error":"must be a date YYYY-MM-DD"}]`, err.Message)
}

func TestCheckDate(t *testing.T) {
	today, approved := date(t, "2026-05-25"), date(t, "2026-05-10")
	tests := []struct {
		name, date, wantErr string
	}{
		{"today", "2026-05-25", ""},
		{"the earliest day", "2026-05-10", ""},
		{"tomorrow", "2026-05-26", `[{"field":"actualDisbursementDate","error":"must not be after today's date 2026-05-25"}]`},
		{"before approval", "2026-05-09", `[{"field":"actualDisbursementDate","error":"must not be before the approval date 2026-05-10"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := translate.CheckDate("actualDisbursementDate", date(t, tt.date), today, approved, "approval date")
			if tt.wantErr == "" {
				assert.Nil(t, err)
				return
			}
			require.NotNil(t, err)
			assert.Equal(t, tt.wantErr, err.Message)
		})
	}
	assert.Nil(t, translate.CheckDate("transactionDate", date(t, "2000-01-01"), today, wire.Date{}, "disbursement date"),
		"no earliest date: only today bounds it")
}

func TestParseLoanPathIDs(t *testing.T) {
	_, err := translate.ParseLoanID("0")
	require.NotNil(t, err)
	assert.Equal(t, `[{"field":"loan_id","error":"must be a positive integer"}]`, err.Message)
	_, err = translate.ParseProductID("x")
	require.NotNil(t, err)
	assert.Equal(t, `[{"field":"product_id","error":"must be a positive integer"}]`, err.Message)
	id, err := translate.ParseLoanID("501")
	require.Nil(t, err)
	assert.Equal(t, int64(501), id)
	_, err = translate.ParseLoanExternalID(" x")
	require.NotNil(t, err)
	assert.Equal(t, `[{"field":"loan_external_id","error":"must not begin or end with white space"}]`, err.Message)
	ext, err := translate.ParseLoanExternalID("a/b%c")
	require.Nil(t, err)
	assert.Equal(t, "a/b%c", ext)
}

func TestParseLoanListQuery(t *testing.T) {
	id, ext := int64(42), "Client 7/é"
	tests := []struct {
		name    string
		raw     string
		want    translate.LoanListRequest
		wantErr string
	}{
		{"defaults", "", translate.LoanListRequest{ListRequest: translate.ListRequest{Page: 1, Rows: 10}}, ""},
		{"everything", "page=2&rows=5&orderBy=disbursementDate&sortOrder=DESC&customerId=42&status=active",
			translate.LoanListRequest{ListRequest: translate.ListRequest{Page: 2, Rows: 5, OrderBy: "disbursementDate", SortOrder: "DESC"},
				CustomerID: &id, StatusID: 300}, ""},
		{"customer by externalId, status with spaces", "customerExternalId=Client%207%2F%C3%A9&status=Closed%20(WRITTEN%20off)",
			translate.LoanListRequest{ListRequest: translate.ListRequest{Page: 1, Rows: 10}, CustomerExternalID: &ext, StatusID: 601}, ""},
		{"point lookup", "externalId=halotel-tx-1",
			translate.LoanListRequest{ListRequest: translate.ListRequest{Page: 1, Rows: 10, ExternalID: "halotel-tx-1", HasExternalID: true}}, ""},
		{"both customers", "customerId=42&customerExternalId=c", translate.LoanListRequest{},
			`[{"field":"customerExternalId","error":"must not be given with customerId"}]`},
		{"unknown status", "status=Open", translate.LoanListRequest{},
			`[{"field":"status","error":"must be one of Submitted and pending approval, Approved, Active, Withdrawn by applicant, Rejected, Closed (obligations met), Closed (written off), Closed (rescheduled), Overpaid, Transfer in progress, Transfer on hold"}]`},
		{"an upstream status id is not a label", "status=300", translate.LoanListRequest{},
			`[{"field":"status","error":"must be one of Submitted and pending approval, Approved, Active, Withdrawn by applicant, Rejected, Closed (obligations met), Closed (written off), Closed (rescheduled), Overpaid, Transfer in progress, Transfer on hold"}]`},
		{"customer orderBy is not a loan's", "orderBy=displayName", translate.LoanListRequest{},
			`[{"field":"orderBy","error":"must be one of id, principal, disbursementDate, submittedDate"}]`},
		{"several problems", "rows=0&customerId=x&clientId=1", translate.LoanListRequest{},
			`[{"field":"clientId","error":"unknown parameter"},{"field":"rows","error":"must be an integer from 1 to 100"},{"field":"customerId","error":"must be a positive integer"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := translate.ParseLoanListQuery(tt.raw)
			assertParsed(t, tt.want, got, err, tt.wantErr)
		})
	}
}

func decodeInto[T any](t *testing.T, body string) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal([]byte(body), &v))
	return v
}

const currencyTZS = `"currency":{"code":"TZS","name":"Tanzanian Shilling","decimalPlaces":2,"inMultiplesOf":0,"nameCode":"currency.TZS","displayLabel":"Tanzanian Shilling [TZS]"}`

func TestLoanFromUpstream(t *testing.T) {
	tests := []struct {
		name string
		body string // upstream JSON
		want string // partner JSON
	}{
		{
			name: "1.9+ active loan with the pseudo-period, a paid and an open instalment (fineract-loans-facts §7.6)",
			body: `{"id":501,"accountNo":"000000501","externalId":"halotel-tx-12345",
 "status":{"id":300,"code":"loanStatusType.active","value":"Active","pendingApproval":false,"active":true},
 "clientId":42,"clientAccountNo":"000000042","clientName":"ext-ada-001 Customer","clientExternalId":"ext-ada-001","clientOfficeId":1,
 "loanProductId":1,"loanProductName":"Standard 12-Month",` + currencyTZS + `,
 "principal":10000.000000,"approvedPrincipal":10000.000000,"proposedPrincipal":10000.000000,
 "termFrequency":12,"numberOfRepayments":12,"repaymentEvery":1,"interestRatePerPeriod":1.500000,
 "timeline":{"submittedOnDate":[2026,5,25],"approvedOnDate":[2026,5,25],"expectedDisbursementDate":[2026,5,25],"actualDisbursementDate":[2026,5,25],"expectedMaturityDate":[2027,5,25]},
 "summary":{` + currencyTZS + `,"principalDisbursed":10000.000000,"principalAdjustments":0,"principalPaid":833.330000,"principalWrittenOff":0,"principalOutstanding":9166.670000,"principalOverdue":0,"interestCharged":1800.000000,"interestPaid":150.000000,"interestWaived":0,"interestWrittenOff":0,"interestOutstanding":1650.000000,"feeChargesCharged":0,"feeChargesPaid":0,"feeChargesOutstanding":0,"penaltyChargesCharged":0,"penaltyChargesPaid":0,"penaltyChargesOutstanding":0,"totalExpectedRepayment":11800.000000,"totalRepayment":983.330000,"totalOutstanding":10816.670000,"totalOverdue":0},
 "repaymentSchedule":{` + currencyTZS + `,"periods":[
  {"dueDate":[2026,5,25],"principalDisbursed":10000.000000,"principalLoanBalanceOutstanding":10000.000000,"feeChargesDue":0,"totalDueForPeriod":0,"totalPaidForPeriod":0,"downPaymentPeriod":false},
  {"period":1,"fromDate":[2026,5,25],"dueDate":[2026,6,25],"obligationsMetOnDate":[2026,6,20],"complete":true,"principalDue":833.330000,"interestDue":150.000000,"feeChargesDue":0,"penaltyChargesDue":0,"totalDueForPeriod":983.330000,"totalPaidForPeriod":983.330000,"totalOutstandingForPeriod":0},
  {"period":2,"fromDate":[2026,6,25],"dueDate":[2026,7,25],"complete":false,"principalDue":833.330000,"interestDue":150.000000,"feeChargesDue":0,"penaltyChargesDue":0,"totalDueForPeriod":983.330000,"totalPaidForPeriod":0,"totalOutstandingForPeriod":983.330000}]},
 "transactions":[{"id":9002,"type":{"id":10,"code":"loanTransactionType.accrual","value":"Accrual"},"date":[2026,5,25],"amount":1800.000000}]}`,
			want: `{"id":"501","accountNo":"000000501","externalId":"halotel-tx-12345","customerId":"42","customerExternalId":"ext-ada-001","customerName":"ext-ada-001 Customer",
 "loanProductId":"1","loanProductName":"Standard 12-Month","status":"Active","currencyCode":"TZS","principal":10000,"approvedPrincipal":10000,
 "numberOfRepayments":12,"termFrequency":12,"interestRatePerPeriod":1.5,
 "submittedDate":"2026-05-25","approvedDate":"2026-05-25","disbursementDate":"2026-05-25","expectedMaturityDate":"2027-05-25",
 "principalDisbursed":10000,"principalPaid":833.33,"principalWrittenOff":0,"principalOutstanding":9166.67,"interestCharged":1800,"interestPaid":150,"interestWaived":0,"interestOutstanding":1650,
 "feeChargesCharged":0,"feeChargesPaid":0,"feeChargesOutstanding":0,"penaltyChargesCharged":0,"penaltyChargesPaid":0,"penaltyChargesOutstanding":0,
 "totalExpectedRepayment":11800,"totalRepayment":983.33,"totalOutstanding":10816.67,"totalOverdue":0,
 "nextDueDate":"2026-07-25","nextDueAmount":983.33,
 "repaymentSchedule":[
  {"period":1,"fromDate":"2026-05-25","dueDate":"2026-06-25","principalDue":833.33,"interestDue":150,"feeChargesDue":0,"penaltyChargesDue":0,"totalDue":983.33,"totalPaid":983.33,"totalOutstanding":0,"complete":true,"paidDate":"2026-06-20"},
  {"period":2,"fromDate":"2026-06-25","dueDate":"2026-07-25","principalDue":833.33,"interestDue":150,"feeChargesDue":0,"penaltyChargesDue":0,"totalDue":983.33,"totalPaid":0,"totalOutstanding":983.33,"complete":false}]}`,
		},
		{
			name: "1.8 submitted loan: no summary, no approval, no clientExternalId, ISO string dates",
			body: `{"id":7,"accountNo":"000000007","status":{"id":100,"code":"loanStatusType.submitted.and.pending.approval","value":"Submitted and pending approval"},
 "clientId":5,"clientName":"Pat Pending","loanProductId":2,"loanProductName":"Declining",` + currencyTZS + `,
 "principal":5000,"approvedPrincipal":5000,"termFrequency":6,"numberOfRepayments":6,"interestRatePerPeriod":0,
 "timeline":{"submittedOnDate":"2024-01-05","expectedDisbursementDate":"2024-01-05","expectedMaturityDate":"2024-07-05"}}`,
			want: `{"id":"7","accountNo":"000000007","customerId":"5","customerName":"Pat Pending","loanProductId":"2","loanProductName":"Declining",
 "status":"Submitted and pending approval","currencyCode":"TZS","principal":5000,"numberOfRepayments":6,"termFrequency":6,"interestRatePerPeriod":0,
 "submittedDate":"2024-01-05","expectedMaturityDate":"2024-07-05",
 "principalDisbursed":0,"principalPaid":0,"principalWrittenOff":0,"principalOutstanding":0,"interestCharged":0,"interestPaid":0,"interestWaived":0,"interestOutstanding":0,
 "feeChargesCharged":0,"feeChargesPaid":0,"feeChargesOutstanding":0,"penaltyChargesCharged":0,"penaltyChargesPaid":0,"penaltyChargesOutstanding":0,
 "totalExpectedRepayment":0,"totalRepayment":0,"totalOutstanding":0,"totalOverdue":0,"repaymentSchedule":[]}`,
		},
		{
			name: "written off: every instalment complete, no next due",
			body: `{"id":9,"accountNo":"000000009","status":{"id":601,"code":"loanStatusType.closed.written.off","value":"Closed (written off)"},"clientId":5,
 "timeline":{"submittedOnDate":[2026,1,1],"approvedOnDate":[2026,1,1],"actualDisbursementDate":[2026,1,1],"closedOnDate":[2026,3,1]},
 "summary":{"principalDisbursed":100,"principalWrittenOff":100,"totalOutstanding":0},
 "repaymentSchedule":{"periods":[{"period":1,"fromDate":[2026,1,1],"dueDate":[2026,2,1],"complete":true,"principalDue":100}]}}`,
			want: `{"id":"9","accountNo":"000000009","customerId":"5","customerName":"","loanProductId":"","loanProductName":"","status":"Closed (written off)","currencyCode":"",
 "principal":0,"numberOfRepayments":0,"termFrequency":0,"interestRatePerPeriod":0,
 "submittedDate":"2026-01-01","approvedDate":"2026-01-01","disbursementDate":"2026-01-01","closedDate":"2026-03-01",
 "principalDisbursed":100,"principalPaid":0,"principalWrittenOff":100,"principalOutstanding":0,"interestCharged":0,"interestPaid":0,"interestWaived":0,"interestOutstanding":0,
 "feeChargesCharged":0,"feeChargesPaid":0,"feeChargesOutstanding":0,"penaltyChargesCharged":0,"penaltyChargesPaid":0,"penaltyChargesOutstanding":0,
 "totalExpectedRepayment":0,"totalRepayment":0,"totalOutstanding":0,"totalOverdue":0,
 "repaymentSchedule":[{"period":1,"fromDate":"2026-01-01","dueDate":"2026-02-01","principalDue":100,"interestDue":0,"feeChargesDue":0,"penaltyChargesDue":0,"totalDue":0,"totalPaid":0,"totalOutstanding":0,"complete":true}]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := translate.LoanFromUpstream(decodeInto[wire.LoanData](t, tt.body))
			require.NoError(t, err)
			b, err := json.Marshal(got)
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, string(b))
			assert.NotContains(t, string(b), "null")
			assert.NotContains(t, string(b), "000000,", "amounts are trimmed")
		})
	}
}

func TestLoanFromUpstreamRefusesNegativeAmounts(t *testing.T) {
	_, err := translate.LoanFromUpstream(decodeInto[wire.LoanData](t,
		`{"id":1,"status":{"id":300},"summary":{"principalOutstanding":-5}}`))
	assert.EqualError(t, err, `upstream amount "-5": must be 0 or greater`)
}

func TestProductFromUpstream(t *testing.T) {
	// fineract-loans-facts §3.3, 1.9+; 1.8 sends the same fields for the
	// partner's product.
	body := `[{"id":1,"name":"Standard 12-Month","shortName":"STD1","description":"Standard individual loan, 12 months, monthly repayments","status":"loanProduct.active",` + currencyTZS + `,
 "principal":10000.000000,"minPrincipal":1000.000000,"maxPrincipal":50000.000000,"numberOfRepayments":12,"minNumberOfRepayments":12,"maxNumberOfRepayments":12,"repaymentEvery":1,
 "repaymentFrequencyType":{"id":2,"code":"repaymentFrequency.periodFrequencyType.months","value":"Months"},"interestRatePerPeriod":1.500000,
 "interestRateFrequencyType":{"id":2,"code":"interestRateFrequency.periodFrequencyType.months","value":"Per month"},"annualInterestRate":18.000000,
 "amortizationType":{"id":1,"code":"amortizationType.equal.installments","value":"Equal installments"},"interestType":{"id":1,"code":"interestType.flat","value":"Flat"},
 "interestCalculationPeriodType":{"id":1,"code":"interestCalculationPeriodType.same.as.repayment.period","value":"Same as repayment period"},
 "transactionProcessingStrategyCode":"mifos-standard-strategy","transactionProcessingStrategyName":"Penalties, Fees, Interest, Principal order"},
 {"id":2,"name":"Declining","status":"loanProduct.inActive",` + currencyTZS + `,"principal":5000,"numberOfRepayments":6,"repaymentEvery":1,
 "repaymentFrequencyType":{"id":0,"value":"Days"},"interestRatePerPeriod":0,"interestRateFrequencyType":{"id":3,"value":"Per year"},
 "amortizationType":{"id":0,"value":"Equal principal payments"},"interestType":{"id":0,"value":"Declining Balance"},
 "interestCalculationPeriodType":{"id":0,"value":"Daily"},"transactionProcessingStrategyId":1}]`
	got, err := translate.ProductListFromUpstream(decodeInto[wire.LoanProducts](t, body))
	require.NoError(t, err)
	b, err := json.Marshal(got)
	require.NoError(t, err)
	assert.JSONEq(t, `{"items":[
 {"id":"1","name":"Standard 12-Month","shortName":"STD1","description":"Standard individual loan, 12 months, monthly repayments","currencyCode":"TZS",
  "principal":10000,"minPrincipal":1000,"maxPrincipal":50000,"numberOfRepayments":12,"minNumberOfRepayments":12,"maxNumberOfRepayments":12,"repaymentEvery":1,
  "repaymentFrequencyType":"Months","interestRatePerPeriod":1.5,"interestRateFrequencyType":"Per month","annualInterestRate":18,
  "amortizationType":"Equal installments","interestType":"Flat","active":true},
 {"id":"2","name":"Declining","currencyCode":"TZS","principal":5000,"numberOfRepayments":6,"repaymentEvery":1,"repaymentFrequencyType":"Days",
  "interestRatePerPeriod":0,"interestRateFrequencyType":"Per year","amortizationType":"Equal principal payments","interestType":"Declining Balance","active":false}]}`, string(b))
	assert.NotContains(t, string(b), "strategy", "strategy codes are never shown")
	assert.Equal(t, 2, got.Items[0].CurrencyDecimals)

	empty, err := translate.ProductListFromUpstream(wire.LoanProducts{})
	require.NoError(t, err)
	b, err = json.Marshal(empty)
	require.NoError(t, err)
	assert.JSONEq(t, `{"items":[]}`, string(b))
}

func marshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

const productTerms = `"repaymentFrequencyType":{"id":2},"interestRatePerPeriod":1.500000,"amortizationType":{"id":1},"interestType":{"id":1},"interestCalculationPeriodType":{"id":1}`

// The submission is fineract-loans-facts §4.5's example on each line: the
// product's strategy as that line names it, every term the validators
// demand, today twice.
func TestLoanCreateBody(t *testing.T) {
	req := mustParseCreate(t, `{"customerId":42,"productId":1,"principal":10000,"externalId":"halotel-tx-12345"}`)
	today := date(t, "2026-05-25")
	tests := []struct {
		name, product, strategy string
	}{
		{"1.9+", `{"id":1,"numberOfRepayments":12,"repaymentEvery":1,` + productTerms + `,"transactionProcessingStrategyCode":"mifos-standard-strategy"}`,
			`"transactionProcessingStrategyCode":"mifos-standard-strategy"`},
		{"1.8", `{"id":1,"numberOfRepayments":12,"repaymentEvery":1,` + productTerms + `,"transactionProcessingStrategyId":1}`,
			`"transactionProcessingStrategyId":1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := translate.LoanCreateBody(req, 42, decodeInto[wire.LoanProductData](t, tt.product), "halotel-tx-12345", today)
			assert.JSONEq(t, `{"clientId":42,"productId":1,"loanType":"individual","principal":10000,"loanTermFrequency":12,"loanTermFrequencyType":2,
 "numberOfRepayments":12,"repaymentEvery":1,"repaymentFrequencyType":2,"interestRatePerPeriod":1.500000,"amortizationType":1,"interestType":1,
 "interestCalculationPeriodType":1,`+tt.strategy+`,"expectedDisbursementDate":"2026-05-25","submittedOnDate":"2026-05-25",
 "externalId":"halotel-tx-12345","dateFormat":"yyyy-MM-dd","locale":"en"}`, marshal(t, got))
		})
	}
	weekly := decodeInto[wire.LoanProductData](t, `{"id":2,"numberOfRepayments":6,"repaymentEvery":2,`+productTerms+`}`)
	got := translate.LoanCreateBody(req, 42, weekly, "gen-1", today)
	assert.Equal(t, 12, got.LoanTermFrequency, "the term is repayments × every")
}

func mustParseCreate(t *testing.T, body string) translate.LoanCreateRequest {
	t.Helper()
	req, err := translate.ParseLoanCreate([]byte(body))
	require.Nil(t, err)
	return req
}

func TestLoanUpdateBody(t *testing.T) {
	current := decodeInto[wire.LoanData](t, `{"id":501,"externalId":"old","status":{"id":100},"clientId":42,"loanProductId":1,"principal":10000.000000,
 "numberOfRepayments":12,"repaymentEvery":1,`+productTerms+`,"transactionProcessingStrategyCode":"mifos-standard-strategy",
 "timeline":{"submittedOnDate":[2026,5,20],"expectedDisbursementDate":[2026,5,21]}}`)
	base := `"clientId":42,"productId":1,"loanType":"individual","loanTermFrequencyType":2,"repaymentEvery":1,"repaymentFrequencyType":2,
 "amortizationType":1,"interestType":1,"interestCalculationPeriodType":1,"transactionProcessingStrategyCode":"mifos-standard-strategy",
 "expectedDisbursementDate":"2026-05-21","submittedOnDate":"2026-05-20","dateFormat":"yyyy-MM-dd","locale":"en"`
	tests := []struct {
		name, body, want string
	}{
		{"principal only: every other term repeated", `{"principal":2000}`,
			`{` + base + `,"principal":2000,"loanTermFrequency":12,"numberOfRepayments":12,"interestRatePerPeriod":1.500000,"externalId":"old"}`},
		{"repayments move the term", `{"numberOfRepayments":6,"interestRatePerPeriod":0,"externalId":"new"}`,
			`{` + base + `,"principal":10000.000000,"loanTermFrequency":6,"numberOfRepayments":6,"interestRatePerPeriod":0,"externalId":"new"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, perr := translate.ParseLoanUpdate([]byte(tt.body))
			require.Nil(t, perr)
			got, err := translate.LoanUpdateBody(current, req)
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, marshal(t, got))
		})
	}
	_, err := translate.LoanUpdateBody(wire.LoanData{ID: 7}, translate.LoanUpdateRequest{})
	assert.EqualError(t, err, "loan 7 lacks the terms a re-submission repeats")
}

func TestCommandBodies(t *testing.T) {
	today, note := date(t, "2026-05-25"), "wallet credit"
	assert.JSONEq(t, `{"approvedOnDate":"2026-05-25","dateFormat":"yyyy-MM-dd","locale":"en"}`, marshal(t, translate.ApproveBody(today)))
	assert.JSONEq(t, `{"actualDisbursementDate":"2026-05-25","paymentTypeId":1,"note":"wallet credit","dateFormat":"yyyy-MM-dd","locale":"en"}`,
		marshal(t, translate.DisburseBody(today, 1, &note)))
	assert.JSONEq(t, `{"actualDisbursementDate":"2026-05-25","dateFormat":"yyyy-MM-dd","locale":"en"}`, marshal(t, translate.DisburseBody(today, 0, nil)))
	assert.Equal(t, `{}`, marshal(t, translate.NoteBody(translate.NoteRequest{})), "undoapproval needs a JSON object")
	assert.Equal(t, `{"note":"wallet credit"}`, marshal(t, translate.NoteBody(translate.NoteRequest{Note: &note})))
	assert.JSONEq(t, `{"transactionDate":"2026-05-25","dateFormat":"yyyy-MM-dd","locale":"en"}`, marshal(t, translate.WriteOffBody(translate.WriteOffRequest{}, today)))
	dated := date(t, "2026-05-01")
	assert.JSONEq(t, `{"transactionDate":"2026-05-01","note":"wallet credit","dateFormat":"yyyy-MM-dd","locale":"en"}`,
		marshal(t, translate.WriteOffBody(translate.WriteOffRequest{TransactionDate: &dated, Note: &note}, today)))
}

func TestLoanPage(t *testing.T) {
	r, perr := translate.ParseLoanListQuery("page=3&rows=2")
	require.Nil(t, perr)
	got, err := translate.LoanPage([]wire.LoanData{{ID: 5, Status: &wire.EnumOption{ID: 300}}}, 5, r)
	require.NoError(t, err)
	assert.Equal(t, int64(5), got.Total)
	assert.Equal(t, 3, got.Page)
	assert.Equal(t, 2, got.RowsPerPage)
	require.Len(t, got.Items, 1)
	assert.Equal(t, "Active", got.Items[0].Status)

	empty, err := translate.LoanPage(nil, 0, r)
	require.NoError(t, err)
	assert.JSONEq(t, `{"items":[],"total":0,"page":3,"rowsPerPage":2}`, marshal(t, empty))

	_, err = translate.LoanPage([]wire.LoanData{{ID: 5, Principal: "-1"}}, 1, r)
	assert.Error(t, err)
}
