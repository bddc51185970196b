package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/netip"
	"regexp"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"

	"lmsproxy/server/auth"
	"lmsproxy/translate"
	"lmsproxy/upstream"
)

// requestScope is the one per-request value the middleware and handlers
// share (request id, verified identity, outcome), instead of many context
// keys.
type requestScope struct {
	requestID  string
	identity   *auth.Identity
	code       translate.Code
	authReason auth.Reason // why the token was refused, if it was
	traceID    trace.TraceID
	// The upstream's answer behind an internal one (status and
	// globalisation code), so the operator sees which upstream rule fired;
	// the partner never does.
	upstreamStatus int
	upstreamCode   string
	// Upstream attempts made for this request and their summed duration.
	// Atomic because a handler may one day call the upstream concurrently.
	upstreamAttempts atomic.Int64
	upstreamLatency  atomic.Int64 // nanoseconds
}

const scopeKey = "lmsproxy.scope"

func scopeOf(c echo.Context) *requestScope {
	if s, ok := c.Get(scopeKey).(*requestScope); ok {
		return s
	}
	s := &requestScope{}
	c.Set(scopeKey, s)
	return s
}

// IdentityOf returns the verified partner identity of a request, or nil
// before authentication.
func IdentityOf(c echo.Context) *auth.Identity { return scopeOf(c).identity }

// validRequestID is what a partner-supplied X-Request-ID must look like to be
// trusted, logged and forwarded upstream; anything else is replaced.
var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

// scope establishes the request scope and request id; the id is returned to
// the partner and forwarded upstream. The request's idempotency key is the
// one each upstream write step derives its own from (steps.go), stable
// across the client's retries.
func (s *Server) scope(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		sc := scopeOf(c)
		sc.requestID = c.Request().Header.Get(echo.HeaderXRequestID)
		if !validRequestID.MatchString(sc.requestID) {
			sc.requestID = newID()
		}
		c.Response().Header().Set(echo.HeaderXRequestID, sc.requestID)
		ctx := upstream.WithRequestID(c.Request().Context(), sc.requestID)
		ctx = upstream.WithIdempotencyKey(ctx, "lmsproxy-"+newID())
		ctx = upstream.WithObserver(ctx, func(a upstream.Attempt) { s.observeAttempt(sc, a) })
		c.SetRequest(c.Request().WithContext(ctx))
		return next(c)
	}
}

// observeAttempt accounts one upstream attempt to its partner request, the
// metrics and the debug log. The log line names the operation, never the
// URL: paths carry partner-supplied ids and the upstream host.
func (s *Server) observeAttempt(sc *requestScope, a upstream.Attempt) {
	sc.upstreamAttempts.Add(1)
	sc.upstreamLatency.Add(int64(a.Duration))
	s.metrics.observeAttempt(a)
	if ce := s.log.Check(zap.DebugLevel, "upstream attempt"); ce != nil {
		ce.Write(
			zap.String("request_id", sc.requestID),
			zap.String("operation", a.Op),
			zap.Int("attempt", a.Number),
			zap.Int("status", a.Status),
			zap.Duration("latency", a.Duration),
			zap.Error(a.Err),
		)
	}
}

// quietRoutes are probed every few seconds by orchestrators and scrapers;
// their access lines are debug, so they do not drown partner traffic.
var quietRoutes = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// clientAddress is how the access log finds the partner's address: the
// connection's peer, or, behind the configured trusted proxies, the
// right-most X-Forwarded-For entry that is not one of them. Echo's XFF
// extractor trusts loopback, link-local and private ranges by default;
// those are turned off, so only what the deployment lists is trusted.
func clientAddress(trusted []netip.Prefix) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range trusted {
		opts = append(opts, echo.TrustIPRange(&net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// maxUserAgent bounds the user agent logged, so a caller cannot make its
// access lines arbitrarily long.
const maxUserAgent = 256

// countingBody counts the request body bytes the proxy read.
type countingBody struct {
	io.ReadCloser
	n int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	return n, err
}

// instrument writes one access-log line per request and records the
// request metrics. Both use the route template, never the raw path (which
// carries partner ids); of the headers, only the user agent and, from
// trusted proxies, X-Forwarded-For are logged.
func (s *Server) instrument(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		route := s.metrics.route(c)
		s.metrics.requestStarted(route)
		body := &countingBody{ReadCloser: c.Request().Body}
		c.Request().Body = body
		err := next(c)
		if err != nil {
			// Write the error now so the logged status is the one sent.
			c.Error(err)
		}
		latency := time.Since(start)
		sc := scopeOf(c)
		method, status := methodLabel(c.Request().Method), c.Response().Status
		s.metrics.requestFinished(c.Request().Context(), route, method, status, sc.code, latency.Seconds())

		level := zap.InfoLevel
		if quietRoutes[route] {
			level = zap.DebugLevel
		}
		ce := s.log.Check(level, "request")
		if ce == nil {
			return nil
		}
		ua := c.Request().UserAgent()
		if len(ua) > maxUserAgent {
			ua = ua[:maxUserAgent]
		}
		fields := make([]zap.Field, 0, 18)
		fields = append(fields,
			zap.String("request_id", sc.requestID),
			zap.String("method", method),
			zap.String("route", route),
			zap.Int("status", status),
			zap.Duration("latency", latency),
			zap.Int64("upstream_attempts", sc.upstreamAttempts.Load()),
			zap.Duration("upstream_latency", time.Duration(sc.upstreamLatency.Load())),
			zap.String("client_ip", c.RealIP()),
			zap.String("user_agent", ua),
			zap.Int64("request_bytes", body.n),
			zap.Int64("response_bytes", c.Response().Size),
		)
		if sc.traceID.IsValid() {
			fields = append(fields, zap.String("trace_id", sc.traceID.String()))
		}
		if sc.code != "" {
			fields = append(fields, zap.String("code", string(sc.code)))
		}
		if sc.upstreamStatus != 0 {
			fields = append(fields, zap.Int("upstream_status", sc.upstreamStatus))
		}
		if sc.upstreamCode != "" {
			fields = append(fields, zap.String("upstream_code", sc.upstreamCode))
		}
		if sc.authReason != "" {
			fields = append(fields, zap.String("auth_reason", string(sc.authReason)))
		}
		if sc.identity != nil {
			fields = append(fields, zap.String("partner", sc.identity.Subject))
			if sc.identity.Client != "" {
				fields = append(fields, zap.String("partner_client", sc.identity.Client))
			}
		}
		ce.Write(fields...)
		return nil
	}
}

// authenticate verifies the bearer token before anything else under /v1.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := s.verifier.VerifyHeader(c.Request().Context(), c.Request().Header.Get(echo.HeaderAuthorization))
		if err != nil {
			if aerr, ok := errors.AsType[*auth.Error](err); ok {
				scopeOf(c).authReason = aerr.Reason
				s.metrics.authFailure(aerr.Reason)
			}
			return err
		}
		scopeOf(c).identity = id
		return next(c)
	}
}

// deadline bounds the whole partner request, every upstream attempt
// included. The context is also cancelled when the partner goes away.
func (s *Server) deadline(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), s.cfg.RequestTimeout)
		defer cancel()
		c.SetRequest(c.Request().WithContext(ctx))
		return next(c)
	}
}

// writeJSON marshals first so that an encoding failure cannot follow a 200
// status line (Echo #1334).
func writeJSON(c echo.Context, status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.Blob(status, echo.MIMEApplicationJSON, body)
}
