// Package server is the partner-facing HTTP surface: Echo routes, handlers,
// authentication middleware, the one error writer and the operational
// endpoints. Handlers hold no upstream or partner vocabulary of their own:
// they call upstream/ and hand everything to translate/.
package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
	"go.uber.org/zap"

	"lmsproxy/server/auth"
)

// Config is the server's own configuration.
type Config struct {
	Listen string
	// OfficeID is the office new customers are created in.
	OfficeID int64
	// RequestTimeout bounds each partner request, upstream calls included.
	RequestTimeout time.Duration
	// BodyLimit caps a partner request body.
	BodyLimit int64
	// Location is the upstream tenant's time zone (its timezone_id): today's
	// date for activations where the upstream's business date is the
	// tenant's local date or cannot be read (today.go).
	Location *time.Location
	// Timeouts of the partner-facing HTTP server.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// ShutdownTimeout bounds the drain of in-flight requests on shutdown.
	ShutdownTimeout time.Duration
	// ReadyTimeout bounds one readiness check of the dependencies; it must
	// stay under the orchestrator's probe timeout.
	ReadyTimeout time.Duration
	// ReadyCacheTTL is how long a readiness result is reused, so that
	// frequent probes do not each reach the upstream and the issuer.
	ReadyCacheTTL time.Duration
	// RateLimit is the sustained requests per second allowed to each
	// partner (0: no limit) and RateBurst how many it may send at once.
	RateLimit float64
	RateBurst int
	// RateLimitRedisURL, when set, shares each partner's rate-limit budget
	// among all replicas through that Redis (ratelimit_redis.go), falling
	// back to the local buckets while Redis fails.
	RateLimitRedisURL string
	// TrustedProxies are the addresses of the load balancers and proxies
	// in front of the proxy whose X-Forwarded-For is believed for the
	// access log's client address. Empty: the connection's peer is logged
	// and X-Forwarded-For, which any caller can set, is ignored.
	TrustedProxies []netip.Prefix
	// DisbursementPaymentTypeID is the upstream payment type originations
	// disburse by (m_payment_type id); 0 sends none, which the upstream
	// accepts (LoanEventApiJsonValidator.validateDisbursement: optional).
	DisbursementPaymentTypeID int64
	// AdminListen, when set, is the address of the admin port serving
	// /healthz, /readyz and /metrics apart from partner traffic (see
	// WithAdminListener); empty keeps them on Listen.
	AdminListen string
}

// DefaultConfig is the configuration every field of which a deployment may
// override.
func DefaultConfig() Config {
	return Config{
		Listen:            ":8080",
		OfficeID:          1,
		RequestTimeout:    10 * time.Second,
		BodyLimit:         1 << 20,
		Location:          time.UTC,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      20 * time.Second,
		IdleTimeout:       120 * time.Second,
		ShutdownTimeout:   15 * time.Second,
		ReadyTimeout:      2 * time.Second,
		ReadyCacheTTL:     5 * time.Second,
		RateLimit:         50,
		RateBurst:         100,
	}
}

// Validate lists every problem.
func (c Config) Validate() []error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		errs = append(errs, fmt.Errorf("listen address %q: %w", c.Listen, err))
	}
	if c.AdminListen != "" {
		if _, _, err := net.SplitHostPort(c.AdminListen); err != nil {
			errs = append(errs, fmt.Errorf("admin listen address %q: %w", c.AdminListen, err))
		} else if c.AdminListen == c.Listen {
			errs = append(errs, errors.New("admin listen address must differ from the partner listen address"))
		}
	}
	if c.OfficeID <= 0 {
		errs = append(errs, fmt.Errorf("office id must be positive, got %d", c.OfficeID))
	}
	if c.RequestTimeout <= 0 {
		errs = append(errs, errors.New("request timeout must be positive"))
	}
	if c.BodyLimit <= 0 {
		errs = append(errs, errors.New("body limit must be positive"))
	}
	if c.Location == nil {
		errs = append(errs, errors.New("time zone is required"))
	}
	if c.ShutdownTimeout <= 0 {
		errs = append(errs, errors.New("shutdown timeout must be positive"))
	}
	if c.RateLimit < 0 || (c.RateLimit > 0 && c.RateBurst < 1) {
		errs = append(errs, errors.New("rate limit must not be negative, and its burst must be at least 1"))
	}
	if c.RateLimitRedisURL != "" {
		if c.RateLimit <= 0 {
			errs = append(errs, errors.New("a shared rate limit on Redis needs a rate limit above 0"))
		}
		if _, err := redis.ParseURL(c.RateLimitRedisURL); err != nil {
			// The parser's message may quote the URL, password included.
			errs = append(errs, errors.New("rate limit Redis URL: want redis://[user:password@]host:port[/db] or rediss://…"))
		}
	}
	if c.DisbursementPaymentTypeID < 0 {
		errs = append(errs, fmt.Errorf("disbursement payment type id must not be negative, got %d", c.DisbursementPaymentTypeID))
	}
	if c.ReadyTimeout <= 0 || c.ReadyCacheTTL < 0 {
		errs = append(errs, errors.New("readiness timeout must be positive and its cache TTL not negative"))
	}
	return errs
}

// Upstream is what the handlers need of the upstream client: one small
// interface per resource, so that a resource adds its own (one line here).
type Upstream interface {
	ClientsAPI
	LoanProductsAPI
	LoansAPI
	RepaymentsAPI
}

// Verifier authenticates a partner from its Authorization header.
type Verifier interface {
	VerifyHeader(ctx context.Context, authorization string) (*auth.Identity, error)
}

// Server is the partner gateway.
type Server struct {
	cfg      Config
	upstream Upstream
	verifier Verifier
	log      *zap.Logger
	now      func() time.Time
	version  string
	mounts   []mount
	metrics  *metrics
	limiter  *rateLimiter
	shared   *sharedRateLimiter // nil unless RateLimitRedisURL is set
	ready    *readiness
	tracer   trace.Tracer
	echo     *echo.Echo
	// admin serves the operational endpoints on adminLn when one is given
	// (WithAdminListener); nil otherwise.
	admin   *echo.Echo
	adminLn net.Listener

	today *today // the business date creates use, see today.go
}

// Option adjusts a Server.
type Option func(*Server)

// WithLogger sets the logger (default: no logging).
func WithLogger(l *zap.Logger) Option { return func(s *Server) { s.log = l } }

// WithMount serves h at the given paths beside the partner API, outside
// authentication; lmsproxy dev mounts its local token issuer this way so the
// documented token flow works against one address.
func WithMount(h http.Handler, paths ...string) Option {
	return func(s *Server) {
		for _, p := range paths {
			s.mounts = append(s.mounts, mount{path: p, handler: h})
		}
	}
}

type mount struct {
	path    string
	handler http.Handler
}

// WithAdminListener serves the operational endpoints (/healthz, /readyz,
// /metrics) on ln, an admin port, and takes /readyz and /metrics off the
// partner port: a Service or ingress that exposes only the partner port then
// cannot expose dependency state or metrics. /healthz stays on both, since
// it tells nothing. Run serves and drains both listeners.
func WithAdminListener(ln net.Listener) Option { return func(s *Server) { s.adminLn = ln } }

// WithVersion sets the build version exported as lmsproxy_build_info.
func WithVersion(v string) Option { return func(s *Server) { s.version = v } }

// WithClock sets the clock "today" is computed and cached with (tests).
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// New builds the server and its routes.
func New(cfg Config, up Upstream, v Verifier, opts ...Option) *Server {
	s := &Server{cfg: cfg, upstream: up, verifier: v, log: zap.NewNop(), now: time.Now, version: "unknown",
		tracer: tracenoop.NewTracerProvider().Tracer("")}
	for _, o := range opts {
		o(s)
	}
	s.limiter = newRateLimiter(cfg.RateLimit, cfg.RateBurst, time.Now)
	s.metrics = newMetrics(s.version, up, v)
	if s.limiter != nil {
		s.metrics.rateLimited.WithLabelValues(localLimiter) // zero before the first refusal
		if cfg.RateLimitRedisURL != "" {
			s.shareRateLimit(cfg.RateLimitRedisURL)
		}
	}
	s.ready = newReadiness(cfg, s.log.Named("ready"), s.metrics.ready, up, v)
	s.today = newToday(up, cfg.Location, s.now, s.log.Named("today"), s.metrics.businessDateFallbacks)
	e := s.newEcho()
	e.Use(s.instrument, recoverPanics)
	// Operational endpoints, outside authentication.
	e.GET("/healthz", s.healthz)
	ops := e
	if s.adminLn != nil {
		s.admin = s.newEcho()
		s.admin.Use(recoverPanics)
		s.admin.GET("/healthz", s.healthz)
		ops = s.admin
	}
	ops.GET("/readyz", s.readyz)
	ops.GET("/metrics", echo.WrapHandler(s.metrics.handler(s.log)))
	e.GET("/openapi.json", serveOpenAPI)
	for _, m := range s.mounts {
		e.Any(m.path, echo.WrapHandler(m.handler))
	}

	v1 := e.Group("/v1", s.authenticate, s.rateLimit, s.deadline, s.limitBody)
	for _, r := range s.resources() {
		r.mount(v1)
	}
	// Unknown routes under /v1 still authenticate first, so an anonymous
	// caller learns nothing about which routes exist.
	v1.RouteNotFound("/*", func(echo.Context) error { return echo.ErrNotFound })
	s.metrics.setRoutes(e.Routes())
	s.echo = e
	return s
}

// shareRateLimit puts the rate limit on the Redis at rawURL, exporting
// the fallbacks to the local buckets as lmsproxy_rate_limit_shared_fallbacks_total.
func (s *Server) shareRateLimit(rawURL string) {
	fallbacks := prometheus.NewCounter(prometheus.CounterOpts{
		Name: "lmsproxy_rate_limit_shared_fallbacks_total",
		Help: "Partner requests rate-limited by this replica's own buckets because the shared limit's Redis failed (or is skipped for a second after a failure).",
	})
	shared, err := newSharedRateLimiter(rawURL, s.limiter, s.log.Named("ratelimit"), fallbacks)
	if err != nil {
		// Validate refuses such a URL; a caller that skipped it keeps
		// the local limit, and is told.
		s.log.Error("shared rate limit off: invalid Redis URL; each replica limits partners on its own")
		return
	}
	s.metrics.registry.MustRegister(fallbacks)
	s.metrics.rateLimited.WithLabelValues(sharedLimiter)
	s.shared = shared
}

// Close releases what New opened (the shared rate limit's Redis
// connections). Run calls it on return.
func (s *Server) Close() error {
	if s.shared != nil {
		return s.shared.close()
	}
	return nil
}

// newEcho is an Echo instance with the server's error writer and request
// scope, the base of both the partner and the admin handlers.
func (s *Server) newEcho() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.writeError
	e.IPExtractor = clientAddress(s.cfg.TrustedProxies)
	e.Use(s.scope, s.trace)
	return e
}

// ServeHTTP makes the server usable with httptest and any listener.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// Run serves on ln (and on the admin listener, if any) until ctx is
// cancelled, then drains in-flight requests for at most ShutdownTimeout.
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	type served struct {
		srv *http.Server
		ln  net.Listener
	}
	all := []served{{s.httpServer(s), ln}}
	if s.admin != nil {
		all = append(all, served{s.httpServer(s.admin), s.adminLn})
	}
	errc := make(chan error, len(all))
	for _, sv := range all {
		go func() { errc <- sv.srv.Serve(sv.ln) }()
	}
	defer s.Close()
	select {
	case err := <-errc:
		// One listener failed: stop the other too rather than serve half.
		for _, sv := range all {
			_ = sv.srv.Close()
		}
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down: refusing new connections, draining in-flight requests", zap.Duration("timeout", s.cfg.ShutdownTimeout))
	shutdownCtx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	var errs []error
	for _, sv := range all {
		if err := sv.srv.Shutdown(shutdownCtx); err != nil {
			// Cut what did not finish in time rather than leave it running
			// behind a Run that has returned.
			_ = sv.srv.Close()
			errs = append(errs, fmt.Errorf("draining in-flight requests: %w", err))
		}
	}
	for range all {
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// httpServer is the partner-facing timeouts around h; the admin port gets
// the same, so a slow scraper cannot hold connections either.
func (s *Server) httpServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		ErrorLog:          zap.NewStdLog(s.log.Named("http")),
	}
}
