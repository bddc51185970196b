package upstream

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream/wire"
)

// TestStepKeys: each step of one partner request sends its own
// Idempotency-Key, stable across the step's retries and within the
// upstream's 50 characters; without a step the request's key goes as it is.
func TestStepKeys(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Idempotency-Key"))
		n := len(seen)
		mu.Unlock()
		if n%2 == 1 { // every first attempt fails, so each step is retried once
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte(`{"clientId":1,"resourceId":1}`))
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{BaseURL: srv.URL, Tenant: "default", Username: "u", Password: "p", Version: V1_10,
		Retry: RetryPolicy{MaxAttempts: 2, WaitMin: 1, WaitMax: 1, RetryAfterMax: 1}})
	require.NoError(t, err)

	ctx := WithIdempotencyKey(context.Background(), "lmsproxy-0123456789abcdef0123456789abcdef")
	for _, step := range []string{"", "disburse", "undo", "disburse-again"} {
		_, err := c.CreateClient(WithStep(ctx, step), wire.ClientCreate{})
		require.NoError(t, err, step)
	}

	require.Len(t, seen, 8)
	for i := 0; i < len(seen); i += 2 {
		assert.Equal(t, seen[i], seen[i+1], "a retry of a step resends its key")
		assert.LessOrEqual(t, len(seen[i]), 50)
	}
	assert.Equal(t, "lmsproxy-0123456789abcdef0123456789abcdef", seen[0], "no step: the request's key")
	keys := map[string]bool{seen[0]: true, seen[2]: true, seen[4]: true, seen[6]: true}
	assert.Len(t, keys, 4, "every step has a key of its own")
	assert.Equal(t, StepKey("r", "s"), StepKey("r", "s"))
	assert.NotEqual(t, StepKey("r1", "s"), StepKey("r2", "s"))
}
