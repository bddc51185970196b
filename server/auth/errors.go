package auth

import "time"

// Reason names the rule a bearer token failed. Values are stable lower_snake
// strings so they can label metrics and appear in logs; the partner-facing
// wording is Error.Message.
type Reason string

// Every reason but ReasonKeysUnavailable is the partner's fault (401
// unauthenticated); ReasonKeysUnavailable is ours (503 unavailable).
const (
	ReasonMissingHeader   Reason = "missing_header"
	ReasonWrongScheme     Reason = "wrong_scheme"
	ReasonMalformed       Reason = "malformed"
	ReasonTooLarge        Reason = "too_large"
	ReasonBadAlgorithm    Reason = "bad_algorithm"
	ReasonBadSignature    Reason = "bad_signature"
	ReasonUnknownKey      Reason = "unknown_key"
	ReasonWrongIssuer     Reason = "wrong_issuer"
	ReasonWrongAudience   Reason = "wrong_audience"
	ReasonExpired         Reason = "expired"
	ReasonNotYetValid     Reason = "not_yet_valid"
	ReasonNotAdmin        Reason = "not_admin"
	ReasonWrongTokenType  Reason = "wrong_token_type"
	ReasonIDToken         Reason = "id_token"
	ReasonKeysUnavailable Reason = "keys_unavailable"
)

// messages holds the default partner-facing message per reason. A few call
// sites use a more precise message (for example "token has no exp claim"),
// but none ever includes the token or a value taken from it: whatever the
// partner sent could be a live credential pasted by mistake, and messages end
// up in partner-side logs.
var messages = map[Reason]string{
	ReasonMissingHeader:   "missing Authorization header",
	ReasonWrongScheme:     "Authorization scheme must be Bearer",
	ReasonMalformed:       "malformed token",
	ReasonTooLarge:        "token too large",
	ReasonBadAlgorithm:    "signing algorithm not allowed",
	ReasonBadSignature:    "token signature is invalid",
	ReasonUnknownKey:      "token signed by an unknown key",
	ReasonWrongIssuer:     "token issuer is not trusted",
	ReasonWrongAudience:   "token audience is not accepted",
	ReasonExpired:         "token has expired",
	ReasonNotYetValid:     "token is not valid yet",
	ReasonNotAdmin:        "token lacks the admin role",
	ReasonWrongTokenType:  "token type is not accepted",
	ReasonIDToken:         "ID tokens are not accepted; send an access token",
	ReasonKeysUnavailable: "signing keys unavailable",
}

// Error is the only error type returned by Verify, VerifyHeader and Ready.
//
// Message is safe to show to partners. Err, when set, is the underlying cause
// for operator logs; it never contains the token, but it may name claim or
// key values, so do not send Error() to partners.
type Error struct {
	Reason  Reason
	Message string
	Err     error
	// RetryAfter is, for ReasonKeysUnavailable, how long until the key set
	// may be fetched again (0 when it may be now).
	RetryAfter time.Duration
	// emptyToken marks "Bearer" with nothing after it.
	emptyToken bool
}

func newError(r Reason, cause error) *Error {
	return &Error{Reason: r, Message: messages[r], Err: cause}
}

// withMessage builds an Error whose message is more specific than the
// reason's default.
func withMessage(r Reason, msg string, cause error) *Error {
	return &Error{Reason: r, Message: msg, Err: cause}
}

func (e *Error) Error() string {
	if e.Err != nil {
		return "auth: " + e.Message + ": " + e.Err.Error()
	}
	return "auth: " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// BearerError is the RFC 6750 §3.1 error code for the WWW-Authenticate
// challenge of a refused token: "" when the request carried no bearer
// credentials at all (no header, another scheme), for which §3 asks for no
// error code; invalid_request when the header held no token or one too
// large to read; invalid_token for a token that was read and refused.
func (e *Error) BearerError() string {
	switch {
	case e.Reason == ReasonMissingHeader || e.Reason == ReasonWrongScheme:
		return ""
	case e.Reason == ReasonTooLarge || e.emptyToken:
		return "invalid_request"
	}
	return "invalid_token"
}

// Unavailable reports whether the failure is on our side: the signing keys
// could not be obtained, so the token could be neither accepted nor refuted.
// The server answers 503 so that partners retry, and never lets the request
// through (fail closed, as Envoy's ext_authz does by default).
func (e *Error) Unavailable() bool { return e.Reason == ReasonKeysUnavailable }
