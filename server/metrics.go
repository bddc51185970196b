package server

import (
	"context"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"

	"lmsproxy/server/auth"
	"lmsproxy/translate"
	"lmsproxy/upstream"
)

// BreakerReporter is implemented by an Upstream that has a circuit breaker.
// The server exports its state at scrape time as the gauge
// lmsproxy_upstream_breaker_open (1 open, 0 closed) and its transitions as
// the counter lmsproxy_upstream_breaker_transitions_total, so the breaker
// needs no knowledge of Prometheus. Both are absent when the Upstream has
// none.
type BreakerReporter interface {
	BreakerOpen() bool
	BreakerTransitions(to upstream.BreakerState) uint64
}

// StatsReporter is implemented by a Verifier that counts its key fetches
// and token cache use (auth.Verifier does); the counters are exported at
// scrape time.
type StatsReporter interface {
	Stats() auth.Stats
}

// unmatchedRoute labels requests that matched no route, so that scanners
// probing random paths cannot create series without bound.
const unmatchedRoute = "unmatched"

// metrics are one Server's Prometheus collectors. Each Server has its own
// registry, so several servers in one process (tests) never share counts.
type metrics struct {
	registry *prometheus.Registry
	// routes are the registered route templates; anything else is
	// unmatchedRoute.
	routes map[string]bool

	requests         *prometheus.CounterVec
	requestDuration  *prometheus.HistogramVec
	inFlight         prometheus.Gauge
	upstreamAttempts *prometheus.CounterVec
	upstreamDuration *prometheus.HistogramVec
	upstreamRetries  *prometheus.CounterVec
	authFailures     *prometheus.CounterVec
	rateLimited      *prometheus.CounterVec
	ready            *prometheus.GaugeVec

	businessDateFallbacks prometheus.Counter
}

func newMetrics(version string, up Upstream, v Verifier) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lmsproxy_http_requests_total",
			Help: "Partner requests by route template, method, HTTP status and partner error code (ok on success).",
		}, []string{"route", "method", "status", "code"}),
		requestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "lmsproxy_http_request_duration_seconds",
			Help:    "Partner request latency, upstream calls included, by route template, method and status class (2xx, 4xx, 5xx).",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method", "status_class"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "lmsproxy_http_requests_in_flight",
			Help: "Partner requests being served.",
		}),
		upstreamAttempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lmsproxy_upstream_attempts_total",
			Help: "HTTP attempts to the upstream by operation and status (error when no response arrived); retries count once each.",
		}, []string{"operation", "status"}),
		upstreamDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "lmsproxy_upstream_attempt_duration_seconds",
			Help:    "Time from sending an upstream attempt to its response headers.",
			Buckets: prometheus.DefBuckets,
		}, []string{"operation"}),
		upstreamRetries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lmsproxy_upstream_retries_total",
			Help: "Upstream attempts after the first of an operation.",
		}, []string{"operation"}),
		authFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lmsproxy_auth_failures_total",
			Help: "Refused bearer tokens by the rule they failed.",
		}, []string{"reason"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lmsproxy_rate_limited_total",
			Help: "Partner requests refused by the rate limit (answered unavailable like an upstream outage, counted apart from one), by the limiter that refused them.",
		}, []string{"limiter"}),
		ready: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "lmsproxy_ready",
			Help: "Whether a dependency passed its last readiness check (1) or not (0).",
		}, []string{"dependency"}),
		businessDateFallbacks: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "lmsproxy_business_date_fallbacks_total",
			Help: "Failed reads of the upstream's business date, each followed by today's date in the configured tenant time zone until the next read.",
		}),
	}
	buildInfo := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "lmsproxy_build_info",
		Help:        "Always 1; the version label is the running build.",
		ConstLabels: prometheus.Labels{"version": version},
	})
	buildInfo.Set(1)
	m.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		buildInfo, m.requests, m.requestDuration, m.inFlight,
		m.upstreamAttempts, m.upstreamDuration, m.upstreamRetries, m.authFailures, m.rateLimited, m.ready,
		m.businessDateFallbacks,
	)
	// Zero series for every operation, so that rate() over retries works
	// before the first one happens.
	for _, op := range upstream.Ops {
		m.upstreamRetries.WithLabelValues(op.Name)
	}
	if b, ok := up.(BreakerReporter); ok {
		m.registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "lmsproxy_upstream_breaker_open",
			Help: "Whether the upstream circuit breaker is open (1) or closed (0).",
		}, func() float64 { return boolValue(b.BreakerOpen()) }))
		m.registry.MustRegister(breakerCollector{b})
	}
	if s, ok := v.(StatsReporter); ok {
		m.registry.MustRegister(verifierCollector{stats: s.Stats})
	}
	return m
}

// setRoutes records the route templates requests may be labelled with.
// Echo's catch-all "route not found" routes are not among them: what they
// match is arbitrary.
func (m *metrics) setRoutes(routes []*echo.Route) {
	m.routes = make(map[string]bool, len(routes))
	for _, r := range routes {
		if r.Method != echo.RouteNotFound {
			m.routes[r.Path] = true
		}
	}
}

// route is the route template of a request, never its raw path.
func (m *metrics) route(c echo.Context) string {
	if p := c.Path(); m.routes[p] {
		return p
	}
	return unmatchedRoute
}

// requestStarted counts a partner request in flight; requestFinished (with
// the same route) counts it out. Probes and scrapes (quietRoutes) are not
// partner traffic: counted, they would dilute error ratios and latency
// percentiles.
func (m *metrics) requestStarted(route string) {
	if !quietRoutes[route] {
		m.inFlight.Inc()
	}
}

// requestFinished counts one finished partner request. When ctx carries a
// sampled span, its trace id goes with the samples as an exemplar (shown
// in OpenMetrics scrapes), linking a latency bucket or an error rate to a
// trace; unsampled traces are not kept anywhere, so they would link to
// nothing. Without one it allocates nothing.
func (m *metrics) requestFinished(ctx context.Context, route, method string, status int, code translate.Code, seconds float64) {
	if quietRoutes[route] {
		return
	}
	m.inFlight.Dec()
	requests := m.requests.WithLabelValues(route, method, statusLabel(status), codeLabel(status, code))
	duration := m.requestDuration.WithLabelValues(route, method, statusClass(status))
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() && sc.IsSampled() {
		exemplar := prometheus.Labels{"trace_id": sc.TraceID().String()}
		requests.(prometheus.ExemplarAdder).AddWithExemplar(1, exemplar)
		duration.(prometheus.ExemplarObserver).ObserveWithExemplar(seconds, exemplar)
		return
	}
	requests.Inc()
	duration.Observe(seconds)
}

// observeAttempt counts one upstream attempt.
func (m *metrics) observeAttempt(a upstream.Attempt) {
	status := "error"
	if a.Status != 0 {
		status = statusLabel(a.Status)
	}
	m.upstreamAttempts.WithLabelValues(a.Op, status).Inc()
	m.upstreamDuration.WithLabelValues(a.Op).Observe(a.Duration.Seconds())
	if a.Number > 1 {
		m.upstreamRetries.WithLabelValues(a.Op).Inc()
	}
}

func (m *metrics) authFailure(reason auth.Reason) {
	m.authFailures.WithLabelValues(string(reason)).Inc()
}

// handler serves the registry; scrapers that ask for OpenMetrics get it,
// exemplars included, and others the classic text format.
func (m *metrics) handler(log *zap.Logger) http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		ErrorLog:          zap.NewStdLog(log.Named("metrics")),
		ErrorHandling:     promhttp.ContinueOnError,
		EnableOpenMetrics: true,
	})
}

// methodLabel bounds the method label to the methods HTTP defines; anything
// else a client invents is "OTHER".
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}

// statusLabels holds the text of every HTTP status code, so that labelling a
// sample does not format (and allocate) a string per request.
var statusLabels = func() (l [600]string) {
	for i := range l {
		l[i] = strconv.Itoa(i)
	}
	return l
}()

func statusLabel(status int) string {
	if status < 0 || status >= len(statusLabels) {
		return "other"
	}
	return statusLabels[status]
}

// statusClasses are the labels of the status classes HTTP defines.
var statusClasses = [...]string{1: "1xx", 2: "2xx", 3: "3xx", 4: "4xx", 5: "5xx"}

// statusClass is the latency histogram's status label: the class, not the
// code, keeps its series (one per bucket) few.
func statusClass(status int) string {
	if status < 100 || status >= 600 {
		return "other"
	}
	return statusClasses[status/100]
}

// codeLabel is the partner error code, "ok" for a success, and "none" for
// an error written without one (only handlers mounted with WithMount can).
func codeLabel(status int, code translate.Code) string {
	switch {
	case code != "":
		return string(code)
	case status < http.StatusBadRequest:
		return "ok"
	}
	return "none"
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// breakerCollector exports the breaker's transitions by the state entered,
// every state from the start so that rate() works before the first.
type breakerCollector struct{ b BreakerReporter }

var breakerTransitionsDesc = prometheus.NewDesc("lmsproxy_upstream_breaker_transitions_total",
	"Upstream circuit breaker state changes by the state entered (open, half_open, closed); unlike the open gauge, a flap between two scrapes shows.",
	[]string{"to"}, nil)

func (c breakerCollector) Describe(ch chan<- *prometheus.Desc) { ch <- breakerTransitionsDesc }

func (c breakerCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range upstream.BreakerStates {
		ch <- prometheus.MustNewConstMetric(breakerTransitionsDesc, prometheus.CounterValue, float64(c.b.BreakerTransitions(s)), s.String())
	}
}

// verifierCollector exports the verifier's own counters at scrape time:
// the verifier stays free of Prometheus, and its hot path does no extra work.
type verifierCollector struct{ stats func() auth.Stats }

var verifierMetrics = []struct {
	desc  *prometheus.Desc
	kind  prometheus.ValueType
	value func(auth.Stats) float64
}{
	{prometheus.NewDesc("lmsproxy_auth_key_fetches_total", "Signing-key set fetches (discovery included), failed ones too.", nil, nil),
		prometheus.CounterValue, func(s auth.Stats) float64 { return float64(s.KeyFetches) }},
	{prometheus.NewDesc("lmsproxy_auth_key_fetch_failures_total", "Signing-key set fetches that failed.", nil, nil),
		prometheus.CounterValue, func(s auth.Stats) float64 { return float64(s.KeyFetchFailures) }},
	{prometheus.NewDesc("lmsproxy_auth_key_refreshes_suppressed_total", "Key-set refreshes wanted (unknown kid) but refused by the refresh interval.", nil, nil),
		prometheus.CounterValue, func(s auth.Stats) float64 { return float64(s.RefreshesSuppressed) }},
	{prometheus.NewDesc("lmsproxy_auth_signature_checks_total", "Public-key signature verifications performed.", nil, nil),
		prometheus.CounterValue, func(s auth.Stats) float64 { return float64(s.SignatureChecks) }},
	{prometheus.NewDesc("lmsproxy_auth_token_cache_hits_total", "Tokens answered from the verified-token cache.", nil, nil),
		prometheus.CounterValue, func(s auth.Stats) float64 { return float64(s.CacheHits) }},
	{prometheus.NewDesc("lmsproxy_auth_token_cache_misses_total", "Tokens not in the verified-token cache.", nil, nil),
		prometheus.CounterValue, func(s auth.Stats) float64 { return float64(s.CacheMisses) }},
	{prometheus.NewDesc("lmsproxy_auth_token_cache_entries", "Verified tokens currently cached.", nil, nil),
		prometheus.GaugeValue, func(s auth.Stats) float64 { return float64(s.CachedTokens) }},
}

func (c verifierCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, m := range verifierMetrics {
		ch <- m.desc
	}
}

func (c verifierCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.stats()
	for _, m := range verifierMetrics {
		ch <- prometheus.MustNewConstMetric(m.desc, m.kind, m.value(s))
	}
}
