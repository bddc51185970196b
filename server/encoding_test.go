package server_test

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream/fake"
)

// Partner bytes are never altered: text that encoding/json or percent-
// decoding would turn into U+FFFD is refused before any upstream call, so
// two Latin-1 ids sent as if they were UTF-8 can never become one customer.
func TestInvalidTextIsRefused(t *testing.T) {
	active := strconv.FormatInt(fake.SeedActiveID, 10)
	tests := []struct {
		name, method, path, body, want string
	}{
		{"create, Latin-1 é", "POST", "/v1/customers", "{\"externalId\":\"caf\xe9\"}", `[{"field":"externalId","error":"must be valid UTF-8"}]`},
		{"create, Latin-1 è", "POST", "/v1/customers", "{\"externalId\":\"caf\xe8\"}", `[{"field":"externalId","error":"must be valid UTF-8"}]`},
		{"create, lone surrogate escape", "POST", "/v1/customers", `{"externalId":"caf\ud800"}`, `[{"field":"externalId","error":"must be valid UTF-8"}]`},
		{"rename, lone low surrogate", "PUT", "/v1/customers/" + active, `{"externalId":"\udc00"}`, `[{"field":"externalId","error":"must be valid UTF-8"}]`},
		{"close, invalid bytes in a key", "POST", "/v1/customers/" + active + "/close", "{\"closureDate\":\"2026-11-21\",\"closureReasonId\":17,\"n\xffte\":1}", `[{"field":"body","error":"must be valid UTF-8"}]`},
		{"path externalId %FF", "GET", "/v1/customers/external/caf%E9", "", `[{"field":"customer_external_id","error":"must be valid UTF-8"}]`},
		{"path externalId with an escaped slash and %FF", "DELETE", "/v1/customers/external/a%2F%FF", "", `[{"field":"customer_external_id","error":"must be valid UTF-8"}]`},
	}
	forEachLine(t, func(t *testing.T, s *stack) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s.assertRefusedBeforeUpstream(t, tt.want, func() response { return s.do(tt.method, tt.path, tt.body) })
			})
		}
		// Valid escapes still arrive byte for byte: a surrogate pair is one
		// astral character.
		r := s.do("POST", "/v1/customers", `{"externalId":"caf\u00e9-\ud83d\ude00"}`)
		require.Equal(t, 200, r.status, r.body)
		assert.Contains(t, r.body, `"externalId":"café-😀"`)
	})
}
