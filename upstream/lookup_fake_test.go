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

// lookupClient is a client of line v against a fresh simulator of line sim.
func lookupClient(t *testing.T, v, sim upstream.Version) (*upstream.Client, *fake.Server) {
	t.Helper()
	s := fake.New(fake.Options{Version: sim})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	c, err := upstream.New(upstream.Config{
		BaseURL: srv.URL + "/fineract-provider/api", Tenant: "default", Username: "mifos", Password: "password",
		Version: v, Retry: upstream.RetryPolicy{MaxAttempts: 1},
	})
	require.NoError(t, err)
	return c, s
}

// TestGetClientPastTheSQLValidator: a value 1.10's validator refuses is
// retried with its wildcarded form, also when the client was told 1.9 (as
// Detect reports a 1.10 upstream), and the right candidate is picked.
func TestGetClientPastTheSQLValidator(t *testing.T) {
	for _, v := range []upstream.Version{upstream.V1_9, upstream.V1_10} {
		t.Run(v.String(), func(t *testing.T) {
			c, s := lookupClient(t, v, upstream.V1_10)
			s.AddClient(fake.Seed{ExternalID: "a-drop", Firstname: "D", Lastname: "Ecoy"})
			want := s.AddClient(fake.Seed{ExternalID: "a;drop", Firstname: "A", Lastname: "Drop"})
			before := len(s.Requests())

			got, err := c.GetClient(context.Background(), upstream.ByExternalID("a;drop"))
			require.NoError(t, err)
			assert.Equal(t, want, got.ID)

			reqs := s.Requests()[before:]
			require.Len(t, reqs, 2, "the exact value, refused, then the wildcarded one")
			assert.Equal(t, "a;drop", reqs[0].Query().Get("externalId"))
			assert.Equal(t, "a_drop", reqs[1].Query().Get("externalId"))
		})
	}
}

// TestGetClientBoundedScan: when more clients match a wildcarded filter
// than the lookup reads, it fails rather than answer "not found".
func TestGetClientBoundedScan(t *testing.T) {
	c, s := lookupClient(t, upstream.V1_10, upstream.V1_10)
	const chars = "0123456789abcdefghijklmnopqrstuvwxyz-.,:!@$*+~" // 46, so 46² > 2000
	for _, c1 := range chars {
		for _, c2 := range chars {
			s.AddClient(fake.Seed{ExternalID: "a" + string(c1) + "call" + string(c2) + "b", Firstname: "D", Lastname: "Ecoy"})
		}
	}
	s.AddClient(fake.Seed{ExternalID: "a;call b", Firstname: "A", Lastname: "Call"})

	_, err := c.GetClient(context.Background(), upstream.ByExternalID("a;call b"))
	e, ok := wire.AsError(err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, wire.ShapeOther, e.Shape)
	assert.Contains(t, e.Error(), "more than 2000 clients match")
}
