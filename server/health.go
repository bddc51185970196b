package server

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"lmsproxy/server/auth"
	"lmsproxy/translate"
	"lmsproxy/upstream"
)

// Checker is a dependency /readyz waits for.
type Checker interface {
	Ready(ctx context.Context) error
}

// The production Verifier and Upstream are both checked: an Upstream or
// Verifier that is not a Checker (a test double) is taken as always ready.
var (
	_ Checker = (*auth.Verifier)(nil)
	_ Checker = (*upstream.Client)(nil)
)

// dependency is one thing readiness depends on.
type dependency struct {
	label string // metric label
	name  string // in the not-ready message partners and probes see
	check Checker
}

// readiness answers /readyz. Checks run at most once per TTL, however many
// probes (one per replica per load balancer) arrive, and each is bounded by
// a timeout, so a slow dependency cannot pile probes up or make the probe
// itself time out and be mistaken for a dead process.
type readiness struct {
	deps         []dependency
	timeout, ttl time.Duration
	log          *zap.Logger
	gauge        *prometheus.GaugeVec

	mu        sync.Mutex // held during a check, so concurrent probes share it
	checkedAt time.Time
	failing   []string // names of the dependencies that failed the last check
	wasReady  []bool   // per dependency, to log changes only
}

func newReadiness(cfg Config, log *zap.Logger, gauge *prometheus.GaugeVec, up Upstream, v Verifier) *readiness {
	r := &readiness{timeout: cfg.ReadyTimeout, ttl: cfg.ReadyCacheTTL, log: log, gauge: gauge}
	if c, ok := up.(Checker); ok {
		r.deps = append(r.deps, dependency{label: "upstream", name: "upstream", check: c})
	}
	if c, ok := v.(Checker); ok {
		r.deps = append(r.deps, dependency{label: "signing_keys", name: "signing keys", check: c})
	}
	r.wasReady = make([]bool, len(r.deps))
	for i := range r.wasReady {
		r.wasReady[i] = true // so that a failure at start is logged
	}
	return r
}

// notReady returns the names of the dependencies that are not ready.
func (r *readiness) notReady() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.checkedAt.IsZero() && time.Since(r.checkedAt) < r.ttl {
		return r.failing
	}
	// Not the probe's context: the check is shared by every probe that
	// arrives meanwhile, one hanging up must not cut it short, and its
	// upstream call is nobody's partner request (it is not in the upstream
	// metrics; lmsproxy_ready reports it).
	ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
	defer cancel()
	errs := make([]error, len(r.deps))
	var wg sync.WaitGroup
	for i, d := range r.deps {
		wg.Go(func() { errs[i] = d.check.Ready(ctx) })
	}
	wg.Wait()

	r.failing = nil
	for i, d := range r.deps {
		ok := errs[i] == nil
		r.gauge.WithLabelValues(d.label).Set(boolValue(ok))
		switch {
		case !ok:
			r.failing = append(r.failing, d.name)
			if r.wasReady[i] {
				r.log.Warn("dependency not ready", zap.String("dependency", d.label), zap.Error(errs[i]))
			}
		case !r.wasReady[i]:
			r.log.Info("dependency ready again", zap.String("dependency", d.label))
		}
		r.wasReady[i] = ok
	}
	r.checkedAt = time.Now()
	return r.failing
}

// healthz says the process is alive and serving; it checks nothing else, so
// that an upstream outage never gets every replica restarted.
func (s *Server) healthz(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, []byte(`{"status":"ok"}`))
}

// readyz says whether this replica can serve partners: the upstream answers
// its credentials and the signing keys are loaded. The message names the
// failing dependency, never a host.
func (s *Server) readyz(c echo.Context) error {
	if failing := s.ready.notReady(); len(failing) > 0 {
		return translate.NewError(translate.Unavailable, "not ready: "+strings.Join(failing, " unavailable, ")+" unavailable")
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, []byte(`{"status":"ready"}`))
}
