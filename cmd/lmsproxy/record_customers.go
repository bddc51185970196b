package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"lmsproxy/translate"
	"lmsproxy/upstream"
	"lmsproxy/upstream/fake"
	"lmsproxy/upstream/wire"
)

func externalIDBody(ext string) string { return `{"externalId":` + strconv.Quote(ext) + `}` }

func closeBody(date string, reason int64) string {
	return `{"closureDate":"` + date + `","closureReasonId":` + strconv.FormatInt(reason, 10) + `}`
}

// unknownID is a customer id no upstream is expected to have.
const unknownID = "999999999"

// customers is the customers' script: every customer operation's success
// and each refusal a client of the upstream can provoke. Scenario names are
// the corpus's file names, so keep them stable.
func (t *tour) customers() {
	p := t.opts.prefix
	byID := func(id string) string { return "/v1/customers/" + id }
	byExt := func(ext string) string { return "/v1/customers/external/" + url.PathEscape(ext) }
	today := wire.DateOf(t.opts.now().In(t.cfg.Server.Location))
	businessDate := wire.DateOf(today.Time().AddDate(0, 0, -1))
	yesterday := businessDate.ISO()
	reason := t.opts.closureReasonID

	a := answerID(t.scenario("create", http.MethodPost, "/v1/customers", externalIDBody(p+"-a")))
	t.scenario("get-by-id", http.MethodGet, byID(a), "")
	t.scenario("get-by-external-id", http.MethodGet, byExt(p+"-a"), "")
	t.scenario("list", http.MethodGet, "/v1/customers?page=1&rows=2&orderBy=id&sortOrder=ASC", "")
	t.scenario("point-lookup", http.MethodGet, "/v1/customers?externalId="+url.QueryEscape(p+"-a"), "")
	t.scenario("point-lookup-unknown", http.MethodGet, "/v1/customers?externalId="+url.QueryEscape(p+"-none"), "")
	t.scenario("update", http.MethodPut, byID(a), externalIDBody(p+"-b"))
	t.scenario("update-by-external-id", http.MethodPut, byExt(p+"-b"), externalIDBody(p+"-a"))
	t.scenario("create-duplicate-external-id", http.MethodPost, "/v1/customers", externalIDBody(p+"-a"))
	t.scenario("close-before-activation", http.MethodPost, byID(a)+"/close", closeBody(yesterday, reason))
	t.scenario("close-unknown-reason", http.MethodPost, byID(a)+"/close", closeBody(today.ISO(), 999999))
	t.scenario("close", http.MethodPost, byID(a)+"/close", closeBody(today.ISO(), reason))
	t.scenario("close-already-closed", http.MethodPost, byID(a)+"/close", closeBody(today.ISO(), reason))
	t.setup(http.MethodPost, "/v1/customers", externalIDBody(p+"-c"))
	t.scenario("close-by-external-id", http.MethodPost, byExt(p+"-c")+"/close", closeBody(today.ISO(), reason))
	d := t.setup(http.MethodPost, "/v1/customers", externalIDBody(p+"-d"))
	t.scenario("delete-active", http.MethodDelete, byID(d), "")
	t.scenario("delete-pending", http.MethodDelete, byID(t.pendingClient(p+"-p", today)), "")

	t.scenario("get-unknown-id", http.MethodGet, byID(unknownID), "")
	t.scenario("get-unknown-external-id", http.MethodGet, byExt(p+"-none"), "")
	t.scenario("update-unknown-id", http.MethodPut, byID(unknownID), externalIDBody(p+"-e"))
	t.scenario("close-unknown-id", http.MethodPost, byID(unknownID)+"/close", closeBody(today.ISO(), reason))
	t.scenario("delete-unknown-id", http.MethodDelete, byID(unknownID), "")
	t.scenario("delete-unknown-external-id", http.MethodDelete, byExt(p+"-none"), "")
	// ";delete" is what 1.10's SQL validator refuses on the list filter
	// (inject-stacked-query); the lookup then sends it wildcarded.
	t.setup(http.MethodPost, "/v1/customers", externalIDBody(p+"-v;delete"))
	t.scenario("point-lookup-sql-validation", http.MethodGet, "/v1/customers?externalId="+url.QueryEscape(p+"-v;delete"), "")

	t.misconfigured("upstream-unauthenticated", func(c *upstream.Config) { c.Password += "-wrong" })
	t.misconfigured("upstream-unknown-tenant", func(c *upstream.Config) { c.Tenant += "-unknown" })

	if sim := t.opts.sim; sim != nil {
		t.scenario("close-open-loans", http.MethodPost, byID(strconv.FormatInt(fake.SeedOpenLoanID, 10))+"/close", closeBody(today.ISO(), reason))
		t.awaitingApproval(sim, "CREATE_CLIENT", "create-awaiting-approval", http.MethodPost, "/v1/customers", externalIDBody(p+"-f"))
		t.awaitingApproval(sim, "UPDATE_CLIENT", "update-awaiting-approval", http.MethodPut, byExt(p+"-d"), externalIDBody(p+"-h"))
		t.awaitingApproval(sim, "CLOSE_CLIENT", "close-awaiting-approval", http.MethodPost, byID(d)+"/close", closeBody(today.ISO(), reason))
		t.awaitingApproval(sim, "DELETE_CLIENT", "delete-awaiting-approval", http.MethodDelete, byID(t.pendingClient(p+"-q", today)), "")
		sim.DenyPermission("ACTIVATE_CLIENT")
		t.scenario("create-no-activate-permission", http.MethodPost, "/v1/customers", externalIDBody(p+"-i"))
		sim.GrantPermission("ACTIVATE_CLIENT")
		// A fresh proxy each, so that it reads the business date rather
		// than answer from the cache of the first create.
		sim.SetBusinessDate(true, wire.Date{})
		t.scenarioVia(t.freshProxy(), "create-business-date-not-stored", http.MethodPost, "/v1/customers", externalIDBody(p+"-j"))
		sim.SetBusinessDate(true, businessDate)
		t.scenarioVia(t.freshProxy(), "create-business-date", http.MethodPost, "/v1/customers", externalIDBody(p+"-k"))
		sim.DenyPermission("READ_BUSINESS_DATE")
		t.scenarioVia(t.freshProxy(), "create-business-date-unreadable", http.MethodPost, "/v1/customers", externalIDBody(p+"-l"))
		sim.SetBusinessDate(false, wire.Date{})
		sim.DenyPermission("READ_CLIENT")
		t.scenario("get-no-permission", http.MethodGet, byID(a), "")
		sim.DenyPermission("CREATE_CLIENT")
		t.scenario("create-no-permission", http.MethodPost, "/v1/customers", externalIDBody(p+"-g"))
		// The next script starts from the permissions it had.
		sim.GrantPermission("CREATE_CLIENT")
		sim.GrantPermission("READ_CLIENT")
	}
}

// misconfigured records a list through a proxy whose upstream settings are
// wrong, for the upstream's answers to the proxy's own credentials.
func (t *tour) misconfigured(name string, edit func(*upstream.Config)) {
	if t.err != nil {
		return
	}
	proxy, err := t.proxyWith(edit)
	if err != nil {
		t.err = err
		return
	}
	t.scenarioVia(proxy, name, http.MethodGet, "/v1/customers?page=1&rows=2", "")
}

// pendingClient creates a client that was never activated, which the proxy
// never does, straight through an upstream client that is not recorded.
func (t *tour) pendingClient(ext string, today wire.Date) string {
	if t.err != nil {
		return ""
	}
	up, err := upstream.New(t.cfg.Upstream)
	if err != nil {
		t.err = err
		return ""
	}
	res, err := up.CreateClient(t.ctx, wire.ClientCreate{
		OfficeID: t.cfg.Server.OfficeID, LegalFormID: wire.LegalFormPerson,
		Firstname: ext, Lastname: translate.PlaceholderLastname, ExternalID: ext,
		SubmittedOnDate: today.ISO(), DateFormat: wire.DateFormat, Locale: wire.Locale,
	})
	t.rec.Take()
	if err != nil {
		t.err = fmt.Errorf("record: creating a pending client: %w", err)
		return ""
	}
	return strconv.FormatInt(res.ClientID, 10)
}
