package server

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"lmsproxy/translate"
)

// The contract's table of codes and statuses (spec §3); a code outside it
// is a bug of the proxy's own, and answers 500.
func TestHTTPStatus(t *testing.T) {
	tests := []struct {
		code translate.Code
		want int
	}{
		{translate.InvalidArgument, 400},
		{translate.Unauthenticated, 401},
		{translate.PermissionDenied, 403},
		{translate.NotFound, 404},
		{translate.Aborted, 409},
		{translate.Internal, 500},
		{translate.Unavailable, 503},
		{"not_a_code", 500},
	}
	for _, tt := range tests {
		t.Run(string(tt.code), func(t *testing.T) {
			assert.Equal(t, tt.want, httpStatus(tt.code))
		})
	}
}
