// Package auth verifies partner bearer tokens and provides a local token
// issuer for development and tests.
//
// Verification follows the partner contract (spec §2): a JWT signed with an
// asymmetric algorithm by the trusted issuer, checked with go-oidc against
// keys found by OIDC discovery or at an explicit JWKS URL, with exp required,
// nbf/iat/exp honoured with a small leeway, the audience checked, and the
// admin role required. Every failure is an *Error whose Reason says which
// rule failed; only a failure to obtain the signing keys is Unavailable, so
// the server can answer 503 rather than 401 and never let a request through.
//
// The package knows nothing of HTTP frameworks: the server's middleware
// calls Verifier.VerifyHeader and maps the *Error to a response.
package auth
