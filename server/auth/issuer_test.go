package auth_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/server/auth"
)

func getToken(t *testing.T, ti *testIssuer, user, pass string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, ti.srv.URL+auth.TokenPath, nil)
	require.NoError(t, err)
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := ti.srv.Client().Do(req)
	require.NoError(t, err)
	return resp
}

func decodeSegment(t *testing.T, seg string) map[string]any {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(seg)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

// TestTokenEndpoint checks the real auth host's flow and token shape:
// GET /v1/auth/token with Basic, {"token": ...}, RS256 with kid, a year's
// lifetime, roles ["ADMIN"], no aud.
func TestTokenEndpoint(t *testing.T) {
	clock := newClock()
	ti := newTestIssuer(t, clock)

	resp := getToken(t, ti, "ada@example.com", "correct-horse")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	var body struct{ Token string }
	require.NoError(t, jsonDecode(resp, &body))

	parts := strings.Split(body.Token, ".")
	require.Len(t, parts, 3)
	header, claims := decodeSegment(t, parts[0]), decodeSegment(t, parts[1])
	assert.Equal(t, "RS256", header["alg"])
	assert.Equal(t, ti.KeyID(), header["kid"])
	assert.Equal(t, realIssuer, claims["iss"])
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`, claims["sub"])
	assert.EqualValues(t, clock.Now().Unix(), claims["iat"])
	assert.EqualValues(t, 31_536_000, claims["exp"].(float64)-claims["iat"].(float64))
	assert.Equal(t, []any{"ADMIN"}, claims["roles"])
	assert.NotContains(t, claims, "aud")

	id, err := newVerifier(t, ti.config(), clock).Verify(context.Background(), body.Token)
	require.NoError(t, err)
	assert.Equal(t, claims["sub"], id.Subject)

	again := getToken(t, ti, "ada@example.com", "correct-horse")
	var body2 struct{ Token string }
	require.NoError(t, jsonDecode(again, &body2))
	assert.Equal(t, claims["sub"], decodeSegment(t, strings.Split(body2.Token, ".")[1])["sub"], "a user keeps one subject")
}

func TestTokenEndpointRefuses(t *testing.T) {
	ti := newTestIssuer(t, newClock())
	for _, tt := range []struct{ name, user, pass string }{
		{"no credentials", "", ""},
		{"wrong password", "ada@example.com", "wrong"},
		{"unknown user", "eve@example.com", "correct-horse"},
		{"empty password", "ada@example.com", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := getToken(t, ti, tt.user, tt.pass)
			assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
			assert.Contains(t, resp.Header.Get("WWW-Authenticate"), "Basic")
			var body map[string]string
			require.NoError(t, jsonDecode(resp, &body))
			assert.Equal(t, "unauthenticated", body["code"])
		})
	}
	t.Run("POST", func(t *testing.T) {
		resp, err := ti.srv.Client().Post(ti.srv.URL+auth.TokenPath, "application/json", nil)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	})
}

func TestIssuerDiscoveryAndJWKS(t *testing.T) {
	ti := newTestIssuer(t, newClock())
	discovery := func() map[string]any {
		resp, err := ti.srv.Client().Get(ti.srv.URL + auth.DiscoveryPath)
		require.NoError(t, err)
		var doc map[string]any
		require.NoError(t, jsonDecode(resp, &doc))
		return doc
	}
	jwks := func() jose.JSONWebKeySet {
		resp, err := ti.srv.Client().Get(ti.jwksURL())
		require.NoError(t, err)
		var set jose.JSONWebKeySet
		require.NoError(t, jsonDecode(resp, &set))
		return set
	}

	doc := discovery()
	assert.Equal(t, realIssuer, doc["issuer"])
	assert.Equal(t, ti.jwksURL(), doc["jwks_uri"], "a non-URL issuer points at the host it was asked on")

	ti.SetIssuer(ti.srv.URL + "/")
	doc = discovery()
	assert.Equal(t, ti.srv.URL+"/", doc["issuer"])
	assert.Equal(t, ti.srv.URL+"/"+auth.JWKSPath, doc["jwks_uri"])

	set := jwks()
	require.Len(t, set.Keys, 1)
	oldKid := set.Keys[0].KeyID
	assert.Equal(t, ti.KeyID(), oldKid)
	assert.True(t, set.Keys[0].IsPublic())
	assert.Equal(t, "sig", set.Keys[0].Use)

	require.NoError(t, ti.Rotate())
	set = jwks()
	require.Len(t, set.Keys, 1, "the old key is retired at once")
	assert.NotEqual(t, oldKid, set.Keys[0].KeyID)
	assert.EqualValues(t, 2, ti.JWKSHits())
}

func TestMintNeedsIssuer(t *testing.T) {
	li, err := auth.NewLocalIssuer("", nil)
	require.NoError(t, err)
	_, err = li.Mint(nil)
	require.Error(t, err)
	li.SetIssuer(realIssuer)
	_, err = li.Mint(nil)
	require.NoError(t, err)
}
