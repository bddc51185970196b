package upstream

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"
)

// ErrBreakerOpen is the cause of an Error returned without calling the
// upstream because the circuit breaker is open. Nothing was sent, so the
// Error is never MaybeApplied and translates like any unreachable upstream.
var ErrBreakerOpen = errors.New("circuit breaker open: upstream failing, not called")

// breakerOpenError is ErrBreakerOpen with how much of the cool-down is
// left, which partners are told to wait (Error.RetryAfter).
type breakerOpenError struct{ wait time.Duration }

func (e breakerOpenError) Error() string        { return ErrBreakerOpen.Error() }
func (e breakerOpenError) Is(target error) bool { return target == ErrBreakerOpen }

// BreakerPolicy configures the circuit breaker.
type BreakerPolicy struct {
	// Threshold is the number of consecutive failed attempts (no answer, or
	// 502/503/504) that opens the breaker.
	Threshold int
	// Cooldown is how long an open breaker refuses calls before it lets one
	// probe through.
	Cooldown time.Duration
}

// DefaultBreakerPolicy is used when Config leaves the policy zero.
var DefaultBreakerPolicy = BreakerPolicy{Threshold: 5, Cooldown: 5 * time.Second}

// breaker is a consecutive-failure circuit breaker. While the upstream is
// down, each partner request would otherwise spend its whole deadline on
// attempts and backoff that cannot succeed, and keep a dying upstream busy;
// an open breaker answers at once instead. It is a RoundTripper under the
// retry client, so it counts attempts, not operations, and a refused attempt
// is a dial-level refusal the retry policy does not repeat.
//
// It deliberately does not implement CloseIdleConnections: go-retryablehttp
// calls that on the shared pool after every failed call, which during an
// outage would tear down the connections of requests that are succeeding.
type breaker struct {
	next     http.RoundTripper
	policy   BreakerPolicy
	now      func() time.Time
	onChange func(to BreakerState) // called under mu on every state change
	mu       sync.Mutex
	failures int       // consecutive
	openedAt time.Time // zero while closed
	probing  bool      // a half-open probe is in flight
}

// BreakerState is what the breaker does with the next attempt.
type BreakerState int

const (
	BreakerClosed   BreakerState = iota // lets attempts through
	BreakerOpen                         // refuses attempts while cooling down
	BreakerHalfOpen                     // one probe in flight, others refused
)

// BreakerStates lists every state, for metrics initialisation.
var BreakerStates = []BreakerState{BreakerClosed, BreakerOpen, BreakerHalfOpen}

func (s BreakerState) String() string {
	switch s {
	case BreakerOpen:
		return "open"
	case BreakerHalfOpen:
		return "half_open"
	}
	return "closed"
}

// newBreaker returns a breaker that tells onChange (never nil) each state
// it enters, so that a flap between two scrapes is still counted.
func newBreaker(next http.RoundTripper, p BreakerPolicy, onChange func(BreakerState)) *breaker {
	return &breaker{next: next, policy: p, now: time.Now, onChange: onChange}
}

// state is the current state, derived from the fields admit and record
// keep; the caller holds mu.
func (b *breaker) state() BreakerState {
	switch {
	case b.openedAt.IsZero():
		return BreakerClosed
	case b.probing:
		return BreakerHalfOpen
	}
	return BreakerOpen
}

// changed reports the state to onChange if it is not from; the caller
// holds mu.
func (b *breaker) changed(from BreakerState) {
	if to := b.state(); to != from {
		b.onChange(to)
	}
}

// Open reports whether calls are being refused: open and cooling down, or
// half-open with its one probe in flight.
func (b *breaker) Open() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return !b.openedAt.IsZero() && (b.probing || b.now().Sub(b.openedAt) < b.policy.Cooldown)
}

func (b *breaker) RoundTrip(req *http.Request) (*http.Response, error) {
	probe, wait, ok := b.admit()
	if !ok {
		return nil, breakerOpenError{wait: wait}
	}
	resp, err := b.next.RoundTrip(req)
	b.record(probe, req.Context(), resp, err)
	return resp, err
}

// admit lets an attempt through while closed; once the cool-down has passed
// it lets exactly one probe through (half-open). A refused attempt learns
// how much of the cool-down is left (0 while a probe is in flight).
func (b *breaker) admit() (probe bool, wait time.Duration, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	defer b.changed(b.state())
	switch {
	case b.openedAt.IsZero():
		return false, 0, true
	case b.probing:
		return false, 0, false
	}
	if left := b.policy.Cooldown - b.now().Sub(b.openedAt); left > 0 {
		return false, left, false
	}
	b.probing = true
	return true, 0, true
}

func (b *breaker) record(probe bool, ctx context.Context, resp *http.Response, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	defer b.changed(b.state())
	if probe {
		b.probing = false
	}
	switch {
	case err != nil && errors.Is(ctx.Err(), context.Canceled):
		// The partner went away: that says nothing about the upstream.
	case upstreamFailed(resp, err):
		b.failures++
		if probe || b.failures >= b.policy.Threshold {
			b.openedAt = b.now()
		}
	default:
		b.failures, b.openedAt = 0, time.Time{}
	}
}

// upstreamFailed is what counts against the breaker: no answer, or a
// gateway or overload answer. Any other status, 500 included, is an answer
// from a live upstream about one request, and must not let a partner that
// can provoke it open the breaker for every partner.
func upstreamFailed(resp *http.Response, err error) bool {
	if err != nil {
		return true
	}
	switch resp.StatusCode {
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}
