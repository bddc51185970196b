package upstream

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// RetryPolicy bounds retries of one upstream call. The defaults keep the
// whole retry budget well under the partner's request deadline
// (anchors §B.1.8: the library's own defaults add up to 15 s of sleeping).
type RetryPolicy struct {
	// MaxAttempts counts the first attempt; 1 disables retries.
	MaxAttempts int
	// WaitMin and WaitMax bound the exponential backoff between attempts.
	WaitMin, WaitMax time.Duration
	// RetryAfterMax caps a Retry-After the upstream asks for; a longer
	// request is not honoured and the call is not retried.
	RetryAfterMax time.Duration
}

// DefaultRetryPolicy is used when Config leaves the policy zero.
var DefaultRetryPolicy = RetryPolicy{MaxAttempts: 3, WaitMin: 50 * time.Millisecond, WaitMax: 500 * time.Millisecond, RetryAfterMax: 2 * time.Second}

// retryStatus lists the answers that say "not now" without the operation
// having been applied: load-balancer and upstream overload answers, and 425
// (an Idempotency-Key still being processed).
func retryStatus(status int, safety Safety) bool {
	switch status {
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout, http.StatusTooManyRequests:
		return safety != Unsafe
	case http.StatusTooEarly:
		return safety == Idempotent
	}
	return false
}

// notSent reports a failure that certainly happened before any byte of the
// request reached the upstream (the dial failed, or the breaker refused the
// call), so the write is known not to have been applied.
func notSent(err error) bool {
	var op *net.OpError
	return errors.Is(err, ErrBreakerOpen) || (errors.As(err, &op) && op.Op == "dial")
}

type callKey struct{}

// call carries per-call facts through retryablehttp, whose hooks see only
// the request context.
type call struct {
	op       string
	safety   Safety
	attempts int
}

func withCall(ctx context.Context, c *call) context.Context {
	return context.WithValue(ctx, callKey{}, c)
}

func callFrom(ctx context.Context) *call {
	if c, ok := ctx.Value(callKey{}).(*call); ok {
		return c
	}
	return &call{}
}

// newRetryClient builds the retryablehttp client around hc with our policy:
// retry decisions come from the operation's declared safety; the last
// response is returned unread on exhaustion so its error body can be parsed
// (go-retryablehttp#156); Retry-After is capped (go-retryablehttp#295).
// Logger stays nil, so the library never writes to the standard logger
// (go-retryablehttp#31); each attempt is reported to the context's Observer
// instead, which logs it with zap and counts it in the metrics.
func newRetryClient(hc *http.Client, p RetryPolicy) *retryablehttp.Client {
	return &retryablehttp.Client{
		HTTPClient:   hc,
		RetryMax:     p.MaxAttempts - 1,
		RetryWaitMin: p.WaitMin,
		RetryWaitMax: p.WaitMax,
		CheckRetry:   p.checkRetry,
		Backoff:      p.backoff,
		ErrorHandler: func(resp *http.Response, err error, _ int) (*http.Response, error) {
			if resp != nil {
				return resp, nil
			}
			return nil, err
		},
		RequestLogHook: func(_ retryablehttp.Logger, req *http.Request, _ int) {
			callFrom(req.Context()).attempts++
		},
	}
}

func (p RetryPolicy) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return false, ctxErr
	}
	cl := callFrom(ctx)
	var retry bool
	switch {
	case errors.Is(err, ErrBreakerOpen):
		return false, err
	case err != nil && notSent(err):
		retry = true
	case err != nil && cl.safety == Unsafe:
		return false, err
	case err != nil:
		// The library's own policy knows which transport errors are
		// permanent (bad scheme, TLS verification, too many redirects).
		var checkErr error
		if retry, checkErr = retryablehttp.DefaultRetryPolicy(ctx, nil, err); !retry {
			return false, checkErr
		}
	default:
		wait, ok := retryAfter(resp)
		retry = retryStatus(resp.StatusCode, cl.safety) && (!ok || wait <= p.RetryAfterMax)
	}
	if !retry {
		return false, nil
	}
	// Give up now rather than sleep into the deadline: the longest wait the
	// backoff may pick must leave time for the next attempt.
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) <= p.maxWait(cl.attempts-1, resp) {
		return false, err
	}
	return true, nil
}

// backoff is capped exponential backoff with full jitter, or the upstream's
// Retry-After when it gave one (already checked against RetryAfterMax).
func (p RetryPolicy) backoff(lo, _ time.Duration, attempt int, resp *http.Response) time.Duration {
	ceiling := p.maxWait(attempt, resp)
	if _, ok := retryAfter(resp); ok {
		return ceiling
	}
	return lo/2 + rand.N(ceiling-lo/2+1)
}

// maxWait is the longest backoff after the attempt with 0-based index
// attempt: the upstream's Retry-After when it gave one, else
// WaitMin·2^attempt capped at WaitMax.
func (p RetryPolicy) maxWait(attempt int, resp *http.Response) time.Duration {
	if wait, ok := retryAfter(resp); ok {
		return wait
	}
	ceiling := p.WaitMin << min(max(attempt, 0), 16)
	if ceiling > p.WaitMax || ceiling <= 0 {
		ceiling = p.WaitMax
	}
	return ceiling
}

// retryAfter reads a delay-seconds Retry-After (RFC 9110 §10.2.3); the
// HTTP-date form is not used by the upstream and is ignored.
func retryAfter(resp *http.Response) (time.Duration, bool) {
	if resp == nil {
		return 0, false
	}
	s := resp.Header.Get("Retry-After")
	if s == "" {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, false
	}
	return time.Duration(n) * time.Second, true
}
