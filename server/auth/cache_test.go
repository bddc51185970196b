package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/server/auth"
)

func TestCacheSkipsSignatureWork(t *testing.T) {
	clock := newClock()
	ti := newTestIssuer(t, clock)
	v := newVerifier(t, ti.config(), clock)
	tok := ti.mint(t, nil)

	for range 3 {
		_, err := v.VerifyHeader(context.Background(), "Bearer "+tok)
		require.NoError(t, err)
	}
	s := v.Stats()
	assert.EqualValues(t, 1, s.SignatureChecks)
	assert.EqualValues(t, 1, s.CacheMisses)
	assert.EqualValues(t, 2, s.CacheHits)
	assert.Equal(t, 1, s.CachedTokens)
}

func TestCacheRejectsExpired(t *testing.T) {
	clock := newClock()
	ti := newTestIssuer(t, clock)
	v := newVerifier(t, ti.config(), clock)
	tok := ti.mint(t, map[string]any{"exp": clock.Now().Add(10 * time.Minute).Unix()})
	_, err := v.Verify(context.Background(), tok)
	require.NoError(t, err)

	clock.Advance(10*time.Minute + auth.DefaultLeeway)
	_, err = v.Verify(context.Background(), tok)
	require.NoError(t, err, "the cache honours the same leeway as a full check")

	clock.Advance(time.Second)
	_, err = v.Verify(context.Background(), tok)
	requireReason(t, err, auth.ReasonExpired, tok)
	assert.EqualValues(t, 1, v.Stats().SignatureChecks, "both later calls were answered from the cache")

	_, err = v.Verify(context.Background(), tok)
	requireReason(t, err, auth.ReasonExpired, tok)
}

func TestCacheIsBoundedLRU(t *testing.T) {
	clock := newClock()
	ti := newTestIssuer(t, clock)
	cfg := ti.config()
	cfg.CacheSize = 2
	v := newVerifier(t, cfg, clock)
	a, b, c := ti.mint(t, map[string]any{"sub": "a"}), ti.mint(t, map[string]any{"sub": "b"}), ti.mint(t, map[string]any{"sub": "c"})
	checks := func() int64 { return v.Stats().SignatureChecks }

	for _, tok := range []string{a, b, a, c} { // a is refreshed, so c evicts b
		_, err := v.Verify(context.Background(), tok)
		require.NoError(t, err)
	}
	assert.EqualValues(t, 3, checks())
	assert.Equal(t, 2, v.Stats().CachedTokens)

	_, err := v.Verify(context.Background(), a)
	require.NoError(t, err)
	assert.EqualValues(t, 3, checks(), "a stayed cached")
	_, err = v.Verify(context.Background(), b)
	require.NoError(t, err)
	assert.EqualValues(t, 4, checks(), "b was evicted")
}

func TestCacheDisabled(t *testing.T) {
	clock := newClock()
	ti := newTestIssuer(t, clock)
	cfg := ti.config()
	cfg.CacheSize = -1
	v := newVerifier(t, cfg, clock)
	tok := ti.mint(t, nil)
	for range 2 {
		_, err := v.Verify(context.Background(), tok)
		require.NoError(t, err)
	}
	s := v.Stats()
	assert.EqualValues(t, 2, s.SignatureChecks)
	assert.Zero(t, s.CacheHits+s.CacheMisses)
	assert.Zero(t, s.CachedTokens)
}

func TestCachedIdentityIsACopy(t *testing.T) {
	clock := newClock()
	ti := newTestIssuer(t, clock)
	v := newVerifier(t, ti.config(), clock)
	tok := ti.mint(t, nil)

	id, err := v.Verify(context.Background(), tok)
	require.NoError(t, err)
	id.Roles[0] = "tampered"
	id.Subject = "tampered"

	id, err = v.Verify(context.Background(), tok)
	require.NoError(t, err)
	id.Roles[0] = "tampered"
	id, err = v.Verify(context.Background(), tok)
	require.NoError(t, err)
	assert.Equal(t, []string{"ADMIN"}, id.Roles)
	assert.Equal(t, "dev", id.Subject)
}

func TestFailuresAreNotCached(t *testing.T) {
	clock := newClock()
	ti := newTestIssuer(t, clock)
	v := newVerifier(t, ti.config(), clock)
	tok := ti.mint(t, map[string]any{"roles": []string{"VIEWER"}})
	for range 2 {
		_, err := v.Verify(context.Background(), tok)
		requireReason(t, err, auth.ReasonNotAdmin, tok)
	}
	assert.Zero(t, v.Stats().CachedTokens)
}
