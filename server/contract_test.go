package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream"
	"lmsproxy/upstream/recording"
)

// The contract suite: every recorded upstream exchange under
// testdata/fineract/<line>/ is replayed through the whole proxy (routes,
// auth, translate, upstream client) and the partner's answer is compared
// with testdata/golden/<line>/<scenario>.json (go test ./server -update
// rewrites them). The corpus's README describes the file format.

const (
	corpusDir = "../testdata/fineract"
	goldenDir = "../testdata/golden"
)

// corpusLines are the upstream lines with a recorded corpus.
var corpusLines = []string{"1.8", "1.10"}

// sameAcrossLines are the scenarios whose partner answers must be byte for
// byte the same on every line: the proxy's whole point is that partners
// cannot tell which line runs underneath.
var sameAcrossLines = []string{
	"close", "close-already-closed", "close-before-activation", "close-by-external-id",
	"close-before-loan-closed-date", "close-open-loans", "close-open-savings", "close-overpaid-loans",
	"close-under-transfer", "close-unknown-id", "close-unknown-reason",
	"close-validation-reason-not-positive", "close-validation-missing-fields",
	"create", "create-awaiting-approval", "create-blank-body", "create-business-date",
	"create-business-date-not-stored", "create-business-date-unreadable", "create-duplicate-external-id",
	"create-duplicate-mobile-no", "create-html-502", "create-malformed-body", "create-no-permission",
	"create-server-error-envelope", "create-server-error-spring", "create-unknown-data-integrity",
	"create-unsupported-parameter", "create-validation-external-id-too-long",
	"create-validation-missing-date-format", "create-validation-invalid-date",
	"close-unsupported-command", "update-no-parameters",
	"delete-active", "delete-pending", "delete-unknown-external-id", "delete-unknown-id",
	"get-by-external-id", "get-by-id", "get-no-permission", "get-unknown-external-id", "get-unknown-id",
	"list", "point-lookup", "point-lookup-sql-validation", "point-lookup-unknown",
	"update", "update-by-external-id", "update-unknown-id",
	"upstream-unauthenticated", "upstream-unknown-tenant",
	"update-awaiting-approval", "close-awaiting-approval", "delete-awaiting-approval", "create-no-activate-permission",
}

// onlyOnSomeLines are scenarios that exist for one line only, and why.
var onlyOnSomeLines = map[string]string{
	"close-concurrent-modification": "409 optimistic-lock answers exist from 1.9",
	"create-idempotency-in-flight":  "425 Idempotency-Key answers exist from 1.9",
}

func loadCorpus(t *testing.T, line string) []recording.Scenario {
	t.Helper()
	scenarios, err := recording.LoadDir(filepath.Join(corpusDir, line))
	require.NoError(t, err)
	require.NotEmpty(t, scenarios, "no corpus for line %s", line)
	return scenarios
}

func TestContract(t *testing.T) {
	for _, line := range corpusLines {
		for _, sc := range loadCorpus(t, line) {
			t.Run(line+"/"+sc.Scenario, func(t *testing.T) {
				t.Parallel()
				got := replay(t, sc)
				path := filepath.Join(goldenDir, line, sc.Scenario+".json")
				if *update {
					require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
				}
				assertGolden(t, path, got)
			})
		}
	}
}

// TestContractSameAcrossLines holds the anti-corruption promise: where two
// lines mean the same thing, the partner sees the same bytes.
func TestContractSameAcrossLines(t *testing.T) {
	listed := map[string]bool{}
	for _, name := range sameAcrossLines {
		listed[name] = true
		var first []byte
		for i, line := range corpusLines {
			b, err := os.ReadFile(filepath.Join(goldenDir, line, name+".json"))
			require.NoError(t, err, "%s has no golden answer on %s", name, line)
			if i == 0 {
				first = b
				continue
			}
			assert.Equal(t, string(first), string(b), "%s: %s and %s answer partners differently", name, corpusLines[0], line)
		}
	}
	// Every scenario is accounted for, so a new one cannot slip past.
	for _, line := range corpusLines {
		for _, sc := range loadCorpus(t, line) {
			_, only := onlyOnSomeLines[sc.Scenario]
			assert.True(t, listed[sc.Scenario] || only, "%s/%s: list it in sameAcrossLines or onlyOnSomeLines", line, sc.Scenario)
		}
	}
}

// golden is a partner answer as stored under testdata/golden.
type golden struct {
	Status      int    `json:"status"`
	ContentType string `json:"contentType"`
	Body        string `json:"body"`
}

// replay answers the proxy's upstream calls from the scenario's exchanges,
// sends the partner request, checks every recorded exchange was used, and
// renders the partner answer for the golden file.
func replay(t *testing.T, sc recording.Scenario) string {
	t.Helper()
	line, err := upstream.ParseVersion(sc.Line)
	require.NoError(t, err)
	today, err := time.Parse(time.DateOnly, sc.Today)
	require.NoError(t, err)
	today = today.Add(10 * time.Hour)

	rs := &replayServer{t: t, exchanges: sc.Exchanges}
	srv := httptest.NewServer(rs)
	t.Cleanup(srv.Close)
	tenant := "default"
	if len(sc.Exchanges) > 0 {
		tenant = sc.Exchanges[0].Request.Header["Fineract-Platform-TenantId"]
	}
	s := deploy(t, stackOptions{
		line: line, upstreamURL: srv.URL + "/api", now: func() time.Time { return today },
		// The recording proxy read the business date once, for its first
		// create; every later scenario was answered from its cache.
		businessDateKnown: !readsBusinessDate(sc),
		upstreamConfig: func(c *upstream.Config) {
			c.Tenant = tenant
			// One attempt per call, as recorded: a retried 502 would
			// otherwise ask for an exchange the recording does not have.
			c.Retry = upstream.RetryPolicy{MaxAttempts: 1}
		},
	})

	r := s.do(sc.Partner.Method, sc.Partner.Path, sc.Partner.Body)
	assert.Equal(t, len(sc.Exchanges), rs.used(), "the proxy made a different number of upstream calls than recorded")

	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	require.NoError(t, enc.Encode(golden{Status: r.status, ContentType: r.header.Get("Content-Type"), Body: r.body}))
	return b.String()
}

// readsBusinessDate reports whether a scenario recorded the proxy's read of
// the upstream's business date.
func readsBusinessDate(sc recording.Scenario) bool {
	for _, ex := range sc.Exchanges {
		if strings.HasPrefix(ex.Request.Path, "/v1/configurations/") || strings.HasPrefix(ex.Request.Path, "/v1/businessdate") {
			return true
		}
	}
	return false
}

// replayServer serves recorded responses in order and fails the test on any
// call that differs from the recorded request or comes after the last one.
type replayServer struct {
	t         *testing.T
	exchanges []recording.Exchange

	mu   sync.Mutex
	next int
}

func (rs *replayServer) used() int {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.next
}

func (rs *replayServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rs.mu.Lock()
	i := rs.next
	rs.next++
	rs.mu.Unlock()
	if i >= len(rs.exchanges) {
		rs.t.Errorf("unexpected upstream call %d: %s %s?%s %s", i+1, r.Method, r.URL.EscapedPath(), r.URL.RawQuery, body)
		http.Error(w, "unexpected call", http.StatusTeapot)
		return
	}
	want := rs.exchanges[i].Request
	call := recording.Request{
		Method: r.Method,
		Path:   strings.TrimPrefix(r.URL.EscapedPath(), "/api"),
		Query:  r.URL.RawQuery,
		Body:   string(body),
		Header: map[string]string{},
	}
	for _, name := range recording.RequestHeaders {
		if v := r.Header.Get(name); v != "" {
			call.Header[name] = recording.RecordedRequestHeader(name, v)
		}
	}
	if len(call.Header) == 0 {
		call.Header = nil
	}
	assert.Equal(rs.t, want, call, "upstream call %d differs from the recording", i+1)

	got := rs.exchanges[i].Response
	for k, v := range got.Header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(got.Status)
	_, _ = io.WriteString(w, got.Body)
}

// TestCorpusVersionBehaviour pins what the proxy does differently per line,
// as the replay enforces it: 1.8 has no external-id routes (lookups go
// through the list filter) and ignores Idempotency-Key (not sent); 1.9+
// uses the route and keys every write; 1.10 refuses some filter values.
func TestCorpusVersionBehaviour(t *testing.T) {
	for _, line := range corpusLines {
		v, err := upstream.ParseVersion(line)
		require.NoError(t, err)
		for _, sc := range loadCorpus(t, line) {
			for _, ex := range sc.Exchanges {
				req := ex.Request
				_, keyed := req.Header["Idempotency-Key"]
				if req.Method != http.MethodGet {
					assert.Equal(t, v.HonoursIdempotencyKey(), keyed, "%s/%s: %s %s Idempotency-Key", line, sc.Scenario, req.Method, req.Path)
				} else {
					assert.False(t, keyed, "%s/%s: a read carries an Idempotency-Key", line, sc.Scenario)
				}
				// The corpus's externalIds are plain but one with a ";", which
				// no path may carry, so 1.9+ never needs the filter otherwise.
				usesRoute := strings.HasPrefix(req.Path, "/v1/clients/external-id/")
				usesFilter := strings.Contains(req.Query, "externalId=")
				if v.HasExternalIDRoutes() && sc.Scenario != "point-lookup-sql-validation" {
					assert.False(t, usesFilter, "%s/%s: %s?%s", line, sc.Scenario, req.Path, req.Query)
				} else {
					assert.False(t, usesRoute, "%s/%s: %s?%s", line, sc.Scenario, req.Path, req.Query)
				}
			}
		}
		// 1.10's SQL validator refuses the exact filter; the wildcarded one
		// finds the customer.
		refused := loadScenario(t, line, "point-lookup-sql-validation").Exchanges
		if v.AtLeast(upstream.V1_10) {
			require.Len(t, refused, 2)
			assert.Equal(t, http.StatusForbidden, refused[0].Response.Status)
			assert.Contains(t, refused[1].Request.Query, "externalId=rec-v_delete")
		} else {
			assert.Len(t, refused, 1)
		}
		lookup := loadScenario(t, line, "get-by-external-id").Exchanges[0].Request
		if v.HasExternalIDRoutes() {
			assert.Equal(t, "/v1/clients/external-id/rec-a", lookup.Path)
		} else {
			assert.Equal(t, "/v1/clients", lookup.Path)
			assert.Contains(t, lookup.Query, "externalId=rec-a")
		}
	}
}

func loadScenario(t *testing.T, line, name string) recording.Scenario {
	t.Helper()
	s, err := recording.Load(filepath.Join(corpusDir, line, name+".json"))
	require.NoError(t, err)
	return s
}
