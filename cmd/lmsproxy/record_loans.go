package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"lmsproxy/upstream/fake"
	"lmsproxy/upstream/wire"
)

// loans is the loans' script: origination, reads, every reversal, and the
// refusals a partner can provoke. Each scenario runs on a fresh proxy, so
// its recording holds the product and business-date reads a proxy makes
// before its caches fill, exactly as the replay's fresh proxy makes them.
// Every origination carries an externalId: one the proxy generated would
// be random, and the recording could not be replayed.
func (t *tour) loans() {
	p := t.opts.prefix
	byID := func(id string) string { return "/v1/loans/" + id }
	byExt := func(ext string) string { return "/v1/loans/external/" + url.PathEscape(ext) }
	scenario := func(name, method, path, body string) []byte {
		return t.scenarioVia(t.freshProxy(), name, method, path, body)
	}
	custExt := p + "-borrower"
	cust := t.setup(http.MethodPost, "/v1/customers", externalIDBody(custExt))
	originate := func(ext string, principal int) string {
		return fmt.Sprintf(`{"customerId":%s,"productId":%d,"principal":%d,"externalId":%s}`,
			cust, fake.SeedFlatProductID, principal, strconv.Quote(ext))
	}
	today := wire.DateOf(t.opts.now().In(t.cfg.Server.Location)).ISO()

	a := answerID(scenario("create", http.MethodPost, "/v1/loans", originate(p+"-loan-a", 10000)))
	scenario("create-retry", http.MethodPost, "/v1/loans", originate(p+"-loan-a", 10000))
	scenario("create-duplicate-external-id", http.MethodPost, "/v1/loans", originate(p+"-loan-a", 12000))
	scenario("create-by-customer-external-id", http.MethodPost, "/v1/loans",
		fmt.Sprintf(`{"customerExternalId":%s,"productId":%d,"principal":5000,"externalId":%s}`, strconv.Quote(custExt), fake.SeedFlatProductID, strconv.Quote(p+"-loan-b")))
	scenario("create-principal-out-of-range", http.MethodPost, "/v1/loans", originate(p+"-loan-x", 999999))
	scenario("create-unknown-product", http.MethodPost, "/v1/loans", `{"customerId":`+cust+`,"productId":999999,"principal":1000}`)
	scenario("create-unknown-customer", http.MethodPost, "/v1/loans", fmt.Sprintf(`{"customerId":%s,"productId":%d,"principal":1000,"externalId":%s}`, unknownID, fake.SeedFlatProductID, strconv.Quote(p+"-loan-y")))

	scenario("get-by-id", http.MethodGet, byID(a), "")
	scenario("get-by-external-id", http.MethodGet, byExt(p+"-loan-a"), "")
	scenario("get-unknown-id", http.MethodGet, byID(unknownID), "")
	scenario("get-unknown-external-id", http.MethodGet, byExt(p+"-none"), "")
	scenario("list-by-customer", http.MethodGet, "/v1/loans?customerId="+cust+"&orderBy=principal&sortOrder=DESC", "")
	scenario("list-by-status", http.MethodGet, "/v1/loans?status=active&rows=2", "")
	scenario("point-lookup", http.MethodGet, "/v1/loans?externalId="+url.QueryEscape(p+"-loan-a"), "")

	scenario("update-active", http.MethodPut, byID(a), `{"principal":9000}`)
	scenario("undo-disbursal", http.MethodPost, byID(a)+"/undo-disbursal", `{"note":"payout failed"}`)
	scenario("undo-approval", http.MethodPost, byExt(p+"-loan-a")+"/undo-approval", "")
	scenario("update", http.MethodPut, byID(a), `{"principal":9000,"numberOfRepayments":12}`)
	scenario("delete", http.MethodDelete, byID(a), "")

	c := answerID(scenario("create-for-adjust", http.MethodPost, "/v1/loans", originate(p+"-loan-c", 8000)))
	scenario("adjust-disbursement-date", http.MethodPost, byID(c)+"/adjust-disbursement-date", `{"actualDisbursementDate":"`+today+`"}`)
	scenario("write-off", http.MethodPost, byID(c)+"/write-off", `{"note":"uncollectable"}`)
	scenario("write-off-written-off", http.MethodPost, byID(c)+"/write-off", "")
	scenario("rollback-settled", http.MethodPost, byID(c)+"/rollback", "")

	t.setup(http.MethodPost, "/v1/loans", originate(p+"-loan-d", 7000))
	scenario("rollback", http.MethodPost, byExt(p+"-loan-d")+"/rollback", `{"note":"wallet payout failed"}`)

	if sim := t.opts.sim; sim != nil {
		sim.SetMakerChecker("DISBURSE_LOAN", true)
		scenario("create-disbursal-awaiting-approval", http.MethodPost, "/v1/loans", originate(p+"-loan-e", 6000))
		sim.SetMakerChecker("DISBURSE_LOAN", false)
	}
}
