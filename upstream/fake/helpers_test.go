package fake_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream"
	"lmsproxy/upstream/fake"
	"lmsproxy/upstream/wire"
)

// businessDate is the simulated "today" of every test server.
var businessDate = time.Date(2024, time.October, 24, 9, 30, 0, 0, time.UTC)

// allVersions are the lines most behaviour is checked against; tests that
// differ per line say so.
var allVersions = []upstream.Version{upstream.V1_8, upstream.V1_9, upstream.V1_10}

func newServer(v upstream.Version) *fake.Server {
	return fake.New(fake.Options{Version: v, Today: func() time.Time { return businessDate }})
}

// forEachVersion runs f as a subtest per line on a fresh server.
func forEachVersion(t *testing.T, versions []upstream.Version, f func(t *testing.T, v upstream.Version, s *fake.Server)) {
	for _, v := range versions {
		t.Run(v.String(), func(t *testing.T) { f(t, v, newServer(v)) })
	}
}

func day(y int, m time.Month, d int) wire.Date { return wire.Date{Year: y, Month: m, Day: d} }

// resp is one decoded answer.
type resp struct {
	Status int
	Header http.Header
	Raw    []byte
	Body   map[string]any
}

// reqOption adjusts a request before it is served.
type reqOption func(*http.Request)

func withHeader(k, v string) reqOption { return func(r *http.Request) { r.Header.Set(k, v) } }
func withoutHeader(k string) reqOption { return func(r *http.Request) { r.Header.Del(k) } }
func withAuth(user, pass string) reqOption {
	return func(r *http.Request) { r.SetBasicAuth(user, pass) }
}

// do serves one request with the default tenant and credentials. A path
// not starting with "/" is taken relative to fake.BasePath.
func do(t *testing.T, h http.Handler, method, path, body string, opts ...reqOption) resp {
	t.Helper()
	if !strings.HasPrefix(path, "/") {
		path = fake.BasePath + "/" + path
	}
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.Header.Set("Fineract-Platform-TenantId", "default")
	r.SetBasicAuth("mifos", "password")
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	for _, o := range opts {
		o(r)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return decode(t, w.Result())
}

func decode(t *testing.T, res *http.Response) resp {
	t.Helper()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	out := resp{Status: res.StatusCode, Header: res.Header, Raw: raw}
	switch {
	case len(raw) > 0 && raw[0] == '[': // a list answer: Raw only
		require.True(t, json.Valid(raw), "body: %s", raw)
	case len(raw) > 0:
		require.NoError(t, json.Unmarshal(raw, &out.Body), "body: %s", raw)
	}
	return out
}

// item is one expected ApiParameterError; args nil means "not checked".
type item struct {
	code, msg, param string
	args             []any
}

// wantError asserts a Fineract error envelope: status, top-level code and
// the items in order, with args compared as JSON (a null arg is {} on 1.9+).
func wantError(t *testing.T, r resp, status int, topCode string, items ...item) {
	t.Helper()
	require.Equal(t, status, r.Status, "body: %s", r.Raw)
	assert.Equal(t, topCode, r.Body["userMessageGlobalisationCode"], "body: %s", r.Raw)
	assert.Equal(t, strconv.Itoa(status), r.Body["httpStatusCode"], "httpStatusCode is a string")
	errs, _ := r.Body["errors"].([]any)
	require.Len(t, errs, len(items), "body: %s", r.Raw)
	for i, want := range items {
		got := errs[i].(map[string]any)
		assert.Equal(t, want.code, got["userMessageGlobalisationCode"], "item %d", i)
		assert.Equal(t, want.msg, got["defaultUserMessage"], "item %d", i)
		assert.Equal(t, want.msg, got["developerMessage"], "item %d", i)
		if want.param != "" {
			assert.Equal(t, want.param, got["parameterName"], "item %d", i)
		}
		if want.args != nil {
			assert.JSONEq(t, toJSON(t, want.args), toJSON(t, argValues(got)), "item %d args", i)
		}
	}
}

// argValues reads args[].value; an absent value (1.9+) and null (1.8) are
// both nil.
func argValues(e map[string]any) []any {
	args, _ := e["args"].([]any)
	out := make([]any, len(args))
	for i, a := range args {
		out[i] = a.(map[string]any)["value"]
	}
	return out
}

func toJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// wantSpring asserts Spring Boot's default error JSON.
func wantSpring(t *testing.T, r resp, status int, path string) {
	t.Helper()
	require.Equal(t, status, r.Status, "body: %s", r.Raw)
	assert.Equal(t, float64(status), r.Body["status"])
	assert.Equal(t, http.StatusText(status), r.Body["error"])
	assert.Equal(t, path, r.Body["path"])
	assert.IsType(t, float64(0), r.Body["timestamp"])
	assert.NotContains(t, r.Body, "userMessageGlobalisationCode")
}

// pageItems returns the list's items.
func pageItems(t *testing.T, r resp) []map[string]any {
	t.Helper()
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
	raw, _ := r.Body["pageItems"].([]any)
	out := make([]map[string]any, len(raw))
	for i, it := range raw {
		out[i] = it.(map[string]any)
	}
	return out
}

// ids returns the ids of list items.
func ids(items []map[string]any) []float64 {
	out := make([]float64, len(items))
	for i, it := range items {
		out[i] = it["id"].(float64)
	}
	return out
}
