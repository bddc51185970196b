package auth

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Paths served by LocalIssuer.Handler. TokenPath is the real auth host's;
// the other two are what discovery and an explicit LMSPROXY_JWKS_URL use.
const (
	DiscoveryPath = "/.well-known/openid-configuration"
	JWKSPath      = "/.well-known/jwks.json"
	TokenPath     = "/v1/auth/token"
)

// LocalTokenLifetime matches the real auth host: exp - iat = 365 days.
const LocalTokenLifetime = 365 * 24 * time.Hour

// LocalIssuer stands in for the real auth host in `lmsproxy dev` and in
// tests. It issues tokens of the same shape (RS256 with kid, iss, sub, iat,
// exp a year later, roles ["ADMIN"], no aud) and publishes its key by
// discovery and JWKS, so the Verifier runs exactly as in production.
type LocalIssuer struct {
	users    map[string]string
	now      func() time.Time
	typ      string // JOSE typ header of minted tokens; "" for none
	jwksHits atomic.Int64

	mu     sync.RWMutex
	issuer string
	key    *rsa.PrivateKey
	kid    string
	signer jose.Signer
}

// IssuerOption customises a LocalIssuer.
type IssuerOption func(*LocalIssuer)

// WithIssuerClock sets the clock for iat and exp, so tests can mint tokens
// relative to the Verifier's fake clock.
func WithIssuerClock(now func() time.Time) IssuerOption {
	return func(li *LocalIssuer) { li.now = now }
}

// WithTokenType sets the JOSE "typ" header of minted tokens (none by
// default, like the real auth host), e.g. "at+jwt" to issue RFC 9068 access
// tokens as Keycloak, Hydra and Cognito can be configured to.
func WithTokenType(typ string) IssuerOption {
	return func(li *LocalIssuer) { li.typ = typ }
}

// NewLocalIssuer generates a fresh RSA-2048 signing key. issuer is the iss
// of minted tokens; it may be empty and set later with SetIssuer, because a
// discovery issuer is the server's own URL, known only once it listens.
// users maps Basic-auth user names to passwords for the token endpoint.
func NewLocalIssuer(issuer string, users map[string]string, opts ...IssuerOption) (*LocalIssuer, error) {
	li := &LocalIssuer{issuer: issuer, users: maps.Clone(users), now: time.Now}
	for _, opt := range opts {
		opt(li)
	}
	if err := li.Rotate(); err != nil {
		return nil, err
	}
	return li, nil
}

// SetIssuer changes the iss of tokens minted from now on and the issuer
// advertised by discovery.
func (li *LocalIssuer) SetIssuer(issuer string) {
	li.mu.Lock()
	defer li.mu.Unlock()
	li.issuer = issuer
}

// Issuer returns the current iss.
func (li *LocalIssuer) Issuer() string {
	li.mu.RLock()
	defer li.mu.RUnlock()
	return li.issuer
}

// KeyID returns the kid of the active signing key.
func (li *LocalIssuer) KeyID() string {
	li.mu.RLock()
	defer li.mu.RUnlock()
	return li.kid
}

// Rotate replaces the signing key. The old key disappears from the JWKS at
// once, so tokens it signed stop verifying as soon as a Verifier refreshes;
// this is the rotation the Verifier must follow without a restart.
func (li *LocalIssuer) Rotate() error {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return fmt.Errorf("generating signing key: %w", err)
	}
	jwk := jose.JSONWebKey{Key: &key.PublicKey}
	tp, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return err
	}
	kid := hex.EncodeToString(tp[:20])
	opts := &jose.SignerOptions{}
	if li.typ != "" {
		opts = opts.WithType(jose.ContentType(li.typ))
	}
	signer, err := jose.NewSigner(jose.SigningKey{
		Algorithm: jose.RS256,
		Key:       jose.JSONWebKey{Key: key, KeyID: kid},
	}, opts)
	if err != nil {
		return err
	}
	li.mu.Lock()
	defer li.mu.Unlock()
	li.key, li.kid, li.signer = key, kid, signer
	return nil
}

// JWKSHits counts requests to the JWKS endpoint, so tests can prove that
// the Verifier's refresh limiter holds.
func (li *LocalIssuer) JWKSHits() int64 { return li.jwksHits.Load() }

// Mint signs a token with the active key. claims override the defaults (iss,
// sub "dev", iat now, exp a year on, roles ["ADMIN"]); a nil value removes a
// default, e.g. {"exp": nil} for a token without expiry.
func (li *LocalIssuer) Mint(claims map[string]any) (string, error) {
	li.mu.RLock()
	issuer, signer := li.issuer, li.signer
	li.mu.RUnlock()
	if issuer == "" {
		return "", errors.New("local issuer: issuer not set")
	}
	now := li.now()
	all := map[string]any{
		"iss":   issuer,
		"sub":   "dev",
		"iat":   now.Unix(),
		"exp":   now.Add(LocalTokenLifetime).Unix(),
		"roles": []string{DefaultAdminRole},
	}
	for k, v := range claims {
		if v == nil {
			delete(all, k)
		} else {
			all[k] = v
		}
	}
	payload, err := json.Marshal(all)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// Handler serves discovery, the JWKS and the token endpoint.
func (li *LocalIssuer) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+DiscoveryPath, li.serveDiscovery)
	mux.HandleFunc("GET "+JWKSPath, li.serveJWKS)
	mux.HandleFunc("GET "+TokenPath, li.serveToken)
	return mux
}

func (li *LocalIssuer) serveDiscovery(w http.ResponseWriter, r *http.Request) {
	issuer := li.Issuer()
	// When the issuer is a URL it is where clients reach us; otherwise
	// (iss "service-project") the request's own host is.
	base := issuer
	if !isHTTPURL(base) {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                issuer,
		"jwks_uri":                              base + JWKSPath,
		"response_types_supported":              []string{"id_token"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
	})
}

func (li *LocalIssuer) serveJWKS(w http.ResponseWriter, _ *http.Request) {
	li.jwksHits.Add(1)
	li.mu.RLock()
	pub := jose.JSONWebKey{Key: &li.key.PublicKey, KeyID: li.kid, Algorithm: "RS256", Use: "sig"}
	li.mu.RUnlock()
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{pub}})
}

// serveToken is GET /v1/auth/token with HTTP Basic, answering
// {"token":"<JWT>"} like the real auth host.
func (li *LocalIssuer) serveToken(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if !ok || !li.checkPassword(user, pass) {
		w.Header().Set("WWW-Authenticate", `Basic realm="lmsproxy", charset="UTF-8"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{
			"code": "unauthenticated", "message": "invalid username or password",
		})
		return
	}
	token, err := li.Mint(map[string]any{"sub": subjectFor(user)})
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{
			"code": "internal", "message": "could not issue a token",
		})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"token": token})
}

// checkPassword compares digests in constant time, and does the same work
// for unknown users, so timing reveals neither passwords nor user names.
func (li *LocalIssuer) checkPassword(user, pass string) bool {
	want, known := li.users[user]
	got, exp := sha256.Sum256([]byte(pass)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(got[:], exp[:]) == 1 && known
}

// subjectFor derives a stable UUID-shaped subject from the user name, like
// the real host's sub, so a dev user keeps one identity across restarts.
func subjectFor(user string) string {
	h := sha256.Sum256([]byte("lmsproxy-dev-subject:" + user))
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
