package auth_test

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/server/auth"
)

// TestVerifyHeaderAttacks runs every way a partner request can be refused
// (and the nearby ways it must still pass) through the real entry point.
func TestVerifyHeaderAttacks(t *testing.T) {
	clock := newClock()
	ti := newTestIssuer(t, clock)
	now := clock.Now()
	leeway := auth.DefaultLeeway
	bearer := func(tok string) string { return "Bearer " + tok }
	// with returns the standard claims with overrides; nil deletes.
	with := func(over map[string]any) map[string]any {
		c := claimsAt(clock)
		for k, v := range over {
			if v == nil {
				delete(c, k)
			} else {
				c[k] = v
			}
		}
		return c
	}
	mint := func(over map[string]any) string { return bearer(ti.mint(t, over)) }

	good := ti.mint(t, nil)
	parts := strings.Split(good, ".")
	pubPEM := func() []byte {
		der, err := x509.MarshalPKIXPublicKey(&untrustedKey(t).PublicKey)
		require.NoError(t, err)
		return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	}()
	audience := func(c *auth.Config) { c.Audience = "lmsproxy" }
	nested := func(c *auth.Config) { c.RolesClaim = "realm_access.roles" }
	scope := func(c *auth.Config) { c.RolesClaim = "scope" }

	tests := []struct {
		name   string
		cfg    func(*auth.Config)
		header string
		want   auth.Reason // "" means accepted
	}{
		{name: "valid token", header: bearer(good)},
		{name: "lowercase scheme", header: "bearer " + good},
		{name: "extra spaces after scheme", header: "Bearer   " + good},
		{name: "no header", header: "", want: auth.ReasonMissingHeader},
		{name: "blank header", header: "   ", want: auth.ReasonMissingHeader},
		{name: "basic scheme", header: "Basic YWRhQGV4YW1wbGUuY29tOmNvcnJlY3QtaG9yc2U=", want: auth.ReasonWrongScheme},
		{name: "token without scheme", header: good, want: auth.ReasonWrongScheme},
		{name: "empty bearer", header: "Bearer", want: auth.ReasonMalformed},
		{name: "bearer with only spaces", header: "Bearer    ", want: auth.ReasonMalformed},
		{name: "garbage", header: bearer("not-a-jwt"), want: auth.ReasonMalformed},
		{name: "two-part token", header: bearer(parts[0] + "." + parts[1]), want: auth.ReasonMalformed},
		{name: "four-part token", header: bearer(good + ".x"), want: auth.ReasonMalformed},
		{name: "JSON serialization", header: bearer(`{"payload":"` + parts[1] + `","protected":"` + parts[0] + `","signature":"` + parts[2] + `"}`), want: auth.ReasonMalformed},
		{name: "claims not an object", header: bearer(forge(map[string]any{"alg": "RS256", "kid": ti.KeyID()}, []int{1}, []byte("sig"))), want: auth.ReasonMalformed},
		{name: "alg none", header: bearer(forge(map[string]any{"alg": "none", "kid": ti.KeyID()}, claimsAt(clock), nil)), want: auth.ReasonBadAlgorithm},
		{name: "HS256 keyed with the public key", header: bearer(sign(t, pubPEM, jose.HS256, ti.KeyID(), claimsAt(clock))), want: auth.ReasonBadAlgorithm},
		{name: "RS512 not allowed", header: bearer(sign(t, untrustedKey(t), jose.RS512, ti.KeyID(), claimsAt(clock))), want: auth.ReasonBadAlgorithm},
		{name: "ES256 not configured", header: bearer(sign(t, newECKey(t), jose.ES256, "", claimsAt(clock))), want: auth.ReasonBadAlgorithm},
		{name: "trusted kid, untrusted key", header: bearer(sign(t, untrustedKey(t), jose.RS256, ti.KeyID(), claimsAt(clock))), want: auth.ReasonBadSignature},
		{name: "no kid, untrusted key", header: bearer(sign(t, untrustedKey(t), jose.RS256, "", claimsAt(clock))), want: auth.ReasonBadSignature},
		{name: "tampered payload", header: bearer(parts[0] + "." + strings.Split(ti.mint(t, map[string]any{"sub": "someone-else"}), ".")[1] + "." + parts[2]), want: auth.ReasonBadSignature},
		{name: "unknown kid", header: bearer(sign(t, untrustedKey(t), jose.RS256, "not-a-published-kid", claimsAt(clock))), want: auth.ReasonUnknownKey},
		{name: "expired beyond leeway", header: mint(map[string]any{"exp": now.Add(-leeway - time.Second).Unix()}), want: auth.ReasonExpired},
		{name: "expired within leeway", header: mint(map[string]any{"exp": now.Add(-leeway).Unix()})},
		{name: "fractional exp within leeway", header: mint(map[string]any{"exp": float64(now.Add(-leeway).Unix()) + 0.5})},
		{name: "no exp", header: mint(map[string]any{"exp": nil}), want: auth.ReasonMalformed},
		{name: "exp not a number", header: mint(map[string]any{"exp": "tomorrow"}), want: auth.ReasonMalformed},
		{name: "nbf beyond leeway", header: mint(map[string]any{"nbf": now.Add(leeway + time.Second).Unix()}), want: auth.ReasonNotYetValid},
		{name: "nbf within leeway", header: mint(map[string]any{"nbf": now.Add(leeway).Unix()})},
		{name: "nbf not a number", header: mint(map[string]any{"nbf": true}), want: auth.ReasonMalformed},
		{name: "iat beyond leeway", header: mint(map[string]any{"iat": now.Add(leeway + time.Second).Unix()}), want: auth.ReasonNotYetValid},
		{name: "iat within leeway", header: mint(map[string]any{"iat": now.Add(leeway).Unix()})},
		{name: "iat not a number", header: mint(map[string]any{"iat": "now"}), want: auth.ReasonMalformed},
		{name: "wrong iss", header: mint(map[string]any{"iss": "https://evil.example"}), want: auth.ReasonWrongIssuer},
		{name: "no iss", header: mint(map[string]any{"iss": nil}), want: auth.ReasonWrongIssuer},
		{name: "iss not a string", header: mint(map[string]any{"iss": 7}), want: auth.ReasonWrongIssuer},
		{name: "foreign issuer with unknown kid", header: bearer(sign(t, untrustedKey(t), jose.RS256, "theirs", with(map[string]any{"iss": "other"}))), want: auth.ReasonWrongIssuer},
		{name: "aud when none configured", header: mint(map[string]any{"aud": "other-api"}), want: auth.ReasonWrongAudience},
		{name: "empty aud when none configured", header: mint(map[string]any{"aud": []string{}})},
		{name: "wrong aud", cfg: audience, header: mint(map[string]any{"aud": "other-api"}), want: auth.ReasonWrongAudience},
		{name: "missing aud when configured", cfg: audience, header: mint(nil), want: auth.ReasonWrongAudience},
		{name: "aud not a string", cfg: audience, header: mint(map[string]any{"aud": 42}), want: auth.ReasonWrongAudience},
		{name: "aud array with a non-string", cfg: audience, header: mint(map[string]any{"aud": []any{"lmsproxy", 1}}), want: auth.ReasonWrongAudience},
		{name: "aud matches", cfg: audience, header: mint(map[string]any{"aud": "lmsproxy"})},
		{name: "aud array contains ours", cfg: audience, header: mint(map[string]any{"aud": []string{"billing", "lmsproxy"}})},
		{name: "missing roles", header: mint(map[string]any{"roles": nil}), want: auth.ReasonNotAdmin},
		{name: "roles without admin", header: mint(map[string]any{"roles": []string{"VIEWER"}}), want: auth.ReasonNotAdmin},
		{name: "admin in another case", header: mint(map[string]any{"roles": []string{"admin"}}), want: auth.ReasonNotAdmin},
		{name: "roles is a string naming the admin role", header: mint(map[string]any{"roles": "ADMIN"})},
		{name: "scope string holding the admin role", cfg: scope, header: mint(map[string]any{"roles": nil, "scope": "openid lms/read ADMIN"})},
		{name: "scope string without the admin role", cfg: scope, header: mint(map[string]any{"roles": nil, "scope": "openid lms/read"}), want: auth.ReasonNotAdmin},
		{name: "scope string with a longer word", cfg: scope, header: mint(map[string]any{"roles": nil, "scope": "ADMINS"}), want: auth.ReasonNotAdmin},
		{name: "scope string with doubled spaces", cfg: scope, header: mint(map[string]any{"roles": nil, "scope": "  openid  ADMIN "})},
		{name: "scope string separated by tabs", cfg: scope, header: mint(map[string]any{"roles": nil, "scope": "openid\tADMIN"}), want: auth.ReasonNotAdmin},
		{name: "scope string separated by commas", cfg: scope, header: mint(map[string]any{"roles": nil, "scope": "openid,ADMIN"}), want: auth.ReasonNotAdmin},
		{name: "empty scope string", cfg: scope, header: mint(map[string]any{"roles": nil, "scope": ""}), want: auth.ReasonNotAdmin},
		{name: "namespaced groups array", cfg: func(c *auth.Config) { c.RolesClaim = "cognito:groups" },
			header: mint(map[string]any{"roles": nil, "cognito:groups": []string{"partners", "ADMIN"}})},
		{name: "roles is a number", header: mint(map[string]any{"roles": 1}), want: auth.ReasonNotAdmin},
		{name: "roles is an object", header: mint(map[string]any{"roles": map[string]any{"ADMIN": true}}), want: auth.ReasonNotAdmin},
		{name: "roles with mixed entries", header: mint(map[string]any{"roles": []any{1, nil, "ADMIN"}})},
		{name: "nested roles path", cfg: nested, header: mint(map[string]any{"roles": nil, "realm_access": map[string]any{"roles": []string{"ADMIN"}}})},
		{name: "nested path, top-level roles only", cfg: nested, header: mint(nil), want: auth.ReasonNotAdmin},
		{name: "nested path, string in the middle", cfg: nested, header: mint(map[string]any{"realm_access": "roles"}), want: auth.ReasonNotAdmin},
		{name: "claim name containing dots", cfg: func(c *auth.Config) { c.RolesClaim = "https://lms.example/roles" },
			header: mint(map[string]any{"roles": nil, "https://lms.example/roles": []string{"ADMIN"}})},
		{name: "custom admin role", cfg: func(c *auth.Config) { c.AdminRole = "PARTNER" }, header: mint(map[string]any{"roles": []string{"PARTNER"}})},
		{name: "sub not a string", header: mint(map[string]any{"sub": 5}), want: auth.ReasonMalformed},
		{name: "oversized token", header: mint(map[string]any{"pad": strings.Repeat("x", auth.MaxTokenBytes)}), want: auth.ReasonTooLarge},
		{name: "oversized header", header: "Bearer " + strings.Repeat("a", 4*auth.MaxTokenBytes), want: auth.ReasonTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ti.config()
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			v := newVerifier(t, cfg, clock)
			id, err := v.VerifyHeader(context.Background(), tt.header)
			if tt.want == "" {
				require.NoError(t, err)
				assert.Equal(t, realIssuer, id.Issuer)
				assert.NotEmpty(t, id.Subject)
				assert.False(t, id.ExpiresAt.IsZero())
				return
			}
			assert.Nil(t, id)
			requireReason(t, err, tt.want, tt.header)
		})
	}
}

// TestTokenKinds covers LMSPROXY_REQUIRED_TOKEN_TYPE and
// LMSPROXY_REFUSE_ID_TOKENS with tokens minted by issuers that set the JOSE
// typ header in each way real ones do.
func TestTokenKinds(t *testing.T) {
	clock := newClock()
	untyped := newTestIssuer(t, clock)
	typed := func(typ string) *testIssuer { return newTestIssuer(t, clock, auth.WithTokenType(typ)) }
	atJWT, appAtJWT, upper, plainJWT := typed("at+jwt"), typed("application/at+jwt"), typed("AT+JWT"), typed("JWT")
	required := func(typ string) func(*auth.Config) {
		return func(c *auth.Config) { c.RequiredTokenType = typ }
	}
	refuseID := func(c *auth.Config) { c.RefuseIDTokens = true }

	tests := []struct {
		name   string
		issuer *testIssuer
		claims map[string]any
		cfg    func(*auth.Config)
		want   auth.Reason
	}{
		{name: "no requirement, no typ", issuer: untyped},
		{name: "no requirement, typ at+jwt", issuer: atJWT},
		{name: "at+jwt required and given", issuer: atJWT, cfg: required("at+jwt")},
		{name: "prefix in the token only", issuer: appAtJWT, cfg: required("at+jwt")},
		{name: "prefix in the setting only", issuer: atJWT, cfg: required("application/at+jwt")},
		{name: "other case", issuer: upper, cfg: required("at+jwt")},
		{name: "at+jwt required, typ JWT", issuer: plainJWT, cfg: required("at+jwt"), want: auth.ReasonWrongTokenType},
		{name: "at+jwt required, no typ", issuer: untyped, cfg: required("at+jwt"), want: auth.ReasonWrongTokenType},
		{name: "type checked before roles", issuer: plainJWT, cfg: required("at+jwt"), claims: map[string]any{"roles": nil}, want: auth.ReasonWrongTokenType},
		{name: "ID tokens refused, access token", issuer: untyped, cfg: refuseID, claims: map[string]any{"token_use": "access", "typ": "Bearer"}},
		{name: "ID tokens refused, nonce", issuer: untyped, cfg: refuseID, claims: map[string]any{"nonce": "n-0S6_WzA2Mj"}, want: auth.ReasonIDToken},
		{name: "ID tokens refused, at_hash", issuer: untyped, cfg: refuseID, claims: map[string]any{"at_hash": "77QmUPtjPfzWtF2AnpK9RQ"}, want: auth.ReasonIDToken},
		{name: "ID tokens refused, c_hash", issuer: untyped, cfg: refuseID, claims: map[string]any{"c_hash": "LDktKdoQak3Pk0cnXxCltA"}, want: auth.ReasonIDToken},
		{name: "ID tokens refused, Cognito token_use id", issuer: untyped, cfg: refuseID, claims: map[string]any{"token_use": "id"}, want: auth.ReasonIDToken},
		{name: "ID tokens refused, Keycloak typ ID", issuer: untyped, cfg: refuseID, claims: map[string]any{"typ": "ID"}, want: auth.ReasonIDToken},
		{name: "ID tokens allowed by default", issuer: untyped, claims: map[string]any{"nonce": "n-0S6_WzA2Mj", "at_hash": "77QmUPtjPfzWtF2AnpK9RQ"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.issuer.config()
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			tok := tt.issuer.mint(t, tt.claims)
			_, err := newVerifier(t, cfg, clock).Verify(context.Background(), tok)
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			requireReason(t, err, tt.want, tok)
		})
	}
}

func TestIdentity(t *testing.T) {
	clock := newClock()
	ti := newTestIssuer(t, clock)
	v := newVerifier(t, ti.config(), clock)
	exp := clock.Now().Add(time.Hour)
	tok := ti.mint(t, map[string]any{"sub": "user-1", "azp": "partner-app", "exp": exp.Unix(), "roles": []string{"ADMIN", "AUDITOR"}})

	id, err := v.Verify(context.Background(), tok)
	require.NoError(t, err)
	assert.Equal(t, &auth.Identity{
		Subject: "user-1", Client: "partner-app", Roles: []string{"ADMIN", "AUDITOR"},
		Issuer: realIssuer, ExpiresAt: exp,
	}, id)

	// client_id stands in for azp.
	id, err = v.Verify(context.Background(), ti.mint(t, map[string]any{"client_id": "partner-cli"}))
	require.NoError(t, err)
	assert.Equal(t, "partner-cli", id.Client)
}

// TestES256 covers the optional algorithm and the binding of algorithm to
// key type.
func TestES256(t *testing.T) {
	clock := newClock()
	ec := newECKey(t)
	srv, _ := jwksServer(t, jose.JSONWebKey{Key: &ec.PublicKey, KeyID: "ec-1", Use: "sig"})
	tok := sign(t, ec, jose.ES256, "ec-1", claimsAt(clock))
	cfg := auth.Config{Issuer: realIssuer, JWKSURL: srv.URL}

	t.Run("accepted when configured", func(t *testing.T) {
		cfg := cfg
		cfg.Algorithms = []string{"RS256", "ES256"}
		_, err := newVerifier(t, cfg, clock).Verify(context.Background(), tok)
		require.NoError(t, err)
	})
	t.Run("refused by default", func(t *testing.T) {
		_, err := newVerifier(t, cfg, clock).Verify(context.Background(), tok)
		requireReason(t, err, auth.ReasonBadAlgorithm, tok)
	})
	t.Run("RS256 token naming the EC key", func(t *testing.T) {
		cfg := cfg
		cfg.Algorithms = []string{"RS256", "ES256"}
		forged := sign(t, untrustedKey(t), jose.RS256, "ec-1", claimsAt(clock))
		_, err := newVerifier(t, cfg, clock).Verify(context.Background(), forged)
		requireReason(t, err, auth.ReasonBadSignature, forged)
	})
}

func TestKeySetFiltering(t *testing.T) {
	clock := newClock()
	ti := newTestIssuer(t, clock)
	tok := ti.mint(t, nil)
	// Fetch the issuer's real key to republish it among unusable ones.
	resp, err := ti.srv.Client().Get(ti.jwksURL())
	require.NoError(t, err)
	var set jose.JSONWebKeySet
	require.NoError(t, jsonDecode(resp, &set))
	good := set.Keys[0]

	weak := weakRSAKey(t)
	enc := good
	enc.Use = "enc"
	wrongAlg := good
	wrongAlg.Algorithm = "PS256"

	tests := []struct {
		name string
		keys []jose.JSONWebKey
		want auth.Reason
	}{
		{"usable key among unusable ones", []jose.JSONWebKey{{Key: []byte("0123456789abcdef0123456789abcdef"), KeyID: "hmac"}, {Key: &weak.PublicKey, KeyID: "weak"}, good}, ""},
		{"only a weak RSA key", []jose.JSONWebKey{{Key: &weak.PublicKey, KeyID: good.KeyID}}, auth.ReasonKeysUnavailable},
		{"key marked for encryption", []jose.JSONWebKey{enc}, auth.ReasonKeysUnavailable},
		{"key bound to another algorithm", []jose.JSONWebKey{wrongAlg}, auth.ReasonKeysUnavailable},
		{"empty set", nil, auth.ReasonKeysUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := jwksServer(t, tt.keys...)
			v := newVerifier(t, auth.Config{Issuer: realIssuer, JWKSURL: srv.URL}, clock)
			_, err := v.Verify(context.Background(), tok)
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			requireReason(t, err, tt.want, tok)
		})
	}
}

func TestConfig(t *testing.T) {
	t.Run("defaults", func(t *testing.T) {
		c := auth.Config{Issuer: realIssuer, JWKSURL: "https://auth.example/jwks"}.WithDefaults()
		assert.Equal(t, auth.Config{
			Issuer: realIssuer, JWKSURL: "https://auth.example/jwks",
			RolesClaim: "roles", AdminRole: "ADMIN", Algorithms: []string{"RS256"},
			Leeway: 30 * time.Second, RefreshInterval: time.Minute, FetchTimeout: 5 * time.Second, CacheSize: 10000,
		}, c)
		assert.Empty(t, c.Validate())
	})
	t.Run("discovery issuer needs no JWKS URL", func(t *testing.T) {
		assert.Empty(t, auth.Config{Issuer: "https://auth.example"}.WithDefaults().Validate())
	})
	t.Run("every problem at once", func(t *testing.T) {
		c := auth.Config{
			Issuer: "service-project", JWKSURL: "", RolesClaim: "realm..roles", AdminRole: "ADMIN",
			Algorithms: []string{"HS256", "none", "RS256"}, Leeway: -time.Second,
			RefreshInterval: -1, FetchTimeout: -1, CacheSize: -1,
		}
		errs := c.Validate()
		var msgs []string
		for _, e := range errs {
			msgs = append(msgs, e.Error())
		}
		joined := strings.Join(msgs, "\n")
		for _, want := range []string{"LMSPROXY_OIDC_ISSUER must be an http(s) URL", "LMSPROXY_ROLES_CLAIM", `"HS256"`, `"none"`, "Leeway", "RefreshInterval", "FetchTimeout"} {
			assert.Contains(t, joined, want)
		}
		assert.Len(t, errs, 7)
	})
	t.Run("missing issuer and bad JWKS URL", func(t *testing.T) {
		errs := auth.Config{JWKSURL: "/jwks"}.WithDefaults().Validate()
		require.Len(t, errs, 2)
		assert.ErrorContains(t, errs[0], "LMSPROXY_OIDC_ISSUER is required")
		assert.ErrorContains(t, errs[1], "LMSPROXY_JWKS_URL")
	})
	t.Run("required token type", func(t *testing.T) {
		for typ, ok := range map[string]bool{
			"at+jwt": true, "application/at+jwt": true, "JWT": true, "application/": false,
			"at jwt": false, "a/b/c": false, "/at+jwt": false,
		} {
			errs := auth.Config{Issuer: "https://auth.example", RequiredTokenType: typ}.WithDefaults().Validate()
			if ok {
				assert.Empty(t, errs, typ)
			} else if assert.Len(t, errs, 1, typ) {
				assert.ErrorContains(t, errs[0], "LMSPROXY_REQUIRED_TOKEN_TYPE")
			}
		}
	})
	t.Run("leeway cap", func(t *testing.T) {
		errs := auth.Config{Issuer: "https://auth.example", Leeway: time.Hour}.WithDefaults().Validate()
		require.Len(t, errs, 1)
	})
	t.Run("NewVerifier refuses an invalid config", func(t *testing.T) {
		_, err := auth.NewVerifier(auth.Config{Issuer: "x", Algorithms: []string{"HS256"}})
		require.Error(t, err)
		assert.ErrorContains(t, err, "HS256")
		assert.ErrorContains(t, err, "LMSPROXY_JWKS_URL")
	})
}
