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
}

// Server is the simulated upstream. It implements http.Handler and is safe
// for concurrent use: requests are served one at a time, which also makes
// every write atomic as the upstream's transactions are.
type Server struct {
	opts Options

	mu           sync.Mutex
	db           *store
	granted      map[string]bool // the user's permissions, see permissions.go
	makerChecker map[string]bool
	pending      []PendingCommand
	idempotent   map[string]result // task + "\x00" + key → first outcome
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
	s := &Server{
		opts:         opts,
		db:           newStore(),
		granted:      servicePermissions(),
		makerChecker: map[string]bool{},
		idempotent:   map[string]result{},
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

// methods are the handlers of one resource path.
type methods map[string]func() result

// resource finds the handlers for a path. Segments are percent-decoded one
// by one (an encoded "/" never gets here: the firewall refuses it).
func (s *Server) resource(c *call, rest string) methods {
	var segs []string
	for _, seg := range strings.Split(strings.TrimSuffix(strings.TrimPrefix(rest, "/"), "/"), "/") {
		dec, err := url.PathUnescape(seg)
		if err != nil {
			return nil
		}
		segs = append(segs, dec)
	}
	switch {
	case len(segs) == 1 && segs[0] == "clients":
		return methods{
			http.MethodGet: func() result {
				v, err := s.listClients(c)
				return s.render(c.r, v, err)
			},
			http.MethodPost: func() result { return s.create(c) },
		}
	case len(segs) == 2 && segs[0] == "clients":
		id, err := strconv.ParseInt(segs[1], 10, 64)
		if err != nil { // JAX-RS cannot convert the Long path parameter
			return nil
		}
		return s.clientMethods(c, byID(id))
	case len(segs) == 3 && segs[0] == "clients" && segs[1] == "external-id" &&
		s.opts.Version.HasExternalIDRoutes():
		if shadow, ok := externalIDShadows[segs[2]]; ok {
			return shadow.methods(func() result { return s.render(c.r, nil, springError(http.StatusNotFound)) })
		}
		return s.clientMethods(c, byExternalID(segs[2]))
	case len(segs) == 1 && segs[0] == "businessdate":
		return s.businessDateMethods(c, nil)
	case len(segs) == 2 && segs[0] == "businessdate":
		return s.businessDateMethods(c, &segs[1])
	case len(segs) == 3 && segs[0] == "configurations" && segs[1] == "name":
		return s.configurationMethods(c, segs[2])
	}
	return nil
}

// externalIDShadow is a resource template that Jersey matches, for
// /clients/external-id/{name}, before ClientsApiResource's
// "/external-id/{externalId}": templates are tried by number of literal
// characters, then of variables, the first match wins and there is no
// backtracking. Its numeric path parameter then receives "external-id",
// which does not convert (404); a method the template lacks is a 405.
type externalIDShadow []string

func (sh externalIDShadow) methods(unconvertible func() result) methods {
	m := methods{}
	for _, method := range sh {
		m[method] = unconvertible
	}
	return m
}

// externalIDShadows are, at 1.9.0, 1.10.1 and develop alike, the names that
// are captured (with the methods the capturing template has):
//   - root resources with more literal characters than "/v1/clients" (11),
//     or as many and more variables: /v1/clients/{clientId}/charges,
//     …/collaterals, …/familymembers, …/identifiers
//     (ClientChargesApiResource, ClientCollateralManagementApiResource,
//     ClientFamilyMembersApiResource, ClientIdentifiersApiResource) and
//     /v1/{entityType}/{entityId}/calendars, …/documents, …/meetings,
//     /v1/{entity}/{entityId}/images, /v1/{resourceType}/{resourceId}/notes
//     (CalendarsApiResource, DocumentManagementApiResource,
//     MeetingsApiResource, ImagesApiResource, NotesApiResource);
//   - sub-resources of /v1/clients with more literal characters than
//     "/external-id/" (13): {clientId}/obligeedetails and
//     {clientId}/transferproposaldate (ClientsApiResource) and
//     {clientId}/transactions (ClientTransactionsApiResource).
//
// "{clientId}/accounts" has fewer (10), so "accounts" reaches the client.
// Media types are not modelled: documents and images consume multipart.
var externalIDShadows = map[string]externalIDShadow{
	"charges":              {http.MethodGet, http.MethodPost},
	"collaterals":          {http.MethodGet, http.MethodPost},
	"familymembers":        {http.MethodGet, http.MethodPost},
	"identifiers":          {http.MethodGet, http.MethodPost},
	"calendars":            {http.MethodGet, http.MethodPost},
	"documents":            {http.MethodGet, http.MethodPost},
	"meetings":             {http.MethodGet, http.MethodPost},
	"images":               {http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete},
	"notes":                {http.MethodGet, http.MethodPost},
	"obligeedetails":       {http.MethodGet},
	"transferproposaldate": {http.MethodGet},
	"transactions":         {http.MethodGet},
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

// clientMethods are the routes on one client.
func (s *Server) clientMethods(c *call, t target) methods {
	return methods{
		http.MethodGet: func() result {
			v, err := s.getClient(t)
			return s.render(c.r, v, err)
		},
		http.MethodPut:    func() result { return s.update(c, t) },
		http.MethodDelete: func() result { return s.remove(c, t) },
		http.MethodPost:   func() result { return s.command(c, t) },
	}
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
