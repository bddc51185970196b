package auth

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Config says which tokens the proxy trusts. The zero values of the tuning
// fields are replaced by WithDefaults; Validate reports every problem at once
// so that an operator fixes the whole environment in one go.
type Config struct {
	// Issuer is LMSPROXY_OIDC_ISSUER. It is always the exact "iss" a token
	// must carry. Without JWKSURL it must be an http(s) URL, and the signing
	// keys are found by OIDC discovery at Issuer/.well-known/openid-configuration.
	Issuer string
	// JWKSURL is LMSPROXY_JWKS_URL: the signing-key set, fetched directly
	// without discovery. Issuer then need not be a URL (the real auth host
	// issues iss "service-project").
	JWKSURL string
	// Audience is LMSPROXY_AUDIENCE. When set, "aud" must contain it. When
	// empty, tokens must carry no "aud" at all: RFC 7519 §4.1.3 says a token
	// whose audience does not name us must be rejected, and the real auth host
	// issues none. This is our own check, not go-oidc's SkipClientIDCheck left
	// to chance (see oxia-db/oxia#1024 for what a silent skip costs).
	Audience string
	// RolesClaim is LMSPROXY_ROLES_CLAIM: the claim holding the role list,
	// either a top-level name ("roles") or a dotted path into nested objects
	// ("realm_access.roles"). At each level a key equal to the whole remaining
	// path wins, so namespaced claims such as "https://example.com/roles" work.
	RolesClaim string
	// AdminRole is LMSPROXY_ADMIN_ROLE: the role every partner call requires.
	AdminRole string
	// RequiredTokenType is LMSPROXY_REQUIRED_TOKEN_TYPE: when set, the JOSE
	// "typ" header must name this media type, e.g. "at+jwt" for RFC 9068
	// access tokens, so that another JWT of the same issuer (an ID token, a
	// logout token) cannot stand in for an access token. Media types are
	// compared case-insensitively and with the "application/" prefix
	// optional on either side, as RFC 7515 §4.1.9 and RFC 9068 §4 allow.
	RequiredTokenType string
	// RefuseIDTokens is LMSPROXY_REFUSE_ID_TOKENS: refuse every token that
	// isIDToken recognises as an OpenID Connect ID token. It is for issuers
	// that mark neither kind with "typ" (Keycloak, Cognito), where an ID
	// token handed to a browser would otherwise open the API too.
	RefuseIDTokens bool
	// Algorithms lists the accepted "alg" values: RS256 by default, ES256 on
	// request. Symmetric algorithms and "none" are refused at validation time,
	// because with a public JWKS an HS256 token could be forged with the
	// public key as the secret.
	Algorithms []string
	// Leeway absorbs clock skew between the issuer and us; it applies to exp,
	// nbf and iat alike. go-oidc has no setting for this (it gives nbf a fixed
	// five minutes and exp none), so the checks are ours. Zero means
	// DefaultLeeway.
	Leeway time.Duration
	// RefreshInterval paces key-set fetches: after a burst of a few, one per
	// interval, so that tokens with made-up "kid"s cannot turn into a flood
	// of requests to the issuer (go-oidc's RemoteKeySet refetches on every
	// unknown kid).
	RefreshInterval time.Duration
	// FetchTimeout bounds each discovery or key-set request.
	FetchTimeout time.Duration
	// CacheSize is the number of verified tokens remembered so that a reused
	// token costs a hash and a map lookup instead of an RSA verification.
	// Zero means DefaultCacheSize; negative disables the cache.
	CacheSize int
}

// Defaults, chosen for a partner API whose tokens live a year and whose
// issuer rotates keys rarely.
const (
	DefaultRolesClaim      = "roles"
	DefaultAdminRole       = "ADMIN"
	DefaultLeeway          = 30 * time.Second
	DefaultRefreshInterval = time.Minute
	DefaultFetchTimeout    = 5 * time.Second
	DefaultCacheSize       = 10000
)

// MaxLeeway caps Leeway: skew beyond a few minutes is a broken clock, and a
// large leeway silently extends every token's life.
const MaxLeeway = 5 * time.Minute

// allowedAlgorithms are the asymmetric algorithms the contract admits.
var allowedAlgorithms = []string{"RS256", "ES256"}

// WithDefaults returns c with every unset tuning field filled in. Issuer,
// JWKSURL and Audience have no defaults.
func (c Config) WithDefaults() Config {
	if c.RolesClaim == "" {
		c.RolesClaim = DefaultRolesClaim
	}
	if c.AdminRole == "" {
		c.AdminRole = DefaultAdminRole
	}
	if len(c.Algorithms) == 0 {
		c.Algorithms = []string{"RS256"}
	}
	if c.Leeway == 0 {
		c.Leeway = DefaultLeeway
	}
	if c.RefreshInterval == 0 {
		c.RefreshInterval = DefaultRefreshInterval
	}
	if c.FetchTimeout == 0 {
		c.FetchTimeout = DefaultFetchTimeout
	}
	if c.CacheSize == 0 {
		c.CacheSize = DefaultCacheSize
	}
	return c
}

// Validate returns every problem with c, in field order; nil means usable.
// Call it on the result of WithDefaults: an unset tuning field is reported
// as a problem, not silently defaulted.
func (c Config) Validate() []error {
	var errs []error
	add := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("auth: "+format, args...))
	}

	switch {
	case c.Issuer == "":
		add("LMSPROXY_OIDC_ISSUER is required")
	case c.JWKSURL == "" && !isHTTPURL(c.Issuer):
		add("LMSPROXY_OIDC_ISSUER must be an http(s) URL for discovery unless LMSPROXY_JWKS_URL is set")
	}
	if c.JWKSURL != "" && !isHTTPURL(c.JWKSURL) {
		add("LMSPROXY_JWKS_URL must be an absolute http(s) URL")
	}
	if c.RolesClaim == "" || slices.Contains(strings.Split(c.RolesClaim, "."), "") {
		add("LMSPROXY_ROLES_CLAIM must be a claim name or a dotted path without empty segments")
	}
	if c.AdminRole == "" {
		add("LMSPROXY_ADMIN_ROLE is required")
	}
	if c.RequiredTokenType != "" && !validMediaType(c.RequiredTokenType) {
		add("LMSPROXY_REQUIRED_TOKEN_TYPE must be a media type such as at+jwt or application/at+jwt")
	}
	if len(c.Algorithms) == 0 {
		add("Algorithms must list at least one of %s", strings.Join(allowedAlgorithms, ", "))
	}
	for _, alg := range c.Algorithms {
		if !slices.Contains(allowedAlgorithms, alg) {
			add("algorithm %q is not allowed; use %s", alg, strings.Join(allowedAlgorithms, " or "))
		}
	}
	if c.Leeway < 0 || c.Leeway > MaxLeeway {
		add("Leeway must be between 0 and %s", MaxLeeway)
	}
	if c.RefreshInterval <= 0 {
		add("RefreshInterval must be positive")
	}
	if c.FetchTimeout <= 0 {
		add("FetchTimeout must be positive")
	}
	return errs
}

// validated applies defaults and joins Validate's findings into one error.
func (c Config) validated() (Config, error) {
	c = c.WithDefaults()
	return c, errors.Join(c.Validate()...)
}

// mediaType is the canonical form of a JOSE "typ" value: lower case, without
// the "application/" prefix that RFC 7515 §4.1.9 lets senders omit.
func mediaType(s string) string {
	s = strings.ToLower(s)
	return strings.TrimPrefix(s, "application/")
}

// validMediaType accepts a type/subtype or a bare subtype made of RFC 6838
// restricted-name characters, so a typo such as "at jwt" is a configuration
// error rather than a setting no token can ever meet.
func validMediaType(s string) bool {
	t := mediaType(s)
	if t == "" || strings.Count(t, "/") > 1 {
		return false
	}
	for _, part := range strings.Split(t, "/") {
		if part == "" || strings.Trim(part, "abcdefghijklmnopqrstuvwxyz0123456789!#$&-^_.+") != "" {
			return false
		}
	}
	return true
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
