package upstream

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
)

// NewTransport is the pooled transport for upstream calls: keep-alive with an
// idle pool sized for a busy gateway, and bounded connect and header waits so
// a stalled upstream cannot hold a request past its deadline; TLS 1.2 at
// least, verified against rootCAs (nil: the system's). Zero timeouts take
// the defaults (3 s connect, 10 s response headers).
func NewTransport(connect, responseHeader time.Duration, rootCAs *x509.CertPool) *http.Transport {
	if connect <= 0 {
		connect = 3 * time.Second
	}
	if responseHeader <= 0 {
		responseHeader = 10 * time.Second
	}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: connect, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   128,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: rootCAs},
		ResponseHeaderTimeout: responseHeader,
		ExpectContinueTimeout: time.Second,
	}
}

// LoadCAFile reads a PEM bundle of certificate authorities for an https
// upstream and adds them to the system's: Fineract serves https by default
// with the self-signed certificate it ships (server.ssl.enabled=true,
// server.ssl.key-store=classpath:keystore.jks in
// fineract-provider/src/main/resources/application.properties at 1.8.4 and
// 1.10.1), which no system pool trusts, while a gateway in front of it may
// use a public one. A file that cannot be read or holds no certificate is an error, so a mistyped path fails at start-up rather than
// on the first partner request.
func LoadCAFile(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading CA bundle: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool() // no system pool (some minimal images): the bundle alone
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("CA bundle %s holds no PEM certificate", path)
	}
	return pool, nil
}

// noRedirects makes the HTTP client hand a 3xx back instead of following
// it, and do turns it into an error. Following would send the Basic
// credentials and the tenant header wherever Location points (net/http keeps
// Authorization for the same host on any port or scheme, and for its
// subdomains), serve that server's answer as the upstream's, and resend a
// write on 307 and 308. The upstream's API never redirects.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

type requestKey int

const (
	idempotencyKeyKey requestKey = iota
	stepKey
	requestIDKey
	observerKey
)

// WithIdempotencyKey attaches the key every write of this partner request
// sends as Idempotency-Key; it stays the same across retries, so the
// upstream (1.9+) replays instead of applying twice.
func WithIdempotencyKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, idempotencyKeyKey, key)
}

// WithStep names the step of a partner operation that the writes made with
// ctx belong to. A partner operation may run several upstream writes, and
// the same command more than once (disburse, undo, disburse again); the
// upstream (1.9+) replays any command whose action, entity and key it has
// seen, so each step sends a key of its own, derived from the request's key
// and the step name (StepKey), and stable across retries of that step.
func WithStep(ctx context.Context, step string) context.Context {
	return context.WithValue(ctx, stepKey, step)
}

// StepKey derives the Idempotency-Key of one step from the partner request's
// key. Without a step the request's key is sent as it is. The upstream
// stores at most 50 characters (m_portfolio_command_source.idempotency_key
// is VARCHAR(50), liquibase tenant part 0061 at 1.9.0), so the derived key
// is a fixed-length digest rather than the two joined.
func StepKey(requestKey, step string) string {
	if step == "" || requestKey == "" {
		return requestKey
	}
	sum := sha256.Sum256([]byte(requestKey + "\x00" + step))
	return "lmsproxy-" + hex.EncodeToString(sum[:16])
}

// idempotencyKey is the key the writes made with ctx send.
func idempotencyKey(ctx context.Context) string {
	return StepKey(stringFrom(ctx, idempotencyKeyKey), stringFrom(ctx, stepKey))
}

// WithRequestID attaches the partner request id, forwarded as X-Request-ID
// for correlation.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// Attempt is one HTTP exchange with the upstream, as reported to an
// Observer: one operation makes several when it is retried.
type Attempt struct {
	// Op names the operation, e.g. "clients.get".
	Op string
	// Number counts the attempts of one operation from 1; above 1 the
	// attempt is a retry.
	Number int
	// Status is the upstream's HTTP status, 0 when no response arrived.
	Status int
	// Err is the transport failure when Status is 0. It may name the
	// upstream host, so it is for operator logs only.
	Err error
	// Duration runs from sending the request to receiving the response
	// headers.
	Duration time.Duration
}

// Observer is told about every attempt made on behalf of a context. It runs
// synchronously on the calling goroutine, so it must be cheap.
type Observer func(Attempt)

// WithObserver attaches an observer to every upstream attempt made with ctx.
// It travels in the context, like the request id, so the caller can account
// for attempts per partner request (attempt counts and upstream latency in
// the access log) as well as in process-wide metrics.
func WithObserver(ctx context.Context, o Observer) context.Context {
	return context.WithValue(ctx, observerKey, o)
}

// tracedTransport makes one client span per attempt, a child of the
// partner request's span, and sends the W3C trace context (traceparent,
// tracestate) upstream. It sits under the retry client, so each retry is a
// span of its own. A call made outside any trace (version detection,
// readiness probes) is passed through untouched; with a no-op provider a
// partner's trace context still reaches the upstream as it came, at the cost
// of one header. otelhttp's metrics are off: the proxy's own metrics count
// attempts (observedTransport).
func tracedTransport(next http.RoundTripper, tp trace.TracerProvider) http.RoundTripper {
	if tp == nil {
		tp = tracenoop.NewTracerProvider()
	}
	return otelhttp.NewTransport(next,
		otelhttp.WithTracerProvider(tp),
		otelhttp.WithMeterProvider(metricnoop.NewMeterProvider()),
		otelhttp.WithPropagators(propagation.TraceContext{}),
		otelhttp.WithFilter(func(r *http.Request) bool { return trace.SpanContextFromContext(r.Context()).IsValid() }),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return "upstream " + callFrom(r.Context()).op }),
	)
}

// observedTransport times each attempt and reports it to the context's
// Observer. It sits under the retry client, so it sees retries one by one,
// and under tracedTransport, whose attempt span it names.
type observedTransport struct{ next http.RoundTripper }

func (t observedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	cl := callFrom(req.Context())
	if span := trace.SpanFromContext(req.Context()); span.IsRecording() {
		// otelhttp records url.full, whose path and query carry partner
		// values (ids, externalIds, search terms): only the upstream's
		// origin is kept, and the operation names what was called.
		origin := (&url.URL{Scheme: req.URL.Scheme, Host: req.URL.Host}).String()
		span.SetAttributes(semconv.URLFull(origin),
			attribute.String("lmsproxy.upstream.operation", cl.op),
			attribute.Int("lmsproxy.upstream.attempt", cl.attempts))
	}
	observe, _ := req.Context().Value(observerKey).(Observer)
	if observe == nil {
		return t.next.RoundTrip(req)
	}
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	a := Attempt{Op: cl.op, Number: cl.attempts, Err: err, Duration: time.Since(start)}
	if resp != nil {
		a.Status = resp.StatusCode
	}
	observe(a)
	return resp, err
}

func stringFrom(ctx context.Context, k requestKey) string {
	s, _ := ctx.Value(k).(string)
	return s
}
