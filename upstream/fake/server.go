package fake

import (
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"lmsproxy/upstream"
	"lmsproxy/upstream/wire"
)

// BasePath prefixes every route, as the public URL of every Fineract line.
const BasePath = "/fineract-provider/api/v1"

// Header names the simulator reads or writes.
const (
	tenantHeader      = "Fineract-Platform-TenantId"
	idempotencyHeader = "Idempotency-Key"
	fromCacheHeader   = "x-served-from-cache"
)

// maxBody bounds a request body; the proxy never sends more than a few
// hundred bytes.
const maxBody = 1 << 20

// Options configure a Server.
type Options struct {
	Version  upstream.Version // line to imitate; zero → upstream.V1_10
	Tenant   string           // the only valid tenant id; "" → "default"
	Username string           // HTTP Basic user; "" → "mifos"
	Password string           // HTTP Basic password; "" → "password"

	// Today is the upstream host's clock; nil → time.Now. The business date
	// is its date in TimeZone, the tenant's timezone_id (nil → UTC), unless
	// BusinessDate is set: then the business-date feature is on with that
	// date stored (see SetBusinessDate).
	Today        func() time.Time
	TimeZone     *time.Location
	BusinessDate wire.Date

	// Database is the engine behind the upstream; "" → PostgreSQL. It
	// decides how the refusals the database raises read (see Database).
	Database Database
}

// Database is a database engine Fineract runs on. Where the upstream maps a
// database refusal by the driver's text, the engine changes the answer: a
// duplicate transaction external id is a 400 on PostgreSQL and a raw 403
// on MySQL/MariaDB from 1.9 (LoanAccountDomainServiceJpa
// .raiseValidationExceptionForUniqueConstraintViolation), and a value too
// long for its column carries the driver's message. The collation stays
// MariaDB's case-insensitive one on both (see the package comment).
type Database string

// The engines.
const (
	PostgreSQL Database = "postgres"
	MySQL      Database = "mysql" // MySQL or MariaDB
)

// tooLong is the driver's message for a value longer than a VARCHAR(size)
// column: pgjdbc's, or MariaDB Connector/J's without the "(conn=N) "
// prefix it puts before every message.
func (db Database) tooLong(column string, size int) string {
	if db == MySQL {
		return "Data too long for column '" + column + "' at row 1"
	}
	return "ERROR: value too long for type character varying(" + strconv.Itoa(size) + ")"
}

// Server is the simulated upstream. It implements http.Handler and is safe
// for concurrent use: requests are served one at a time, which also makes
// every write atomic as the upstream's transactions are (a command
// PauseCommand holds lets the others through until it resumes, and then
// runs on what it finds).
type Server struct {
	opts Options

	mu           sync.Mutex
	db           *store
	granted      map[string]bool // the user's permissions, see permissions.go
	makerChecker map[string]bool
	pending      []PendingCommand
	idempotent   map[string]commandSource // task + "\x00" + key → first outcome
	pauses       []*pause                 // see PauseCommand
	requests     []Request
	writes       int
	commandIDs   int64

	faults faults // injected misbehaviour, see faults.go

	businessDates businessDates // see businessdate.go
}

// New returns a Server seeded as documented in seed.go.
func New(opts Options) *Server {
	if opts.Version.IsZero() {
		opts.Version = upstream.V1_10
	}
	if opts.Tenant == "" {
		opts.Tenant = "default"
	}
	if opts.Username == "" {
		opts.Username = "mifos"
	}
	if opts.Password == "" {
		opts.Password = "password"
	}
	if opts.Today == nil {
		opts.Today = time.Now
	}
	if opts.TimeZone == nil {
		opts.TimeZone = time.UTC
	}
	switch opts.Database {
	case "":
		opts.Database = PostgreSQL
	case PostgreSQL, MySQL:
	default:
		panic("fake: unknown Options.Database " + strconv.Quote(string(opts.Database)))
	}
	s := &Server{
		opts:         opts,
		db:           newStore(),
		granted:      servicePermissions(),
		makerChecker: map[string]bool{},
		idempotent:   map[string]commandSource{},
	}
	s.setBusinessDate(!opts.BusinessDate.IsZero(), opts.BusinessDate)
	s.db.seed(s.today())
	return s
}

func (s *Server) user() user { return user{username: s.opts.Username} }

// result is a rendered answer.
type result struct {
	status int
	body   []byte
	cached bool // replayed from the idempotency store
}

// call is one request as the handlers see it.
type call struct {
	r     *http.Request
	body  []byte
	query url.Values
	// batched: a request inside POST /batches, whose commands share the
	// batch's transaction.
	batched bool
}

// ServeHTTP serves a request under its injected fault, if any, else
// normally.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f, ok := s.faults.next(r.Method); ok {
		s.serveFault(w, r, f)
		return
	}
	s.serve(w, r)
}

func readBody(r *http.Request) []byte {
	if r.Body == nil {
		return nil
	}
	raw, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
	return raw
}

func requestOf(r *http.Request, raw []byte) Request {
	return Request{
		Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery,
		Header: r.Header.Clone(), Body: raw,
	}
}

// serve answers in the upstream's order: Spring Security's firewall, its
// filters (tenant 400, authentication 401) before routing, then the
// resource.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	raw := readBody(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logRequest(requestOf(r, raw))

	if path, _, _ := strings.Cut(r.RequestURI, "?"); !firewallAllows(path) {
		s.write(w, s.render(r, nil, springError(firewallRejection(s.opts.Version))))
		return
	}
	rest, under := strings.CutPrefix(r.URL.EscapedPath(), BasePath)
	if !under || (rest != "" && rest[0] != '/') {
		s.write(w, s.render(r, nil, springError(http.StatusNotFound)))
		return
	}
	if err := s.authenticate(r); err != nil {
		w.Header().Set("WWW-Authenticate", `Basic realm="Fineract Platform API"`)
		s.write(w, s.render(r, nil, err))
		return
	}
	w.Header().Set("X-Notification-Refresh", "false")
	s.write(w, s.route(&call{r: r, body: raw, query: parseQuery(r.URL.RawQuery)}, rest))
}

// authenticate is TenantAwareBasicAuthenticationFilter and Spring Security's
// Basic entry point: a missing or unknown tenant is a 400, missing or wrong
// credentials a 401, both as Spring Boot error JSON.
func (s *Server) authenticate(r *http.Request) error {
	tenant := r.Header.Get(tenantHeader)
	if isBlank(tenant) {
		tenant = parseQuery(r.URL.RawQuery).Get("tenantIdentifier")
	}
	if isBlank(tenant) || tenant != s.opts.Tenant {
		return springError(http.StatusBadRequest)
	}
	name, pass, ok := r.BasicAuth()
	if !ok || name != s.opts.Username || pass != s.opts.Password {
		return springError(http.StatusUnauthorized)
	}
	return nil
}

// route dispatches rest (the escaped path after BasePath) in JAX-RS order:
// path (404), method (405), then media type (415).
func (s *Server) route(c *call, rest string) result {
	hs := s.resource(c, rest)
	if hs == nil {
		return s.render(c.r, nil, springError(http.StatusNotFound))
	}
	h, ok := hs[c.r.Method]
	if !ok {
		return s.render(c.r, nil, springError(http.StatusMethodNotAllowed))
	}
	if (c.r.Method == http.MethodPost || c.r.Method == http.MethodPut) && !jsonContentType(c.r) {
		return s.render(c.r, nil, springError(http.StatusUnsupportedMediaType))
	}
	return h()
}

// firewallAllows is Spring Security's StrictHttpFirewall with its defaults
// (Fineract configures none) on the raw request path: the encoded block
// list on the path as sent, the decoded one on the decoded path, dot
// segments on both, and printable ASCII only (spring-security
// web/.../firewall/StrictHttpFirewall.java). Query values are not checked.
func firewallAllows(rawPath string) bool {
	for _, bad := range firewallEncodedBlocklist {
		if strings.Contains(rawPath, bad) {
			return false
		}
	}
	decoded, err := url.PathUnescape(rawPath)
	if err != nil {
		return false // the servlet container refuses a malformed escape
	}
	for _, bad := range firewallDecodedBlocklist {
		if strings.Contains(decoded, bad) {
			return false
		}
	}
	for _, r := range rawPath {
		if r < 0x20 || r > 0x7e {
			return false
		}
	}
	return normalizedPath(rawPath) && normalizedPath(decoded)
}

// The firewall's block lists: semicolon, encoded slash, double slash,
// backslash, null, LF and CR in both; encoded percent and period in the raw
// path; a percent and U+2028/U+2029 in the decoded one.
var (
	firewallEncodedBlocklist = []string{";", "%3b", "%3B", "%2f", "%2F", "//", "\\", "%5c", "%5C",
		"\x00", "%00", "\n", "%0a", "%0A", "\r", "%0d", "%0D", "%25", "%2e", "%2E"}
	firewallDecodedBlocklist = []string{";", "%2f", "%2F", "//", "\\", "\x00", "\n", "\r", "%", "\u2028", "\u2029"}
)

// normalizedPath is the firewall's isNormalized: no "." or ".." segment.
func normalizedPath(path string) bool {
	for _, seg := range strings.Split(path, "/") {
		if seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// parseQuery splits a raw query on "&" only, as a servlet container does:
// net/url drops any pair containing ";", which would hide exactly the
// injection attempts the upstream's SQL checks exist for.
func parseQuery(raw string) url.Values {
	q := url.Values{}
	for _, pair := range strings.Split(raw, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err1 := url.QueryUnescape(k)
		val, err2 := url.QueryUnescape(v)
		if err1 == nil && err2 == nil {
			q.Add(key, val)
		}
	}
	return q
}

// jsonContentType reports whether a body-carrying request may reach a
// @Consumes(APPLICATION_JSON) resource: no Content-Type, or application/json.
func jsonContentType(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/json"
}

// render turns a handler's outcome into status and bytes, in the writer the
// simulated line uses for that kind of body.
func (s *Server) render(r *http.Request, v obj, err error) result {
	if err == nil {
		return result{status: http.StatusOK, body: encodeSuccess(v)}
	}
	e, ok := err.(*apiError)
	if !ok {
		e = springError(http.StatusInternalServerError)
	}
	if e.body == nil {
		return result{status: e.status, body: mustMarshal(springBody(e.status, r.URL.EscapedPath(), time.Now().UnixMilli()))}
	}
	return result{status: e.status, body: encodeError(s.opts.Version, e.body)}
}

func (s *Server) write(w http.ResponseWriter, res result) {
	w.Header().Set("Content-Type", "application/json")
	if res.cached {
		w.Header().Set(fromCacheHeader, "true")
	}
	w.WriteHeader(res.status)
	_, _ = w.Write(res.body)
}
