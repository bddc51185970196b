package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"lmsproxy/server"
	"lmsproxy/server/auth"
	"lmsproxy/translate"
	"lmsproxy/upstream"
	"lmsproxy/upstream/fake"
)

// today is the business date of every end-to-end test, on both sides.
var today = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

func clock() time.Time { return today }

// lines are the upstream release lines every end-to-end test runs against.
var lines = []upstream.Version{upstream.V1_8, upstream.V1_10}

// stack is a whole deployment on loopback: upstream simulator, local token
// issuer, proxy. Tests talk HTTP to the proxy only.
type stack struct {
	t      *testing.T
	sim    *fake.Server
	simSrv *httptest.Server
	issuer *auth.LocalIssuer
	up     *upstream.Client
	srv    *server.Server
	proxy  *httptest.Server
	token  string
	// sent accumulates every value partners sent: the proxy may echo any
	// of them later (a GET returns the externalId a POST set).
	sent []string
}

// stackOptions tune a stack; the zero value is a 1.10 upstream with
// production settings, except fast retry backoff (the tests are about what
// is observed, not about waiting).
type stackOptions struct {
	line upstream.Version
	// upstreamPassword is what the proxy presents; the simulator expects
	// "password", so anything else makes the upstream answer 401.
	upstreamPassword string
	// upstreamURL replaces the simulator's address (an unreachable upstream,
	// or the contract tests' replay server).
	upstreamURL string
	// wrapUpstream, when set, stands in front of the simulator.
	wrapUpstream func(http.Handler) http.Handler
	// upstreamTLS serves the simulator over https with a self-signed
	// certificate, as Fineract does by default, which the proxy trusts
	// through a CA file (LMSPROXY_UPSTREAM_CA_FILE).
	upstreamTLS bool
	// upstreamConfig adjusts the upstream client (retries, breaker, caps).
	upstreamConfig func(*upstream.Config)
	// jwksURL replaces the issuer's key-set address (keys unavailable).
	jwksURL string
	// log receives the server's and the verifier's logs, as in production.
	log *zap.Logger
	// now is the clock of both sides (default: clock).
	now     func() time.Time
	config  func(*server.Config)
	options []server.Option
	// sim adjusts the simulator's options (business date, tenant zone).
	sim func(*fake.Options)
	// businessDateKnown hides the upstream client's business-date read from
	// the proxy, which then takes today in its tenant zone, as a proxy that
	// read it for an earlier create answers from its cache.
	businessDateKnown bool
}

func newStack(t *testing.T, line upstream.Version, opts ...server.Option) *stack {
	t.Helper()
	return deploy(t, stackOptions{line: line, options: opts})
}

// deploy builds a stack as o says.
func deploy(t *testing.T, o stackOptions) *stack {
	t.Helper()
	if o.line.IsZero() {
		o.line = upstream.V1_10
	}
	if o.log == nil {
		o.log = zap.NewNop()
	}
	if o.now == nil {
		o.now = clock
	}
	simOpts := fake.Options{Version: o.line, Today: o.now}
	if o.sim != nil {
		o.sim(&simOpts)
	}
	s := &stack{t: t, sim: fake.New(simOpts)}
	var upstreamHandler http.Handler = s.sim
	if o.wrapUpstream != nil {
		upstreamHandler = o.wrapUpstream(s.sim)
	}
	s.simSrv = httptest.NewUnstartedServer(upstreamHandler)
	if o.upstreamTLS {
		s.simSrv.StartTLS()
	} else {
		s.simSrv.Start()
	}
	t.Cleanup(s.simSrv.Close)

	var err error
	s.issuer, err = auth.NewLocalIssuer("service-project", nil)
	require.NoError(t, err)
	issSrv := httptest.NewServer(s.issuer.Handler())
	t.Cleanup(issSrv.Close)
	jwksURL := issSrv.URL + auth.JWKSPath
	if o.jwksURL != "" {
		jwksURL = o.jwksURL
	}
	verifier, err := auth.NewVerifier(auth.Config{Issuer: "service-project", JWKSURL: jwksURL}, auth.WithLogger(o.log.Named("auth")))
	require.NoError(t, err)

	ucfg := upstream.Config{
		BaseURL: s.simSrv.URL + "/fineract-provider/api", Tenant: "default",
		Username: "mifos", Password: "password", Version: o.line,
		Retry: upstream.RetryPolicy{MaxAttempts: 3, WaitMin: time.Millisecond, WaitMax: 2 * time.Millisecond, RetryAfterMax: time.Second},
	}
	if o.upstreamPassword != "" {
		ucfg.Password = o.upstreamPassword
	}
	if o.upstreamURL != "" {
		ucfg.BaseURL = o.upstreamURL
	}
	if o.upstreamTLS {
		ucfg.RootCAs = trustCertificate(t, s.simSrv.Certificate())
	}
	if o.upstreamConfig != nil {
		o.upstreamConfig(&ucfg)
	}
	s.up, err = upstream.New(ucfg)
	require.NoError(t, err)
	cfg := server.DefaultConfig()
	cfg.Location = time.UTC
	if o.config != nil {
		o.config(&cfg)
	}
	var up server.Upstream = s.up
	if o.businessDateKnown {
		up = struct{ server.Upstream }{s.up}
	}
	s.srv = server.New(cfg, up, verifier, append([]server.Option{server.WithClock(o.now), server.WithLogger(o.log)}, o.options...)...)
	s.proxy = httptest.NewServer(s.srv)
	t.Cleanup(s.proxy.Close)
	s.token, err = s.issuer.Mint(nil)
	require.NoError(t, err)
	return s
}

type response struct {
	status int
	header http.Header
	body   string
}

// do sends one partner request with the stack's admin token.
func (s *stack) do(method, path, body string) response {
	s.t.Helper()
	return s.doWith(method, path, body, map[string]string{"Authorization": "Bearer " + s.token})
}

func (s *stack) doWith(method, path, body string, headers map[string]string) response {
	s.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.proxy.URL+path, rd)
	require.NoError(s.t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(s.t, err)
	r := response{status: resp.StatusCode, header: resp.Header, body: string(b)}
	s.sent = append(s.sent, partnerValues(path, body)...)
	if strings.HasPrefix(path, "/v1/") || r.status >= 400 {
		// Partner routes and every error; /metrics is for operators.
		assertPartnerVocabulary(s.t, r, s.sent...)
	}
	validateAgainstOpenAPI(s.t, method, path, r.status, r.header, b)
	return r
}

// partnerValues are the strings a partner sent (path segments, query
// values, JSON string values): the proxy may echo them, so they are exempt
// from the vocabulary check, which is how an externalId "Client-7" survives.
func partnerValues(path, body string) []string {
	var out []string
	u, _ := url.Parse(path)
	for _, seg := range strings.Split(u.EscapedPath(), "/") {
		if v, err := url.PathUnescape(seg); err == nil {
			out = append(out, v)
		}
	}
	for _, vs := range u.Query() {
		out = append(out, vs...)
	}
	var m map[string]any
	if json.Unmarshal([]byte(body), &m) == nil {
		for _, v := range m {
			if s, ok := v.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// upstreamVocabulary is what no partner response may contain (spec §1).
var upstreamVocabulary = regexp.MustCompile(`Client|clients|error\.msg|validation\.msg|Fineract|fineract|developerMessage|pageItems|totalFilteredRecords|userMessageGlobalisationCode|\[\d{4},\s*\d{1,2},\s*\d{1,2}\]|org\.apache|java\.|SQL|mifos`)

// assertPartnerVocabulary checks a response against the contract: errors
// are exactly {code, message} as JSON; nothing upstream leaks.
func assertPartnerVocabulary(t *testing.T, r response, partnerValues ...string) {
	t.Helper()
	scrubbed := r.body
	// Longest first, so a path id "7" does not cut "Client-7" in two.
	partnerValues = slices.Clone(partnerValues)
	slices.SortFunc(partnerValues, func(a, b string) int { return len(b) - len(a) })
	for _, v := range partnerValues {
		if v != "" {
			scrubbed = strings.ReplaceAll(scrubbed, v, "")
			if q, err := json.Marshal(v); err == nil { // as it appears JSON-escaped
				scrubbed = strings.ReplaceAll(scrubbed, string(q[1:len(q)-1]), "")
			}
		}
	}
	assert.NotRegexp(t, upstreamVocabulary, scrubbed)
	if r.status >= 400 {
		assert.Equal(t, "application/json", r.header.Get("Content-Type"))
		var env map[string]any
		require.NoError(t, json.Unmarshal([]byte(r.body), &env), r.body)
		assert.Len(t, env, 2, r.body)
		code, _ := env["code"].(string)
		assert.Equal(t, r.status, server.HTTPStatus(translate.Code(code)), r.body)
		msg, ok := env["message"].(string)
		assert.True(t, ok && msg != "", r.body)
		if code == string(translate.InvalidArgument) {
			// The errors seed's Python example does json.loads(message).
			var fields []translate.FieldError
			require.NoError(t, json.Unmarshal([]byte(msg), &fields), msg)
			require.NotEmpty(t, fields)
			for _, f := range fields {
				assert.NotEmpty(t, f.Field)
				assert.NotEmpty(t, f.Error)
			}
		}
	}
}

func forEachLine(t *testing.T, f func(t *testing.T, s *stack)) {
	for _, line := range lines {
		t.Run("fineract-"+line.String(), func(t *testing.T) {
			t.Parallel()
			f(t, newStack(t, line))
		})
	}
}

// The seed documents' examples, literally.
func TestSeedExamples(t *testing.T) {
	forEachLine(t, func(t *testing.T, s *stack) {
		r := s.do("GET", "/v1/customers/9999", "")
		assert.Equal(t, 404, r.status)
		assert.JSONEq(t, `{"code":"not_found","message":"lms: status=404: Customer with id 9999 does not exist"}`, r.body)

		r = s.do("POST", "/v1/customers", `{}`)
		assert.Equal(t, 400, r.status)
		assert.JSONEq(t, `{"code":"invalid_argument","message":"[{\"field\":\"externalId\",\"error\":\"required\"}]"}`, r.body)
	})
}

func customerPath(form, id, ext string) string {
	if form == "external" {
		return "/v1/customers/external/" + url.PathEscape(ext)
	}
	return "/v1/customers/" + id
}

var forms = []string{"id", "external"}

func TestCustomerLifecycle(t *testing.T) {
	forEachLine(t, func(t *testing.T, s *stack) {
		for i, ext := range []string{"ext-ada-900", "Client-7", "a/b%c", "with space?#", "ünïcødé-☃", strings.Repeat("x", 100)} {
			form := forms[i%2]
			r := s.do("POST", "/v1/customers", `{"externalId":`+strconv.Quote(ext)+`}`)
			require.Equal(t, 200, r.status, r.body)
			var created translate.Customer
			require.NoError(t, json.Unmarshal([]byte(r.body), &created))
			firstname := ext
			if len(ext) > 50 {
				firstname = ext[:50]
			}
			assert.Equal(t, translate.Customer{
				ID: created.ID, AccountNo: created.AccountNo, ExternalID: ext, Status: "Active", Active: true,
				OfficeID: "1", OfficeName: "Head Office", Firstname: firstname, Lastname: "Customer",
				DisplayName: firstname + " Customer", ActivationDate: "2026-11-21", SubmittedDate: "2026-11-21",
			}, created)

			byID := s.do("GET", customerPath("id", created.ID, ext), "")
			byExt := s.do("GET", customerPath("external", created.ID, ext), "")
			assert.Equal(t, 200, byID.status)
			assert.Equal(t, r.body, byID.body, "create answers the customer as GET does")
			assert.Equal(t, byID.body, byExt.body, "both addressing forms answer identically")

			list := s.do("GET", "/v1/customers?externalId="+url.QueryEscape(ext), "")
			assert.Equal(t, 200, list.status)
			assert.JSONEq(t, `{"items":[`+byID.body+`],"total":1,"page":1,"rowsPerPage":10}`, list.body)

			renamed := ext + "-2"
			if len(renamed) > 100 {
				renamed = "renamed-" + strconv.Itoa(i)
			}
			r = s.do("PUT", customerPath(form, created.ID, ext), `{"externalId":`+strconv.Quote(renamed)+`}`)
			require.Equal(t, 200, r.status, r.body)
			var updated translate.Customer
			require.NoError(t, json.Unmarshal([]byte(r.body), &updated))
			assert.Equal(t, renamed, updated.ExternalID)
			assert.Equal(t, renamed, updated.Firstname, "firstname mirrored the old externalId, so it follows")

			r = s.do("POST", customerPath(form, created.ID, renamed)+"/close", `{"closureDate":"2026-11-21","closureReasonId":17}`)
			require.Equal(t, 200, r.status, r.body)
			var closed translate.Customer
			require.NoError(t, json.Unmarshal([]byte(r.body), &closed))
			assert.Equal(t, "Closed", closed.Status)
			assert.False(t, closed.Active)

			r = s.do("POST", customerPath(form, created.ID, renamed)+"/close", `{"closureDate":"2026-11-21","closureReasonId":"17"}`)
			assert.Equal(t, 409, r.status)
			assert.JSONEq(t, `{"code":"aborted","message":"lms: status=403: Customer is already closed"}`, r.body)
		}
	})
}

func TestUpdateKeepsRealNames(t *testing.T) {
	forEachLine(t, func(t *testing.T, s *stack) {
		for _, form := range forms {
			ext := fake.SeedNamedExternalID
			if form == "id" {
				ext = "ada-by-id"
				r := s.do("PUT", customerPath("external", "", fake.SeedNamedExternalID), `{"externalId":"ada-by-id"}`)
				require.Equal(t, 200, r.status, r.body)
			}
			r := s.do("PUT", customerPath(form, strconv.FormatInt(fake.SeedNamedID, 10), ext), `{"externalId":"ada-renamed-`+form+`"}`)
			require.Equal(t, 200, r.status, r.body)
			var c translate.Customer
			require.NoError(t, json.Unmarshal([]byte(r.body), &c))
			assert.Equal(t, "Ada", c.Firstname)
			assert.Equal(t, "Lovelace", c.Lastname)
			assert.Equal(t, "ada-renamed-"+form, c.ExternalID)
			assert.Equal(t, fake.SeedNamedMobileNo, c.MobileNo)
			assert.Equal(t, "1815-12-10", c.DateOfBirth)
			// Put the name back for the other form.
			r = s.do("PUT", customerPath("id", c.ID, ""), `{"externalId":"`+fake.SeedNamedExternalID+`"}`)
			require.Equal(t, 200, r.status, r.body)
		}
	})
}

func TestDelete(t *testing.T) {
	forEachLine(t, func(t *testing.T, s *stack) {
		pending := strconv.FormatInt(fake.SeedPendingID, 10)
		r := s.do("DELETE", customerPath("external", pending, fake.SeedPendingExternalID), "")
		assert.Equal(t, 200, r.status)
		assert.Empty(t, r.body)
		r = s.do("DELETE", customerPath("id", pending, ""), "")
		assert.JSONEq(t, `{"code":"not_found","message":"lms: status=404: Customer with id `+pending+` does not exist"}`, r.body)

		active := strconv.FormatInt(fake.SeedActiveID, 10)
		for _, form := range forms {
			r = s.do("DELETE", customerPath(form, active, fake.SeedActiveExternalID), "")
			assert.Equal(t, 409, r.status)
			want := "Customer with id " + active
			if form == "external" {
				want = "Customer with externalId " + fake.SeedActiveExternalID
			}
			assert.JSONEq(t, `{"code":"aborted","message":"lms: status=403: `+want+` cannot be deleted as it is not in Pending state"}`, r.body)
		}
	})
}

// Upstream refusals, as partners see them, identical on every line.
func TestUpstreamErrors(t *testing.T) {
	tests := []struct {
		name, method, path, body string
		wantStatus               int
		wantBody                 string
	}{
		{"unknown id", "GET", "/v1/customers/424242", "", 404, `{"code":"not_found","message":"lms: status=404: Customer with id 424242 does not exist"}`},
		{"unknown externalId", "GET", "/v1/customers/external/Client-404", "", 404, `{"code":"not_found","message":"lms: status=404: Customer with externalId Client-404 does not exist"}`},
		{"unknown externalId, close", "POST", "/v1/customers/external/nope/close", `{"closureDate":"2026-11-21","closureReasonId":17}`, 404, `{"code":"not_found","message":"lms: status=404: Customer with externalId nope does not exist"}`},
		{"case differs from a real externalId", "GET", "/v1/customers/external/EXT-ACTIVE-001", "", 404, `{"code":"not_found","message":"lms: status=404: Customer with externalId EXT-ACTIVE-001 does not exist"}`},
		{"point lookup miss", "GET", "/v1/customers?externalId=nope&rows=5", "", 200, `{"items":[],"total":0,"page":1,"rowsPerPage":5}`},
		{"point lookup with a LIKE wildcard", "GET", "/v1/customers?externalId=ext-%25", "", 200, `{"items":[],"total":0,"page":1,"rowsPerPage":10}`},
		{"duplicate externalId", "POST", "/v1/customers", `{"externalId":"` + fake.SeedActiveExternalID + `"}`, 409, `{"code":"aborted","message":"lms: status=403: Customer with externalId ` + fake.SeedActiveExternalID + ` already exists (or one differing from it only in letter case)"}`},
		{"rename onto another customer's externalId", "PUT", "/v1/customers/external/" + fake.SeedActiveExternalID, `{"externalId":"` + fake.SeedNamedExternalID + `"}`, 409, `{"code":"aborted","message":"lms: status=403: Customer with externalId ` + fake.SeedNamedExternalID + ` already exists (or one differing from it only in letter case)"}`},
		{"close with open loans", "POST", "/v1/customers/external/" + fake.SeedOpenLoanExternalID + "/close", `{"closureDate":"2026-11-21","closureReasonId":17}`, 409, `{"code":"aborted","message":"lms: status=403: Customer cannot be closed because of non-closed loans"}`},
		{"close already closed", "POST", "/v1/customers/" + strconv.FormatInt(fake.SeedClosedID, 10) + "/close", `{"closureDate":"2026-11-21","closureReasonId":17}`, 409, `{"code":"aborted","message":"lms: status=403: Customer is already closed"}`},
		{"unknown closure reason", "POST", "/v1/customers/" + strconv.FormatInt(fake.SeedActiveID, 10) + "/close", `{"closureDate":"2026-11-21","closureReasonId":11}`, 400, `{"code":"invalid_argument","message":"[{\"field\":\"closureReasonId\",\"error\":\"unknown closure reason\"}]"}`},
		{"closure before activation", "POST", "/v1/customers/" + strconv.FormatInt(fake.SeedActiveID, 10) + "/close", `{"closureDate":"2020-01-01","closureReasonId":17}`, 400, `{"code":"invalid_argument","message":"[{\"field\":\"closureDate\",\"error\":\"must not be before the activation date 2023-01-10\"}]"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var bodies []string
			for _, line := range lines {
				r := newStack(t, line).do(tt.method, tt.path, tt.body)
				assert.Equal(t, tt.wantStatus, r.status, "%s: %s", line, r.body)
				assert.JSONEq(t, tt.wantBody, r.body, "line %s", line)
				bodies = append(bodies, r.body)
			}
			for _, b := range bodies[1:] {
				assert.Equal(t, bodies[0], b, "partners see the same bytes whatever the upstream line")
			}
		})
	}
}

func TestList(t *testing.T) {
	forEachLine(t, func(t *testing.T, s *stack) {
		r := s.do("GET", "/v1/customers?page=1&rows=2&orderBy=id&sortOrder=DESC", "")
		require.Equal(t, 200, r.status, r.body)
		var p translate.Page[translate.Customer]
		require.NoError(t, json.Unmarshal([]byte(r.body), &p))
		assert.Equal(t, int64(5), p.Total, "total counts every match, not the page")
		assert.Equal(t, 1, p.Page)
		assert.Equal(t, 2, p.RowsPerPage)
		require.Len(t, p.Items, 2)
		assert.Equal(t, "5", p.Items[0].ID)
		assert.Equal(t, "4", p.Items[1].ID)

		r = s.do("GET", "/v1/customers?page=3&rows=2&orderBy=id&sortOrder=DESC", "")
		require.NoError(t, json.Unmarshal([]byte(r.body), &p))
		require.Len(t, p.Items, 1)
		assert.Equal(t, "1", p.Items[0].ID)

		// The upstream always gets an explicit positive limit and only
		// whitelisted sort columns.
		for _, req := range s.sim.Requests() {
			if req.Method == "GET" && strings.HasSuffix(req.Path, "/clients") {
				q, err := url.ParseQuery(req.RawQuery)
				require.NoError(t, err)
				limit, err := strconv.Atoi(q.Get("limit"))
				require.NoError(t, err, req.RawQuery)
				assert.Positive(t, limit)
			}
		}
	})
}

// Input the proxy refuses before any upstream call.
func TestInputValidation(t *testing.T) {
	tests := []struct {
		name, method, path, body, contentType string
		wantBody                              string
	}{
		{"non-numeric id", "GET", "/v1/customers/abc", "", "", `[{"field":"customer_id","error":"must be a positive integer"}]`},
		{"zero id", "GET", "/v1/customers/0", "", "", `[{"field":"customer_id","error":"must be a positive integer"}]`},
		{"id out of range", "GET", "/v1/customers/99999999999999999999", "", "", `[{"field":"customer_id","error":"must be a positive integer"}]`},
		{"externalId too long", "GET", "/v1/customers/external/" + strings.Repeat("x", 101), "", "", `[{"field":"customer_external_id","error":"must be 1 to 100 characters (UTF-16 code units: an emoji counts as 2)"}]`},
		{"unknown query parameter on get", "GET", "/v1/customers/1?fields=id", "", "", `[{"field":"fields","error":"unknown parameter"}]`},
		{"unknown list parameter", "GET", "/v1/customers?limit=1000", "", "", `[{"field":"limit","error":"unknown parameter"}]`},
		{"rows too large", "GET", "/v1/customers?rows=101", "", "", `[{"field":"rows","error":"must be an integer from 1 to 100"}]`},
		{"orderBy not whitelisted", "GET", "/v1/customers?orderBy=c.id%20desc%3B", "", "", `[{"field":"orderBy","error":"must be one of id, displayName, submittedDate, activationDate"}]`},
		{"unknown body field", "POST", "/v1/customers", `{"externalId":"x","officeId":2}`, "", `[{"field":"officeId","error":"unknown field"}]`},
		{"malformed JSON", "POST", "/v1/customers", `{"externalId":`, "", `[{"field":"body","error":"malformed JSON"}]`},
		{"wrong type", "PUT", "/v1/customers/1", `{"externalId":1}`, "", `[{"field":"externalId","error":"must be a string"}]`},
		{"path and body problems together", "PUT", "/v1/customers/x", `{"foo":1}`, "", `[{"field":"customer_id","error":"must be a positive integer"},{"field":"foo","error":"unknown field"},{"field":"externalId","error":"required"}]`},
		{"close without fields", "POST", "/v1/customers/1/close", `{}`, "", `[{"field":"closureDate","error":"required"},{"field":"closureReasonId","error":"required"}]`},
		{"body on delete", "DELETE", "/v1/customers/1", `{"force":true}`, "", `[{"field":"body","error":"must be empty"}]`},
		{"form content type", "POST", "/v1/customers", `externalId=x`, "application/x-www-form-urlencoded", `[{"field":"Content-Type","error":"must be application/json"}]`},
		{"oversized body", "POST", "/v1/customers", `{"externalId":"` + strings.Repeat("x", 1<<20) + `"}`, "", `[{"field":"body","error":"too large"}]`},
	}
	s := newStack(t, upstream.V1_10)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(s.sim.Requests())
			headers := map[string]string{"Authorization": "Bearer " + s.token}
			if tt.contentType != "" {
				headers["Content-Type"] = tt.contentType
			}
			r := s.doWith(tt.method, tt.path, tt.body, headers)
			assert.Equal(t, 400, r.status, r.body)
			var env translate.Error
			require.NoError(t, json.Unmarshal([]byte(r.body), &env))
			assert.Equal(t, translate.InvalidArgument, env.Code)
			assert.Equal(t, tt.wantBody, env.Message)
			assert.Equal(t, before, len(s.sim.Requests()), "refused before any upstream call")
		})
	}
}

// Failures outside the handlers still answer with the envelope.
func TestEnvelopeEverywhere(t *testing.T) {
	s := newStack(t, upstream.V1_10)
	tests := []struct {
		name, method, path string
		headers            map[string]string
		wantStatus         int
		wantCode           translate.Code
	}{
		{"unknown route", "GET", "/v1/nothing", map[string]string{"Authorization": "Bearer " + s.token}, 404, translate.NotFound},
		{"unknown route outside /v1", "GET", "/nothing", nil, 404, translate.NotFound},
		{"wrong method", "PATCH", "/v1/customers/1", map[string]string{"Authorization": "Bearer " + s.token}, 404, translate.NotFound},
		{"no token", "GET", "/v1/customers", nil, 401, translate.Unauthenticated},
		{"unknown route without token", "GET", "/v1/nothing", nil, 401, translate.Unauthenticated},
		{"basic auth", "GET", "/v1/customers", map[string]string{"Authorization": "Basic ZGV2OmRldg=="}, 401, translate.Unauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.doWith(tt.method, tt.path, "", tt.headers)
			assert.Equal(t, tt.wantStatus, r.status, r.body)
			var env translate.Error
			require.NoError(t, json.Unmarshal([]byte(r.body), &env))
			assert.Equal(t, tt.wantCode, env.Code)
			assert.NotEmpty(t, r.header.Get("X-Request-ID"))
		})
	}
}

func TestHealthz(t *testing.T) {
	s := newStack(t, upstream.V1_10)
	r := s.doWith("GET", "/healthz", "", nil)
	assert.Equal(t, 200, r.status)
	assert.JSONEq(t, `{"status":"ok"}`, r.body)
}

func TestRequestID(t *testing.T) {
	s := newStack(t, upstream.V1_10)
	r := s.doWith("GET", "/v1/customers/1", "", map[string]string{"Authorization": "Bearer " + s.token, "X-Request-ID": "partner-req-42"})
	assert.Equal(t, "partner-req-42", r.header.Get("X-Request-ID"))
	reqs := s.sim.Requests()
	assert.Equal(t, "partner-req-42", reqs[len(reqs)-1].Header.Get("X-Request-ID"), "forwarded upstream")

	r = s.doWith("GET", "/v1/customers/1", "", map[string]string{"Authorization": "Bearer " + s.token, "X-Request-ID": "bad id\twith spaces"})
	assert.Regexp(t, `^[0-9a-f]{32}$`, r.header.Get("X-Request-ID"), "a malformed id is replaced")
}
