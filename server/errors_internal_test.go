package server

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"lmsproxy/server/auth"
)

// The challenge always parses, whatever a message might one day hold:
// RFC 6750 §3 allows no quote, backslash or non-ASCII in error_description.
func TestBearerChallenge(t *testing.T) {
	tests := []struct {
		name string
		err  *auth.Error
		want string
	}{
		{"no credentials", &auth.Error{Reason: auth.ReasonMissingHeader, Message: "missing Authorization header"}, `Bearer realm="lmsproxy"`},
		{"another scheme", &auth.Error{Reason: auth.ReasonWrongScheme, Message: "Authorization scheme must be Bearer"}, `Bearer realm="lmsproxy"`},
		{"too large", &auth.Error{Reason: auth.ReasonTooLarge, Message: "token too large"}, `Bearer realm="lmsproxy", error="invalid_request", error_description="token too large"`},
		{"refused token", &auth.Error{Reason: auth.ReasonExpired, Message: "token has expired"}, `Bearer realm="lmsproxy", error="invalid_token", error_description="token has expired"`},
		{"unsafe bytes", &auth.Error{Reason: auth.ReasonMalformed, Message: "a \"b\" \\ é\n"}, `Bearer realm="lmsproxy", error="invalid_token", error_description="a ?b? ? ???"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, bearerChallenge(tt.err))
		})
	}
}
