package upstream_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream"
	"lmsproxy/upstream/fake"
	"lmsproxy/upstream/wire"
)

// TestClientExternalIDs: one list request on 1.8 whatever the number of
// ids; none where loans carry the externalId, or where no id can name a
// client.
func TestClientExternalIDs(t *testing.T) {
	tests := []struct {
		name     string
		line     upstream.Version
		ids      []int64
		want     map[int64]string
		wantSent string // the sqlSearch of the one request; "" for none
		limit    string // its limit: the number of distinct ids
	}{
		{name: "1.8 deduplicated and sorted", line: upstream.V1_8, ids: []int64{4, 2, 6, 2, 99, 0, -1},
			want:     map[int64]string{2: fake.SeedNamedExternalID, 4: fake.SeedOpenLoanExternalID},
			wantSent: "c.id in (2,4,6,99)", limit: "4"},
		{name: "1.8 one id", line: upstream.V1_8, ids: []int64{1},
			want: map[int64]string{1: fake.SeedActiveExternalID}, wantSent: "c.id in (1)", limit: "1"},
		{name: "1.8 no id", line: upstream.V1_8},
		{name: "1.8 no id that can name a client", line: upstream.V1_8, ids: []int64{0, -1}},
		{name: "1.9", line: upstream.V1_9, ids: []int64{1, 2}},
		{name: "1.10", line: upstream.V1_10, ids: []int64{1, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, s := lookupClient(t, tc.line, tc.line)
			// Client 6 has no externalId: absent from the map.
			require.Equal(t, int64(6), s.AddClient(fake.ClientSeed{Firstname: "No", Lastname: "Ext"}))
			before := len(s.Requests())

			got, err := c.ClientExternalIDs(context.Background(), tc.ids)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)

			reqs := s.Requests()[before:]
			if tc.wantSent == "" {
				assert.Empty(t, reqs)
				return
			}
			require.Len(t, reqs, 1)
			q := reqs[0].Query()
			assert.Equal(t, tc.wantSent, q.Get("sqlSearch"))
			assert.Equal(t, tc.limit, q.Get("limit"))
			assert.Contains(t, reqs[0].RawQuery, "sqlSearch=c.id+in+%28", "percent-encoded")
		})
	}
}

// TestClientExternalIDsFilterIgnored: a client told 1.8 that reaches a line
// ignoring sqlSearch gets clients it did not ask for, and fails rather than
// report the asked ones as having no externalId.
func TestClientExternalIDsFilterIgnored(t *testing.T) {
	c, _ := lookupClient(t, upstream.V1_8, upstream.V1_9)
	_, err := c.ClientExternalIDs(context.Background(), []int64{2, 4})
	e, ok := wire.AsError(err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, wire.ShapeUnexpected, e.Shape)
	assert.Contains(t, e.Error(), "was not asked for")
}
