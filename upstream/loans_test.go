package upstream

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream/wire"
)

// exchange is one request the loans tests saw.
type exchange struct {
	call, body, key string
}

// routed is a client of a server that answers each "METHOD path" with the
// body routes gives it (404 for others), recording every request.
func routed(t *testing.T, line Version, routes map[string]string) (*Client, func() []exchange) {
	t.Helper()
	return routedWithStatus(t, line, routes, nil)
}

// routedWithStatus is routed whose answers have the status statuses gives
// their "METHOD path" (200 for others).
func routedWithStatus(t *testing.T, line Version, routes map[string]string, statuses map[string]int) (*Client, func() []exchange) {
	t.Helper()
	var mu sync.Mutex
	var seen []exchange
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen = append(seen, exchange{call: r.Method + " " + r.URL.RequestURI(), body: string(body), key: r.Header.Get("Idempotency-Key")})
		mu.Unlock()
		answer, ok := routes[r.Method+" "+r.URL.Path]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		if status, set := statuses[r.Method+" "+r.URL.Path]; set {
			w.WriteHeader(status)
		}
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{BaseURL: srv.URL, Tenant: "default", Username: "u", Password: "p", Version: line,
		Retry: RetryPolicy{MaxAttempts: 1}})
	require.NoError(t, err)
	return c, func() []exchange { mu.Lock(); defer mu.Unlock(); return append([]exchange(nil), seen...) }
}

// Answers shaped as the facts' examples (§3.3, §4.6, §5.2, §5.4, §7.6, §10).
const (
	product18  = `{"id":1,"name":"Standard 12-Month","status":"loanProduct.active","currency":{"code":"TZS","decimalPlaces":2,"inMultiplesOf":0},"principal":10000.000000,"minPrincipal":1000.000000,"maxPrincipal":50000.000000,"numberOfRepayments":12,"repaymentEvery":1,"repaymentFrequencyType":{"id":2,"value":"Months"},"interestRatePerPeriod":1.500000,"amortizationType":{"id":1},"interestType":{"id":1},"interestCalculationPeriodType":{"id":1},"transactionProcessingStrategyId":1}`
	product110 = `{"id":1,"name":"Standard 12-Month","status":"loanProduct.active","currency":{"code":"TZS","decimalPlaces":2,"inMultiplesOf":0},"principal":10000.000000,"minPrincipal":1000.000000,"maxPrincipal":50000.000000,"numberOfRepayments":12,"repaymentEvery":1,"repaymentFrequencyType":{"id":2,"value":"Months"},"interestRatePerPeriod":1.500000,"amortizationType":{"id":1},"interestType":{"id":1},"interestCalculationPeriodType":{"id":1},"transactionProcessingStrategyCode":"mifos-standard-strategy"}`
	loan501    = `{"id":501,"accountNo":"000000501","externalId":"halotel-tx-12345","status":{"id":300,"code":"loanStatusType.active","value":"Active"},"clientId":42,"principal":10000.000000,"summary":{"totalOutstanding":11800.000000},"repaymentSchedule":{"periods":[{"dueDate":[2026,5,25]},{"period":1,"dueDate":[2026,6,25],"totalOutstandingForPeriod":983.330000}]},"transactions":[{"id":9001,"type":{"id":1}},{"id":9002,"type":{"id":10}}]}`
	loanPage   = `{"totalFilteredRecords":1,"pageItems":[{"id":501,"externalId":"halotel-tx-12345","status":{"id":300}}]}`
	submitted  = `{"officeId":1,"clientId":42,"loanId":501,"resourceId":501}`
	// 1.8.4's disbursement names the last transaction (the Accrual) as
	// resourceId; 1.9+ the loan, with the disbursement as subResourceId.
	disbursed18  = `{"officeId":1,"clientId":42,"loanId":501,"resourceId":9002,"changes":{"status":{"id":300}}}`
	disbursed110 = `{"officeId":1,"clientId":42,"loanId":501,"resourceId":501,"subResourceId":9001,"changes":{"status":{"id":300}},"resourceExternalId":"halotel-tx-12345"}`
	writtenOff   = `{"officeId":1,"clientId":42,"loanId":501,"resourceId":9010,"changes":{"status":{"id":601}}}`
)

var day = wire.Date{Year: 2026, Month: 5, Day: 25}

// TestLoanCalls: each loan and product call sends what the upstream of the
// line wants, where it wants it, and reads the answer by the loan's id.
func TestLoanCalls(t *testing.T) {
	associations := "associations=repaymentSchedule%2Ctransactions"
	for _, tt := range []struct {
		line              Version
		product, disburse string
		strategy          string // the submission's strategy member
		byExternalID      []string
	}{
		{V1_8, product18, disbursed18, `"transactionProcessingStrategyId":1`, []string{
			"GET /v1/loans?externalId=halotel-tx-12345&limit=200&offset=0&orderBy=id&sortOrder=ASC",
			"GET /v1/loans/501?" + associations}},
		{V1_10, product110, disbursed110, `"transactionProcessingStrategyCode":"mifos-standard-strategy"`, []string{
			"GET /v1/loans/external-id/halotel-tx-12345?" + associations}},
	} {
		t.Run(tt.line.String(), func(t *testing.T) {
			c, seen := routed(t, tt.line, map[string]string{
				"GET /v1/loanproducts":                       "[" + tt.product + "]",
				"GET /v1/loanproducts/1":                     tt.product,
				"POST /v1/loans":                             submitted,
				"GET /v1/loans":                              loanPage,
				"GET /v1/loans/501":                          loan501,
				"GET /v1/loans/external-id/halotel-tx-12345": loan501,
				"PUT /v1/loans/501":                          submitted,
				"DELETE /v1/loans/501":                       submitted,
				"POST /v1/loans/501":                         tt.disburse,
				"POST /v1/loans/501/transactions":            writtenOff,
			})
			ctx := context.Background()
			last := func() exchange { s := seen(); return s[len(s)-1] }

			products, err := c.ListLoanProducts(ctx)
			require.NoError(t, err)
			require.Len(t, products, 1)
			assert.Equal(t, "GET /v1/loanproducts", last().call)
			p, err := c.GetLoanProduct(ctx, 1)
			require.NoError(t, err)
			assert.Equal(t, "GET /v1/loanproducts/1", last().call)

			// The line's product names the strategy under the line's key
			// only, so copying both sends one.
			app := wire.LoanApplication{
				ClientID: 42, ProductID: p.ID, LoanType: wire.LoanTypeIndividual, Principal: "10000",
				LoanTermFrequency: 12, LoanTermFrequencyType: p.RepaymentFrequencyType.ID,
				NumberOfRepayments: p.NumberOfRepayments, RepaymentEvery: p.RepaymentEvery,
				RepaymentFrequencyType: p.RepaymentFrequencyType.ID, InterestRatePerPeriod: p.InterestRatePerPeriod,
				AmortizationType: p.AmortizationType.ID, InterestType: p.InterestType.ID,
				InterestCalculationPeriodType:     p.InterestCalculationPeriodType.ID,
				TransactionProcessingStrategyCode: p.TransactionProcessingStrategyCode,
				TransactionProcessingStrategyID:   p.TransactionProcessingStrategyID,
				ExpectedDisbursementDate:          day.ISO(), SubmittedOnDate: day.ISO(),
				ExternalID: "halotel-tx-12345", DateFormat: wire.DateFormat, Locale: wire.Locale,
			}
			res, err := c.SubmitLoan(ctx, app)
			require.NoError(t, err)
			assert.EqualValues(t, 501, res.LoanID)
			assert.Equal(t, "POST /v1/loans", last().call)
			assert.JSONEq(t, `{"clientId":42,"productId":1,"loanType":"individual","principal":10000,"loanTermFrequency":12,"loanTermFrequencyType":2,"numberOfRepayments":12,"repaymentEvery":1,"repaymentFrequencyType":2,"interestRatePerPeriod":1.500000,"amortizationType":1,"interestType":1,"interestCalculationPeriodType":1,`+tt.strategy+`,"expectedDisbursementDate":"2026-05-25","submittedOnDate":"2026-05-25","externalId":"halotel-tx-12345","dateFormat":"yyyy-MM-dd","locale":"en"}`, last().body)

			writes := []struct {
				name, call, body string
				run              func() (wire.CommandResult, error)
			}{
				{"approve", "POST /v1/loans/501?command=approve", `{"approvedOnDate":"2026-05-25","dateFormat":"yyyy-MM-dd","locale":"en"}`,
					func() (wire.CommandResult, error) {
						return c.ApproveLoan(ctx, ByID(501), wire.LoanApprove{ApprovedOnDate: day.ISO(), DateFormat: wire.DateFormat, Locale: wire.Locale})
					}},
				{"undo approval sends {}", "POST /v1/loans/501?command=undoapproval", `{}`,
					func() (wire.CommandResult, error) { return c.UndoLoanApproval(ctx, ByID(501), wire.LoanNote{}) }},
				{"disburse", "POST /v1/loans/501?command=disburse", `{"actualDisbursementDate":"2026-05-25","paymentTypeId":1,"dateFormat":"yyyy-MM-dd","locale":"en"}`,
					func() (wire.CommandResult, error) {
						return c.DisburseLoan(ctx, ByID(501), wire.LoanDisburse{ActualDisbursementDate: day.ISO(), PaymentTypeID: 1, DateFormat: wire.DateFormat, Locale: wire.Locale})
					}},
				{"undo disbursal", "POST /v1/loans/501?command=undodisbursal", `{"note":"payout failed"}`,
					func() (wire.CommandResult, error) {
						return c.UndoLoanDisbursal(ctx, ByID(501), wire.LoanNote{Note: "payout failed"})
					}},
				{"update", "PUT /v1/loans/501", "",
					func() (wire.CommandResult, error) { return c.UpdateLoan(ctx, ByID(501), app) }},
				{"delete", "DELETE /v1/loans/501", "",
					func() (wire.CommandResult, error) { return c.DeleteLoan(ctx, ByID(501)) }},
				{"write-off is a transaction command", "POST /v1/loans/501/transactions?command=writeoff", `{"transactionDate":"2026-05-25","dateFormat":"yyyy-MM-dd","locale":"en"}`,
					func() (wire.CommandResult, error) {
						return c.WriteOffLoan(ctx, ByID(501), wire.LoanWriteOff{TransactionDate: day.ISO(), DateFormat: wire.DateFormat, Locale: wire.Locale})
					}},
			}
			for _, w := range writes {
				res, err := w.run()
				require.NoError(t, err, w.name)
				assert.EqualValues(t, 501, res.LoanID, "%s: the loan, whatever resourceId names", w.name)
				assert.Equal(t, w.call, last().call, w.name)
				if w.body != "" {
					assert.JSONEq(t, w.body, last().body, w.name)
				}
			}

			loan, err := c.GetLoan(ctx, ByID(501))
			require.NoError(t, err)
			assert.Equal(t, "GET /v1/loans/501?"+associations, last().call)
			assert.Len(t, loan.RepaymentSchedule.Periods, 2)
			assert.Len(t, loan.Transactions, 2)

			before := len(seen())
			loan, err = c.GetLoan(ctx, ByExternalID("halotel-tx-12345"))
			require.NoError(t, err)
			assert.EqualValues(t, 501, loan.ID)
			var calls []string
			for _, e := range seen()[before:] {
				calls = append(calls, e.call)
			}
			assert.Equal(t, tt.byExternalID, calls, "by external id, with the associations either way")
			assert.Len(t, loan.Transactions, 2)

			page, err := c.ListLoans(ctx, wire.ListQuery{Limit: 10, OrderBy: "principal", SortOrder: "DESC"}, 0)
			require.NoError(t, err)
			assert.Len(t, page.PageItems, 1)
			assert.Equal(t, "GET /v1/loans?limit=10&offset=0&orderBy=principal+DESC%2Cid&sortOrder=DESC", last().call)
		})
	}
}

// TestLoanStatusFilter: ?status= from 1.9; on 1.8 the same filter as
// sqlSearch on m_loan's status column.
func TestLoanStatusFilter(t *testing.T) {
	for _, tt := range []struct {
		line       Version
		param, set string
	}{
		{V1_8, "sqlSearch", "l.loan_status_id = 300"},
		{V1_10, "status", "300"},
	} {
		t.Run(tt.line.String(), func(t *testing.T) {
			c, seen := routed(t, tt.line, map[string]string{"GET /v1/loans": loanPage})
			_, err := c.ListLoans(context.Background(), wire.ListQuery{Limit: 10}, wire.LoanStatusActive)
			require.NoError(t, err)
			require.Len(t, seen(), 1)
			u, _ := url.ParseRequestURI(seen()[0].call[len("GET "):])
			assert.Equal(t, tt.set, u.Query().Get(tt.param))
			assert.Len(t, u.Query(), 5, "only the filter beside paging and order: %s", u.RawQuery)
		})
	}
}

// TestLoanResults: a loan write's result is checked by its loanId; a
// maker-checker acceptance passes as one, and a result naming no loan may
// have been applied.
func TestLoanResults(t *testing.T) {
	tests := []struct {
		name, answer string
		awaiting     bool
		wantErr      string
	}{
		{"applied", submitted, false, ""},
		{"maker-checker 1.10", `{"commandId":3,"resourceId":501,"rollbackTransaction":true,"resourceExternalId":{},"subResourceExternalId":{}}`, true, ""},
		{"resourceId alone", `{"officeId":1,"resourceId":501}`, false, "command result names no loan"},
		{"empty", `{}`, false, "command result names no loan"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := routed(t, V1_10, map[string]string{"POST /v1/loans/501": tt.answer})
			res, err := c.ApproveLoan(context.Background(), ByID(501), wire.LoanApprove{})
			if tt.wantErr != "" {
				e, ok := wire.AsError(err)
				require.True(t, ok, "%v", err)
				assert.Equal(t, wire.ShapeUnexpected, e.Shape)
				assert.True(t, e.MaybeApplied)
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.awaiting, res.AwaitingApproval())
		})
	}
}

// TestLoanLookup: the loan list's externalId is an exact comparison, so the
// id goes as it is; the route is taken where the line has it and no other
// template captures the id.
func TestLoanLookup(t *testing.T) {
	route := externalIDLookup{route: true}
	exact := func(v string) externalIDLookup { return externalIDLookup{filters: []string{v}} }
	tests := []struct {
		ext       string
		v18, v110 externalIDLookup
	}{
		{"halotel-tx-12345", exact("halotel-tx-12345"), route},
		{"a_b%", exact("a_b%"), exact("a_b%")},
		{"a_b", exact("a_b"), route},
		{"x (1)", exact("x (1)"), route},
		{"a/b", exact("a/b"), exact("a/b")},
		{"transactions", exact("transactions"), exact("transactions")},
		{"delinquencytags", exact("delinquencytags"), exact("delinquencytags")},
		{"schedule", exact("schedule"), exact("schedule")},
		{"charges", exact("charges"), route},
		{"template", exact("template"), route},
	}
	for _, tt := range tests {
		t.Run(tt.ext, func(t *testing.T) {
			assert.Equal(t, tt.v18, loans.lookup(V1_8, tt.ext), "1.8")
			assert.Equal(t, tt.v110, loans.lookup(V1_10, tt.ext), "1.10")
		})
	}
}

// TestLoanProductAnswersAreChecked: a product list or product that is not
// one is refused.
func TestLoanProductAnswersAreChecked(t *testing.T) {
	for _, body := range []string{`null`, `{}`, `[{"id":0}]`} {
		c, _ := routed(t, V1_10, map[string]string{"GET /v1/loanproducts": body, "GET /v1/loanproducts/1": body})
		_, err := c.ListLoanProducts(context.Background())
		e, ok := wire.AsError(err)
		require.True(t, ok, "%s: %v", body, err)
		assert.Contains(t, []wire.Shape{wire.ShapeUnexpected, wire.ShapeOther}, e.Shape, body)
		_, err = c.GetLoanProduct(context.Background(), 1)
		assert.Error(t, err, body)
	}
}

// TestListClientLoans: a customer's loans come from the client's accounts,
// the client resolved exactly first when named by external id.
func TestListClientLoans(t *testing.T) {
	const (
		client42 = `{"id":42,"externalId":"ext-ada-001"}`
		accounts = `{"loanAccounts":[{"id":501,"accountNo":"000000501","externalId":"halotel-tx-12345","productId":1,"status":{"id":300},"originalLoan":10000.000000,"loanBalance":11800.000000}],"savingsAccounts":[]}`
	)
	for _, tt := range []struct {
		line  Version
		calls []string
	}{
		{V1_8, []string{"GET /v1/clients?externalId=ext-ada-001&limit=200&offset=0&orderBy=id&sortOrder=ASC", "GET /v1/clients/42/accounts"}},
		{V1_10, []string{"GET /v1/clients/external-id/ext-ada-001", "GET /v1/clients/42/accounts"}},
	} {
		t.Run(tt.line.String(), func(t *testing.T) {
			c, seen := routed(t, tt.line, map[string]string{
				"GET /v1/clients":                         `{"totalFilteredRecords":1,"pageItems":[` + client42 + `]}`,
				"GET /v1/clients/external-id/ext-ada-001": client42,
				"GET /v1/clients/42/accounts":             accounts,
			})
			got, err := c.ListClientLoans(context.Background(), ByExternalID("ext-ada-001"))
			require.NoError(t, err)
			var calls []string
			for _, e := range seen() {
				calls = append(calls, e.call)
			}
			assert.Equal(t, tt.calls, calls)
			require.Len(t, got, 1)
			assert.EqualValues(t, 501, got[0].ID)
			assert.Equal(t, wire.Amount("11800.000000"), got[0].LoanBalance)
			assert.True(t, got[0].AmountPaid.IsZero(), "omitted when zero")

			got, err = c.ListClientLoans(context.Background(), ByID(42))
			require.NoError(t, err)
			assert.Len(t, got, 1)
			assert.Equal(t, "GET /v1/clients/42/accounts", seen()[len(seen())-1].call)
		})
	}
	for _, tt := range []struct{ name, body, wantErr string }{
		{"no accounts", `{}`, ""},
		{"a loan without id", `{"loanAccounts":[{"accountNo":"1"}]}`, "client account loan 0 carries no id"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := routed(t, V1_10, map[string]string{"GET /v1/clients/42/accounts": tt.body})
			got, err := c.ListClientLoans(context.Background(), ByID(42))
			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.Empty(t, got)
				return
			}
			assert.ErrorContains(t, err, tt.wantErr)
		})
	}
}
