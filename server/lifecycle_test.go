package server_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/server"
	"lmsproxy/upstream"
	"lmsproxy/upstream/wire"
)

// blockingUpstream answers GetClient only once released, so a test can hold
// a request in flight. It serves nothing else.
type blockingUpstream struct {
	server.Upstream
	entered chan<- struct{}
	release <-chan struct{}
}

func (b blockingUpstream) GetClient(ctx context.Context, ref upstream.Ref) (wire.ClientData, error) {
	b.entered <- struct{}{}
	select {
	case <-b.release:
		return wire.ClientData{ID: ref.ID, Active: true}, nil
	case <-ctx.Done():
		return wire.ClientData{}, ctx.Err()
	}
}

// waitFor receives from ch, failing the test after a generous bound.
func waitFor[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// On cancellation (SIGTERM in main) Run stops accepting connections at
// once, lets in-flight requests finish within ShutdownTimeout, and cuts
// those that do not.
func TestGracefulShutdown(t *testing.T) {
	tests := []struct {
		name            string
		shutdownTimeout time.Duration
		releaseInTime   bool
		wantStatus      int // 0: the request is cut
		wantRunErr      string
	}{
		{"in-flight request drains", 10 * time.Second, true, 200, ""},
		{"drain bound exceeded", 100 * time.Millisecond, false, 0, "draining in-flight requests"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entered, release := make(chan struct{}), make(chan struct{})
			defer close(release)
			cfg := server.DefaultConfig()
			cfg.ShutdownTimeout = tt.shutdownTimeout
			srv := server.New(cfg, blockingUpstream{entered: entered, release: release}, acceptAll{})
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			addr := ln.Addr().String()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			runErr := make(chan error, 1)
			go func() { runErr <- srv.Run(ctx, ln) }()

			client := &http.Client{Transport: &http.Transport{}}
			defer client.CloseIdleConnections()
			status := make(chan int, 1)
			go func() {
				resp, err := client.Get("http://" + addr + "/v1/customers/1")
				if err != nil {
					status <- 0
					return
				}
				defer resp.Body.Close()
				_, _ = io.Copy(io.Discard, resp.Body)
				status <- resp.StatusCode
			}()
			waitFor(t, entered, "the request to reach the upstream")

			cancel()
			require.Eventually(t, func() bool {
				conn, err := net.Dial("tcp", addr)
				if err == nil {
					conn.Close()
				}
				return err != nil
			}, 10*time.Second, 10*time.Millisecond, "new connections are refused once shutdown begins")

			if tt.releaseInTime {
				select {
				case err := <-runErr:
					t.Fatalf("Run returned (%v) with a request in flight", err)
				default:
				}
				release <- struct{}{}
			}
			assert.Equal(t, tt.wantStatus, waitFor(t, status, "the in-flight request"))
			err = waitFor(t, runErr, "Run to return")
			if tt.wantRunErr == "" {
				assert.NoError(t, err)
			} else {
				assert.ErrorContains(t, err, tt.wantRunErr)
			}
		})
	}
}

// The partner-facing timeouts of Config reach the HTTP server: a client
// that stalls has its connection closed.
func TestServerTimeouts(t *testing.T) {
	const short = 200 * time.Millisecond
	tests := []struct {
		name   string
		config func(*server.Config)
		send   string // what the client writes, then it stalls
	}{
		{"header never finished", func(c *server.Config) { c.ReadHeaderTimeout = short }, "GET /healthz HTTP/1.1\r\nHost: proxy\r\n"},
		{"body never finished", func(c *server.Config) { c.ReadTimeout = short },
			"POST /v1/customers HTTP/1.1\r\nHost: proxy\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"externalId\":"},
		{"idle keep-alive connection", func(c *server.Config) { c.IdleTimeout = short }, "GET /healthz HTTP/1.1\r\nHost: proxy\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := server.DefaultConfig()
			tt.config(&cfg)
			srv := server.New(cfg, blockingUpstream{}, acceptAll{})
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			ctx, cancel := context.WithCancel(context.Background())
			runErr := make(chan error, 1)
			go func() { runErr <- srv.Run(ctx, ln) }()
			defer func() { cancel(); require.NoError(t, waitFor(t, runErr, "Run to return")) }()

			conn, err := net.Dial("tcp", ln.Addr().String())
			require.NoError(t, err)
			defer conn.Close()
			_, err = io.WriteString(conn, tt.send)
			require.NoError(t, err)
			// The bound is far above the timeout under test and far below
			// the defaults of the others.
			require.NoError(t, conn.SetReadDeadline(time.Now().Add(4*time.Second)))
			_, err = io.ReadAll(conn)
			assert.NotErrorIs(t, err, os.ErrDeadlineExceeded, "the server closed the connection")
		})
	}
}

// The configured body limit applies, answered with the envelope.
func TestBodyLimit(t *testing.T) {
	cfg := server.DefaultConfig()
	cfg.BodyLimit = 16
	srv := server.New(cfg, blockingUpstream{}, acceptAll{})
	req := httptest.NewRequest("POST", "/v1/customers", strings.NewReader(`{"externalId":"longer than sixteen bytes"}`))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	assert.JSONEq(t, `{"code":"invalid_argument","message":"[{\"field\":\"body\",\"error\":\"too large\"}]"}`, rec.Body.String())
	validateAgainstOpenAPI(t, "POST", "/v1/customers", rec.Code, rec.Header(), rec.Body.Bytes())
}

// With an admin listener, /readyz and /metrics move to the admin port and
// the partner port no longer answers them, so a Service exposing only the
// partner port cannot leak dependency state or metrics; Run serves both
// and stops both.
func TestAdminListener(t *testing.T) {
	for _, line := range lines {
		t.Run("fineract-"+line.String(), func(t *testing.T) {
			adminLn, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			s := deploy(t, stackOptions{line: line, options: []server.Option{server.WithAdminListener(adminLn)}})
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			runErr := make(chan error, 1)
			go func() { runErr <- s.srv.Run(ctx, ln) }()

			client := &http.Client{Transport: &http.Transport{}}
			defer client.CloseIdleConnections()
			get := func(addr net.Addr, path string, token string) (int, string) {
				req, err := http.NewRequest("GET", "http://"+addr.String()+path, nil)
				require.NoError(t, err)
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				resp, err := client.Do(req)
				require.NoError(t, err)
				defer resp.Body.Close()
				body, err := io.ReadAll(resp.Body)
				require.NoError(t, err)
				return resp.StatusCode, string(body)
			}
			tests := []struct {
				name     string
				addr     net.Addr
				path     string
				token    string
				status   int
				contains string
			}{
				{"admin readyz", adminLn.Addr(), "/readyz", "", 200, `"ready"`},
				{"admin metrics", adminLn.Addr(), "/metrics", "", 200, "lmsproxy_build_info"},
				{"admin healthz", adminLn.Addr(), "/healthz", "", 200, `"ok"`},
				{"admin serves no partner route", adminLn.Addr(), "/v1/customers/1", s.token, 404, `"not_found"`},
				{"partner healthz", ln.Addr(), "/healthz", "", 200, `"ok"`},
				{"partner readyz gone", ln.Addr(), "/readyz", "", 404, `"not_found"`},
				{"partner metrics gone", ln.Addr(), "/metrics", "", 404, `"not_found"`},
				{"partner API", ln.Addr(), "/v1/customers/1", s.token, 200, `"id":"1"`},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					status, body := get(tt.addr, tt.path, tt.token)
					assert.Equal(t, tt.status, status, body)
					assert.Contains(t, body, tt.contains)
				})
			}

			cancel()
			require.NoError(t, waitFor(t, runErr, "Run to return"))
			for _, addr := range []net.Addr{ln.Addr(), adminLn.Addr()} {
				_, err := net.Dial("tcp", addr.String())
				assert.Error(t, err, "%s still accepts connections", addr)
			}
		})
	}
}
