package server

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"lmsproxy/upstream"
	"lmsproxy/upstream/wire"
)

// BusinessDater is implemented by an Upstream that can read the upstream's
// business date (upstream.Client does). Without it, "today" is the date in
// the configured tenant time zone.
type BusinessDater interface {
	BusinessDate(ctx context.Context) (wire.Date, error)
}

var _ BusinessDater = (*upstream.Client)(nil)

// Bounds of one business-date read. The date changes once a day (at the
// tenant's midnight, or when the upstream's business-date job or an operator
// moves it), so a read serves every create for businessDateTTL. A read takes
// at most businessDateTimeout, and no longer than the deadline of the
// request that makes it.
const (
	businessDateTTL     = 30 * time.Second
	businessDateTimeout = 2 * time.Second
)

// today is the date new customers are activated and submitted on. The
// upstream refuses both after its business date (upstream/businessdate.go),
// which is neither the proxy host's date nor necessarily the tenant's
// calendar date, so it is read from the upstream; where the upstream says
// its business date is the tenant's local date, or cannot be read, the date
// is computed in the configured tenant time zone (Config.Location).
type today struct {
	read      func(context.Context) (wire.Date, error) // nil: never read
	loc       *time.Location
	now       func() time.Time
	log       *zap.Logger
	fallbacks prometheus.Counter

	mu sync.Mutex // held during a read, so concurrent creates share it
	// stored is the upstream's business date; zero means the tenant's local
	// date, computed at each use so it turns at midnight in loc.
	stored wire.Date
	// until is when to read again: businessDateTTL after a read, and never
	// past the next midnight in loc.
	until   time.Time
	failing bool // the last read failed; logged once until one succeeds
}

func newToday(up Upstream, loc *time.Location, now func() time.Time, log *zap.Logger, fallbacks prometheus.Counter) *today {
	t := &today{loc: loc, now: now, log: log, fallbacks: fallbacks}
	if b, ok := up.(BusinessDater); ok {
		t.read = b.BusinessDate
	}
	return t
}

// Date returns today's business date. It never fails: a failed read is
// logged and counted (lmsproxy_business_date_fallbacks_total) and the tenant
// time zone answers until the next read.
func (t *today) Date(ctx context.Context) wire.Date {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	// A caller that has given up cannot wait for a read; one that fails at
	// once would only be cached as a failure.
	if t.read != nil && !now.Before(t.until) && ctx.Err() == nil {
		t.refresh(ctx, now)
	}
	if !t.stored.IsZero() {
		return t.stored
	}
	return wire.DateOf(now.In(t.loc))
}

// refresh reads the business date. The read keeps ctx's values (request id,
// upstream metrics) and deadline but not its cancellation: the creates
// waiting on it must not lose it because the one that started it hung up.
func (t *today) refresh(ctx context.Context, now time.Time) {
	timeout := businessDateTimeout
	if deadline, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(deadline))
	}
	readCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	date, err := t.read(readCtx)
	if err != nil { // ErrTenantDate or unreadable: the tenant time zone answers
		date = wire.Date{}
	}
	t.stored = date
	y, m, d := now.In(t.loc).Date()
	t.until = now.Add(businessDateTTL)
	if midnight := time.Date(y, m, d+1, 0, 0, 0, 0, t.loc); midnight.Before(t.until) {
		t.until = midnight
	}
	switch {
	case err == nil || errors.Is(err, upstream.ErrTenantDate):
		if t.failing {
			t.log.Info("business date readable again")
		}
		t.failing = false
	default:
		t.fallbacks.Inc()
		if !t.failing {
			t.log.Warn("business date unreadable; using the configured tenant time zone until it is",
				zap.String("time_zone", t.loc.String()), zap.Error(err))
		}
		t.failing = true
	}
}
