package server_test

import (
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"lmsproxy/server"
	"lmsproxy/upstream"
)

// redisServer is a redis-server of the test's own on a free loopback
// port, with no persistence.
type redisServer struct {
	url  string
	cmd  *exec.Cmd
	done chan struct{}
}

// startRedis starts one, skipping the test (visibly) only when
// redis-server is not installed or does not come up; CI installs it.
func startRedis(t *testing.T) *redisServer {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not installed (Debian package redis-server): shared rate limit not tested against Redis")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	r := &redisServer{
		url:  fmt.Sprintf("redis://127.0.0.1:%d/0", port),
		cmd:  exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"),
		done: make(chan struct{}),
	}
	if err := r.cmd.Start(); err != nil {
		t.Skipf("redis-server would not start: %v", err)
	}
	go func() { _ = r.cmd.Wait(); close(r.done) }()
	t.Cleanup(r.stop)
	for deadline := time.Now().Add(5 * time.Second); ; {
		if c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port))); err == nil {
			_ = c.Close()
			return r
		}
		if time.Now().After(deadline) {
			t.Skipf("redis-server did not listen on port %d within 5s", port)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop kills the server and waits for it to exit.
func (r *redisServer) stop() {
	_ = r.cmd.Process.Kill()
	<-r.done
}

// sharedReplica is one proxy replica whose rate limit is shared on Redis:
// a partner may make 3 requests, then one per 100 s.
func sharedReplica(t *testing.T, line upstream.Version, redisURL string, log *zap.Logger) *stack {
	s := deploy(t, stackOptions{line: line, log: log, config: func(c *server.Config) {
		c.RateLimit, c.RateBurst, c.RateLimitRedisURL = 0.01, 3, redisURL
	}})
	t.Cleanup(func() { assert.NoError(t, s.srv.Close()) })
	return s
}

// TestSharedRateLimit: two replicas on one Redis share a partner's
// budget (3 requests in all, not 3 each); another partner has its own.
// When Redis stops, both replicas fail open to their own buckets within the
// Redis timeout, count it, and log it once, not per request.
func TestSharedRateLimit(t *testing.T) {
	for _, line := range []upstream.Version{upstream.V1_8, upstream.V1_10} {
		t.Run(line.String(), func(t *testing.T) {
			redis := startRedis(t)
			core, logs := observer.New(zap.WarnLevel)
			a := sharedReplica(t, line, redis.url, zap.New(core))
			b := sharedReplica(t, line, redis.url, zap.NewNop())
			// Each replica's issuer mints the same subject: one partner.
			get := func(s *stack) response { return s.do(http.MethodGet, "/v1/customers/1", "") }

			for i, s := range []*stack{a, b, a} {
				require.Equal(t, http.StatusOK, get(s).status, "request %d within the shared burst", i+1)
			}
			for _, s := range []*stack{b, a} {
				r := get(s)
				require.Equal(t, http.StatusServiceUnavailable, r.status, "the budget is shared: %s", r.body)
				assert.JSONEq(t, `{"code":"unavailable","message":"request rate limit exceeded, retry after 100s"}`, r.body)
				assert.Equal(t, "100", r.header.Get("Retry-After"))
			}
			other, err := b.issuer.Mint(map[string]any{"sub": "another-partner"})
			require.NoError(t, err)
			r := b.doWith(http.MethodGet, "/v1/customers/1", "", map[string]string{"Authorization": "Bearer " + other})
			assert.Equal(t, http.StatusOK, r.status, "another partner has its own budget")
			assert.Equal(t, 1.0, sampleValue(t, scrape(t, a.srv), `lmsproxy_rate_limited_total{limiter="shared"}`))
			assert.Equal(t, 1.0, sampleValue(t, scrape(t, b.srv), `lmsproxy_rate_limited_total{limiter="shared"}`))

			redis.stop()
			for range 3 {
				start := time.Now()
				r := get(a)
				assert.Equal(t, http.StatusOK, r.status, "fails open to the local bucket: %s", r.body)
				assert.Less(t, time.Since(start), time.Second, "a dead Redis adds at most its timeout")
			}
			assert.Equal(t, http.StatusServiceUnavailable, get(a).status, "the local bucket still limits")
			body := scrape(t, a.srv)
			assert.Equal(t, 4.0, sampleValue(t, body, `lmsproxy_rate_limit_shared_fallbacks_total`))
			assert.Equal(t, 1.0, sampleValue(t, body, `lmsproxy_rate_limited_total{limiter="local"}`))
			failOpen := logs.FilterMessageSnippet("shared rate limit unavailable")
			assert.Equal(t, 1, failOpen.Len(), "one log line for the outage, not one per request")
		})
	}
}
