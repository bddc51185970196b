package upstream_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream"
	"lmsproxy/upstream/fake"
	"lmsproxy/upstream/wire"
)

func detectClient(t *testing.T, baseURL, password string) *upstream.Client {
	t.Helper()
	c, err := upstream.New(upstream.Config{
		BaseURL: baseURL + "/fineract-provider/api", Tenant: "default", Username: "mifos", Password: password,
		Retry: upstream.RetryPolicy{MaxAttempts: 1},
	})
	require.NoError(t, err)
	return c
}

// TestDetect probes the simulator of each line: 1.8 lacks the external-id
// route; 1.9 and 1.10 have it and are both reported as 1.9, "1.9 or newer",
// because nothing the client does differs after 1.9.
func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		line, want upstream.Version
	}{
		{upstream.V1_8, upstream.V1_8},
		{upstream.V1_9, upstream.V1_9},
		{upstream.V1_10, upstream.V1_9},
	} {
		t.Run(tc.line.String(), func(t *testing.T) {
			srv := httptest.NewServer(fake.New(fake.Options{Version: tc.line}))
			t.Cleanup(srv.Close)
			c := detectClient(t, srv.URL, "password")
			got, err := c.Detect(context.Background())
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.want, c.Version(), "Detect stores the line")
		})
	}
}

func TestDetectFailures(t *testing.T) {
	t.Run("unreachable", func(t *testing.T) {
		srv := httptest.NewServer(fake.New(fake.Options{}))
		url := srv.URL
		srv.Close()
		_, err := detectClient(t, url, "password").Detect(context.Background())
		require.Error(t, err)
		assert.Contains(t, err.Error(), "detecting upstream version")
	})
	t.Run("refused credentials", func(t *testing.T) {
		srv := httptest.NewServer(fake.New(fake.Options{}))
		t.Cleanup(srv.Close)
		c := detectClient(t, srv.URL, "wrong")
		_, err := c.Detect(context.Background())
		require.Error(t, err)
		e, ok := wire.AsError(err)
		require.True(t, ok)
		assert.Equal(t, 401, e.Status)
		assert.True(t, c.Version().IsZero(), "a failed probe leaves the version unset")
	})
}
