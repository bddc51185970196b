package server_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/server"
	"lmsproxy/server/auth"
	"lmsproxy/upstream"
	"lmsproxy/upstream/fake"
)

// The attack suite through the HTTP surface: every refused token is a 401
// envelope naming the rule, never echoing the token; the request never
// reaches the upstream.
func TestAuthAttacks(t *testing.T) {
	s := newStack(t, upstream.V1_10)
	mint := func(claims map[string]any) string {
		tok, err := s.issuer.Mint(claims)
		require.NoError(t, err)
		return tok
	}
	untrusted, err := auth.NewLocalIssuer("service-project", nil)
	require.NoError(t, err)
	forged, err := untrusted.Mint(nil)
	require.NoError(t, err)
	valid := mint(nil)
	parts := strings.Split(valid, ".")
	b64 := base64.RawURLEncoding.EncodeToString
	noneAlg := b64([]byte(`{"alg":"none"}`)) + "." + parts[1] + "."
	now := time.Now()

	// wantError is the RFC 6750 error code of the WWW-Authenticate
	// challenge; "" for a request with no bearer credentials at all.
	tests := []struct {
		name, authorization, wantMessage, wantError string
	}{
		{"no header", "", "missing Authorization header", ""},
		{"basic scheme", "Basic ZGV2OmRldi1wYXNzd29yZA==", "Authorization scheme must be Bearer", ""},
		{"empty bearer", "Bearer ", "bearer token is empty", "invalid_request"},
		{"garbage", "Bearer not-a-jwt", "malformed token", "invalid_token"},
		{"two-part token", "Bearer " + parts[0] + "." + parts[1], "malformed token", "invalid_token"},
		{"alg none", "Bearer " + noneAlg, "signing algorithm not allowed", "invalid_token"},
		{"tampered payload", "Bearer " + parts[0] + "." + b64([]byte(`{"iss":"service-project","sub":"x","exp":9999999999,"roles":["ADMIN"]}`)) + "." + parts[2], "token signature is invalid", "invalid_token"},
		{"signed by an untrusted key", "Bearer " + forged, "token signed by an unknown key", "invalid_token"},
		{"expired", "Bearer " + mint(map[string]any{"exp": now.Add(-time.Hour).Unix()}), "token has expired", "invalid_token"},
		{"not yet valid", "Bearer " + mint(map[string]any{"nbf": now.Add(time.Hour).Unix()}), "token is not valid yet", "invalid_token"},
		{"wrong issuer", "Bearer " + mint(map[string]any{"iss": "someone-else"}), "token issuer is not trusted", "invalid_token"},
		{"audience when none is configured", "Bearer " + mint(map[string]any{"aud": "other-api"}), "token audience is not accepted", "invalid_token"},
		{"no roles", "Bearer " + mint(map[string]any{"roles": nil}), "token lacks the admin role", "invalid_token"},
		{"roles without admin", "Bearer " + mint(map[string]any{"roles": []string{"VIEWER"}}), "token lacks the admin role", "invalid_token"},
		{"roles of the wrong type", "Bearer " + mint(map[string]any{"roles": 1}), "token lacks the admin role", "invalid_token"},
		{"roles string without admin", "Bearer " + mint(map[string]any{"roles": "VIEWER AUDITOR"}), "token lacks the admin role", "invalid_token"},
		{"oversized token", "Bearer " + strings.Repeat("a", 9000), "token too large", "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(s.sim.Requests())
			headers := map[string]string{}
			if tt.authorization != "" {
				headers["Authorization"] = tt.authorization
			}
			r := s.doWith("GET", "/v1/customers/1", "", headers)
			assert.Equal(t, 401, r.status)
			assert.JSONEq(t, `{"code":"unauthenticated","message":"`+tt.wantMessage+`"}`, r.body)
			challenge := `Bearer realm="lmsproxy"`
			if tt.wantError != "" {
				challenge += `, error="` + tt.wantError + `", error_description="` + tt.wantMessage + `"`
			}
			assert.Equal(t, []string{challenge}, r.header.Values("WWW-Authenticate"))
			if token := strings.TrimPrefix(tt.authorization, "Bearer "); len(token) > 8 {
				assert.NotContains(t, r.body, token)
			}
			assert.Equal(t, before, len(s.sim.Requests()), "refused before the upstream")
		})
	}

	t.Run("expired within leeway is accepted", func(t *testing.T) {
		r := s.doWith("GET", "/v1/customers/1", "", map[string]string{"Authorization": "Bearer " + mint(map[string]any{"exp": now.Add(-10 * time.Second).Unix()})})
		assert.Equal(t, 200, r.status, r.body)
	})
	t.Run("token in the query string is not accepted", func(t *testing.T) {
		r := s.doWith("GET", "/v1/customers/1?access_token="+valid, "", nil)
		assert.Equal(t, 401, r.status)
	})
	t.Run("token in a cookie is not accepted", func(t *testing.T) {
		r := s.doWith("GET", "/v1/customers/1", "", map[string]string{"Cookie": "token=" + valid})
		assert.Equal(t, 401, r.status)
	})
}

// TestAuthCommonProviders runs the settings the README recommends for
// Cognito and Hydra machine clients (roles in a space-separated scope,
// RFC 9068 access tokens only, ID tokens refused) through the HTTP surface,
// on both upstream lines.
func TestAuthCommonProviders(t *testing.T) {
	for _, line := range lines {
		t.Run(line.String(), func(t *testing.T) {
			settings := func(c *auth.Config) {
				c.RolesClaim, c.RequiredTokenType, c.RefuseIDTokens = "scope", "at+jwt", true
			}
			s := deploy(t, stackOptions{line: line, issuer: []auth.IssuerOption{auth.WithTokenType("application/at+jwt")}, auth: settings})
			// The same settings in front of an issuer that sets no typ.
			untyped := deploy(t, stackOptions{line: line, auth: settings})
			mint := func(s *stack, claims map[string]any) string {
				tok, err := s.issuer.Mint(claims)
				require.NoError(t, err)
				return tok
			}
			tests := []struct {
				name     string
				via      *stack // the deployment whose issuer minted token
				token    string
				status   int
				wantBody string // "" when accepted
			}{
				{"scope holding the admin role", s, mint(s, map[string]any{"roles": nil, "scope": "lms/read ADMIN"}), 200, ""},
				{"scope without the admin role", s, mint(s, map[string]any{"roles": nil, "scope": "lms/read"}), 401, `{"code":"unauthenticated","message":"token lacks the admin role"}`},
				{"ID token", s, mint(s, map[string]any{"roles": nil, "scope": "ADMIN", "at_hash": "77QmUPtjPfzWtF2AnpK9RQ"}), 401, `{"code":"unauthenticated","message":"ID tokens are not accepted; send an access token"}`},
				{"token without typ", untyped, mint(untyped, map[string]any{"roles": nil, "scope": "ADMIN"}), 401, `{"code":"unauthenticated","message":"token type is not accepted"}`},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					before := len(tt.via.sim.Requests())
					r := tt.via.doWith("GET", "/v1/customers/1", "", map[string]string{"Authorization": "Bearer " + tt.token})
					assert.Equal(t, tt.status, r.status, r.body)
					if tt.wantBody == "" {
						return
					}
					assert.JSONEq(t, tt.wantBody, r.body)
					assert.Equal(t, before, len(tt.via.sim.Requests()), "refused before the upstream")
				})
			}
		})
	}
}

// A genuine key rotation right after a probe with a made-up kid is
// accepted at once: the probe does not spend the whole refresh budget.
func TestKeyRotationAfterProbe(t *testing.T) {
	s := newStack(t, upstream.V1_10)
	require.Equal(t, 200, s.do("GET", "/v1/customers/1", "").status, "keys loaded")

	stranger, err := auth.NewLocalIssuer("service-project", nil)
	require.NoError(t, err)
	probe, err := stranger.Mint(nil)
	require.NoError(t, err)
	r := s.doWith("GET", "/v1/customers/1", "", map[string]string{"Authorization": "Bearer " + probe})
	assert.JSONEq(t, `{"code":"unauthenticated","message":"token signed by an unknown key"}`, r.body)

	require.NoError(t, s.issuer.Rotate())
	s.token, err = s.issuer.Mint(nil)
	require.NoError(t, err)
	r = s.do("GET", "/v1/customers/1", "")
	assert.Equal(t, 200, r.status, r.body)
}

// When the signing keys cannot be fetched, requests fail closed with 503.
func TestAuthFailsClosedWithoutKeys(t *testing.T) {
	issuer, err := auth.NewLocalIssuer("service-project", nil)
	require.NoError(t, err)
	gone := httptest.NewServer(issuer.Handler())
	jwksURL := gone.URL + auth.JWKSPath
	gone.Close() // the issuer is unreachable from the start
	verifier, err := auth.NewVerifier(auth.Config{Issuer: "service-project", JWKSURL: jwksURL, FetchTimeout: time.Second})
	require.NoError(t, err)
	sim := httptest.NewServer(fake.New(fake.Options{}))
	defer sim.Close()
	up, err := upstream.New(upstream.Config{BaseURL: sim.URL + "/fineract-provider/api", Tenant: "default", Username: "mifos", Password: "password", Version: upstream.V1_10})
	require.NoError(t, err)
	proxy := httptest.NewServer(server.New(server.DefaultConfig(), up, verifier))
	defer proxy.Close()
	token, err := issuer.Mint(nil)
	require.NoError(t, err)

	st := &stack{t: t, proxy: proxy}
	r := st.doWith("GET", "/v1/customers/1", "", map[string]string{"Authorization": "Bearer " + token})
	assert.Equal(t, 503, r.status)
	assert.JSONEq(t, `{"code":"unavailable","message":"signing keys unavailable"}`, r.body)
	wait, err := strconv.Atoi(r.header.Get("Retry-After"))
	require.NoError(t, err, "Retry-After")
	assert.True(t, wait >= 1 && wait <= 5, "the next key fetch is at most 5 s away, got %d", wait)
	assert.Empty(t, r.header.Get("WWW-Authenticate"), "not the token's fault")
}

// A recognised admin whose action the upstream's service account may not
// perform gets 403 permission_denied, without the upstream's permission
// names.
func TestPermissionDenied(t *testing.T) {
	forEachLine(t, func(t *testing.T, s *stack) {
		s.sim.DenyPermission("CREATE_CLIENT")
		r := s.do("POST", "/v1/customers", `{"externalId":"denied-1"}`)
		assert.Equal(t, 403, r.status)
		var env map[string]string
		require.NoError(t, json.Unmarshal([]byte(r.body), &env))
		assert.Equal(t, "permission_denied", env["code"])
		assert.NotContains(t, r.body, "CREATE_CLIENT")
		assert.Equal(t, 200, s.do("GET", "/v1/customers/1", "").status, "other actions still work")
	})
}
