package server_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"lmsproxy/server"
)

// readyFunc makes a function a server.Checker.
type readyFunc func(context.Context) error

func (f readyFunc) Ready(ctx context.Context) error { return f(ctx) }

// checkedUpstream and checkedVerifier are test doubles with a readiness
// check and nothing else.
type checkedUpstream struct {
	server.Upstream
	readyFunc
}

type checkedVerifier struct {
	acceptAll
	readyFunc
}

func fixed(err error) readyFunc { return func(context.Context) error { return err } }

// hang waits for the check's deadline, as a dependency that never answers.
func hang(ctx context.Context) error {
	if _, ok := ctx.Deadline(); !ok {
		return errors.New("readiness check has no deadline")
	}
	<-ctx.Done()
	return ctx.Err()
}

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	validateAgainstOpenAPI(t, "GET", path, rec.Code, rec.Header(), rec.Body.Bytes())
	return rec.Code, rec.Body.String()
}

func TestReadyz(t *testing.T) {
	down := errors.New("down")
	tests := []struct {
		name           string
		upstream, keys readyFunc
		wantStatus     int
		wantBody       string
	}{
		{"both ready", fixed(nil), fixed(nil), 200, `{"status":"ready"}`},
		{"upstream down", fixed(down), fixed(nil), 503, `{"code":"unavailable","message":"not ready: upstream unavailable"}`},
		{"keys unavailable", fixed(nil), fixed(down), 503, `{"code":"unavailable","message":"not ready: signing keys unavailable"}`},
		{"both down", fixed(down), fixed(down), 503, `{"code":"unavailable","message":"not ready: upstream unavailable, signing keys unavailable"}`},
		{"upstream never answers", hang, fixed(nil), 503, `{"code":"unavailable","message":"not ready: upstream unavailable"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := server.DefaultConfig()
			cfg.ReadyTimeout = 50 * time.Millisecond
			srv := server.New(cfg, checkedUpstream{readyFunc: tt.upstream}, checkedVerifier{readyFunc: tt.keys})
			status, body := get(t, srv, "/readyz")
			assert.Equal(t, tt.wantStatus, status)
			assert.JSONEq(t, tt.wantBody, body)

			status, body = get(t, srv, "/healthz")
			assert.Equal(t, 200, status, "liveness never depends on dependencies")
			assert.JSONEq(t, `{"status":"ok"}`, body)
		})
	}
}

// Readiness against the real upstream client and verifier: any answer to
// the proxy's credentials is ready, a 403 included; a refused login, a
// server error, no answer, or no signing keys is not. The message never
// names a host.
func TestReadyzWithRealDependencies(t *testing.T) {
	alwaysOverloaded := func(http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
	}
	tests := []struct {
		name    string
		options func(t *testing.T) stackOptions
		arrange func(d *stack)
		want    string // "" for ready
	}{
		{"ready", func(*testing.T) stackOptions { return stackOptions{} }, nil, ""},
		{"service account lacks a permission", func(*testing.T) stackOptions { return stackOptions{} },
			func(d *stack) { d.sim.DenyPermission("READ_CLIENT") }, ""},
		{"upstream refuses the credentials", func(*testing.T) stackOptions { return stackOptions{upstreamPassword: "wrong"} }, nil, "upstream"},
		{"upstream overloaded", func(*testing.T) stackOptions { return stackOptions{wrapUpstream: alwaysOverloaded} }, nil, "upstream"},
		{"upstream unreachable", func(t *testing.T) stackOptions { return stackOptions{upstreamURL: unreachable(t)} }, nil, "upstream"},
		{"signing keys unreachable", func(t *testing.T) stackOptions { return stackOptions{jwksURL: unreachable(t)} }, nil, "signing keys"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := deploy(t, tt.options(t))
			if tt.arrange != nil {
				tt.arrange(d)
			}
			r := d.doWith("GET", "/readyz", "", nil)
			if tt.want == "" {
				assert.Equal(t, 200, r.status, r.body)
				return
			}
			assert.Equal(t, 503, r.status)
			assert.JSONEq(t, `{"code":"unavailable","message":"not ready: `+tt.want+` unavailable"}`, r.body)
			assert.NotContains(t, r.body, "127.0.0.1")
		})
	}
}

// A result is reused for ReadyCacheTTL, so frequent probes do not each
// reach the upstream and the issuer; with no TTL every probe checks.
func TestReadyzCache(t *testing.T) {
	tests := []struct {
		name          string
		ttl           time.Duration
		wantAfterFlip int
	}{
		{"cached", time.Hour, 200},
		{"not cached", 0, 503},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var checks atomic.Int32
			var failing atomic.Bool
			cfg := server.DefaultConfig()
			cfg.ReadyCacheTTL = tt.ttl
			up := checkedUpstream{readyFunc: func(context.Context) error {
				checks.Add(1)
				if failing.Load() {
					return errors.New("down")
				}
				return nil
			}}
			srv := server.New(cfg, up, acceptAll{})
			status, _ := get(t, srv, "/readyz")
			require.Equal(t, 200, status)
			failing.Store(true)
			status, _ = get(t, srv, "/readyz")
			assert.Equal(t, tt.wantAfterFlip, status)
			if tt.ttl > 0 {
				assert.Equal(t, int32(1), checks.Load(), "one check serves every probe within the TTL")
			}
		})
	}
}

// Readiness logs when a dependency changes state, not on every probe, and
// exports each dependency's state.
func TestReadinessLogsChanges(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	var failing atomic.Bool
	cfg := server.DefaultConfig()
	cfg.ReadyCacheTTL = 0
	up := checkedUpstream{readyFunc: func(context.Context) error {
		if failing.Load() {
			return errors.New("dial tcp: connection refused")
		}
		return nil
	}}
	srv := server.New(cfg, up, acceptAll{}, server.WithLogger(zap.New(core)))
	for _, fail := range []bool{false, true, true, true, false, false} {
		failing.Store(fail)
		get(t, srv, "/readyz")
	}
	var changes []string
	for _, e := range logs.FilterLoggerName("ready").All() {
		changes = append(changes, e.Level.String()+" "+e.Message)
	}
	assert.Equal(t, []string{"warn dependency not ready", "info dependency ready again"}, changes)
	assert.Contains(t, scrape(t, srv), "\nlmsproxy_ready{dependency=\"upstream\"} 1\n")
}
