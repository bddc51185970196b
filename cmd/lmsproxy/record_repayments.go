package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"lmsproxy/upstream/fake"
)

// repayments is the repayments' script: a keyed repayment, its repeat,
// reads, and the refusals. Every repayment carries an idempotencyKey: the
// externalId the proxy draws for one without would be random, and the
// recording could not be replayed.
func (t *tour) repayments() {
	p := t.opts.prefix
	scenario := func(name, method, path, body string) []byte {
		return t.scenarioVia(t.freshProxy(), name, method, path, body)
	}
	cust := t.setup(http.MethodPost, "/v1/customers", externalIDBody(p+"-payer"))
	originate := func(ext string) string {
		return t.setup(http.MethodPost, "/v1/loans", fmt.Sprintf(`{"customerId":%s,"productId":%d,"principal":12000,"externalId":%s}`,
			cust, fake.SeedFlatProductID, strconv.Quote(ext)))
	}
	repay := func(amount, key string) string {
		return `{"transactionAmount":` + amount + `,"idempotencyKey":` + strconv.Quote(key) + `}`
	}
	a := "/v1/loans/" + originate(p+"-repaid")
	b := "/v1/loans/external/" + url.PathEscape(p+"-other")
	originate(p + "-other")

	first := answerID(scenario("repay", http.MethodPost, a+"/repayments", repay("1180", p+"-wallet-1")))
	scenario("repay-repeat", http.MethodPost, a+"/repayments", repay("1180", p+"-wallet-1"))
	scenario("repay-same-key-other-loan", http.MethodPost, b+"/repayments", repay("1180", p+"-wallet-1"))
	scenario("repay-future-date", http.MethodPost, a+"/repayments", `{"transactionAmount":10,"transactionDate":"2999-01-01"}`)
	scenario("get", http.MethodGet, a+"/repayments/"+first, "")
	scenario("get-other-loan", http.MethodGet, b+"/repayments/"+first, "")
	scenario("get-unknown", http.MethodGet, a+"/repayments/"+unknownID, "")
	scenario("list", http.MethodGet, a+"/repayments?page=1&rows=10", "")
	scenario("repay-overpaid", http.MethodPost, a+"/repayments", repay("13480", p+"-wallet-2"))
	scenario("get-loan-with-history", http.MethodGet, a, "")
	if sim := t.opts.sim; sim != nil && t.err == nil {
		pending := strconv.FormatInt(sim.AddLoan(fake.LoanSeed{ClientID: mustID(cust), Status: fake.LoanSubmittedAndPendingApproval}), 10)
		scenario("repay-pending-loan", http.MethodPost, "/v1/loans/"+pending+"/repayments", repay("10", p+"-wallet-3"))
	}
}

// mustID is a partner id the tour itself made (digits, as the proxy
// answers them), as a number.
func mustID(id string) int64 {
	n, _ := strconv.ParseInt(id, 10, 64)
	return n
}
