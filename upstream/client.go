// Package upstream is the client of the lending core (Apache Fineract): its
// clients API, wire types, errors and retry policy. It knows nothing of
// partners; translate/ maps its types to partner shapes.
package upstream

import (
	"cmp"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
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
		http:       newRetryClient(&http.Client{Transport: br, CheckRedirect: noRedirects}, cfg.Retry),
		breaker:    br,
	}, nil
}

// noRedirects makes the HTTP client hand a 3xx back instead of following
// it, and do turns it into an error. Following would send the Basic
// credentials and the tenant header wherever Location points (net/http keeps
// Authorization for the same host on any port or scheme, and for its
// subdomains), serve that server's answer as the upstream's, and resend a
// write on 307 and 308. The upstream's API never redirects.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

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
	OrderBy   string // one of id, displayName, submittedOnDate, activationDate; "" is id
	SortOrder string // ASC, DESC; "" is ASC
}

// values always asks for a total order, so that consecutive pages neither
// repeat nor skip a client. Without orderBy the upstream's SQL has no ORDER
// BY at all, and a database may then return the rows of each LIMIT/OFFSET
// page in a different order; with a column that is not unique the order of
// ties is just as free. So the order defaults to id, and any other column is
// followed by id, the `c.id as id` primary key of the list's select.
//
// ClientReadPlatformServiceImpl.retrieveAll (fineract-provider/src/main/java/
// org/apache/fineract/portfolio/client/service/, at 1.8.4, 1.9.0 and 1.10.1)
// builds `" order by " + orderBy` and then, only when orderBy is given,
// `" " + sortOrder`; both are checked by ColumnValidator.validateSqlInjection
// (SQLInjectionValidator's keywords and characters up to 1.9, the SqlValidator
// "column" profile from 1.10, where ClientsApiResource also runs the "main"
// profile), whose column check only looks at operands of comparison
// operators. There is no column whitelist, so a list such as
// "displayName DESC,id" reaches the SQL: ',' and ' ' are in
// SQLInjectionValidator's character set and match none of the 1.10
// patterns. As sortOrder lands after the last item, the first column carries
// its own direction and sortOrder is the tie-breaker's: "order by
// displayName DESC,id DESC". A space is sent as '+', which JAX-RS
// @QueryParam decodes as form encoding.
func (q ListQuery) values() (url.Values, error) {
	if q.Limit <= 0 || q.Offset < 0 {
		return nil, fmt.Errorf("list: limit must be positive and offset non-negative (got %d, %d)", q.Limit, q.Offset)
	}
	orderBy, sortOrder := cmp.Or(q.OrderBy, "id"), cmp.Or(q.SortOrder, "ASC")
	if !sortColumns[orderBy] {
		return nil, fmt.Errorf("list: orderBy %q is not whitelisted", q.OrderBy)
	}
	if sortOrder != "ASC" && sortOrder != "DESC" {
		return nil, fmt.Errorf("list: sortOrder %q is not ASC or DESC", q.SortOrder)
	}
	if orderBy != "id" {
		orderBy += " " + sortOrder + ",id"
	}
	v := url.Values{}
	v.Set("offset", strconv.Itoa(q.Offset))
	v.Set("limit", strconv.Itoa(q.Limit))
	v.Set("orderBy", orderBy)
	v.Set("sortOrder", sortOrder)
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

// GetClient returns one client: the one ref names, or an error (verify.go).
// By external id it goes the way lookupExternalID decides for the line and
// the id.
func (c *Client) GetClient(ctx context.Context, ref ClientRef) (ClientData, error) {
	if ref.ExternalID != "" {
		if l := lookupExternalID(c.version, ref.ExternalID); !l.route {
			return c.findByExternalID(ctx, ref.ExternalID, l.filters)
		}
	}
	var out ClientData
	err := c.do(ctx, OpGetClient, c.clientURL(ref, nil), nil, &out)
	if err == nil && ref.ExternalID != "" && out.ExternalID != ref.ExternalID {
		// The route matches under the database collation (case-insensitive by
		// default); only an exact match is the client the partner named.
		return ClientData{}, notFoundByExternalID(OpGetClient.Name)
	}
	return ref.verified(out, err)
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

// externalIDLookup is how one external id is found on one line: by the
// external-id route, or through the list filter with each value of filters
// in turn, the next one only when the SQL validator refused the previous.
type externalIDLookup struct {
	route   bool
	filters []string
}

// lookupExternalID decides how GetClient reaches the client with external
// id ext on line v, so that every id a partner may use (any printable
// characters) is found, exactly, on every line:
//
//   - 1.9+ has the route /clients/external-id/{ext}, unless the upstream's
//     firewall refuses the path (routable) or another resource's template
//     captures it (externalIDShadows).
//   - Otherwise the list filter ?externalId= (1.8 has nothing else). It is
//     SQL LIKE with the value bound as sent and backslash as the escape
//     character (MySQL/MariaDB and PostgreSQL), so the id is sent with "\",
//     "%" and "_" escaped: it then matches only itself (up to the collation;
//     candidates are compared exactly) and never ends in a lone escape,
//     which PostgreSQL refuses.
//   - 1.10+ runs its SQL validator on that value (403 error.msg.sql.
//     validation). When the value has a character the default patterns
//     need — each needs a space, "=", "(", ")" or ";" (sqlValidatorNeeds);
//     the backslashes of the escaping are none of them — a second value
//     follows with each such character replaced by the LIKE wildcard "_",
//     which none of them matches. It is sent only when the exact value is
//     refused, so it costs nothing on lines without the validator (and
//     Detect reports 1.10 as 1.9); its extra candidates are compared
//     exactly too.
func lookupExternalID(v Version, ext string) externalIDLookup {
	if v.HasExternalIDRoutes() && routable(ext) && !externalIDShadows[ext] {
		return externalIDLookup{route: true}
	}
	exact := likeEscaper.Replace(ext)
	if wild := strings.Map(validatorSafe, exact); wild != exact {
		return externalIDLookup{filters: []string{exact, wild}}
	}
	return externalIDLookup{filters: []string{exact}}
}

// likeEscaper escapes SQL LIKE's metacharacters with its default escape
// character.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// sqlValidatorNeeds are the characters without which no pattern of the
// upstream's default SQL validator (fineract.sql-validation.patterns in
// fineract-provider/src/main/resources/application.properties, 1.10.0 to
// develop) can match: inject-blind and detect-backend need "=",
// detect-entry-point ")" or a space, inject-timing "(", detect-column,
// detect-out-of-bands and inject-comment a space (Java's \s), and
// inject-stacked-query ";".
const sqlValidatorNeeds = " \t\n\v\f\r=();"

// validatorSafe maps a character the validator needs to the one-character
// LIKE wildcard.
func validatorSafe(r rune) rune {
	if strings.ContainsRune(sqlValidatorNeeds, r) {
		return '_'
	}
	return r
}

// routable reports whether ext can travel as the last segment of the
// external-id route. The upstream's Spring Security StrictHttpFirewall (its
// defaults; Fineract sets none) rejects a path holding ";", an encoded "/",
// "\" or "%" (so "/", "\", "%" and ";" in an id, which the path must
// encode), NUL, CR, LF, U+2028 or U+2029, or a "." or ".." segment.
func routable(ext string) bool {
	return ext != "." && ext != ".." && !strings.ContainsAny(ext, "/\\%;\x00\r\n\u2028\u2029")
}

// externalIDShadows are the ids that, as /clients/external-id/{id}, reach
// another resource (1.9.0 to develop): Jersey tries templates with more
// literal characters first and does not backtrack, so
// /v1/clients/{clientId}/charges, …/collaterals, …/familymembers,
// …/identifiers and /v1/{type}/{id}/calendars, …/documents, …/images,
// …/meetings, …/notes beat ClientsApiResource's /v1/clients, and
// {clientId}/obligeedetails, {clientId}/transferproposaldate and
// {clientId}/transactions beat its /external-id/{externalId}; each then
// fails to read "external-id" as a number. ({clientId}/accounts has fewer
// literal characters and does not.)
var externalIDShadows = map[string]bool{
	"charges": true, "collaterals": true, "familymembers": true, "identifiers": true,
	"calendars": true, "documents": true, "images": true, "meetings": true, "notes": true,
	"obligeedetails": true, "transferproposaldate": true, "transactions": true,
}

// lookupPageSize is the page used to resolve an external id through the list
// filter, in id order; lookupMaxPages bounds the walk. An escaped filter
// matches one client or a few (the collation folds case), a wildcarded one
// more; past the bound the lookup fails rather than miss the client.
const (
	lookupPageSize = 200
	lookupMaxPages = 10
)

// sqlValidationCode is the code of the 1.10+ SQL validator's refusal.
const sqlValidationCode = "error.msg.sql.validation"

// findByExternalID resolves ext through the list filter, with each of
// filters in turn while the SQL validator refuses them, comparing every
// candidate exactly.
func (c *Client) findByExternalID(ctx context.Context, ext string, filters []string) (ClientData, error) {
	var err error
	for _, filter := range filters {
		var found ClientData
		found, err = c.scanByExternalID(ctx, ext, filter)
		if e, ok := AsError(err); !ok || !e.HasCode(sqlValidationCode) {
			return found, err
		}
	}
	return ClientData{}, err
}

// scanByExternalID walks the pages the filter matches for the client whose
// external id is exactly ext.
func (c *Client) scanByExternalID(ctx context.Context, ext, filter string) (ClientData, error) {
	for page := 0; page < lookupMaxPages; page++ {
		v := url.Values{}
		v.Set("externalId", filter)
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
			return ClientData{}, notFoundByExternalID(OpGetClient.Name)
		}
	}
	return ClientData{}, &Error{Op: OpGetClient.Name, Shape: ShapeOther,
		Err: fmt.Errorf("external id lookup: more than %d clients match %q", lookupMaxPages*lookupPageSize, filter)}
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
		key = idempotencyKey(ctx)
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
	if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		// Not followed (noRedirects), so a write went no further and was not
		// applied. Location is for the operator: most often an http://
		// upstream URL answered with a redirect to https://.
		return unexpectedAnswer(op.Name, resp.StatusCode, fmt.Errorf("redirect to %q not followed", resp.Header.Get("Location")))
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
	if body, checked := out.(wellFormed); checked {
		if err := body.wellFormed(); err != nil {
			e := unexpectedAnswer(op.Name, resp.StatusCode, err)
			e.MaybeApplied = write
			return e
		}
	}
	return nil
}
