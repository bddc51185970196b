package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/translate"
	"lmsproxy/upstream/fake"
)

// openAPI is the contract document, loaded, validated and routed once.
var openAPI = sync.OnceValues(func() (*openAPIContract, error) {
	raw, err := os.ReadFile("openapi.json")
	if err != nil {
		return nil, err
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, err
	}
	// The servers name deployments (a host to fill in, lmsproxy dev); the
	// tests' requests go to loopback servers of their own, so routes are
	// matched by path alone. doc keeps its servers for the checks below.
	routed := *doc
	routed.Servers = nil
	router, err := gorillamux.NewRouter(&routed)
	if err != nil {
		return nil, err
	}
	return &openAPIContract{doc: doc, router: router}, nil
})

type openAPIContract struct {
	doc    *openapi3.T
	router routers.Router
}

// validateAgainstOpenAPI checks one response the proxy gave against
// openapi.json: the status must be documented for the operation, and the
// headers and body must match the documented schemas (additionalProperties
// false, so no undocumented field passes). target is the request URI as
// sent, path and query, percent-encoding kept. A response to a request no
// route of the document matches (an unknown route or method) must still be
// the error envelope.
//
// Every response of the operability tests goes through it; the end-to-end
// tests call it for every response they see.
func validateAgainstOpenAPI(t testing.TB, method, target string, status int, header http.Header, body []byte) {
	t.Helper()
	contract, err := openAPI()
	require.NoError(t, err, "openapi.json")
	req := httptest.NewRequest(method, target, nil)
	route, params, err := contract.router.FindRoute(req)
	if err != nil {
		assert.GreaterOrEqual(t, status, 400, "%s %s is not in openapi.json but answered %d", method, target, status)
		var v any
		require.NoError(t, json.Unmarshal(body, &v), "%s %s: %s", method, target, body)
		assert.NoError(t, contract.doc.Components.Schemas["Error"].Value.VisitJSON(v), "%s %s: %s", method, target, body)
		return
	}
	err = openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	})
	assert.NoError(t, err, "%s %s answered %d %s", method, target, status, body)
	if status == http.StatusBadRequest {
		assertInvalidArgumentMessage(t, contract, body)
	}
}

// assertInvalidArgumentMessage checks an invalid_argument message against
// the schema the document gives it in Error's x-invalid-argument-message,
// which no OpenAPI validator reads by itself.
func assertInvalidArgumentMessage(t testing.TB, contract *openAPIContract, body []byte) {
	t.Helper()
	raw, err := json.Marshal(contract.doc.Components.Schemas["Error"].Value.Extensions["x-invalid-argument-message"])
	require.NoError(t, err)
	var schema openapi3.Schema
	require.NoError(t, json.Unmarshal(raw, &schema), "x-invalid-argument-message")
	require.Equal(t, "array", schema.Type.Slice()[0], "x-invalid-argument-message")
	var envelope struct{ Message string }
	require.NoError(t, json.Unmarshal(body, &envelope))
	var message any
	require.NoError(t, json.Unmarshal([]byte(envelope.Message), &message), "invalid_argument message is JSON: %s", envelope.Message)
	assert.NoError(t, schema.VisitJSON(message), "invalid_argument message: %s", envelope.Message)
}

// The status labels the document lists are exactly those the proxy can
// answer, so a generated enum neither misses one nor carries a dead one.
func TestOpenAPIStatusLabels(t *testing.T) {
	contract, err := openAPI()
	require.NoError(t, err)
	for _, tt := range []struct {
		schema *openapi3.Schema
		label  func(int64) string
	}{
		{contract.doc.Components.Schemas["Customer"].Value.Properties["status"].Value, translate.StatusLabel},
		{contract.doc.Components.Schemas["LoanStatus"].Value, translate.LoanStatusLabel},
	} {
		var documented []string
		for _, v := range tt.schema.Enum {
			documented = append(documented, v.(string))
		}
		answered := map[string]bool{}
		// Upstream status ids are small (Fineract's ClientStatus runs to
		// 900, LoanStatus to 700); every other id answers the same
		// fallback label.
		for id := int64(0); id <= 1000; id++ {
			answered[tt.label(id)] = true
		}
		assert.ElementsMatch(t, documented, slices.Collect(maps.Keys(answered)))
	}
}

// Every route the server registers is in the document and every path of
// the document is served: the contract cannot silently drift from the code.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	contract, err := openAPI()
	require.NoError(t, err)
	template := regexp.MustCompile(`\{[^}]+\}|:[^/]+`)
	var documented []string
	for path, item := range contract.doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+template.ReplaceAllString(path, "{}"))
		}
	}
	d := deploy(t, stackOptions{})
	var served []string
	for _, r := range d.srv.Routes() {
		if r.Method != echo.RouteNotFound {
			served = append(served, r.Method+" "+template.ReplaceAllString(r.Path, "{}"))
		}
	}
	assert.ElementsMatch(t, documented, served)
}

// A representative request per route and per error code, through a real
// stack, each validated against the document by stack.doWith.
func TestResponsesMatchOpenAPI(t *testing.T) {
	d := deploy(t, stackOptions{})
	created := d.do("POST", "/v1/customers", `{"externalId":"oas/1 ü"}`)
	require.Equal(t, 200, created.status, created.body)
	id := regexp.MustCompile(`"id":"(\d+)"`).FindStringSubmatch(created.body)[1]
	active, pending := strconv.FormatInt(fake.SeedActiveID, 10), fake.SeedPendingExternalID
	closeBody := `{"closureDate":"2026-11-21","closureReasonId":17}`

	tests := []struct {
		method, target, body string
		want                 int
	}{
		{"GET", "/v1/customers", "", 200},
		{"GET", "/v1/customers?page=2&rows=2&orderBy=displayName&sortOrder=DESC", "", 200},
		{"GET", "/v1/customers?externalId=" + fake.SeedNamedExternalID, "", 200},
		{"GET", "/v1/customers?rows=101&sort=x", "", 400},
		{"POST", "/v1/customers", `{"externalId":"` + fake.SeedActiveExternalID + `"}`, 409},
		{"GET", "/v1/customers/" + id, "", 200},
		{"GET", "/v1/customers/external/oas%2F1%20%C3%BC", "", 200},
		{"GET", "/v1/customers/external/" + fake.SeedNamedExternalID, "", 200},
		{"GET", "/v1/customers/424242", "", 404},
		{"GET", "/v1/customers/abc", "", 400},
		{"PUT", "/v1/customers/" + id, `{"externalId":"oas-2"}`, 200},
		{"PUT", "/v1/customers/external/oas-2", `{"externalId":"oas-3"}`, 200},
		{"PUT", "/v1/customers/external/oas-3", `{"externalId":"` + fake.SeedActiveExternalID + `"}`, 409},
		{"POST", "/v1/customers/" + id + "/close", closeBody, 200},
		{"POST", "/v1/customers/external/oas-3/close", closeBody, 409},
		{"POST", "/v1/customers/" + active + "/close", `{"closureDate":"2026-11-21","closureReasonId":11}`, 400},
		{"DELETE", "/v1/customers/external/" + pending, "", 200},
		{"DELETE", "/v1/customers/" + active, "", 409},
		{"DELETE", "/v1/customers/external/nope", "", 404},
		{"PATCH", "/v1/customers/" + active, "", 404},
		{"GET", "/v1/nothing", "", 404},
		{"GET", "/healthz", "", 200},
		{"GET", "/readyz", "", 200},
		{"GET", "/metrics", "", 200},
		{"GET", "/openapi.json", "", 200},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			r := d.do(tt.method, tt.target, tt.body)
			assert.Equal(t, tt.want, r.status, r.body)
		})
	}

	t.Run("401", func(t *testing.T) {
		r := d.doWith("GET", "/v1/customers", "", nil)
		assert.Equal(t, 401, r.status)
	})
	t.Run("403", func(t *testing.T) {
		denied := deploy(t, stackOptions{})
		denied.sim.DenyPermission("READ_CLIENT")
		assert.Equal(t, 403, denied.do("GET", "/v1/customers/"+active, "").status)
	})
	t.Run("500", func(t *testing.T) {
		refused := deploy(t, stackOptions{upstreamPassword: "wrong"})
		assert.Equal(t, 500, refused.do("GET", "/v1/customers/"+active, "").status)
	})
	t.Run("503", func(t *testing.T) {
		down := deploy(t, stackOptions{upstreamURL: unreachable(t)})
		assert.Equal(t, 503, down.do("GET", "/v1/customers/"+active, "").status)
		assert.Equal(t, 503, down.do("GET", "/readyz", "").status)
	})
}

// The document served is the one in the repository, and the statuses it
// documents for partner operations are exactly the contract's.
func TestOpenAPIServedAndComplete(t *testing.T) {
	d := deploy(t, stackOptions{})
	r := d.do("GET", "/openapi.json", "")
	want, err := os.ReadFile("openapi.json")
	require.NoError(t, err)
	assert.Equal(t, string(want), r.body)

	contract, err := openAPI()
	require.NoError(t, err)
	errorStatuses := []string{"400", "401", "403", "404", "409", "500", "503"}
	for path, item := range contract.doc.Paths.Map() {
		if !strings.HasPrefix(path, "/v1/") {
			continue
		}
		for method, op := range item.Operations() {
			var statuses []string
			for status := range op.Responses.Map() {
				statuses = append(statuses, status)
			}
			slices.Sort(statuses)
			assert.Equal(t, append([]string{"200"}, errorStatuses...), statuses, "%s %s", method, path)
			for _, status := range errorStatuses {
				schema := op.Responses.Status(mustAtoi(t, status)).Value.Content.Get("application/json").Schema
				assert.Equal(t, "#/components/schemas/Error", schema.Ref, "%s %s %s", method, path, status)
			}
		}
	}
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	require.NoError(t, err)
	return n
}

// failures records what a check reports instead of failing the test, so a
// test can assert that the check fails.
type failures struct {
	testing.TB
	messages []string
}

func (f *failures) Errorf(format string, args ...any) {
	f.messages = append(f.messages, format)
}
func (f *failures) FailNow() {}
func (f *failures) Helper()  {}

// The validator is only worth running if it refuses what the contract
// forbids.
func TestOpenAPIValidationRefusesViolations(t *testing.T) {
	ok := http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"req-1"}}
	tests := []struct {
		name, method, target string
		status               int
		header               http.Header
		body                 string
	}{
		{"numeric id", "GET", "/v1/customers/7", 200, ok, `{"id":7,"active":true}`},
		{"upstream field", "GET", "/v1/customers/7", 200, ok, `{"id":"7","active":true,"pageItems":[]}`},
		{"array date", "GET", "/v1/customers/7", 200, ok, `{"id":"7","active":true,"submittedDate":[2024,1,5]}`},
		{"not a date", "GET", "/v1/customers/external/x", 200, ok, `{"id":"7","active":true,"submittedDate":"05 January 2024"}`},
		{"null field", "GET", "/v1/customers/7", 200, ok, `{"id":"7","active":true,"middlename":null}`},
		{"missing active", "GET", "/v1/customers/7", 200, ok, `{"id":"7"}`},
		{"page without total", "GET", "/v1/customers?rows=1", 200, ok, `{"items":[],"page":1,"rowsPerPage":1}`},
		{"unknown code", "GET", "/v1/customers/7", 404, ok, `{"code":"NOT_FOUND","message":"x"}`},
		{"extra envelope field", "POST", "/v1/customers", 409, ok, `{"code":"aborted","message":"x","developerMessage":"y"}`},
		{"undocumented status", "GET", "/v1/customers", 429, ok, `{"code":"unavailable","message":"x"}`},
		{"no request id", "GET", "/v1/customers/7", 200, http.Header{"Content-Type": {"application/json"}}, `{"id":"7","active":true}`},
		{"unknown route, not an envelope", "GET", "/v2/nothing", 404, ok, `{"error":"not found"}`},
		{"unknown route, success", "GET", "/v2/nothing", 200, ok, `{}`},
		{"html error", "GET", "/readyz", 503, http.Header{"Content-Type": {"text/html"}, "X-Request-Id": {"req-1"}, "Retry-After": {"1"}}, `<html>`},
		{"401 without a challenge", "GET", "/v1/customers", 401, ok, `{"code":"unauthenticated","message":"x"}`},
		{"401 with another scheme", "GET", "/v1/customers", 401, http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"req-1"}, "Www-Authenticate": {`Basic realm="lmsproxy"`}}, `{"code":"unauthenticated","message":"x"}`},
		{"503 without Retry-After", "GET", "/v1/customers", 503, ok, `{"code":"unavailable","message":"x"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &failures{TB: t}
			validateAgainstOpenAPI(f, tt.method, tt.target, tt.status, tt.header, []byte(tt.body))
			assert.NotEmpty(t, f.messages, "accepted")
		})
	}
}
