package upstream_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream"
)

func TestParseVersion(t *testing.T) {
	for in, want := range map[string]upstream.Version{"1.8": upstream.V1_8, "1.8.4": upstream.V1_8, "1.9": upstream.V1_9, "1.10.1": upstream.V1_10, "1.11": {Major: 1, Minor: 11}} {
		got, err := upstream.ParseVersion(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "auto", "1", "1.7", "1.x", "v1.10", "1.10.1.2", "-1.9"} {
		_, err := upstream.ParseVersion(bad)
		assert.Error(t, err, bad)
	}
	assert.False(t, upstream.V1_8.HasExternalIDRoutes())
	assert.True(t, upstream.V1_9.HasExternalIDRoutes())
	assert.True(t, upstream.Version{Major: 1, Minor: 11}.HonoursIdempotencyKey())
	assert.True(t, upstream.V1_10.UnlimitedWithoutLimit())
	assert.False(t, upstream.V1_9.UnlimitedWithoutLimit())
}
