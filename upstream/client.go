// Package upstream is the client of the lending core (Apache Fineract): its
// clients API, wire types, errors and retry policy. It knows nothing of
// partners; translate/ maps its types to partner shapes.
package upstream

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Config is what the client needs to reach one upstream tenant.
type Config struct {
	// BaseURL is the API base, e.g. https://lms:8443/fineract-provider/api;
	// the client appends /v1/clients.
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

// Client calls the upstream clients API. It is safe for concurrent use.
type Client struct {
	base       *url.URL
	tenant     string
	authHeader string
	version    Version
	maxBody    int64
	http       *retryablehttp.Client
	breaker    *breaker
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
	// The breaker sits above the observer, so refused calls, which never
	// reach the upstream, are not reported as upstream attempts.
	br := newBreaker(observedTransport{next: transport}, cfg.Breaker)
	return &Client{
		base:       base,
		tenant:     cfg.Tenant,
		authHeader: "Basic " + base64.StdEncoding.EncodeToString([]byte(cfg.Username+":"+cfg.Password)),
		version:    cfg.Version,
		maxBody:    cfg.MaxResponseBytes,
		http:       newRetryClient(&http.Client{Transport: br}, cfg.Retry),
		breaker:    br,
	}, nil
}

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

// Version is the configured or detected release line.
func (c *Client) Version() Version { return c.version }

// BreakerOpen reports whether the circuit breaker is refusing calls, for the
// lmsproxy_upstream_breaker_open gauge (server.BreakerReporter).
func (c *Client) BreakerOpen() bool { return c.breaker.Open() }

// Ready reports whether the upstream answers this client's credentials, for
// the proxy's readiness probe. It asks for the smallest page of clients. Any
// authenticated answer counts, 403 included: a service account that lacks a
// permission is reported per request, not by taking every replica out of
// service. A refused login, a server error or no answer is not ready.
func (c *Client) Ready(ctx context.Context) error {
	err := c.do(ctx, OpListClients, c.clientsURL("", url.Values{"offset": {"0"}, "limit": {"1"}}), nil, nil)
	if e, ok := AsError(err); ok && e.Status == http.StatusForbidden {
		return nil
	}
	return err
}

type requestKey int

const (
	idempotencyKeyKey requestKey = iota
	requestIDKey
	observerKey
)

// WithIdempotencyKey attaches the key every write of this partner request
// sends as Idempotency-Key; it stays the same across retries, so the
// upstream (1.9+) replays instead of applying twice.
func WithIdempotencyKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, idempotencyKeyKey, key)
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

// observedTransport times each attempt and reports it to the context's
// Observer. It sits under the retry client, so it sees retries one by one.
type observedTransport struct{ next http.RoundTripper }

func (t observedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	observe, _ := req.Context().Value(observerKey).(Observer)
	if observe == nil {
		return t.next.RoundTrip(req)
	}
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	cl := callFrom(req.Context())
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

// ClientRef addresses one client by internal id or by external id.
type ClientRef struct {
	ID         int64
	ExternalID string
}

// ByID addresses a client by its internal id.
func ByID(id int64) ClientRef { return ClientRef{ID: id} }

// ByExternalID addresses a client by its external id.
func ByExternalID(ext string) ClientRef { return ClientRef{ExternalID: ext} }

// Sort columns the list accepts. The upstream appends orderBy to SQL
// verbatim, so nothing else is ever sent.
var sortColumns = map[string]bool{"id": true, "displayName": true, "submittedOnDate": true, "activationDate": true}

// ListQuery is one page request. Limit must be positive: without it the
// upstream returns 200 rows (≤1.9) or every row (1.10+).
type ListQuery struct {
	Offset    int
	Limit     int
	OrderBy   string // one of id, displayName, submittedOnDate, activationDate, or ""
	SortOrder string // ASC, DESC or ""
}

func (q ListQuery) values() (url.Values, error) {
	if q.Limit <= 0 || q.Offset < 0 {
		return nil, fmt.Errorf("list: limit must be positive and offset non-negative (got %d, %d)", q.Limit, q.Offset)
	}
	v := url.Values{}
	v.Set("offset", strconv.Itoa(q.Offset))
	v.Set("limit", strconv.Itoa(q.Limit))
	if q.OrderBy != "" {
		if !sortColumns[q.OrderBy] {
			return nil, fmt.Errorf("list: orderBy %q is not whitelisted", q.OrderBy)
		}
		v.Set("orderBy", q.OrderBy)
	}
	switch q.SortOrder {
	case "":
	case "ASC", "DESC":
		v.Set("sortOrder", q.SortOrder)
	default:
		return nil, fmt.Errorf("list: sortOrder %q is not ASC or DESC", q.SortOrder)
	}
	return v, nil
}

// ListClients returns one page of clients.
func (c *Client) ListClients(ctx context.Context, q ListQuery) (ClientPage, error) {
	v, err := q.values()
	if err != nil {
		return ClientPage{}, &Error{Op: OpListClients.Name, Shape: ShapeOther, Err: err}
	}
	var page ClientPage
	err = c.do(ctx, OpListClients, c.clientsURL("", v), nil, &page)
	return page, err
}

// GetClient returns one client.
func (c *Client) GetClient(ctx context.Context, ref ClientRef) (ClientData, error) {
	if ref.ExternalID != "" && !c.externalIDRoute(ref.ExternalID) {
		return c.findByExternalID(ctx, ref.ExternalID)
	}
	var out ClientData
	err := c.do(ctx, OpGetClient, c.clientURL(ref, nil), nil, &out)
	if err == nil && ref.ExternalID != "" && out.ExternalID != ref.ExternalID {
		// The route matches under the database collation (case-insensitive by
		// default); only an exact match is the client the partner named.
		return ClientData{}, notFoundByExternalID(OpGetClient.Name)
	}
	return out, err
}

// CreateClient creates a client and returns the command result.
func (c *Client) CreateClient(ctx context.Context, body ClientCreate) (CommandResult, error) {
	var out CommandResult
	err := c.do(ctx, OpCreateClient, c.clientsURL("", nil), body, &out)
	return out, err
}

// UpdateClient changes a client.
func (c *Client) UpdateClient(ctx context.Context, ref ClientRef, body ClientUpdate) (CommandResult, error) {
	ref, err := c.writeRef(ctx, ref)
	if err != nil {
		return CommandResult{}, err
	}
	var out CommandResult
	err = c.do(ctx, OpUpdateClient, c.clientURL(ref, nil), body, &out)
	return out, err
}

// DeleteClient hard-deletes a pending client.
func (c *Client) DeleteClient(ctx context.Context, ref ClientRef) (CommandResult, error) {
	ref, err := c.writeRef(ctx, ref)
	if err != nil {
		return CommandResult{}, err
	}
	var out CommandResult
	err = c.do(ctx, OpDeleteClient, c.clientURL(ref, nil), nil, &out)
	return out, err
}

// CloseClient runs ?command=close.
func (c *Client) CloseClient(ctx context.Context, ref ClientRef, body ClientClose) (CommandResult, error) {
	ref, err := c.writeRef(ctx, ref)
	if err != nil {
		return CommandResult{}, err
	}
	var out CommandResult
	err = c.do(ctx, OpCloseClient, c.clientURL(ref, url.Values{"command": {"close"}}), body, &out)
	return out, err
}

// writeRef resolves an external id to the internal id before any write.
// Writes never go through the external-id routes: the upstream matches
// them under its database collation (case-insensitive by default), so a
// write to "ABC" could change "abc"; resolving first, with the exact
// comparison GetClient makes, means a write only ever touches the client
// the partner named.
func (c *Client) writeRef(ctx context.Context, ref ClientRef) (ClientRef, error) {
	if ref.ExternalID == "" {
		return ref, nil
	}
	found, err := c.GetClient(ctx, ref)
	if err != nil {
		return ClientRef{}, err
	}
	return ByID(found.ID), nil
}

// externalIDRoute reports whether ext can be sent as a path segment of the
// external-id routes. Those exist from 1.9; and the upstream's servlet
// firewall (Spring Security StrictHttpFirewall) rejects encoded slashes,
// percents, backslashes, semicolons and dot segments, so such ids are looked
// up through the list filter, where they travel as a query value.
func (c *Client) externalIDRoute(ext string) bool {
	if !c.version.HasExternalIDRoutes() || ext == "." || ext == ".." {
		return false
	}
	return !strings.ContainsAny(ext, "/%\\;")
}

// lookupPageSize is the page used to resolve an external id through the list
// filter; lookupMaxPages bounds the walk (the filter is SQL LIKE, so `_` and
// `%` in an id match other ids, and each candidate is compared exactly).
const (
	lookupPageSize = 200
	lookupMaxPages = 10
)

func (c *Client) findByExternalID(ctx context.Context, ext string) (ClientData, error) {
	for page := 0; page < lookupMaxPages; page++ {
		v := url.Values{}
		v.Set("externalId", ext)
		v.Set("offset", strconv.Itoa(page*lookupPageSize))
		v.Set("limit", strconv.Itoa(lookupPageSize))
		v.Set("orderBy", "id")
		v.Set("sortOrder", "ASC")
		var p ClientPage
		if err := c.do(ctx, OpListClients, c.clientsURL("", v), nil, &p); err != nil {
			return ClientData{}, err
		}
		for _, item := range p.PageItems {
			if item.ExternalID == ext {
				return item, nil
			}
		}
		if int64((page+1)*lookupPageSize) >= p.TotalFilteredRecords || len(p.PageItems) == 0 {
			break
		}
	}
	return ClientData{}, notFoundByExternalID(OpGetClient.Name)
}

// notFoundByExternalID is the error the 1.9+ external-id route gives for an
// unknown id, synthesised where the client resolved the id itself, so callers
// see one error whichever way the id was looked up.
func notFoundByExternalID(op string) *Error {
	const text = "Client with identifier null does not exist"
	return &Error{
		Op: op, Status: http.StatusNotFound, Shape: ShapeEnvelope,
		Code: "error.msg.resource.not.found", Message: "The requested resource is not available.",
		Params: []ParamError{{Code: "error.msg.client.id.invalid", Message: text, Parameter: "id", Args: []any{nil}}},
	}
}

// clientsURL is {base}/v1/clients[/{tail}]?query; tail must already be escaped.
func (c *Client) clientsURL(escapedTail string, q url.Values) string {
	var b strings.Builder
	b.WriteString(c.base.String())
	b.WriteString("/v1/clients")
	if escapedTail != "" {
		b.WriteString("/")
		b.WriteString(escapedTail)
	}
	if len(q) > 0 {
		b.WriteString("?")
		b.WriteString(q.Encode())
	}
	return b.String()
}

func (c *Client) clientURL(ref ClientRef, q url.Values) string {
	if ref.ExternalID != "" {
		return c.clientsURL("external-id/"+url.PathEscape(ref.ExternalID), q)
	}
	return c.clientsURL(strconv.FormatInt(ref.ID, 10), q)
}

// do runs one operation: builds the request with the tenant, credentials and
// correlation headers, retries per the operation's safety, caps the body,
// and decodes a 2xx into out or parses anything else into *Error.
func (c *Client) do(ctx context.Context, op Op, rawURL string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return &Error{Op: op.Name, Shape: ShapeOther, Err: err}
		}
	}
	key := ""
	if op.Keyed && c.version.HonoursIdempotencyKey() {
		key = stringFrom(ctx, idempotencyKeyKey)
	}
	cl := &call{op: op.Name, safety: op.safetyWith(key != "")}
	req, err := retryablehttp.NewRequestWithContext(withCall(ctx, cl), op.Method, rawURL, body)
	if err != nil {
		return &Error{Op: op.Name, Shape: ShapeOther, Err: err}
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
		return &Error{Op: op.Name, Status: resp.StatusCode, Shape: ShapeOther, MaybeApplied: write && ok, Err: fmt.Errorf("response exceeds %d bytes", c.maxBody)}
	}
	if !ok {
		e := ParseError(op.Name, resp.StatusCode, data)
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
	return nil
}
