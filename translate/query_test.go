package translate_test

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/translate"
)

// TestParseQuery: every pair url.ParseQuery would drop, and every repeated,
// empty or value-less parameter, is a problem naming the parameter, or
// "query" when its name cannot be read; decoding is form encoding.
func TestParseQuery(t *testing.T) {
	known := []string{"a", "b"}
	tests := []struct {
		name, raw string
		want      map[string]string
		wantErr   []translate.FieldError
	}{
		{"empty", "", nil, nil},
		{"plain", "a=1&b=x", map[string]string{"a": "1", "b": "x"}, nil},
		{"form encoding: + is a space, %2B a plus", "a=x+y%2Bz%20w", map[string]string{"a": "x y+z w"}, nil},
		{"escaped name", "%61=1", map[string]string{"a": "1"}, nil},
		{"escaped semicolon", "a=x%3By", map[string]string{"a": "x;y"}, nil},
		{"empty pairs carry nothing", "&a=1&&b=2&", map[string]string{"a": "1", "b": "2"}, nil},
		{"non-ASCII", "a=%C3%BC", map[string]string{"a": "ü"}, nil},
		{"bad escape at the end", "a=ada%", map[string]string{}, []translate.FieldError{{Field: "a", Error: "malformed percent-encoding"}}},
		{"bad escape inside", "a=%zz&b=1", map[string]string{"b": "1"}, []translate.FieldError{{Field: "a", Error: "malformed percent-encoding"}}},
		{"semicolon in a value", "a=ada;b=1", map[string]string{}, []translate.FieldError{{Field: "a", Error: "must not contain ';' (send it as %3B)"}}},
		{"not UTF-8", "a=%FF", map[string]string{}, []translate.FieldError{{Field: "a", Error: "must be UTF-8 once decoded"}}},
		{"repeated", "a=1&b=2&a=1", map[string]string{"b": "2"}, []translate.FieldError{{Field: "a", Error: "given more than once"}}},
		{"repeated and bare", "a&a=1", map[string]string{}, []translate.FieldError{{Field: "a", Error: "given more than once"}}},
		{"empty value", "a=", map[string]string{}, []translate.FieldError{{Field: "a", Error: "must not be empty"}}},
		{"no =", "a", map[string]string{}, []translate.FieldError{{Field: "a", Error: "must have a value"}}},
		{"unknown, whatever its value", "c=%zz&c&d", map[string]string{}, []translate.FieldError{{Field: "c", Error: "unknown parameter"}, {Field: "d", Error: "unknown parameter"}}},
		{"name with a bad escape", "%zz=1&a=1", map[string]string{"a": "1"}, []translate.FieldError{{Field: "query", Error: "malformed percent-encoding"}}},
		{"name with a semicolon", "a;b=1", map[string]string{}, []translate.FieldError{{Field: "query", Error: "must not contain ';' (send it as %3B)"}}},
		{"name not UTF-8, reported once", "%FF=1&%FE=2", map[string]string{}, []translate.FieldError{{Field: "query", Error: "must be UTF-8 once decoded"}}},
		{"value without a name", "=1", map[string]string{}, []translate.FieldError{{Field: "query", Error: "has a value without a parameter name"}}},
		{"problems in query order", "b=&z=1&a=%", map[string]string{}, []translate.FieldError{{Field: "b", Error: "must not be empty"}, {Field: "z", Error: "unknown parameter"}, {Field: "a", Error: "malformed percent-encoding"}}},
		{"100 parameters", "a=1" + strings.Repeat("&", 99), map[string]string{"a": "1"}, nil},
		{"more than 100 parameters", "a=1" + strings.Repeat("&", 100), nil, []translate.FieldError{{Field: "query", Error: "must have at most 100 parameters"}}},
		{"past Go's url.ParseQuery limit", "a=1" + strings.Repeat("&b=1", 10_000), nil, []translate.FieldError{{Field: "query", Error: "must have at most 100 parameters"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problems := translate.ParseQuery(tt.raw, known...)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.wantErr, problems)
		})
	}
}

// TestNoQuery: a route that takes no parameter refuses any, parseable or not.
func TestNoQuery(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"", ""},
		{"&", ""},
		{"fields=id", `[{"field":"fields","error":"unknown parameter"}]`},
		{"x=%zz", `[{"field":"x","error":"unknown parameter"}]`},
		{"%zz", `[{"field":"query","error":"malformed percent-encoding"}]`},
		{"a;b", `[{"field":"query","error":"must not contain ';' (send it as %3B)"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			err := translate.NoQuery(tt.raw)
			if tt.want == "" {
				assert.Nil(t, err)
				return
			}
			if assert.NotNil(t, err) {
				assert.Equal(t, translate.InvalidArgument, err.Code)
				assert.Equal(t, tt.want, err.Message)
			}
		})
	}
}

// FuzzParseQuery: a query ParseQuery accepts whole is one url.ParseQuery
// reads the same way without error, so nothing accepted was altered or
// dropped, and every value is UTF-8.
func FuzzParseQuery(f *testing.F) {
	for _, seed := range []string{"a=1&b=x+y", "a=%zz", "a;b=1", "a", "=1", "a=1&a=2", "%61=%C3%BC", "&&b=%2B"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, problems := translate.ParseQuery(raw, "a", "b")
		if len(problems) > 0 {
			return
		}
		want, err := url.ParseQuery(raw)
		require.NoError(t, err)
		require.Len(t, want, len(got))
		for k, v := range got {
			assert.Equal(t, []string{v}, want[k])
			assert.True(t, utf8.ValidString(v))
		}
	})
}
