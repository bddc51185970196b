package server_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/trace"

	"lmsproxy/server"
	"lmsproxy/upstream"
	"lmsproxy/upstream/fake"
)

// overloadedOnce answers 503 to the first upstream request whose path
// contains marker, as an overloaded upstream does, and passes everything
// else on: one retried attempt, deterministically.
func overloadedOnce(marker string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		var done atomic.Bool
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.URL.Path, marker) && done.CompareAndSwap(false, true) {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// stableExposition keeps what a scripted sequence of requests determines:
// it drops the Go runtime and process series and, of each histogram, the
// buckets and sums, which depend on timing (the counts stay).
func stableExposition(text string) string {
	var b strings.Builder
	for line := range strings.Lines(text) {
		name := strings.TrimPrefix(strings.TrimPrefix(line, "# HELP "), "# TYPE ")
		name, _, _ = strings.Cut(name, " ")
		name, _, _ = strings.Cut(name, "{")
		volatile := strings.HasPrefix(name, "go_") || strings.HasPrefix(name, "process_") ||
			(!strings.HasPrefix(line, "#") && (strings.HasSuffix(name, "_bucket") || strings.HasSuffix(name, "_sum")))
		if !volatile {
			b.WriteString(line)
		}
	}
	return b.String()
}

// sampleValue is the value of one series (its name and labels as
// exposed) in a text exposition; the test fails when it is absent.
func sampleValue(t *testing.T, exposition, series string) float64 {
	t.Helper()
	for line := range strings.Lines(exposition) {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			require.NoError(t, err, line)
			return f
		}
	}
	require.Failf(t, "series absent", "%s not in\n%s", series, exposition)
	return 0
}

// The exposition after a scripted sequence: partner requests by route
// template (never a raw path; unknown routes and methods bounded), HTTP
// status and status class, probes and the scrape itself not counted,
// upstream attempts, retries, breaker transitions, rate-limit refusals,
// auth failures by reason, key-set and token-cache counters, readiness and
// build info.
func TestMetricsExposition(t *testing.T) {
	d := deploy(t, stackOptions{
		wrapUpstream: overloadedOnce("flaky"),
		options:      []server.Option{server.WithVersion("test")},
	})
	admin := map[string]string{"Authorization": "Bearer " + d.token}
	script := []struct {
		method, target, body string
		headers              map[string]string
		want                 int
	}{
		{"GET", "/v1/customers/1", "", admin, 200},
		{"GET", "/v1/customers/1", "", admin, 200},
		{"GET", "/v1/customers/abc", "", admin, 400},
		{"GET", "/v1/customers", "", nil, 401},
		{"GET", "/v1/customers", "", map[string]string{"Authorization": "Bearer not-a-jwt"}, 401},
		{"GET", "/v1/customers", "", map[string]string{"Authorization": "Basic ZGV2OmRldg=="}, 401},
		{"POST", "/v1/customers", `{"externalId":"metrics-1"}`, admin, 200},
		{"GET", "/v1/customers/external/flaky", "", admin, 404},
		{"GET", "/v1/customers?rows=2", "", admin, 200},
		{"DELETE", "/v1/customers/external/" + fake.SeedActiveExternalID, "", admin, 409},
		{"BREW", "/v1/customers", "", admin, 404},
		{"GET", "/v1/nothing", "", admin, 404},
		{"GET", "/wp-login.php", "", nil, 404},
		{"GET", "/healthz", "", nil, 200},
		{"GET", "/readyz", "", nil, 200},
	}
	for _, s := range script {
		r := d.doWith(s.method, s.target, s.body, s.headers)
		require.Equal(t, s.want, r.status, "%s %s: %s", s.method, s.target, r.body)
	}
	r := d.doWith("GET", "/metrics", "", nil)
	require.Equal(t, 200, r.status)
	assertGolden(t, "testdata/metrics.golden", stableExposition(r.body))
}

// breakerUpstream is an Upstream with a circuit breaker; it serves nothing.
type breakerUpstream struct {
	server.Upstream
	open bool
}

func (b breakerUpstream) BreakerOpen() bool { return b.open }

func (b breakerUpstream) BreakerTransitions(upstream.BreakerState) uint64 { return 0 }

func TestBreakerGauge(t *testing.T) {
	tests := []struct {
		name     string
		upstream server.Upstream
		want     string
	}{
		{"closed", breakerUpstream{open: false}, "\nlmsproxy_upstream_breaker_open 0\n"},
		{"open", breakerUpstream{open: true}, "\nlmsproxy_upstream_breaker_open 1\n"},
		{"no breaker", blockingUpstream{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := scrape(t, server.New(server.DefaultConfig(), tt.upstream, acceptAll{}))
			if tt.want == "" {
				assert.NotContains(t, body, "lmsproxy_upstream_breaker_open")
				return
			}
			assert.Contains(t, body, tt.want)
		})
	}
}

// Each server counts into its own registry, so two in one process (tests,
// or a future second listener) never mix their numbers.
func TestMetricsRegistryPerServer(t *testing.T) {
	a := server.New(server.DefaultConfig(), blockingUpstream{}, acceptAll{})
	b := server.New(server.DefaultConfig(), blockingUpstream{}, acceptAll{})
	a.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/v1/nothing", nil))
	assert.Contains(t, scrape(t, a), `lmsproxy_http_requests_total{code="not_found",method="GET",route="unmatched",status="404"} 1`)
	assert.NotContains(t, scrape(t, b), `route="unmatched"`)
}

// An OpenMetrics scrape carries the trace id of a sampled partner request
// as an exemplar on its request count and latency bucket, so a dashboard
// links a spike to a trace; an unsampled one (kept by no tracing backend)
// and a classic-format scrape carry none. The span context is put where
// the tracing middleware puts it, the request's context.
func TestMetricsExemplars(t *testing.T) {
	traceID := trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36}
	spanContext := func(flags trace.TraceFlags) trace.SpanContext {
		return trace.NewSpanContext(trace.SpanContextConfig{TraceID: traceID, SpanID: trace.SpanID{1}, TraceFlags: flags})
	}
	openMetrics := "application/openmetrics-text; version=1.0.0"
	tests := []struct {
		name   string
		span   trace.SpanContext
		accept string
		want   bool
	}{
		{"sampled, OpenMetrics", spanContext(trace.FlagsSampled), openMetrics, true},
		{"unsampled", spanContext(0), openMetrics, false},
		{"no span", trace.SpanContext{}, openMetrics, false},
		{"sampled, classic text", spanContext(trace.FlagsSampled), "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := server.New(server.DefaultConfig(), blockingUpstream{}, acceptAll{})
			req := httptest.NewRequest("GET", "/v1/nothing", nil)
			srv.ServeHTTP(httptest.NewRecorder(), req.WithContext(trace.ContextWithSpanContext(req.Context(), tt.span)))

			rec := httptest.NewRecorder()
			scrapeReq := httptest.NewRequest("GET", "/metrics", nil)
			scrapeReq.Header.Set("Accept", tt.accept)
			srv.ServeHTTP(rec, scrapeReq)
			require.Equal(t, 200, rec.Code)
			if tt.accept != "" {
				require.Contains(t, rec.Header().Get("Content-Type"), "application/openmetrics-text")
			}
			exemplar := `# {trace_id="` + traceID.String() + `"}`
			count := regexp.MustCompile(`(?m)^lmsproxy_http_requests_total\{code="not_found",method="GET",route="unmatched",status="404"\} 1(.*)$`)
			bucket := regexp.MustCompile(`(?m)^lmsproxy_http_request_duration_seconds_bucket\{method="GET",route="unmatched",status_class="4xx",le="[^"]+"\} 1(.*)$`)
			for _, re := range []*regexp.Regexp{count, bucket} {
				m := re.FindStringSubmatch(rec.Body.String())
				require.NotNil(t, m, "%s in\n%s", re, rec.Body.String())
				if tt.want {
					assert.Contains(t, m[1], exemplar)
				} else {
					assert.NotContains(t, m[1], "#")
				}
			}
		})
	}
}
