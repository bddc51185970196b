package auth_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"lmsproxy/server/auth"
)

func TestNewVerifierDoesNoIO(t *testing.T) {
	clock := newClock()
	ti := newTestIssuer(t, clock)
	v := newVerifier(t, ti.config(), clock)
	assert.Zero(t, ti.JWKSHits())
	assert.Zero(t, v.Stats().KeyFetches)

	require.NoError(t, v.Ready(context.Background()))
	require.NoError(t, v.Ready(context.Background()))
	assert.EqualValues(t, 1, ti.JWKSHits(), "Ready fetches once, then reports the loaded keys")
}

func TestModes(t *testing.T) {
	clock := newClock()
	ti := newTestIssuer(t, clock)

	t.Run("explicit JWKS URL with a plain iss", func(t *testing.T) {
		v := newVerifier(t, ti.config(), clock)
		_, err := v.Verify(context.Background(), ti.mint(t, nil))
		require.NoError(t, err)
	})

	t.Run("discovery from the issuer URL", func(t *testing.T) {
		clock := newClock()
		ti := newTestIssuer(t, clock)
		ti.SetIssuer(ti.srv.URL)
		v := newVerifier(t, auth.Config{Issuer: ti.srv.URL}, clock)
		id, err := v.Verify(context.Background(), ti.mint(t, nil))
		require.NoError(t, err)
		assert.Equal(t, ti.srv.URL, id.Issuer)

		// Discovery is done once; later refreshes go straight to the keys.
		require.NoError(t, ti.Rotate())
		clock.Advance(time.Minute)
		_, err = v.Verify(context.Background(), ti.mint(t, nil))
		require.NoError(t, err)
		assert.EqualValues(t, 2, ti.JWKSHits())
		assert.EqualValues(t, 2, v.Stats().KeyFetches)
	})

	t.Run("discovery document for another issuer", func(t *testing.T) {
		// The issuer advertises "service-project", not its URL: go-oidc
		// refuses the mismatch and we fail closed.
		v := newVerifier(t, auth.Config{Issuer: ti.srv.URL}, clock)
		tok := ti.mint(t, map[string]any{"iss": ti.srv.URL})
		_, err := v.Verify(context.Background(), tok)
		requireReason(t, err, auth.ReasonKeysUnavailable, tok)
		ae := requireReason(t, v.Ready(context.Background()), auth.ReasonKeysUnavailable, "")
		assert.Contains(t, ae.Error(), "did not match")
	})
}

func TestKeysUnavailable(t *testing.T) {
	clock := newClock()
	ti := newTestIssuer(t, clock)
	tok := ti.mint(t, nil)

	t.Run("issuer unreachable", func(t *testing.T) {
		dead := httptest.NewServer(http.NotFoundHandler())
		dead.Close()
		v := newVerifier(t, auth.Config{Issuer: realIssuer, JWKSURL: dead.URL + auth.JWKSPath}, clock)
		_, err := v.VerifyHeader(context.Background(), "Bearer "+tok)
		ae := requireReason(t, err, auth.ReasonKeysUnavailable, tok)
		assert.Equal(t, "signing keys unavailable", ae.Message)
		requireReason(t, v.Ready(context.Background()), auth.ReasonKeysUnavailable, "")
		assert.EqualValues(t, 1, v.Stats().KeyFetchFailures, "Ready right after a failure does not refetch")
	})

	t.Run("issuer errors, then recovers", func(t *testing.T) {
		var failing atomic.Bool
		failing.Store(true)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if failing.Load() {
				http.Error(w, "down", http.StatusBadGateway)
				return
			}
			ti.Handler().ServeHTTP(w, r)
		}))
		t.Cleanup(srv.Close)
		v := newVerifier(t, auth.Config{Issuer: realIssuer, JWKSURL: srv.URL + auth.JWKSPath}, clock)

		_, err := v.Verify(context.Background(), tok)
		requireReason(t, err, auth.ReasonKeysUnavailable, tok)

		failing.Store(false)
		_, err = v.Verify(context.Background(), tok)
		requireReason(t, err, auth.ReasonKeysUnavailable, tok)
		assert.EqualValues(t, 1, v.Stats().KeyFetches, "a failed fetch is retried only after a pause")

		clock.Advance(5 * time.Second)
		_, err = v.Verify(context.Background(), tok)
		require.NoError(t, err)
		assert.EqualValues(t, 2, v.Stats().KeyFetches)
	})

	t.Run("known keys outlive an issuer outage, new kids fail closed", func(t *testing.T) {
		clock := newClock()
		ti := newTestIssuer(t, clock)
		v := newVerifier(t, ti.config(), clock)
		require.NoError(t, v.Ready(context.Background()))
		ti.srv.Close()

		clock.Advance(time.Minute)
		_, err := v.Verify(context.Background(), ti.mint(t, nil))
		require.NoError(t, err)

		require.NoError(t, ti.Rotate())
		rotated := ti.mint(t, nil)
		_, err = v.Verify(context.Background(), rotated)
		requireReason(t, err, auth.ReasonKeysUnavailable, rotated)
	})
}

// refreshBurst mirrors the key set's fetch budget: this many fetches at
// once, then one per refresh interval.
const refreshBurst = 3

// TestKeyRotation follows an issuer that replaces its key: the new kid
// triggers a refresh and is accepted, and the retired key (including tokens
// already in the cache) is refused from then on, with no restart.
func TestKeyRotation(t *testing.T) {
	clock := newClock()
	ti := newTestIssuer(t, clock)
	v := newVerifier(t, ti.config(), clock)
	oldTok := ti.mint(t, nil)
	_, err := v.Verify(context.Background(), oldTok)
	require.NoError(t, err)

	require.NoError(t, ti.Rotate())
	newTok := ti.mint(t, nil)
	clock.Advance(time.Minute)

	_, err = v.Verify(context.Background(), newTok)
	require.NoError(t, err)
	assert.EqualValues(t, 2, ti.JWKSHits())

	for range 5 {
		_, err = v.Verify(context.Background(), oldTok)
		requireReason(t, err, auth.ReasonUnknownKey, oldTok)
	}
	assert.EqualValues(t, 1+refreshBurst, ti.JWKSHits(), "the retired kid spends what is left of the budget, then no more")
}

// TestRotationAfterProbe is a genuine rotation (new kid published and used
// at once) just after made-up kids: a probe or two leave budget for the
// rotation's fetch, so the new key is accepted at once; only a storm that
// spends the whole budget holds it back, for at most one interval.
func TestRotationAfterProbe(t *testing.T) {
	tests := []struct {
		name   string
		probes int
		// wait is how long the rotation is held back.
		wait time.Duration
	}{
		{"one probe", 1, 0},
		{"two probes", refreshBurst - 1, 0},
		{"a probe per fetch of the budget", refreshBurst, time.Minute},
		{"a storm of random kids", 200, time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newClock()
			ti := newTestIssuer(t, clock)
			v := newVerifier(t, ti.config(), clock)
			_, err := v.Verify(context.Background(), ti.mint(t, nil))
			require.NoError(t, err)

			// Long enough for the budget to refill, not for the keys to age.
			clock.Advance(5 * time.Minute)
			// One after the other, so that each spends a fetch if any is left.
			for _, probe := range randomKidTokens(t, clock, tt.probes) {
				_, err = v.Verify(context.Background(), probe)
				requireReason(t, err, auth.ReasonUnknownKey, probe)
			}
			clock.Advance(10 * time.Second)
			require.NoError(t, ti.Rotate())
			rotated := ti.mint(t, nil)
			if tt.wait > 0 {
				_, err = v.Verify(context.Background(), rotated)
				requireReason(t, err, auth.ReasonUnknownKey, rotated)
				clock.Advance(tt.wait)
			}
			_, err = v.Verify(context.Background(), rotated)
			require.NoError(t, err, "the rotated key is accepted")
			assert.LessOrEqual(t, ti.JWKSHits(), int64(2+min(tt.probes, refreshBurst)), "the start, the probes within the budget, the rotation")
		})
	}
}

// TestRetiredKeyWithoutSuccessor covers a key withdrawn with no new kid in
// sight: old keys and cached verifications are trusted for at most
// keyMaxAge (15 minutes) before the issuer is asked again.
func TestRetiredKeyWithoutSuccessor(t *testing.T) {
	clock := newClock()
	ti := newTestIssuer(t, clock)
	v := newVerifier(t, ti.config(), clock)
	tok := ti.mint(t, nil)
	_, err := v.Verify(context.Background(), tok)
	require.NoError(t, err)
	require.NoError(t, ti.Rotate())

	clock.Advance(14 * time.Minute)
	_, err = v.Verify(context.Background(), tok)
	require.NoError(t, err)
	assert.EqualValues(t, 1, ti.JWKSHits())

	clock.Advance(time.Minute)
	// The stale keys still answer this request; a refresh starts behind it.
	_, err = v.Verify(context.Background(), tok)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		_, err := v.Verify(context.Background(), tok)
		return err != nil
	}, 5*time.Second, time.Millisecond)
	_, err = v.Verify(context.Background(), tok)
	requireReason(t, err, auth.ReasonUnknownKey, tok)
	assert.LessOrEqual(t, ti.JWKSHits(), int64(1+refreshBurst), "the retired kid costs no more than the budget")
}

// randomKidTokens are well-formed RS256 tokens naming kids nobody publishes.
// Their signatures are random bytes: the kid lookup fails before any
// signature check, which is what a flood would exploit.
func randomKidTokens(t *testing.T, clock *fakeClock, n int) []string {
	toks := make([]string, n)
	for i := range toks {
		sig := make([]byte, 256)
		_, _ = rand.Read(sig)
		toks[i] = forge(map[string]any{"alg": "RS256", "kid": fmt.Sprintf("flood-%d-%x", i, sig[:4])}, claimsAt(clock), sig)
	}
	return toks
}

func verifyAll(t *testing.T, v *auth.Verifier, toks []string) {
	t.Helper()
	var wg sync.WaitGroup
	reasons := make([]auth.Reason, len(toks))
	for i, tok := range toks {
		wg.Go(func() {
			_, err := v.Verify(context.Background(), tok)
			if ae, ok := err.(*auth.Error); ok {
				reasons[i] = ae.Reason
			}
		})
	}
	wg.Wait()
	for _, r := range reasons {
		require.Equal(t, auth.ReasonUnknownKey, r)
	}
}

func TestRandomKidFlood(t *testing.T) {
	const n = 200
	clock := newClock()
	ti := newTestIssuer(t, clock)

	t.Run("cold start", func(t *testing.T) {
		v := newVerifier(t, ti.config(), clock)
		before := ti.JWKSHits()
		verifyAll(t, v, randomKidTokens(t, clock, n))
		assert.LessOrEqual(t, ti.JWKSHits()-before, int64(refreshBurst), "concurrent unknown kids share fetches, within the budget")
	})

	t.Run("warm, interval by interval", func(t *testing.T) {
		v := newVerifier(t, ti.config(), clock)
		require.NoError(t, v.Ready(context.Background()))
		before := ti.JWKSHits()

		verifyAll(t, v, randomKidTokens(t, clock, n))
		assert.LessOrEqual(t, ti.JWKSHits()-before, int64(refreshBurst-1), "the start-up fetch spent one of the budget")
		assert.Equal(t, ti.JWKSHits()-before, v.Stats().KeyFetches-1)
		drained := ti.JWKSHits()

		// The flood goes on; the budget refills at one fetch per interval.
		verifyAll(t, v, randomKidTokens(t, clock, n))
		assert.Equal(t, drained, ti.JWKSHits(), "the budget is spent")
		clock.Advance(time.Minute)
		verifyAll(t, v, randomKidTokens(t, clock, n))
		assert.LessOrEqual(t, ti.JWKSHits(), drained+1)

		clock.Advance(30 * time.Second)
		verifyAll(t, v, randomKidTokens(t, clock, n))
		assert.LessOrEqual(t, ti.JWKSHits(), drained+1)

		clock.Advance(30 * time.Second)
		verifyAll(t, v, randomKidTokens(t, clock, n))
		assert.LessOrEqual(t, ti.JWKSHits(), drained+2)
		assert.GreaterOrEqual(t, v.Stats().RefreshesSuppressed, int64(2*n), "the floods beyond the budget were all refused")
	})
}

// TestRequestContextDoesNotCancelFetch is go-oidc#339 from our side: a
// caller that gives up stops waiting, but the shared fetch carries on and
// serves everyone after it.
func TestRequestContextDoesNotCancelFetch(t *testing.T) {
	clock := newClock()
	ti := newTestIssuer(t, clock)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		ti.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	v := newVerifier(t, auth.Config{Issuer: realIssuer, JWKSURL: srv.URL + auth.JWKSPath}, clock)
	tok := ti.mint(t, nil)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := v.Verify(ctx, tok)
	ae := requireReason(t, err, auth.ReasonKeysUnavailable, tok)
	assert.ErrorIs(t, ae, context.DeadlineExceeded)

	close(release)
	require.NoError(t, v.Ready(context.Background()))
	_, err = v.Verify(context.Background(), tok)
	require.NoError(t, err)
	assert.EqualValues(t, 1, v.Stats().KeyFetches)
}

// TestOptions checks that fetches use the injected client and that the
// logger hears about them without ever seeing a token.
func TestOptions(t *testing.T) {
	clock := newClock()
	ti := newTestIssuer(t, clock)
	var requests atomic.Int64
	client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		requests.Add(1)
		return http.DefaultTransport.RoundTrip(r)
	})}
	core, logs := observer.New(zap.DebugLevel)
	v, err := auth.NewVerifier(ti.config(), auth.WithHTTPClient(client), auth.WithLogger(zap.New(core)), auth.WithClock(clock.Now))
	require.NoError(t, err)

	tok := ti.mint(t, nil)
	_, err = v.Verify(context.Background(), tok)
	require.NoError(t, err)
	bad := sign(t, untrustedKey(t), jose.RS256, "nope", claimsAt(clock))
	_, err = v.Verify(context.Background(), bad)
	requireReason(t, err, auth.ReasonUnknownKey, bad)

	assert.Equal(t, v.Stats().KeyFetches, requests.Load(), "every fetch goes through the client")
	require.Equal(t, 1, logs.FilterMessage("signing keys loaded").Len())
	for _, e := range logs.All() {
		for _, f := range e.Context {
			assert.NotContains(t, fmt.Sprint(f.String, f.Interface), tok)
			assert.NotContains(t, fmt.Sprint(f.String, f.Interface), bad)
		}
	}

	ti.srv.Close()
	clock.Advance(time.Minute)
	_, err = v.Verify(context.Background(), bad)
	requireReason(t, err, auth.ReasonKeysUnavailable, bad)
	assert.Equal(t, 1, logs.FilterMessage("signing keys fetch failed").Len())
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
