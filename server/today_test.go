package server

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"lmsproxy/upstream"
	"lmsproxy/upstream/wire"
)

// scriptedDater answers BusinessDate from a script, one answer per call.
type scriptedDater struct {
	answers []error // nil: the date below
	date    wire.Date
	calls   int
	// hangUp, when set, cancels the caller's context during the read;
	// sawCancelled records whether the read's context was then done.
	hangUp       context.CancelFunc
	sawCancelled bool
}

func (d *scriptedDater) BusinessDate(ctx context.Context) (wire.Date, error) {
	if d.hangUp != nil {
		d.hangUp()
	}
	d.sawCancelled = d.sawCancelled || ctx.Err() != nil
	err := d.answers[min(d.calls, len(d.answers)-1)]
	d.calls++
	if err != nil {
		return wire.Date{}, err
	}
	return d.date, nil
}

// countedFallbacks counts Inc calls; the rest of the Counter is unused.
type countedFallbacks struct {
	prometheus.Counter
	n int
}

func (c *countedFallbacks) Inc() { c.n++ }

// datedUpstream is an Upstream with a business-date read.
type datedUpstream struct {
	Upstream
	*scriptedDater
}

func TestTodayCache(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	require.NoError(t, err)
	stored := wire.Date{Year: 2026, Month: 11, Day: 20}
	unreadable := errors.New("upstream businessdate.get: status 403 error.msg.not.authorized")
	// start is 23:59:50 on 2026-11-20 in Los Angeles.
	start := time.Date(2026, 11, 21, 7, 59, 50, 0, time.UTC)

	type step struct {
		after  time.Duration // since start
		caller string        // "", "gone" (its context is done) or "hangs up" (during the read)
		want   string
		// wantReads counts the reads so far.
		wantReads int
	}
	tests := []struct {
		name          string
		answers       []error // nil: no BusinessDater at all
		steps         []step
		wantFallbacks int
		wantWarnings  int
		wantRecovered int
	}{
		{name: "a stored date is cached for the TTL", answers: []error{nil},
			steps: []step{{0, "", "2026-11-20", 1}, {5 * time.Second, "", "2026-11-20", 1}, {9 * time.Second, "", "2026-11-20", 1}}},
		{name: "the tenant's date turns at midnight in the zone, and is read again there", answers: []error{upstream.ErrTenantDate},
			steps: []step{{0, "", "2026-11-20", 1}, {9 * time.Second, "", "2026-11-20", 1}, {10 * time.Second, "", "2026-11-21", 2},
				{39 * time.Second, "", "2026-11-21", 2}, {40 * time.Second, "", "2026-11-21", 3}}},
		{name: "a failed read falls back to the zone, is counted per read and logged once", answers: []error{unreadable, unreadable, nil},
			steps:         []step{{0, "", "2026-11-20", 1}, {10 * time.Second, "", "2026-11-21", 2}, {40 * time.Second, "", "2026-11-20", 3}},
			wantFallbacks: 2, wantWarnings: 1, wantRecovered: 1},
		{name: "a caller that hangs up does not cut the read short", answers: []error{nil},
			steps: []step{{0, "hangs up", "2026-11-20", 1}, {5 * time.Second, "", "2026-11-20", 1}}},
		{name: "a caller already gone reads nothing, and caches nothing", answers: []error{nil},
			steps: []step{{0, "gone", "2026-11-20", 0}, {10 * time.Second, "", "2026-11-20", 1}, {15 * time.Second, "", "2026-11-20", 1}}},
		{name: "an upstream without the read: the zone alone",
			steps: []step{{0, "", "2026-11-20", 0}, {10 * time.Second, "", "2026-11-21", 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := start
			core, logs := observer.New(zapcore.InfoLevel)
			fallbacks := &countedFallbacks{}
			var up Upstream
			dater := &scriptedDater{answers: tt.answers, date: stored}
			if tt.answers != nil {
				up = datedUpstream{scriptedDater: dater}
			}
			td := newToday(up, la, func() time.Time { return now }, zap.New(core), fallbacks)
			for _, st := range tt.steps {
				now = start.Add(st.after)
				ctx, cancel := context.WithCancel(context.Background())
				dater.hangUp = nil
				switch st.caller {
				case "gone":
					cancel()
				case "hangs up":
					dater.hangUp = cancel
				}
				assert.Equal(t, st.want, td.Date(ctx).ISO(), "at +%s", st.after)
				cancel()
				assert.Equal(t, st.wantReads, dater.calls, "reads at +%s", st.after)
			}
			assert.False(t, dater.sawCancelled, "no read lost its context to a caller hanging up")
			assert.Equal(t, tt.wantFallbacks, fallbacks.n)
			assert.Equal(t, tt.wantWarnings, logs.FilterLevelExact(zapcore.WarnLevel).Len())
			assert.Equal(t, tt.wantRecovered, logs.FilterMessage("business date readable again").Len())
		})
	}
}
