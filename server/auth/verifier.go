package auth

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	"go.uber.org/zap"
)

// MaxTokenBytes caps the bearer token. Real tokens are under 1 KiB; anything
// far larger is refused before base64 or JSON decoding so that oversized
// input cannot buy CPU or memory.
const MaxTokenBytes = 8 << 10

// Identity is the verified caller. Every call returns a fresh copy, so
// callers may keep or modify it.
type Identity struct {
	Subject string // sub
	// Client is azp, else client_id, when the issuer names the OAuth client;
	// empty for the real auth host, whose tokens identify a user only.
	Client    string
	Roles     []string // the string entries of the roles claim
	Issuer    string
	ExpiresAt time.Time
}

// Stats are cumulative counters for tests and metrics.
type Stats struct {
	KeyFetches          int64 // discovery+key-set fetch attempts
	KeyFetchFailures    int64
	RefreshesSuppressed int64 // refreshes wanted (unknown kid) but refused by the fetch budget
	SignatureChecks     int64 // public-key signature verifications performed
	CacheHits           int64
	CacheMisses         int64
	CachedTokens        int
}

type counters struct {
	keyFetches, keyFetchFailures, refreshesSuppressed atomic.Int64
	signatureChecks, cacheHits, cacheMisses           atomic.Int64
}

// Option customises a Verifier.
type Option func(*options)

type options struct {
	client *http.Client
	now    func() time.Time
	log    *zap.Logger
}

// WithHTTPClient sets the client for discovery and key-set requests. The
// default has Config.FetchTimeout as its timeout, unlike http.DefaultClient,
// which go-oidc would otherwise fall back to and which never times out.
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.client = c } }

// WithClock replaces time.Now for every time check and for the refresh
// limiter, so tests can cross boundaries without sleeping.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithLogger receives key fetch events. Tokens are never logged.
func WithLogger(l *zap.Logger) Option { return func(o *options) { o.log = l } }

// Verifier checks partner bearer tokens. Create one per process and share
// it: it owns the process-wide key set and verified-token cache, and is safe
// for concurrent use.
type Verifier struct {
	cfg       Config
	now       func() time.Time
	keys      *keySet
	oidc      *oidc.IDTokenVerifier
	joseAlgs  []jose.SignatureAlgorithm
	cache     *tokenCache // nil when disabled
	stats     counters
	rolesPath string
}

// NewVerifier validates cfg (after WithDefaults) and builds a Verifier. It
// does no network I/O: keys are fetched on first use or by Ready, so the
// proxy starts even while the issuer is down and reports not-ready instead.
func NewVerifier(cfg Config, opts ...Option) (*Verifier, error) {
	cfg, err := cfg.validated()
	if err != nil {
		return nil, err
	}
	o := options{now: time.Now, log: zap.NewNop()}
	for _, opt := range opts {
		opt(&o)
	}
	if o.client == nil {
		o.client = &http.Client{Timeout: cfg.FetchTimeout}
	}

	v := &Verifier{
		cfg:       cfg,
		now:       o.now,
		joseAlgs:  joseAlgs(cfg.Algorithms),
		rolesPath: cfg.RolesClaim,
	}
	v.keys = &keySet{
		issuer:   cfg.Issuer,
		jwksURL:  cfg.JWKSURL,
		algs:     cfg.Algorithms,
		client:   o.client,
		base:     context.Background(),
		now:      o.now,
		interval: cfg.RefreshInterval,
		timeout:  cfg.FetchTimeout,
		log:      o.log,
		stats:    &v.stats,
	}
	// go-oidc checks the signature (through our key set), iss, and aud when
	// one is configured. Without an audience its ClientID check is skipped
	// because checkClaims refuses any token that carries an aud. Expiry is
	// ours too: go-oidc has no leeway for exp and a fixed 5 minutes for nbf.
	v.oidc = oidc.NewVerifier(cfg.Issuer, v.keys, &oidc.Config{
		ClientID:             cfg.Audience,
		SkipClientIDCheck:    cfg.Audience == "",
		SupportedSigningAlgs: cfg.Algorithms,
		SkipExpiryCheck:      true,
	})
	if cfg.CacheSize > 0 {
		v.cache = newTokenCache(cfg.CacheSize)
	}
	return v, nil
}

// VerifyHeader verifies the value of an Authorization header, which must be
// "Bearer <token>" (scheme case-insensitive, RFC 9110 §11.1).
func (v *Verifier) VerifyHeader(ctx context.Context, authorization string) (*Identity, error) {
	if len(authorization) > MaxTokenBytes+len("Bearer ") {
		return nil, newError(ReasonTooLarge, nil)
	}
	h := strings.TrimSpace(authorization)
	if h == "" {
		return nil, newError(ReasonMissingHeader, nil)
	}
	scheme, token, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return nil, newError(ReasonWrongScheme, nil)
	}
	return v.Verify(ctx, strings.TrimLeft(token, " "))
}

// Verify checks a raw JWT and returns the caller's identity. Every error is
// an *Error. ctx bounds only this caller's wait for a key fetch; the fetch
// itself runs on the Verifier's own context so other callers still get it.
func (v *Verifier) Verify(ctx context.Context, rawToken string) (*Identity, error) {
	id, err := v.verify(ctx, rawToken)
	if err != nil {
		return nil, err
	}
	return id, nil
}

func (v *Verifier) verify(ctx context.Context, raw string) (*Identity, *Error) {
	switch {
	case len(raw) > MaxTokenBytes:
		return nil, newError(ReasonTooLarge, nil)
	case raw == "":
		e := withMessage(ReasonMalformed, "bearer token is empty", nil)
		e.emptyToken = true
		return nil, e
	}
	now := v.now()

	var key [32]byte
	if v.cache != nil {
		key = sha256.Sum256([]byte(raw))
		id, res := v.cache.get(key, now, v.keys.generation())
		switch res {
		case cacheHit:
			v.stats.cacheHits.Add(1)
			id.Roles = slices.Clone(id.Roles)
			return &id, nil
		case cacheExpired:
			v.stats.cacheHits.Add(1)
			return nil, newError(ReasonExpired, nil)
		}
		v.stats.cacheMisses.Add(1)
	}

	id, generation, err := v.verifyCold(ctx, raw, now)
	if err != nil {
		return nil, err
	}
	if v.cache != nil {
		v.cache.put(key, *id, id.ExpiresAt.Add(v.cfg.Leeway), now, generation)
		id.Roles = slices.Clone(id.Roles)
	}
	return id, nil
}

// verification carries the parsed token into keySet.VerifySignature and the
// classified signature outcome back out, past go-oidc's string-only errors.
type verification struct {
	jws        *jose.JSONWebSignature
	sigErr     *Error
	generation uint64 // of the key set that verified the signature
}

type verificationKey struct{}

// verifyCold does the full check and returns the identity and the key-set
// generation it was verified under (for the cache).
func (v *Verifier) verifyCold(ctx context.Context, raw string, now time.Time) (*Identity, uint64, *Error) {
	// Compact serialisation only: go-jose would also accept the JSON form,
	// which has no business in an Authorization header.
	jws, err := jose.ParseSignedCompact(raw, v.joseAlgs)
	if err != nil {
		if _, ok := errors.AsType[*jose.ErrUnexpectedSignatureAlgorithm](err); ok {
			return nil, 0, newError(ReasonBadAlgorithm, err)
		}
		return nil, 0, newError(ReasonMalformed, err)
	}

	// The claims are decoded once, before the signature is checked, and are
	// only used to refuse until go-oidc has accepted the signature over these
	// very bytes. Refusing a foreign issuer here spares a key fetch for its
	// unknown kid.
	claims, cerr := decodeClaims(jws.UnsafePayloadWithoutVerification())
	if cerr != nil {
		return nil, 0, cerr
	}
	if iss, ok := claims["iss"].(string); !ok || iss != v.cfg.Issuer {
		return nil, 0, newError(ReasonWrongIssuer, nil)
	}

	// A compact JWS has exactly one signature, hence one protected header.
	typ := jws.Signatures[0].Protected.ExtraHeaders[jose.HeaderType]
	st := &verification{jws: jws}
	if _, err := v.oidc.Verify(context.WithValue(ctx, verificationKey{}, st), raw); err != nil {
		if st.sigErr != nil {
			return nil, 0, st.sigErr
		}
		// The signature is good but go-oidc refused a claim; our own checks
		// name the rule. If they find nothing, still refuse.
		if _, cerr := v.checkClaims(claims, typ, now); cerr != nil {
			return nil, 0, cerr
		}
		return nil, 0, newError(ReasonMalformed, err)
	}
	id, cerr := v.checkClaims(claims, typ, now)
	if cerr != nil {
		return nil, 0, cerr
	}
	return id, st.generation, nil
}

type claimSet map[string]any

func decodeClaims(payload []byte) (claimSet, *Error) {
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var c claimSet
	if err := dec.Decode(&c); err != nil || c == nil {
		return nil, withMessage(ReasonMalformed, "token claims are not a JSON object", err)
	}
	return c, nil
}

// checkClaims applies every claim rule beyond issuer and signature, in the
// order a partner would want to hear about them: the kind of token first,
// since no other rule matters for a token of the wrong kind. typ is the
// JOSE "typ" header as decoded (nil when absent).
func (v *Verifier) checkClaims(c claimSet, typ any, now time.Time) (*Identity, *Error) {
	if want := v.cfg.RequiredTokenType; want != "" {
		if got, ok := typ.(string); !ok || mediaType(got) != mediaType(want) {
			return nil, newError(ReasonWrongTokenType, nil)
		}
	}
	if v.cfg.RefuseIDTokens && isIDToken(c) {
		return nil, newError(ReasonIDToken, nil)
	}
	if err := v.checkAudience(c["aud"]); err != nil {
		return nil, err
	}

	exp, present, ok := numericDate(c, "exp")
	switch {
	case !present:
		return nil, withMessage(ReasonMalformed, "token has no exp claim", nil)
	case !ok:
		return nil, withMessage(ReasonMalformed, "token exp claim is not a number", nil)
	case now.After(exp.Add(v.cfg.Leeway)):
		return nil, newError(ReasonExpired, nil)
	}
	if nbf, present, ok := numericDate(c, "nbf"); present {
		if !ok {
			return nil, withMessage(ReasonMalformed, "token nbf claim is not a number", nil)
		}
		if now.Add(v.cfg.Leeway).Before(nbf) {
			return nil, newError(ReasonNotYetValid, nil)
		}
	}
	if iat, present, ok := numericDate(c, "iat"); present {
		if !ok {
			return nil, withMessage(ReasonMalformed, "token iat claim is not a number", nil)
		}
		if iat.After(now.Add(v.cfg.Leeway)) {
			return nil, withMessage(ReasonNotYetValid, "token was issued in the future", nil)
		}
	}

	sub, ok := c["sub"].(string)
	if !ok && c["sub"] != nil {
		return nil, withMessage(ReasonMalformed, "token sub claim is not a string", nil)
	}
	client, ok := c["azp"].(string)
	if !ok {
		client, _ = c["client_id"].(string)
	}

	roles := stringEntries(lookupPath(c, v.rolesPath))
	if !slices.Contains(roles, v.cfg.AdminRole) {
		return nil, newError(ReasonNotAdmin, nil)
	}
	return &Identity{Subject: sub, Client: client, Roles: roles, Issuer: v.cfg.Issuer, ExpiresAt: exp}, nil
}

// isIDToken reports whether the claims are those of an OpenID Connect ID
// token rather than an access token. It is true when the token carries
// nonce, at_hash or c_hash, which OpenID Connect Core 1.0 defines for ID
// tokens only (§2, §3.1.3.6, §3.3.2.11) and RFC 9068 §2.2 does not list for
// access tokens; or when the issuer labels the token as one in a claim of its
// own: Cognito's token_use "id", Keycloak's typ "ID". Keycloak before 25
// also copied nonce into access tokens (keycloak/keycloak#26893), so there
// the setting refuses access tokens obtained with a nonce too.
func isIDToken(c claimSet) bool {
	for _, name := range []string{"nonce", "at_hash", "c_hash"} {
		if _, ok := c[name]; ok {
			return true
		}
	}
	return c["token_use"] == "id" || c["typ"] == "ID"
}

// checkAudience requires our audience in aud when one is configured, and no
// audience at all otherwise: RFC 7519 §4.1.3 says a recipient that does not
// find itself in aud must reject the token, and a token addressed to another
// service of the same issuer must not open ours.
func (v *Verifier) checkAudience(aud any) *Error {
	var auds []string
	switch a := aud.(type) {
	case nil:
	case string:
		if a != "" {
			auds = []string{a}
		}
	case []any:
		for _, e := range a {
			s, ok := e.(string)
			if !ok {
				return newError(ReasonWrongAudience, errors.New("aud has a non-string entry"))
			}
			auds = append(auds, s)
		}
	default:
		return newError(ReasonWrongAudience, errors.New("aud is neither a string nor an array"))
	}
	if v.cfg.Audience == "" {
		if len(auds) > 0 {
			return newError(ReasonWrongAudience, errors.New("token names an audience but none is configured"))
		}
		return nil
	}
	if !slices.Contains(auds, v.cfg.Audience) {
		return newError(ReasonWrongAudience, nil)
	}
	return nil
}

// numericDate reads an RFC 7519 NumericDate (seconds, possibly fractional).
func numericDate(c claimSet, name string) (t time.Time, present, ok bool) {
	raw, present := c[name]
	if !present {
		return time.Time{}, false, false
	}
	n, isNum := raw.(json.Number)
	if !isNum {
		return time.Time{}, true, false
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || math.Abs(f) > 1<<53 {
		return time.Time{}, true, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true, true
}

// lookupPath follows a dotted claim path. At every level a key equal to the
// whole remaining path wins over splitting it, so claim names that contain
// dots (namespaced URLs) need no escaping.
func lookupPath(c map[string]any, path string) any {
	for {
		if val, ok := c[path]; ok {
			return val
		}
		head, rest, more := strings.Cut(path, ".")
		if !more {
			return nil
		}
		next, ok := c[head].(map[string]any)
		if !ok {
			return nil
		}
		c, path = next, rest
	}
}

// stringEntries returns the roles a claim value holds: the strings of a JSON
// array, or the space-separated words of a string, the form of OAuth's scope
// claim (RFC 6749 §3.3, RFC 9068 §2.2.3) in which Cognito and Hydra name a
// machine client's permissions. Only a single space separates (as in scope),
// so "ADMIN\t" or "ADMIN," is no role "ADMIN". Anything else (a number, an
// object) holds no roles.
func stringEntries(val any) []string {
	if s, ok := val.(string); ok {
		return slices.DeleteFunc(strings.Split(s, " "), func(w string) bool { return w == "" })
	}
	arr, ok := val.([]any)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(arr))
	for _, e := range arr {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// Ready reports whether signing keys are loaded, fetching them if not (the
// fetch honours FetchTimeout and the refresh limiter, so a readiness probe
// cannot hammer the issuer). It is meant for /readyz.
func (v *Verifier) Ready(ctx context.Context) error {
	if err := v.keys.ready(ctx); err != nil {
		return err
	}
	return nil
}

// Stats returns a snapshot of the counters.
func (v *Verifier) Stats() Stats {
	s := Stats{
		KeyFetches:          v.stats.keyFetches.Load(),
		KeyFetchFailures:    v.stats.keyFetchFailures.Load(),
		RefreshesSuppressed: v.stats.refreshesSuppressed.Load(),
		SignatureChecks:     v.stats.signatureChecks.Load(),
		CacheHits:           v.stats.cacheHits.Load(),
		CacheMisses:         v.stats.cacheMisses.Load(),
	}
	if v.cache != nil {
		s.CachedTokens = v.cache.len()
	}
	return s
}
