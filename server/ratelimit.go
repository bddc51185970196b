package server

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"lmsproxy/translate"
)

// rateLimiter is a token bucket per partner: one partner's burst cannot use
// up the upstream capacity of the others. Buckets are created on demand and
// swept once idle long enough to have refilled, as a fresh bucket is then
// the same, so memory follows the partners active in the last refill
// period, not every partner ever seen.
type rateLimiter struct {
	rate   float64 // tokens per second
	burst  float64
	refill time.Duration // time for an empty bucket to fill
	now    func() time.Time

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	tokens float64
	at     time.Time // when tokens was computed
}

// localLimiter labels refusals by this replica's own buckets.
const localLimiter = "local"

// newRateLimiter returns nil when rate is not positive: no limit.
func newRateLimiter(rate float64, burst int, now func() time.Time) *rateLimiter {
	if rate <= 0 {
		return nil
	}
	return &rateLimiter{
		rate: rate, burst: float64(burst), now: now,
		refill:  time.Duration(float64(burst) / rate * float64(time.Second)),
		buckets: map[string]*bucket{},
	}
}

// allow takes a token from key's bucket; when there is none it says how
// long until there is.
func (l *rateLimiter) allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.lastSweep) >= l.refill {
		l.sweep(now)
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

// sweep drops the buckets that have refilled.
func (l *rateLimiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		if now.Sub(b.at) >= l.refill {
			delete(l.buckets, k)
		}
	}
	l.lastSweep = now
}

// allow asks the shared limiter when there is one, else the local buckets.
func (s *Server) allow(ctx context.Context, key string) (ok bool, wait time.Duration, by string) {
	if s.shared != nil {
		return s.shared.allow(ctx, key)
	}
	ok, wait = s.limiter.allow(key)
	return ok, wait, localLimiter
}

// rateLimit applies the per-partner limit after authentication, keyed on the
// verified identity (never on anything the caller merely claims). Over the
// limit the answer is unavailable with Retry-After: the contract has no 429,
// and unavailable already tells partners to back off and retry.
func (s *Server) rateLimit(next echo.HandlerFunc) echo.HandlerFunc {
	if s.limiter == nil {
		return next
	}
	return func(c echo.Context) error {
		id := IdentityOf(c)
		ok, wait, by := s.allow(c.Request().Context(), id.Subject+"\x00"+id.Client)
		if !ok {
			s.metrics.rateLimited.WithLabelValues(by).Inc()
			secs := translate.WaitSeconds(wait)
			return &translate.Error{
				Code:              translate.Unavailable,
				Message:           "request rate limit exceeded, retry after " + strconv.Itoa(secs) + "s",
				RetryAfterSeconds: secs,
			}
		}
		return next(c)
	}
}
