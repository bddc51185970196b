package upstream

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestLookupExternalID pins the one decision of how an external id is
// looked up, per line: the route where the upstream lets it through, else
// the LIKE-escaped list filter, with a wildcarded fallback for values 1.10's
// SQL validator could refuse.
func TestLookupExternalID(t *testing.T) {
	route := externalIDLookup{route: true}
	filter := func(values ...string) externalIDLookup { return externalIDLookup{filters: values} }
	emoji := strings.Repeat("😀", 50)
	tests := []struct {
		ext            string
		v18, v19, v110 externalIDLookup
	}{
		{"ext-ada-001", filter("ext-ada-001"), route, route},
		{"x -1", filter("x -1", "x_-1"), route, route},
		{"abc(123)", filter("abc(123)", "abc_123_"), route, route},
		{"--", filter("--"), route, route},
		{"AB", filter("AB"), route, route},
		{emoji, filter(emoji), route, route},
		{"accounts", filter("accounts"), route, route},
		{"a..b", filter("a..b"), route, route},
		// LIKE metacharacters are escaped, so the value matches itself.
		{"a_b", filter(`a\_b`), route, route},
		{"ext-%", filter(`ext-\%`), filter(`ext-\%`), filter(`ext-\%`)},
		{`a\b`, filter(`a\\b`), filter(`a\\b`), filter(`a\\b`)},
		{`a\`, filter(`a\\`), filter(`a\\`), filter(`a\\`)},
		// The firewall refuses these in a path.
		{"a/b", filter("a/b"), filter("a/b"), filter("a/b")},
		{"a;b", filter("a;b", "a_b"), filter("a;b", "a_b"), filter("a;b", "a_b")},
		{"a\u2028b", filter("a\u2028b"), filter("a\u2028b"), filter("a\u2028b")},
		{"a\u2029b", filter("a\u2029b"), filter("a\u2029b"), filter("a\u2029b")},
		{".", filter("."), filter("."), filter(".")},
		{"..", filter(".."), filter(".."), filter("..")},
		// Another resource's template captures these.
		{"identifiers", filter("identifiers"), filter("identifiers"), filter("identifiers")},
		{"charges", filter("charges"), filter("charges"), filter("charges")},
		{"transactions", filter("transactions"), filter("transactions"), filter("transactions")},
		// For 1.10's validator, a fallback with none of " \t\n\v\f\r=();".
		{"x -1/2", filter("x -1/2", "x_-1/2"), filter("x -1/2", "x_-1/2"), filter("x -1/2", "x_-1/2")},
		{"50% or 1=1", filter(`50\% or 1=1`, `50\%_or_1_1`), filter(`50\% or 1=1`, `50\%_or_1_1`), filter(`50\% or 1=1`, `50\%_or_1_1`)},
		{`f(1)\`, filter(`f(1)\\`, `f_1_\\`), filter(`f(1)\\`, `f_1_\\`), filter(`f(1)\\`, `f_1_\\`)},
		{"x #1", filter("x #1", "x_#1"), route, route},
	}
	for _, tt := range tests {
		t.Run(tt.ext, func(t *testing.T) {
			assert.Equal(t, tt.v18, clients.lookup(V1_8, tt.ext), "1.8")
			assert.Equal(t, tt.v19, clients.lookup(V1_9, tt.ext), "1.9")
			assert.Equal(t, tt.v110, clients.lookup(V1_10, tt.ext), "1.10")
		})
	}
	for name := range clients.shadows {
		assert.Equal(t, filter(likeEscaper.Replace(name)), clients.lookup(V1_10, name), name)
	}
}
