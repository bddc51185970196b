package server_test

// The stack every end-to-end test deploys, and the helpers several test
// files share: one place, so a new resource's tests reuse them rather than
// grow their own.

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
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
	// auth adjusts the verifier's settings (roles claim, token kind).
	auth func(*auth.Config)
	// issuer customises the local token issuer (the typ header it sets).
	issuer []auth.IssuerOption
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
	s.issuer, err = auth.NewLocalIssuer("service-project", nil, o.issuer...)
	require.NoError(t, err)
	issSrv := httptest.NewServer(s.issuer.Handler())
	t.Cleanup(issSrv.Close)
	jwksURL := issSrv.URL + auth.JWKSPath
	if o.jwksURL != "" {
		jwksURL = o.jwksURL
	}
	acfg := auth.Config{Issuer: "service-project", JWKSURL: jwksURL}
	if o.auth != nil {
		o.auth(&acfg)
	}
	verifier, err := auth.NewVerifier(acfg, auth.WithLogger(o.log.Named("auth")))
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

// assertRefusedBeforeUpstream sends a request through send and checks that
// it was answered 400 invalid_argument with the field errors want, without
// any upstream call: the proxy validates everything a partner sent first.
func (s *stack) assertRefusedBeforeUpstream(t *testing.T, want string, send func() response) {
	t.Helper()
	before := len(s.sim.Requests())
	r := send()
	require.Equal(t, http.StatusBadRequest, r.status, r.body)
	assert.JSONEq(t, `{"code":"invalid_argument","message":`+strconv.Quote(want)+`}`, r.body)
	assert.Equal(t, before, len(s.sim.Requests()), "refused before any upstream call")
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

// forEachLine runs f on a stack of its own per upstream line, in parallel.
func forEachLine(t *testing.T, f func(t *testing.T, s *stack)) {
	for _, line := range lines {
		t.Run("fineract-"+line.String(), func(t *testing.T) {
			t.Parallel()
			f(t, newStack(t, line))
		})
	}
}

// resourceForms is how partners address one resource: by id
// (prefix/{id}) or by externalId (prefix/external/{externalId}), and the
// path parameters the proxy names when it refuses a value. Each resource's
// tests register one (customers in e2e_test.go); the addressing helpers
// take it, so a new resource gets both forms and their refusals by
// registering its own.
type resourceForms struct {
	prefix            string
	idParam, extParam string
}

// forms are the two addressing forms, as resourceForms.path names them.
var forms = []string{"id", "external"}

// path addresses the resource in form: by id, or by ext, escaped.
func (r resourceForms) path(form, id, ext string) string {
	if form == "external" {
		return r.prefix + "/external/" + url.PathEscape(ext)
	}
	return r.prefix + "/" + id
}

// inputCase is a request the proxy refuses before any upstream call, and the
// message of its invalid_argument answer.
type inputCase struct {
	name, method, path, body, contentType string
	wantBody                              string
}

// addressingRefusals are the path values every resource refuses alike, in
// the name of its own path parameters.
func (r resourceForms) addressingRefusals() []inputCase {
	return []inputCase{
		{"non-numeric id", "GET", r.path("id", "abc", ""), "", "", `[{"field":"` + r.idParam + `","error":"must be a positive integer"}]`},
		{"zero id", "GET", r.path("id", "0", ""), "", "", `[{"field":"` + r.idParam + `","error":"must be a positive integer"}]`},
		{"id out of range", "GET", r.path("id", "99999999999999999999", ""), "", "", `[{"field":"` + r.idParam + `","error":"must be a positive integer"}]`},
		{"externalId too long", "GET", r.path("external", "", strings.Repeat("x", 101)), "", "", `[{"field":"` + r.extParam + `","error":"must be 1 to 100 characters (UTF-16 code units: an emoji counts as 2)"}]`},
	}
}

// trustCertificate writes cert as a PEM bundle and loads it the way
// LMSPROXY_UPSTREAM_CA_FILE is loaded.
func trustCertificate(t *testing.T, cert *x509.Certificate) *x509.CertPool {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o600))
	pool, err := upstream.LoadCAFile(path)
	require.NoError(t, err)
	return pool
}

// faultStack is a stack (see newStack) with the resilience settings under
// test: short deadlines, fast backoff, a small response cap.
type faultStack struct{ *stack }

type resilience struct {
	requestTimeout time.Duration
	breaker        upstream.BreakerPolicy
	rateLimit      float64
	rateBurst      int
}

const testMaxResponse = 64 << 10

func newFaultStack(t *testing.T, line upstream.Version, r resilience) *faultStack {
	t.Helper()
	s := deploy(t, stackOptions{
		line: line,
		upstreamConfig: func(c *upstream.Config) {
			c.Retry = upstream.RetryPolicy{MaxAttempts: 3, WaitMin: 5 * time.Millisecond, WaitMax: 20 * time.Millisecond, RetryAfterMax: 2 * time.Second}
			c.Breaker = r.breaker
			c.MaxResponseBytes = testMaxResponse
		},
		config: func(c *server.Config) {
			c.RequestTimeout = r.requestTimeout
			c.RateLimit, c.RateBurst = r.rateLimit, r.rateBurst
		},
	})
	return &faultStack{stack: s}
}

// refuse makes every new upstream connection fail to dial.
func (s *faultStack) refuse() {
	s.simSrv.Listener.Close()
	s.simSrv.CloseClientConnections()
}

// sent counts the requests the simulator received with method.
func (s *faultStack) sent(method string) int {
	n := 0
	for _, r := range s.sim.Requests() {
		if r.Method == method {
			n++
		}
	}
	return n
}

// scrape is the metrics exposition of h.
func scrape(t *testing.T, h http.Handler) string {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	require.Equal(t, 200, rec.Code)
	return rec.Body.String()
}

// update makes assertGolden rewrite the golden files instead (-update).
var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// assertGolden compares got with the golden file, or rewrites it with
// -update.
func assertGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./server -update to create it")
	assert.Equal(t, string(want), got, "run go test ./server -update if the change is intended")
}

// unreachable is an address nothing listens on.
func unreachable(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	return srv.URL + "/fineract-provider/api"
}

// acceptAll is a Verifier that lets every request through as one partner.
type acceptAll struct{}

func (acceptAll) VerifyHeader(context.Context, string) (*auth.Identity, error) {
	return &auth.Identity{Subject: "partner-1"}, nil
}
