package server

import (
	"context"
	"sync"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"
)

const (
	// sharedLimiter labels refusals by the budget shared on Redis.
	sharedLimiter = "shared"
	// sharedLimitTimeout bounds each Redis call (dial included): a Redis
	// that is slow or gone adds at most this to a partner request.
	sharedLimitTimeout = 50 * time.Millisecond
	// sharedLimitRetry is how long the limiter stays on the local buckets
	// after a Redis failure before it tries Redis again, so that an outage
	// costs one timeout per interval rather than one per request.
	sharedLimitRetry = time.Second
	// sharedLimitLogEvery spaces the fail-open log lines: one per outage
	// interval, not one per request.
	sharedLimitLogEvery = time.Minute
	// sharedKeyPrefix keeps the proxy's keys apart in a shared Redis.
	sharedKeyPrefix = "lmsproxy:"
)

// sharedRateLimiter is the rate limit shared by every replica through
// Redis: one GCRA budget per partner (the same rate and burst as the local
// buckets), so N replicas let a partner through once, not N times. It fails
// open to the replica's own buckets while Redis cannot answer within
// sharedLimitTimeout: a Redis outage loosens the limit to what it is
// without Redis, and never refuses or slows partners beyond the timeout.
type sharedRateLimiter struct {
	client *redis.Client
	gcra   *redis_rate.Limiter
	limit  redis_rate.Limit
	local  *rateLimiter
	now    func() time.Time
	log    *zap.Logger
	// failOpens counts requests decided locally because Redis failed or is
	// skipped after a failure.
	failOpens prometheus.Counter

	mu       sync.Mutex
	retryAt  time.Time // Redis is skipped until then
	loggedAt time.Time // last fail-open log line
	unlogged int       // Redis failures since that line
}

// newSharedRateLimiter connects lazily (no I/O here) to the Redis at
// rawURL (redis:// or rediss://, as Config.Validate checked).
func newSharedRateLimiter(rawURL string, local *rateLimiter, log *zap.Logger, failOpens prometheus.Counter) (*sharedRateLimiter, error) {
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout, opts.PoolTimeout =
		sharedLimitTimeout, sharedLimitTimeout, sharedLimitTimeout, sharedLimitTimeout
	opts.ContextTimeoutEnabled = true
	opts.MaxRetries = -1        // a retry would double the worst case; the next request tries again
	opts.DisableIdentity = true // no CLIENT SETINFO round trip on each new connection
	client := redis.NewClient(opts)
	return &sharedRateLimiter{
		client: client,
		gcra:   redis_rate.NewLimiter(client),
		// GCRA admits one request per Period/Rate: a period of 1/rate
		// seconds keeps fractional rates (0.5 per second) exact.
		limit:     redis_rate.Limit{Rate: 1, Burst: int(local.burst), Period: time.Duration(float64(time.Second) / local.rate)},
		local:     local,
		now:       local.now,
		log:       log,
		failOpens: failOpens,
	}, nil
}

// allow decides on Redis, or on the local buckets while Redis is failing;
// by names the limiter that decided.
func (l *sharedRateLimiter) allow(ctx context.Context, key string) (ok bool, wait time.Duration, by string) {
	if l.redisUp() {
		rctx, cancel := context.WithTimeout(ctx, sharedLimitTimeout)
		res, err := l.gcra.Allow(rctx, sharedKeyPrefix+key, l.limit)
		cancel()
		switch {
		case err == nil:
			return res.Allowed > 0, res.RetryAfter, sharedLimiter
		case ctx.Err() != nil:
			// The partner went away or ran out of time: Redis is not to blame.
		default:
			l.failed(err)
		}
	} else {
		l.failOpens.Inc()
	}
	ok, wait = l.local.allow(key)
	return ok, wait, localLimiter
}

func (l *sharedRateLimiter) redisUp() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return !l.now().Before(l.retryAt)
}

// failed falls back to the local buckets for sharedLimitRetry and logs the
// outage at most once per sharedLimitLogEvery, with how many requests were
// decided locally since the last line.
func (l *sharedRateLimiter) failed(err error) {
	l.failOpens.Inc()
	l.mu.Lock()
	now := l.now()
	l.retryAt = now.Add(sharedLimitRetry)
	l.unlogged++
	if now.Sub(l.loggedAt) < sharedLimitLogEvery {
		l.mu.Unlock()
		return
	}
	l.loggedAt = now
	n := l.unlogged
	l.unlogged = 0
	l.mu.Unlock()
	l.log.Warn("shared rate limit unavailable: Redis failed, each replica limits partners on its own",
		zap.Error(err), zap.Int("redis_failures_since_last_line", n), zap.Duration("retry_every", sharedLimitRetry))
}

// close releases the Redis connections.
func (l *sharedRateLimiter) close() error { return l.client.Close() }
