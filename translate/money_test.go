package translate

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Upstream amounts arrive as DECIMAL(19,6) text and leave as the same
// number with trailing zeros trimmed, never through a float.
func TestAmountFromUpstream(t *testing.T) {
	tests := []struct{ literal, want, wantErr string }{
		{"10000.000000", "10000", ""},
		{"833.330000", "833.33", ""},
		{"0", "0", ""},
		{"0.000000", "0", ""},
		{"0.1", "0.1", ""},
		{"1E+3", "1000", ""},
		{"123456789012.123456789", "123456789012.123456789", ""},
		{"-5", "", `upstream amount "-5": must be 0 or greater`},
		{`"5"`, "", `upstream amount "\"5\"": must be a number`},
		{"", "", `upstream amount "": must be a number`},
	}
	for _, tt := range tests {
		got, err := AmountFromUpstream(tt.literal)
		if tt.wantErr != "" {
			assert.EqualError(t, err, tt.wantErr, tt.literal)
			continue
		}
		require.NoError(t, err, tt.literal)
		assert.Equal(t, tt.want, got.String(), tt.literal)
		b, err := json.Marshal(got)
		require.NoError(t, err)
		assert.Equal(t, tt.want, string(b), "marshals as a JSON number")
	}
	b, err := json.Marshal(struct{ A Amount }{})
	require.NoError(t, err)
	assert.Equal(t, `{"A":0}`, string(b), "the zero Amount is 0")
}

func TestAmountCmp(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1000", "1000", 0}, {"1000", "1000.0", 0}, {"999.99", "1000", -1}, {"1000.01", "1000", 1},
		{"100000", "50000", 1}, {"0.5", "0.45", 1}, {"0", "0.01", -1}, {"0", "0", 0}, {"9", "10", -1},
	}
	for _, tt := range tests {
		a, b := amountOf(t, tt.a), amountOf(t, tt.b)
		assert.Equal(t, tt.want, a.Cmp(b), "%s vs %s", tt.a, tt.b)
		assert.Equal(t, -tt.want, b.Cmp(a), "%s vs %s", tt.b, tt.a)
	}
}

func amountOf(t *testing.T, s string) Amount {
	t.Helper()
	a, err := AmountFromUpstream(s)
	require.NoError(t, err)
	return a
}

func TestRateValue(t *testing.T) {
	tests := []struct{ literal, want, wantErr string }{
		{"1.5", "1.5", ""},
		{"0", "0", ""},
		{"-0", "0", ""},
		{"18.000000", "18", ""},
		{"1.0000001", "", "must have at most 6 decimal places"},
		{"-1", "", "must be 0 or greater"},
		{`"1.5"`, "", "must be a number"},
	}
	for _, tt := range tests {
		got, problem := rateValue(json.RawMessage(tt.literal))
		assert.Equal(t, tt.wantErr, problem, tt.literal)
		if tt.wantErr == "" {
			assert.Equal(t, tt.want, got.String(), tt.literal)
		}
	}
}
