package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	"go.uber.org/zap"
)

const (
	// keyMaxAge is how long a fetched key set (and a cached verification
	// made with it) is used before the issuer is asked again. Without it a
	// key retired with no successor would stay trusted for as long as no
	// token with an unknown kid shows up, and with year-long tokens served
	// from the cache that could be forever.
	keyMaxAge = 15 * time.Minute
	// failedFetchRetry shortens the wait after a failed fetch (never beyond
	// RefreshInterval): a restart during an issuer blip should not leave the
	// proxy unavailable for a whole interval, and one attempt every few
	// seconds is still no load on a struggling issuer.
	failedFetchRetry = 5 * time.Second
	// refreshBurst is how many fetches may follow one another before they
	// are paced at one per RefreshInterval. With one fetch per interval as
	// the whole budget, a single probe with a made-up kid held back a
	// genuine rotation (new kid published and used at once) for up to an
	// interval; with a small burst the rotation gets its fetch at once, and a
	// storm of random kids still costs at most refreshBurst fetches, then one
	// per interval.
	refreshBurst = 3
	// maxJWKSBytes bounds the key-set response; real sets are a few KiB.
	maxJWKSBytes = 1 << 20
	// minRSABits refuses weak keys even if the issuer publishes them.
	minRSABits = 2048
)

// keySet is the process-wide view of the issuer's signing keys. It
// implements oidc.KeySet so that go-oidc drives verification, but replaces
// RemoteKeySet's refresh policy, which refetches on every unknown kid with no
// cooldown (go-oidc#482 was declined), with:
//
//   - a budget of refreshBurst fetches, refilled at one per
//     RefreshInterval, however many unknown kids arrive; after a failed
//     fetch, one attempt per failedFetchRetry, outside the budget;
//   - one fetch in flight at a time, shared by all waiters;
//   - fetches on a long-lived background context bounded by FetchTimeout, so
//     a cancelled request neither aborts the shared fetch nor poisons later
//     ones (go-oidc#339); a waiting request stops waiting when its own
//     context ends;
//   - discovery done lazily inside the first fetch, so start-up never blocks
//     on the network and a failed discovery is retried like a failed fetch.
//
// Readers take an immutable snapshot through an atomic pointer; the mutex
// only guards the fetch bookkeeping.
type keySet struct {
	issuer   string
	algs     []string
	client   *http.Client
	base     context.Context
	now      func() time.Time
	interval time.Duration
	timeout  time.Duration
	log      *zap.Logger
	stats    *counters

	// jwksURL is configured or discovered. Only the fetch goroutine touches
	// it, and fetches are serialised through mu, so it needs no lock.
	jwksURL string

	snap atomic.Pointer[keySnapshot] // nil until the first successful fetch

	mu          sync.Mutex
	lastAttempt time.Time // zero before the first fetch
	lastErr     error     // outcome of the latest finished fetch
	inflight    *fetchCall
	// budgetFullAt paces fetches as a GCRA token bucket: the budget is
	// full from this instant on, and each fetch moves it an interval later.
	budgetFullAt time.Time
}

// keySnapshot is one fetched key set. generation changes only when the keys
// do, which is what invalidates the token cache.
type keySnapshot struct {
	keys        []verifyKey
	fingerprint string
	fetchedAt   time.Time
	generation  uint64
}

// verifyKey is a usable public key with the one algorithm it may verify.
type verifyKey struct {
	jwk jose.JSONWebKey
	alg string
}

type fetchCall struct {
	done chan struct{}
	err  error // written before done is closed
}

// VerifySignature implements oidc.KeySet. Our Verifier hands over the parsed
// token and a place to put a classified error through ctx, because go-oidc
// wraps KeySet errors with %v and the reason would otherwise be lost.
func (ks *keySet) VerifySignature(ctx context.Context, jwt string) ([]byte, error) {
	st, ok := ctx.Value(verificationKey{}).(*verification)
	if !ok {
		return nil, errors.New("auth: key set used outside Verifier")
	}
	payload, err := ks.verify(ctx, st)
	if err != nil {
		st.sigErr = err
		return nil, err
	}
	return payload, nil
}

// verify checks the signature against the key named by the token's kid,
// refreshing the key set (subject to the limiter) when that kid is unknown.
// Tokens without a kid are tried against every key of the right type.
func (ks *keySet) verify(ctx context.Context, st *verification) ([]byte, *Error) {
	sig := st.jws.Signatures[0]
	kid, alg := sig.Header.KeyID, sig.Header.Algorithm

	snap := ks.snap.Load()
	if snap != nil {
		if ks.now().Sub(snap.fetchedAt) >= keyMaxAge {
			ks.refreshInBackground()
		}
		if payload, found, err := ks.verifyWith(snap, st, kid, alg); found {
			return payload, err
		}
	}

	snap, fetchErr := ks.refresh(ctx)
	if snap == nil {
		return nil, ks.unavailable(fetchErr)
	}
	if payload, found, err := ks.verifyWith(snap, st, kid, alg); found {
		return payload, err
	}
	switch {
	case fetchErr != nil:
		// The kid may be a fresh rotation we could not fetch: we cannot
		// tell a forgery from a new key, so fail closed and let them retry.
		return nil, ks.unavailable(fetchErr)
	case kid == "":
		return nil, newError(ReasonBadSignature, errors.New("no key verifies the token"))
	default:
		return nil, newError(ReasonUnknownKey, nil)
	}
}

// verifyWith looks for the token's key in snap. found reports whether the
// outcome is final: a key with the token's kid exists (then the signature
// either verifies or is bad), or, for a token without kid, some key
// verified it.
func (ks *keySet) verifyWith(snap *keySnapshot, st *verification, kid, alg string) (payload []byte, found bool, err *Error) {
	for _, k := range snap.keys {
		if kid != "" && k.jwk.KeyID != kid {
			continue
		}
		found = kid != ""
		if k.alg != alg {
			continue
		}
		ks.stats.signatureChecks.Add(1)
		if p, verr := st.jws.Verify(k.jwk.Key); verr == nil {
			st.generation = snap.generation
			return p, true, nil
		}
	}
	if found {
		return nil, true, newError(ReasonBadSignature, nil)
	}
	return nil, false, nil
}

// refresh fetches the key set unless the limiter forbids it, waits for the
// (possibly shared) fetch, and returns the current snapshot along with the
// reason it may be out of date: the fetch error, the previous fetch's error
// when no fetch was allowed, or the caller's context error.
func (ks *keySet) refresh(ctx context.Context) (*keySnapshot, error) {
	ks.mu.Lock()
	call := ks.inflight
	if call == nil {
		if ks.fetchWaitLocked() > 0 {
			err := ks.lastErr
			ks.mu.Unlock()
			ks.stats.refreshesSuppressed.Add(1)
			return ks.snap.Load(), err
		}
		call = ks.startFetchLocked()
	}
	ks.mu.Unlock()

	select {
	case <-call.done:
		return ks.snap.Load(), call.err
	case <-ctx.Done():
		return ks.snap.Load(), ctx.Err()
	}
}

// refreshInBackground starts a fetch if allowed and does not wait for it:
// the keys in hand are still the issuer's latest word, merely old. If the
// fetch fails they stay in use, so an issuer outage does not become ours for
// partners whose tokens we can still check.
func (ks *keySet) refreshInBackground() {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	if ks.inflight == nil && ks.fetchWaitLocked() == 0 {
		ks.startFetchLocked()
	}
}

// ready reports whether keys are loaded, fetching them if none are.
func (ks *keySet) ready(ctx context.Context) *Error {
	if ks.snap.Load() != nil {
		return nil
	}
	if snap, err := ks.refresh(ctx); snap == nil {
		return ks.unavailable(err)
	}
	return nil
}

func (ks *keySet) generation() uint64 {
	if snap := ks.snap.Load(); snap != nil {
		return snap.generation
	}
	return 0
}

// unavailable is the fail-closed answer, with how long until the key set
// may be fetched again, which partners get as Retry-After.
func (ks *keySet) unavailable(cause error) *Error {
	ks.mu.Lock()
	wait := ks.fetchWaitLocked()
	ks.mu.Unlock()
	e := newError(ReasonKeysUnavailable, cause)
	e.RetryAfter = wait
	return e
}

// fetchWaitLocked is how long until the limiter allows a fetch, 0 if it
// does now. Fetches draw on a budget of refreshBurst refilled at one per
// interval; after a failure the next attempt only waits failedFetchRetry
// (never beyond the interval) and does not draw on it, so an issuer outage
// neither drains the budget nor is hammered.
func (ks *keySet) fetchWaitLocked() time.Duration {
	now := ks.now()
	if ks.lastErr != nil {
		return max(0, ks.lastAttempt.Add(min(ks.interval, failedFetchRetry)).Sub(now))
	}
	return max(0, ks.budgetFullAt.Add(-(refreshBurst-1)*ks.interval).Sub(now))
}

func (ks *keySet) startFetchLocked() *fetchCall {
	call := &fetchCall{done: make(chan struct{})}
	ks.inflight = call
	now := ks.now()
	if ks.lastErr == nil {
		ks.budgetFullAt = later(ks.budgetFullAt, now).Add(ks.interval)
	}
	ks.lastAttempt = now
	go ks.runFetch(call)
	return call
}

func (ks *keySet) runFetch(call *fetchCall) {
	ks.stats.keyFetches.Add(1)
	ctx, cancel := context.WithTimeout(ks.base, ks.timeout)
	keys, err := ks.fetch(ctx)
	cancel()

	ks.mu.Lock()
	ks.lastErr = err
	if err == nil {
		ks.install(keys)
	} else {
		ks.stats.keyFetchFailures.Add(1)
		ks.log.Warn("signing keys fetch failed", zap.String("issuer", ks.issuer), zap.Error(err))
	}
	ks.inflight = nil
	ks.mu.Unlock()

	call.err = err
	close(call.done)
}

// install publishes a new snapshot; called with mu held.
func (ks *keySet) install(keys []verifyKey) {
	kids := make([]string, len(keys))
	for i, k := range keys {
		kids[i] = k.alg + ":" + k.jwk.KeyID + ":" + thumbprint(k.jwk)
	}
	slices.Sort(kids)
	fp := strings.Join(kids, ",")

	next := &keySnapshot{keys: keys, fingerprint: fp, fetchedAt: ks.now(), generation: 1}
	old := ks.snap.Load()
	if old != nil {
		next.generation = old.generation
		if old.fingerprint != fp {
			next.generation++
		}
	}
	ks.snap.Store(next)
	if old == nil || old.generation != next.generation {
		ks.log.Info("signing keys loaded", zap.String("issuer", ks.issuer), zap.Int("keys", len(keys)), zap.Uint64("generation", next.generation))
	}
}

// fetch runs discovery if needed, then downloads and filters the key set.
func (ks *keySet) fetch(ctx context.Context) ([]verifyKey, error) {
	if ks.jwksURL == "" {
		u, err := ks.discover(ctx)
		if err != nil {
			return nil, err
		}
		ks.jwksURL = u
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ks.jwksURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := ks.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching keys: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching keys: status %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading keys: %w", err)
	}
	if len(body) > maxJWKSBytes {
		return nil, fmt.Errorf("key set larger than %d bytes", maxJWKSBytes)
	}
	return parseJWKS(body, ks.algs)
}

// discover uses go-oidc's discovery, which also insists that the document's
// issuer equals ours, and reads jwks_uri from it.
func (ks *keySet) discover(ctx context.Context) (string, error) {
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, ks.client), ks.issuer)
	if err != nil {
		return "", fmt.Errorf("discovery: %w", err)
	}
	var meta struct {
		JWKSURL string `json:"jwks_uri"`
	}
	if err := p.Claims(&meta); err != nil {
		return "", fmt.Errorf("discovery: %w", err)
	}
	u, err := url.Parse(meta.JWKSURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", errors.New("discovery: jwks_uri is not an http(s) URL")
	}
	ks.log.Info("signing keys discovered", zap.String("issuer", ks.issuer), zap.String("jwks_url", u.Redacted()))
	return meta.JWKSURL, nil
}

// parseJWKS keeps the keys we can use and skips the rest, as RFC 7517 §5
// asks and go-oidc does: one exotic key must not take the whole set down.
// A set with no usable key at all is an error, which fails closed.
func parseJWKS(body []byte, algs []string) ([]verifyKey, error) {
	var raw struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("decoding key set: %w", err)
	}
	var keys []verifyKey
	for _, r := range raw.Keys {
		var k jose.JSONWebKey
		if err := k.UnmarshalJSON(r); err != nil || !k.Valid() {
			continue
		}
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		k = k.Public()
		alg := keyAlgorithm(k)
		if alg == "" || !slices.Contains(algs, alg) || (k.Algorithm != "" && k.Algorithm != alg) {
			continue
		}
		keys = append(keys, verifyKey{jwk: k, alg: alg})
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("key set has no usable %s key", strings.Join(algs, "/"))
	}
	return keys, nil
}

// keyAlgorithm is the one algorithm we let a key verify, or "" if none:
// binding the algorithm to the key type stops a token from choosing how its
// signature is checked.
func keyAlgorithm(k jose.JSONWebKey) string {
	switch pub := k.Key.(type) {
	case *rsa.PublicKey:
		if pub.N.BitLen() >= minRSABits {
			return "RS256"
		}
	case *ecdsa.PublicKey:
		if pub.Curve == elliptic.P256() {
			return "ES256"
		}
	}
	return ""
}

// thumbprint identifies key material (RFC 7638); it cannot fail for the
// RSA and EC keys parseJWKS keeps.
func thumbprint(k jose.JSONWebKey) string {
	tp, _ := k.Thumbprint(crypto.SHA256)
	return hex.EncodeToString(tp)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func joseAlgs(algs []string) []jose.SignatureAlgorithm {
	out := make([]jose.SignatureAlgorithm, len(algs))
	for i, a := range algs {
		out[i] = jose.SignatureAlgorithm(a)
	}
	return out
}
