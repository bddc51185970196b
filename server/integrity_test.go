package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/translate"
	"lmsproxy/upstream"
	"lmsproxy/upstream/fake"
)

// TestUpstreamRedirectsAreNotFollowed: a redirect from the upstream, or from
// anything in front of it, is an internal error. Nothing reaches where it
// points (neither the credentials nor a write), the upstream is not asked
// again, and nothing is applied.
func TestUpstreamRedirectsAreNotFollowed(t *testing.T) {
	tests := []struct {
		name, method, path, body string
		upstreamMethod           string
		redirect                 int
	}{
		{"get 302", http.MethodGet, "/v1/customers/2", "", http.MethodGet, http.StatusFound},
		{"get 301", http.MethodGet, "/v1/customers/external/" + fake.SeedNamedExternalID, "", http.MethodGet, http.StatusMovedPermanently},
		{"list 303", http.MethodGet, "/v1/customers?page=1", "", http.MethodGet, http.StatusSeeOther},
		{"create 307", http.MethodPost, "/v1/customers", `{"externalId":"redirected"}`, http.MethodPost, http.StatusTemporaryRedirect},
		{"rename 308", http.MethodPut, "/v1/customers/2", `{"externalId":"redirected"}`, http.MethodPut, http.StatusPermanentRedirect},
		{"close 307", http.MethodPost, "/v1/customers/1/close", `{"closureDate":"2026-11-21","closureReasonId":17}`, http.MethodPost, http.StatusTemporaryRedirect},
	}
	for _, line := range lines {
		for _, tt := range tests {
			t.Run(line.String()+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				var reached, credentials atomic.Int32
				elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					reached.Add(1)
					if r.Header.Get("Authorization") != "" {
						credentials.Add(1)
					}
					// Well-formed as a client and as a command result, so that
					// following the redirect would be served as an answer.
					w.Header().Set("Content-Type", "application/json")
					_, _ = io.WriteString(w, `{"id":2,"clientId":2,"externalId":"elsewhere","status":{"id":300}}`)
				}))
				t.Cleanup(elsewhere.Close)
				s := newStack(t, line)
				before := s.sim.Writes()
				s.sim.InjectFaults(tt.upstreamMethod, fake.Fault{Status: tt.redirect, Location: elsewhere.URL + fake.BasePath + "/clients/2"})

				r := s.do(tt.method, tt.path, tt.body)

				assert.Equal(t, http.StatusInternalServerError, r.status, r.body)
				assert.JSONEq(t, `{"code":"internal","message":"lms: status=`+strconv.Itoa(tt.redirect)+`: the loan management system sent an unexpected answer"}`, r.body)
				assert.Zero(t, reached.Load(), "nothing was sent where the redirect points")
				assert.Zero(t, credentials.Load(), "the credentials went nowhere else")
				assert.Equal(t, 1, countRequests(s.sim, tt.upstreamMethod), "the redirected request was not retried")
				assert.Equal(t, before, s.sim.Writes(), "nothing applied")
			})
		}
	}
}

func countRequests(sim *fake.Server, method string) int {
	n := 0
	for _, r := range sim.Requests() {
		if r.Method == method {
			n++
		}
	}
	return n
}

// Partner messages for answers the proxy cannot use or confirm.
const (
	msgUnreadable = "lms: status=200: the loan management system sent an answer that could not be read"
	msgUnknown    = "the change may have been applied, and the customer could not be read to find out; read it before retrying the request"
	msgApplied    = "the change was applied, but the customer could not be read back; read it with GET /v1/customers/{id}"
)

// Upstream bodies that decode but are not the answer asked for.
var (
	// otherClient is the record of SeedActiveID, answered for another client.
	otherClient = `{"id":1,"externalId":"` + fake.SeedActiveExternalID + `","status":{"id":300},"active":true}`
	// renamedClient is SeedActiveID's id with someone else's externalId.
	renamedClient = `{"id":1,"externalId":"someone-else","status":{"id":600}}`
	// resultForOther is a command result that names SeedActiveID.
	resultForOther = `{"officeId":1,"clientId":1,"resourceId":1}`
	pageWithoutID  = `{"totalFilteredRecords":1,"pageItems":[{"externalId":"x","status":{"id":300}}]}`
)

// lookupWithoutID is SeedNamedID's record without its id, as a lookup by
// externalId receives it on line v: from the external-id route (1.9+), or
// as a page item of the list filter.
func lookupWithoutID(v upstream.Version) string {
	item := `{"externalId":"` + fake.SeedNamedExternalID + `","status":{"id":300}}`
	if v.HasExternalIDRoutes() {
		return item
	}
	return `{"totalFilteredRecords":1,"pageItems":[` + item + `]}`
}

func replace(body string) fake.Fault { return fake.Fault{Replace: body} }

// served passes one request through untouched, to reach a later one.
var served = fake.Fault{}

// todayRead is the business-date flag read a stack's first create makes
// before its POST (server/today.go), passed through untouched.
var todayRead = served

var unavailable3 = []fake.Fault{{Status: http.StatusServiceUnavailable}, {Status: http.StatusServiceUnavailable}, {Status: http.StatusServiceUnavailable}}

type integrityCase struct {
	name, method, path, body string
	// faults are queued per upstream method before the request.
	faults func(v upstream.Version) map[string][]fake.Fault
	status int
	// message is the partner error message; {id} stands for the id of the
	// customer with externalId ext, read after the request.
	message string
	// ext is the externalId of the customer written; on a 200 the answer
	// must be it, with status wantStatus.
	ext, wantStatus string
	// writes is how many writes the upstream applied.
	writes int
}

func on(method string, seq ...fake.Fault) func(upstream.Version) map[string][]fake.Fault {
	return func(upstream.Version) map[string][]fake.Fault { return map[string][]fake.Fault{method: seq} }
}

const (
	createNew = `{"externalId":"integrity-new"}`
	renameAda = `{"externalId":"ada-renamed"}`
	closeBody = `{"closureDate":"2026-11-21","closureReasonId":17}`
)

var integrityCases = []integrityCase{
	// Reads: null, {}, no id or another customer is never a customer.
	{name: "get by id/null", method: "GET", path: "/v1/customers/2", faults: on("GET", replace("null")), status: 500, message: msgUnreadable},
	{name: "get by id/{}", method: "GET", path: "/v1/customers/2", faults: on("GET", replace("{}")), status: 500, message: msgUnreadable},
	{name: "get by id/another customer", method: "GET", path: "/v1/customers/2", faults: on("GET", replace(otherClient)), status: 500, message: msgUnreadable},
	{name: "get by externalId/null", method: "GET", path: "/v1/customers/external/" + fake.SeedNamedExternalID, faults: on("GET", replace("null")), status: 500, message: msgUnreadable},
	{name: "get by externalId/{}", method: "GET", path: "/v1/customers/external/" + fake.SeedNamedExternalID, faults: on("GET", replace("{}")), status: 500, message: msgUnreadable},
	{name: "get by externalId/no id", method: "GET", path: "/v1/customers/external/" + fake.SeedNamedExternalID, faults: func(v upstream.Version) map[string][]fake.Fault {
		return map[string][]fake.Fault{"GET": {replace(lookupWithoutID(v))}}
	}, status: 500, message: msgUnreadable},
	{name: "point lookup/null", method: "GET", path: "/v1/customers?externalId=" + fake.SeedNamedExternalID, faults: on("GET", replace("null")), status: 500, message: msgUnreadable},
	{name: "point lookup/{}", method: "GET", path: "/v1/customers?externalId=" + fake.SeedNamedExternalID, faults: on("GET", replace("{}")), status: 500, message: msgUnreadable},
	{name: "point lookup/no id", method: "GET", path: "/v1/customers?externalId=" + fake.SeedNamedExternalID, faults: func(v upstream.Version) map[string][]fake.Fault {
		return map[string][]fake.Fault{"GET": {replace(lookupWithoutID(v))}}
	}, status: 500, message: msgUnreadable},
	{name: "list/null", method: "GET", path: "/v1/customers?page=1", faults: on("GET", replace("null")), status: 500, message: msgUnreadable},
	{name: "list/{}", method: "GET", path: "/v1/customers?page=1", faults: on("GET", replace("{}")), status: 500, message: msgUnreadable},
	{name: "list/item without id", method: "GET", path: "/v1/customers?page=1", faults: on("GET", replace(pageWithoutID)), status: 500, message: msgUnreadable},

	// The read-back after a confirmed write must be the customer written;
	// when it is not, the result is in doubt too.
	{name: "create/read-back null", method: "POST", path: "/v1/customers", body: createNew, faults: on("GET", todayRead, replace("null")), status: 500, message: msgUnknown, writes: 1},
	{name: "create/read-back {}", method: "POST", path: "/v1/customers", body: createNew, faults: on("GET", todayRead, replace("{}")), status: 500, message: msgUnknown, writes: 1},
	{name: "create/result names another customer", method: "POST", path: "/v1/customers", body: createNew, faults: on("POST", replace(resultForOther)), status: 500, message: msgUnknown, writes: 1},
	{name: "rename/read-back null", method: "PUT", path: "/v1/customers/2", body: renameAda, faults: on("GET", served, replace("null")), status: 500, message: msgUnknown, writes: 1},
	{name: "rename/read-back another customer", method: "PUT", path: "/v1/customers/2", body: renameAda, faults: on("GET", served, replace(otherClient)), status: 500, message: msgUnknown, writes: 1},
	{name: "rename/result names another customer", method: "PUT", path: "/v1/customers/2", body: renameAda, faults: on("PUT", replace(resultForOther)), status: 500, message: msgUnknown, writes: 1},
	{name: "close/read-back {}", method: "POST", path: "/v1/customers/1/close", body: closeBody, faults: on("GET", replace("{}")), status: 500, message: msgUnknown, writes: 1},
	{name: "close by externalId/read-back another customer", method: "POST", path: "/v1/customers/external/" + fake.SeedActiveExternalID + "/close", body: closeBody, faults: on("GET", served, replace(renamedClient)), status: 500, message: msgUnknown, writes: 1},

	// A write result naming no customer is an answer the proxy cannot use:
	// the customer, read back as after a cut-off, says what happened.
	{name: "create/result {}", method: "POST", path: "/v1/customers", body: createNew, faults: on("POST", replace("{}")), status: 200, ext: "integrity-new", wantStatus: "Active", writes: 1},
	{name: "create/result null", method: "POST", path: "/v1/customers", body: createNew, faults: on("POST", replace("null")), status: 200, ext: "integrity-new", wantStatus: "Active", writes: 1},
	{name: "close/result with zero id", method: "POST", path: "/v1/customers/1/close", body: closeBody, faults: on("POST", replace(`{"officeId":1,"clientId":0,"resourceId":0}`)), status: 200, ext: fake.SeedActiveExternalID, wantStatus: "Closed", writes: 1},

	// Applied, then the read-back failed: the answer says it was applied and
	// where to read it, never to send it again.
	{name: "create/applied, read-back unavailable", method: "POST", path: "/v1/customers", body: createNew, faults: on("GET", append([]fake.Fault{todayRead}, unavailable3...)...), status: 500, message: msgApplied, ext: "integrity-new", writes: 1},
	{name: "rename/applied, read-back unavailable", method: "PUT", path: "/v1/customers/2", body: renameAda, faults: on("GET", append([]fake.Fault{served}, unavailable3...)...), status: 500, message: msgApplied, ext: "ada-renamed", writes: 1},
	{name: "close/applied, read-back unavailable", method: "POST", path: "/v1/customers/1/close", body: closeBody, faults: on("GET", unavailable3...), status: 500, message: msgApplied, ext: fake.SeedActiveExternalID, writes: 1},

	// Cut off after it may have been applied, and the customer cannot be
	// read: the outcome is unknown, and the answer says so.
	{name: "create/cut off, read unavailable", method: "POST", path: "/v1/customers", body: createNew, faults: func(upstream.Version) map[string][]fake.Fault {
		return map[string][]fake.Fault{"POST": {{Truncate: true}}, "GET": append([]fake.Fault{todayRead}, unavailable3...)}
	}, status: 503, message: msgUnknown, writes: 1},
	{name: "rename/cut off, read unavailable", method: "PUT", path: "/v1/customers/2", body: renameAda, faults: func(upstream.Version) map[string][]fake.Fault {
		return map[string][]fake.Fault{"PUT": {{Truncate: true}}, "GET": append([]fake.Fault{served}, unavailable3...)}
	}, status: 503, message: msgUnknown, writes: 1},
	{name: "close/cut off, read unavailable", method: "POST", path: "/v1/customers/1/close", body: closeBody, faults: func(upstream.Version) map[string][]fake.Fault {
		return map[string][]fake.Fault{"POST": {{Truncate: true}}, "GET": unavailable3}
	}, status: 503, message: msgUnknown, writes: 1},
	{name: "delete/cut off, read unavailable", method: "DELETE", path: "/v1/customers/3", faults: func(upstream.Version) map[string][]fake.Fault {
		return map[string][]fake.Fault{"DELETE": {{Truncate: true}}, "GET": unavailable3}
	}, status: 503, message: msgUnknown, writes: 1},
}

// TestAnswersAreTheCustomerAskedFor runs integrityCases on both lines: no
// upstream answer that is not the customer asked for, or written, becomes a
// 200, and a write's answer says truthfully whether it was applied.
func TestAnswersAreTheCustomerAskedFor(t *testing.T) {
	for _, line := range lines {
		for _, tc := range integrityCases {
			t.Run(line.String()+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				s := newStack(t, line)
				before := s.sim.Writes()
				for method, seq := range tc.faults(line) {
					s.sim.InjectFaults(method, seq...)
				}

				r := s.do(tc.method, tc.path, tc.body)

				require.Equal(t, tc.status, r.status, r.body)
				assert.Equal(t, tc.writes, s.sim.Writes()-before, "writes applied")
				s.sim.ClearFaults()
				if tc.status == http.StatusOK {
					var got translate.Customer
					require.NoError(t, json.Unmarshal([]byte(r.body), &got))
					assert.Equal(t, tc.ext, got.ExternalID)
					assert.Equal(t, tc.wantStatus, got.Status)
					return
				}
				var env translate.Error
				require.NoError(t, json.Unmarshal([]byte(r.body), &env))
				if !strings.Contains(tc.message, "{id}") {
					assert.Equal(t, tc.message, env.Message)
					return
				}
				// Following the message finds the customer written.
				found := s.do("GET", "/v1/customers/external/"+tc.ext, "")
				require.Equal(t, http.StatusOK, found.status, found.body)
				var c translate.Customer
				require.NoError(t, json.Unmarshal([]byte(found.body), &c))
				assert.Equal(t, strings.ReplaceAll(tc.message, "{id}", c.ID), env.Message)
				again := s.do("GET", "/v1/customers/"+c.ID, "")
				assert.Equal(t, found.body, again.body)
			})
		}
	}
}
