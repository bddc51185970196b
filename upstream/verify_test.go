package upstream

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream/wire"
)

// answering is a client of a server that answers every request with status
// and body, counting the requests.
func answering(t *testing.T, line Version, status int, header http.Header, body string) (*Client, *atomic.Int32) {
	t.Helper()
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		requests.Add(1)
		for k, vs := range header {
			w.Header()[k] = vs
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{
		BaseURL: srv.URL, Tenant: "default", Username: "u", Password: "p", Version: line,
		Retry: RetryPolicy{MaxAttempts: 3, WaitMin: 1, WaitMax: 2},
	})
	require.NoError(t, err)
	return c, &requests
}

// calls are the client operations the checks apply to, by name.
var calls = map[string]func(context.Context, *Client) error{
	"get 7": func(ctx context.Context, c *Client) error { _, err := c.GetClient(ctx, ByID(7)); return err },
	"get ext-7": func(ctx context.Context, c *Client) error {
		_, err := c.GetClient(ctx, ByExternalID("ext-7"))
		return err
	},
	"list": func(ctx context.Context, c *Client) error {
		_, err := c.ListClients(ctx, wire.ListQuery{Limit: 10})
		return err
	},
	"create": func(ctx context.Context, c *Client) error {
		_, err := c.CreateClient(ctx, wire.ClientCreate{})
		return err
	},
	"update 7": func(ctx context.Context, c *Client) error {
		_, err := c.UpdateClient(ctx, ByID(7), wire.ClientUpdate{})
		return err
	},
}

// TestAnswersAreChecked: success bodies that decode but are not the answer
// asked for are ShapeUnexpected errors; on a write they may have been
// applied. Well-formed answers pass.
func TestAnswersAreChecked(t *testing.T) {
	const (
		client7    = `{"id":7,"externalId":"ext-7"}`
		page       = `{"totalFilteredRecords":1,"pageItems":[{"id":7,"externalId":"ext-7"}]}`
		emptyPage  = `{"totalFilteredRecords":0,"pageItems":[]}`
		result7    = `{"officeId":1,"clientId":7,"resourceId":7}`
		awaiting   = `{"commandId":3,"resourceId":7,"rollbackTransaction":true}`
		pageNoID   = `{"totalFilteredRecords":1,"pageItems":[{"externalId":"ext-7"}]}`
		resultNoID = `{"officeId":1,"changes":{}}`
	)
	for _, tc := range []struct {
		call, body   string
		line         Version
		unexpected   bool
		maybeApplied bool
	}{
		{call: "get 7", body: client7},
		{call: "get 7", body: "null", unexpected: true},
		{call: "get 7", body: "{}", unexpected: true},
		{call: "get 7", body: `{"id":8,"externalId":"ext-7"}`, unexpected: true},
		{call: "get ext-7", line: V1_10, body: client7},
		{call: "get ext-7", line: V1_10, body: "null", unexpected: true},
		{call: "get ext-7", line: V1_10, body: `{"externalId":"ext-7"}`, unexpected: true},
		{call: "get ext-7", line: V1_8, body: page},
		{call: "get ext-7", line: V1_8, body: "{}", unexpected: true},
		{call: "get ext-7", line: V1_8, body: pageNoID, unexpected: true},
		{call: "list", body: page},
		{call: "list", body: emptyPage},
		{call: "list", body: "null", unexpected: true},
		{call: "list", body: `{"totalFilteredRecords":0}`, unexpected: true},
		{call: "list", body: pageNoID, unexpected: true},
		{call: "create", body: result7},
		{call: "create", body: awaiting},
		{call: "create", body: "null", unexpected: true, maybeApplied: true},
		{call: "create", body: resultNoID, unexpected: true, maybeApplied: true},
		{call: "create", body: `{"clientId":0,"resourceId":0}`, unexpected: true, maybeApplied: true},
		{call: "update 7", body: result7},
		{call: "update 7", body: "{}", unexpected: true, maybeApplied: true},
	} {
		if tc.line.IsZero() {
			tc.line = V1_10
		}
		t.Run(tc.call+" "+tc.line.String()+" "+tc.body, func(t *testing.T) {
			c, _ := answering(t, tc.line, http.StatusOK, nil, tc.body)
			err := calls[tc.call](context.Background(), c)
			if !tc.unexpected {
				assert.NoError(t, err)
				return
			}
			e, ok := wire.AsError(err)
			require.True(t, ok, "%v", err)
			assert.Equal(t, wire.ShapeUnexpected, e.Shape, "%v", err)
			assert.Equal(t, http.StatusOK, e.Status)
			assert.Equal(t, tc.maybeApplied, e.MaybeApplied)
		})
	}
}

// TestCollationMatchStaysNotFound: the external-id route answering a
// client whose externalId differs (the database collation matched it) is
// "no such client", not an unexpected answer.
func TestCollationMatchStaysNotFound(t *testing.T) {
	c, _ := answering(t, V1_10, http.StatusOK, nil, `{"id":7,"externalId":"EXT-7"}`)
	_, err := c.GetClient(context.Background(), ByExternalID("ext-7"))
	e, ok := wire.AsError(err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, http.StatusNotFound, e.Status)
}

func TestVerify(t *testing.T) {
	got := wire.ClientData{ID: 7, ExternalID: "ext-7"}
	for _, tc := range []struct {
		ref  Ref
		want bool
	}{
		{ByID(7), true},
		{ByID(8), false},
		{ByExternalID("ext-7"), true},
		{ByExternalID("EXT-7"), false},
		{ByExternalID("ext-7 "), false},
	} {
		err := VerifyClient(tc.ref, got)
		if tc.want {
			assert.NoError(t, err, "%+v", tc.ref)
			continue
		}
		e, ok := wire.AsError(err)
		require.True(t, ok, "%+v: %v", tc.ref, err)
		assert.Equal(t, wire.ShapeUnexpected, e.Shape)
	}
}

// TestRedirectsAreNotFollowed: a 3xx is returned as an unexpected answer,
// once, without anything sent to where it points; a redirected write was
// not applied.
func TestRedirectsAreNotFollowed(t *testing.T) {
	for _, tc := range []struct {
		call   string
		status int
	}{
		{"get 7", http.StatusFound},
		{"list", http.StatusMovedPermanently},
		{"create", http.StatusTemporaryRedirect},
		{"update 7", http.StatusPermanentRedirect},
	} {
		t.Run(tc.call, func(t *testing.T) {
			var reached atomic.Int32
			elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				reached.Add(1)
				_, _ = io.WriteString(w, `{"id":7,"clientId":7}`)
			}))
			t.Cleanup(elsewhere.Close)
			c, requests := answering(t, V1_10, tc.status, http.Header{"Location": {elsewhere.URL + "/v1/clients/7"}}, "")
			err := calls[tc.call](WithIdempotencyKey(context.Background(), "k"), c)
			e, ok := wire.AsError(err)
			require.True(t, ok, "%v", err)
			assert.Equal(t, wire.ShapeUnexpected, e.Shape)
			assert.Equal(t, tc.status, e.Status)
			assert.False(t, e.MaybeApplied)
			assert.Contains(t, e.Error(), elsewhere.URL, "the operator is told where it pointed")
			assert.Equal(t, int32(1), requests.Load(), "not retried")
			assert.Zero(t, reached.Load())
		})
	}
}
