package upstream

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream/wire"
)

// newTestClient is a client of a server that always answers status, with
// the given Retry-After, counting the attempts.
func newTestClient(t *testing.T, line Version, status int, retryAfter string) (*Client, *atomic.Int32) {
	t.Helper()
	var attempts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		attempts.Add(1)
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{
		BaseURL: srv.URL, Tenant: "default", Username: "u", Password: "p", Version: line,
		Retry:   RetryPolicy{MaxAttempts: 3, WaitMin: time.Millisecond, WaitMax: 5 * time.Millisecond, RetryAfterMax: 5 * time.Second},
		Breaker: BreakerPolicy{Threshold: 100, Cooldown: time.Second},
	})
	require.NoError(t, err)
	return c, &attempts
}

func TestRetryBySafety(t *testing.T) {
	for _, tc := range []struct {
		name     string
		line     Version
		call     func(context.Context, *Client) error
		attempts int32
	}{
		{"get retried", V1_8, func(ctx context.Context, c *Client) error { _, err := c.GetClient(ctx, ByID(1)); return err }, 3},
		{"put without key not retried", V1_8, func(ctx context.Context, c *Client) error {
			_, err := c.UpdateClient(ctx, ByID(1), wire.ClientUpdate{})
			return err
		}, 1},
		{"delete with key retried", V1_10, func(ctx context.Context, c *Client) error {
			_, err := c.DeleteClient(WithIdempotencyKey(ctx, "k2"), ByID(1))
			return err
		}, 3},
		{"post without key not retried", V1_8, func(ctx context.Context, c *Client) error {
			_, err := c.CreateClient(ctx, wire.ClientCreate{})
			return err
		}, 1},
		{"post without key not retried on 1.10 either", V1_10, func(ctx context.Context, c *Client) error {
			_, err := c.CreateClient(ctx, wire.ClientCreate{})
			return err
		}, 1},
		{"post with key retried", V1_10, func(ctx context.Context, c *Client) error {
			_, err := c.CreateClient(WithIdempotencyKey(ctx, "k1"), wire.ClientCreate{})
			return err
		}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, attempts := newTestClient(t, tc.line, http.StatusServiceUnavailable, "")
			err := tc.call(context.Background(), c)
			e, ok := wire.AsError(err)
			require.True(t, ok, "%v", err)
			assert.Equal(t, http.StatusServiceUnavailable, e.Status)
			assert.Equal(t, tc.attempts, attempts.Load())
		})
	}
}

// TestRetryGivesUpBeforeTheDeadline: a Retry-After the deadline cannot
// accommodate is not slept on; the last answer is returned at once.
func TestRetryGivesUpBeforeTheDeadline(t *testing.T) {
	c, attempts := newTestClient(t, V1_10, http.StatusServiceUnavailable, "1")
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.GetClient(ctx, ByID(1))
	e, ok := wire.AsError(err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, http.StatusServiceUnavailable, e.Status, "the upstream's answer, not a timeout")
	assert.EqualValues(t, 1, attempts.Load())
	assert.Less(t, time.Since(start), 200*time.Millisecond)
}
