// Package upstream is the client of the lending core (Apache Fineract):
// the core that knows no resource (client.go: configuration and the one
// call path, do; transport.go; retry.go and breaker.go; ops.go; ref.go,
// addressing by id or external id), and one file per resource API
// (clients.go, businessdate.go) that configures it. The wire types and the
// one error type are in upstream/wire. It knows nothing of partners;
// translate/ maps the wire types to partner shapes.
package upstream

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"go.opentelemetry.io/otel/trace"

	"lmsproxy/upstream/wire"
)

// Config is what the client needs to reach one upstream tenant.
type Config struct {
	// BaseURL is the API base, e.g. https://lms:8443/fineract-provider/api;
	// the client appends /v1/{resource}.
	BaseURL  string
	Tenant   string
	Username string
	Password string
	// Version is the release line; zero means it must be detected (Detect).
	Version Version
	Retry   RetryPolicy
	Breaker BreakerPolicy
	// MaxResponseBytes caps every upstream body read (default 4 MiB).
	MaxResponseBytes int64
	// ConnectTimeout bounds establishing one connection (default 3 s) and
	// ResponseHeaderTimeout the wait for response headers once the request
	// is sent (default 10 s). The partner request's deadline bounds both as
	// well; these catch an upstream that stalls while the deadline is long.
	ConnectTimeout, ResponseHeaderTimeout time.Duration
	// RootCAs are the authorities trusted for an https upstream (LoadCAFile);
	// nil trusts the system's, which SSL_CERT_FILE and SSL_CERT_DIR adjust.
	RootCAs *x509.CertPool
	// Transport overrides the HTTP transport (tests, fault injection); the
	// timeouts and RootCAs above then do not apply.
	Transport http.RoundTripper
	// TracerProvider makes one span per upstream attempt under the partner
	// request's span (nil: none; the trace context is still forwarded).
	TracerProvider trace.TracerProvider
}

// Validate lists every problem with the configuration.
func (c Config) Validate() []error {
	var errs []error
	if c.BaseURL == "" {
		errs = append(errs, errors.New("upstream URL is required"))
	} else if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("upstream URL %q must be an absolute http(s) URL", c.BaseURL))
	} else if u.User != nil {
		errs = append(errs, errors.New("upstream URL must not carry credentials; set the username and password instead"))
	}
	if c.Tenant == "" {
		errs = append(errs, errors.New("upstream tenant is required"))
	}
	if c.Username == "" || c.Password == "" {
		errs = append(errs, errors.New("upstream username and password are required"))
	}
	return errs
}

// Client calls the upstream's APIs. It is safe for concurrent use.
type Client struct {
	base       *url.URL
	tenant     string
	authHeader string
	version    Version
	maxBody    int64
	http       *retryablehttp.Client
	breaker    *breaker
	// entered counts the breaker's transitions by the state entered; a
	// pointer, as Detect copies the Client.
	entered *[BreakerHalfOpen + 1]atomic.Uint64
}

// New builds a client. It does no I/O; when cfg.Version is zero the caller
// must call Detect before serving.
func New(cfg Config) (*Client, error) {
	if errs := cfg.Validate(); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	base, _ := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if cfg.Retry.MaxAttempts == 0 {
		cfg.Retry = DefaultRetryPolicy
	}
	if cfg.Breaker.Threshold == 0 {
		cfg.Breaker = DefaultBreakerPolicy
	}
	if cfg.MaxResponseBytes == 0 {
		cfg.MaxResponseBytes = 4 << 20
	}
	transport := cfg.Transport
	if transport == nil {
		transport = NewTransport(cfg.ConnectTimeout, cfg.ResponseHeaderTimeout, cfg.RootCAs)
	}
	c := &Client{
		base:       base,
		tenant:     cfg.Tenant,
		authHeader: "Basic " + base64.StdEncoding.EncodeToString([]byte(cfg.Username+":"+cfg.Password)),
		version:    cfg.Version,
		maxBody:    cfg.MaxResponseBytes,
		entered:    new([BreakerHalfOpen + 1]atomic.Uint64),
	}
	// The breaker sits above the tracer and the observer, so refused calls,
	// which never reach the upstream, are neither traced nor reported as
	// upstream attempts.
	c.breaker = newBreaker(tracedTransport(observedTransport{next: transport}, cfg.TracerProvider), cfg.Breaker, func(to BreakerState) { c.entered[to].Add(1) })
	c.http = newRetryClient(&http.Client{Transport: c.breaker, CheckRedirect: noRedirects}, cfg.Retry)
	return c, nil
}

// Version is the configured or detected release line.
func (c *Client) Version() Version { return c.version }

// BreakerOpen reports whether the circuit breaker is refusing calls, for the
// lmsproxy_upstream_breaker_open gauge (server.BreakerReporter).
func (c *Client) BreakerOpen() bool { return c.breaker.Open() }

// BreakerTransitions is how many times the breaker has entered state, for
// the lmsproxy_upstream_breaker_transitions_total counter: the open gauge
// alone misses a breaker that opens and closes between two scrapes.
func (c *Client) BreakerTransitions(to BreakerState) uint64 { return c.entered[to].Load() }

// do runs one operation: builds the request with the tenant, credentials and
// correlation headers, retries per the operation's safety, caps the body,
// and decodes a 2xx into out (checked when it is a wire.Checked) or parses
// anything else into *wire.Error.
func (c *Client) do(ctx context.Context, op Op, rawURL string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return &wire.Error{Op: op.Name, Shape: wire.ShapeOther, Err: err}
		}
	}
	key := ""
	if op.Keyed && c.version.HonoursIdempotencyKey() {
		key = idempotencyKey(ctx)
	}
	cl := &call{op: op.Name, safety: op.safetyWith(key != "")}
	req, err := retryablehttp.NewRequestWithContext(withCall(ctx, cl), op.Method, rawURL, body)
	if err != nil {
		return &wire.Error{Op: op.Name, Shape: wire.ShapeOther, Err: err}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", c.authHeader)
	req.Header.Set("Fineract-Platform-TenantId", c.tenant)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	if id := stringFrom(ctx, requestIDKey); id != "" {
		req.Header.Set("X-Request-ID", id)
	}
	write := op.Method != http.MethodGet
	resp, err := c.http.Do(req)
	if err != nil {
		return transportError(op.Name, write && !notSent(err), err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
	if err != nil {
		return transportError(op.Name, write, fmt.Errorf("reading response: %w", err))
	}
	ok := resp.StatusCode >= 200 && resp.StatusCode <= 299
	if int64(len(data)) > c.maxBody {
		// A write answered 2xx was applied even though its answer is unusable.
		return &wire.Error{Op: op.Name, Status: resp.StatusCode, Shape: wire.ShapeOther, MaybeApplied: write && ok, Err: fmt.Errorf("response exceeds %d bytes", c.maxBody)}
	}
	if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		// Not followed (noRedirects), so a write went no further and was not
		// applied. Location is for the operator: most often an http://
		// upstream URL answered with a redirect to https://.
		return unexpectedAnswer(op.Name, resp.StatusCode, fmt.Errorf("redirect to %q not followed", resp.Header.Get("Location")))
	}
	if !ok {
		e := wire.ParseError(op.Name, resp.StatusCode, data)
		e.RetryAfter, _ = retryAfter(resp)
		// A gateway's 502 or 504 may come after the upstream received the
		// write and while it still commits it.
		e.MaybeApplied = write && (resp.StatusCode == http.StatusBadGateway || resp.StatusCode == http.StatusGatewayTimeout)
		return e
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		e := decodeError(op.Name, resp.StatusCode, err)
		e.MaybeApplied = write
		return e
	}
	if body, checked := out.(wire.Checked); checked {
		if err := body.WellFormed(); err != nil {
			e := unexpectedAnswer(op.Name, resp.StatusCode, err)
			e.MaybeApplied = write
			return e
		}
	}
	return nil
}
