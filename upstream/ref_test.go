package upstream

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream/wire"
)

// widget is an entity of a resource other than clients, so the test sees
// that addressing takes everything from the resource's configuration.
type widget struct {
	ID         int64  `json:"id"`
	ExternalID string `json:"externalId"`
}

var (
	opGetWidget  = Op{Name: "widgets.get", Method: http.MethodGet, Safety: ReadOnly}
	opListWidget = Op{Name: "widgets.list", Method: http.MethodGet, Safety: ReadOnly}
	opMoveWidget = Op{Name: "widgets.move", Method: http.MethodPost, Safety: Unsafe, Keyed: true}
)

var widgets = &resource[widget]{
	segment:          "widgets",
	noun:             "widget",
	get:              opGetWidget,
	list:             opListWidget,
	externalIDRoutes: func(Version) bool { return true },
	shadows:          map[string]bool{"parts": true},
	filter:           "widgetRef",
	sortColumns:      map[string]bool{"id": true},
	identity:         func(w *widget) (int64, string) { return w.ID, w.ExternalID },
	notFound: func(op string) *wire.Error {
		return &wire.Error{Op: op, Status: http.StatusNotFound, Code: "error.msg.widget.id.invalid"}
	},
	appliedID: func(r wire.CommandResult) int64 { return r.ResourceID },
}

// TestResourceAddressing: a resource's reads, external-id resolution and
// writes go where its configuration says, and its results are checked by
// its own id: the mechanism knows nothing of clients.
func TestResourceAddressing(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.RequestURI())
		mu.Unlock()
		switch {
		case r.Method == http.MethodPost && r.URL.Query().Get("command") == "bad":
			_, _ = w.Write([]byte(`{"clientId":7}`))
		case r.Method == http.MethodPost:
			_, _ = w.Write([]byte(`{"resourceId":7}`))
		case r.URL.Query().Has("widgetRef"):
			_, _ = w.Write([]byte(`{"totalFilteredRecords":0,"pageItems":[]}`))
		default:
			_, _ = w.Write([]byte(`{"id":7,"externalId":"w-7"}`))
		}
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{BaseURL: srv.URL, Tenant: "default", Username: "u", Password: "p", Version: V1_8,
		Retry: RetryPolicy{MaxAttempts: 1}})
	require.NoError(t, err)
	ctx := context.Background()
	last := func() string { mu.Lock(); defer mu.Unlock(); return seen[len(seen)-1] }

	got, err := widgets.fetch(ctx, c, ByID(7))
	require.NoError(t, err)
	assert.Equal(t, widget{ID: 7, ExternalID: "w-7"}, got)
	assert.Equal(t, "GET /v1/widgets/7", last())

	_, err = widgets.fetch(ctx, c, ByExternalID("w-7"))
	require.NoError(t, err)
	assert.Equal(t, "GET /v1/widgets/external-id/w-7", last(), "the resource's routes, whatever the line")

	_, err = widgets.fetch(ctx, c, ByExternalID("parts"))
	e, ok := wire.AsError(err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, "error.msg.widget.id.invalid", e.Code, "the resource's own not-found")
	assert.Equal(t, "GET /v1/widgets?"+url.Values{"widgetRef": {"parts"}, "offset": {"0"}, "limit": {"200"},
		"orderBy": {"id"}, "sortOrder": {"ASC"}}.Encode(), last(), "a shadowed id goes through the resource's list filter")

	res, err := widgets.command(ctx, c, opMoveWidget, ByExternalID("w-7"), url.Values{"command": {"move"}}, nil)
	require.NoError(t, err)
	assert.EqualValues(t, 7, res.ResourceID)
	assert.Equal(t, "POST /v1/widgets/7?command=move", last(), "a write goes to the resolved id")

	_, err = widgets.command(ctx, c, opMoveWidget, ByID(7), url.Values{"command": {"bad"}}, nil)
	e, ok = wire.AsError(err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, wire.ShapeUnexpected, e.Shape)
	assert.True(t, e.MaybeApplied)
	assert.Contains(t, e.Error(), "command result names no widget")

	err = widgets.verify(ByExternalID("w-8"), &got)
	assert.ErrorContains(t, err, "answer is for widget 7 with another external id")
}
