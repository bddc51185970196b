package auth_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/server/auth"
)

// realIssuer is the iss of the production auth host, used in explicit-JWKS
// mode throughout.
const realIssuer = "service-project"

// fakeClock is shared by the issuer and the verifier so tests cross time
// boundaries exactly and without sleeping.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testIssuer is a LocalIssuer behind a loopback server.
type testIssuer struct {
	*auth.LocalIssuer
	srv   *httptest.Server
	clock *fakeClock
}

func newTestIssuer(t testing.TB, clock *fakeClock, opts ...auth.IssuerOption) *testIssuer {
	t.Helper()
	li, err := auth.NewLocalIssuer(realIssuer, map[string]string{"ada@example.com": "correct-horse"},
		append([]auth.IssuerOption{auth.WithIssuerClock(clock.Now)}, opts...)...)
	require.NoError(t, err)
	srv := httptest.NewServer(li.Handler())
	t.Cleanup(srv.Close)
	return &testIssuer{LocalIssuer: li, srv: srv, clock: clock}
}

func (ti *testIssuer) jwksURL() string { return ti.srv.URL + auth.JWKSPath }

// config is the production shape: explicit JWKS URL, iss "service-project".
func (ti *testIssuer) config() auth.Config {
	return auth.Config{Issuer: realIssuer, JWKSURL: ti.jwksURL()}
}

func (ti *testIssuer) mint(t testing.TB, claims map[string]any) string {
	t.Helper()
	tok, err := ti.Mint(claims)
	require.NoError(t, err)
	return tok
}

func newVerifier(t testing.TB, cfg auth.Config, clock *fakeClock) *auth.Verifier {
	t.Helper()
	v, err := auth.NewVerifier(cfg, auth.WithClock(clock.Now))
	require.NoError(t, err)
	return v
}

var (
	untrustedOnce sync.Once
	untrustedRSA  *rsa.PrivateKey
)

// untrustedKey is an RSA key no issuer publishes, generated once because
// key generation is slow under -race.
func untrustedKey(t testing.TB) *rsa.PrivateKey {
	untrustedOnce.Do(func() {
		var err error
		untrustedRSA, err = rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
	})
	return untrustedRSA
}

func newECKey(t testing.TB) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	return k
}

// sign builds a token with any key, algorithm and kid ("" for none).
func sign(t testing.TB, key any, alg jose.SignatureAlgorithm, kid string, claims map[string]any) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	require.NoError(t, err)
	opts := &jose.SignerOptions{}
	if kid != "" {
		opts = opts.WithHeader("kid", kid)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	require.NoError(t, err)
	jws, err := signer.Sign(payload)
	require.NoError(t, err)
	tok, err := jws.CompactSerialize()
	require.NoError(t, err)
	return tok
}

// forge assembles header.payload.signature from raw parts, for headers
// go-jose refuses to produce ("alg": "none") and for cheap random-kid tokens
// whose signature is never reached.
func forge(header map[string]any, claims any, sig []byte) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(header) + "." + enc(claims) + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// claimsAt are the real auth host's claims at the clock's current time.
func claimsAt(clock *fakeClock) map[string]any {
	now := clock.Now()
	return map[string]any{
		"iss":   realIssuer,
		"sub":   "5cf37266-3473-4006-984f-9325122678b7",
		"iat":   now.Unix(),
		"exp":   now.Add(auth.LocalTokenLifetime).Unix(),
		"roles": []string{"ADMIN"},
	}
}

// requireReason asserts err is an *auth.Error with the reason, and that its
// partner-facing message leaks neither the token nor any part of it.
func requireReason(t testing.TB, err error, want auth.Reason, token string) *auth.Error {
	t.Helper()
	var ae *auth.Error
	require.True(t, errors.As(err, &ae), "want *auth.Error, got %T: %v", err, err)
	require.Equal(t, want, ae.Reason, "message: %s", ae.Message)
	assert.NotEmpty(t, ae.Message)
	assert.Equal(t, want == auth.ReasonKeysUnavailable, ae.Unavailable())
	if token != "" {
		assert.NotContains(t, ae.Error(), token)
		for part := range strings.SplitSeq(token, ".") {
			if len(part) > 8 {
				assert.NotContains(t, ae.Message, part)
			}
		}
	}
	return ae
}

// jwksServer serves a fixed key set and counts hits, for key types the
// LocalIssuer does not produce.
func jwksServer(t testing.TB, keys ...jose.JSONWebKey) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	hits := new(atomic.Int64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: keys})
	}))
	t.Cleanup(srv.Close)
	return srv, hits
}

// weakRSAKey is below the 2048-bit floor the Verifier enforces.
func weakRSAKey(t testing.TB) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	return k
}

func jsonDecode(resp *http.Response, v any) error {
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}
