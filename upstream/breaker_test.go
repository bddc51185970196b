package upstream

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// stubTransport answers every attempt with status (0: a transport error).
type stubTransport struct {
	status int
	calls  int
}

func (s *stubTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	s.calls++
	if s.status == 0 {
		return nil, errors.New("connection reset by peer")
	}
	return &http.Response{StatusCode: s.status, Body: http.NoBody, Request: req}, nil
}

func TestBreaker(t *testing.T) {
	now := time.Unix(0, 0)
	stub := &stubTransport{status: http.StatusServiceUnavailable}
	var changes []BreakerState
	b := newBreaker(stub, BreakerPolicy{Threshold: 3, Cooldown: time.Second}, func(to BreakerState) { changes = append(changes, to) })
	b.now = func() time.Time { return now }
	req, _ := http.NewRequest(http.MethodGet, "http://upstream/", nil)
	trip := func() error {
		_, err := b.RoundTrip(req)
		return err
	}

	for range 2 {
		assert.NoError(t, trip())
	}
	assert.False(t, b.Open(), "below the threshold")
	assert.NoError(t, trip())
	assert.True(t, b.Open(), "opens on the third consecutive failure")
	assert.ErrorIs(t, trip(), ErrBreakerOpen)
	assert.Equal(t, 3, stub.calls, "refused calls never reach the upstream")
	now = now.Add(300 * time.Millisecond)
	assert.Equal(t, 700*time.Millisecond, transportError("op", false, trip()).RetryAfter, "callers learn the cool-down left")

	now = now.Add(time.Second)
	assert.False(t, b.Open(), "half-open once cooled down")
	stub.status = 0
	assert.Error(t, trip())
	assert.True(t, b.Open(), "a failed probe reopens it")

	now = now.Add(time.Second)
	stub.status = http.StatusOK
	assert.NoError(t, trip())
	assert.False(t, b.Open(), "a successful probe closes it")

	stub.status = http.StatusInternalServerError
	for range 5 {
		assert.NoError(t, trip())
	}
	assert.False(t, b.Open(), "a 500 is an answer from a live upstream, not a failure")

	stub.status = 0
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	gone := req.WithContext(ctx)
	for range 5 {
		_, _ = b.RoundTrip(gone)
	}
	assert.False(t, b.Open(), "a partner going away is not an upstream failure")
	assert.Equal(t, []BreakerState{BreakerOpen, BreakerHalfOpen, BreakerOpen, BreakerHalfOpen, BreakerClosed}, changes,
		"every state entered is reported once, the probes' half-open included")
}
