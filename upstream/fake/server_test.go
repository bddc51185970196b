package fake_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream"
	"lmsproxy/upstream/fake"
)

const clientsPath = fake.BasePath + "/clients"

func TestSecurityFilters(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, _ upstream.Version, s *fake.Server) {
		tests := []struct {
			name   string
			path   string
			opts   []reqOption
			status int
		}{
			{"no tenant", "clients", []reqOption{withoutHeader("Fineract-Platform-TenantId")}, http.StatusBadRequest},
			{"blank tenant", "clients", []reqOption{withHeader("Fineract-Platform-TenantId", " ")}, http.StatusBadRequest},
			{"unknown tenant", "clients", []reqOption{withHeader("Fineract-Platform-TenantId", "other")}, http.StatusBadRequest},
			{"tenant before credentials", "clients", []reqOption{withoutHeader("Fineract-Platform-TenantId"), withoutHeader("Authorization")}, http.StatusBadRequest},
			{"no credentials", "clients", []reqOption{withoutHeader("Authorization")}, http.StatusUnauthorized},
			{"wrong password", "clients", []reqOption{withAuth("mifos", "nope")}, http.StatusUnauthorized},
			{"wrong user", "clients", []reqOption{withAuth("admin", "password")}, http.StatusUnauthorized},
			{"credentials before routing", "nowhere", []reqOption{withoutHeader("Authorization")}, http.StatusUnauthorized},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := do(t, s, http.MethodGet, tc.path, "", tc.opts...)
				wantSpring(t, r, tc.status, fake.BasePath+"/"+tc.path)
				assert.Equal(t, `Basic realm="Fineract Platform API"`, r.Header.Get("WWW-Authenticate"))
				assert.Empty(t, r.Header.Get("X-Notification-Refresh"))
			})
		}

		t.Run("tenant as query parameter", func(t *testing.T) {
			r := do(t, s, http.MethodGet, "clients?tenantIdentifier=default", "", withoutHeader("Fineract-Platform-TenantId"))
			assert.Equal(t, http.StatusOK, r.Status)
		})
		t.Run("authenticated", func(t *testing.T) {
			r := do(t, s, http.MethodGet, "clients", "")
			assert.Equal(t, http.StatusOK, r.Status)
			assert.Equal(t, "false", r.Header.Get("X-Notification-Refresh"))
			assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
			assert.Empty(t, r.Header.Get("WWW-Authenticate"))
		})
	})
}

func TestOptions(t *testing.T) {
	s := fake.New(fake.Options{Tenant: "acme", Username: "svc", Password: "s3cret"})
	r := do(t, s, http.MethodGet, "clients", "", withHeader("Fineract-Platform-TenantId", "acme"), withAuth("svc", "s3cret"))
	assert.Equal(t, http.StatusOK, r.Status)
	// The zero Version is 1.10: no limit means every row.
	assert.Len(t, pageItems(t, r), 5)
	assert.Equal(t, http.StatusBadRequest, do(t, s, http.MethodGet, "clients", "", withAuth("svc", "s3cret")).Status)
}

func TestRouting(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		tests := []struct {
			name, method, path, contentType string
			status                          int
		}{
			{"unknown resource", http.MethodGet, fake.BasePath + "/savingsaccounts", "", http.StatusNotFound},
			{"outside the API", http.MethodGet, "/fineract-provider/api/v2/clients", "", http.StatusNotFound},
			{"prefix but no separator", http.MethodGet, fake.BasePath + "x/clients", "", http.StatusNotFound},
			{"non-numeric id", http.MethodGet, clientsPath + "/abc", "", http.StatusNotFound},
			{"template is not simulated", http.MethodGet, clientsPath + "/template", "", http.StatusNotFound},
			{"too deep", http.MethodGet, clientsPath + "/1/accounts/1", "", http.StatusNotFound},
			{"method on list", http.MethodDelete, clientsPath, "", http.StatusMethodNotAllowed},
			{"method on one", http.MethodPatch, clientsPath + "/1", "", http.StatusMethodNotAllowed},
			{"not JSON", http.MethodPost, clientsPath, "text/plain", http.StatusUnsupportedMediaType},
			{"non-numeric limit", http.MethodGet, clientsPath + "?limit=ten", "", http.StatusNotFound},
		}
		if !v.HasExternalIDRoutes() {
			tests = append(tests, struct {
				name, method, path, contentType string
				status                          int
			}{"external-id routes do not exist", http.MethodGet, clientsPath + "/external-id/" + fake.SeedActiveExternalID, "", http.StatusNotFound})
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				var opts []reqOption
				if tc.contentType != "" {
					opts = append(opts, withHeader("Content-Type", tc.contentType))
				}
				path, _, _ := strings.Cut(tc.path, "?")
				wantSpring(t, do(t, s, tc.method, tc.path, "{}", opts...), tc.status, path)
			})
		}
	})
}

func TestInvalidBody(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		tests := []struct {
			name, body, prefix string
		}{
			{"blank", "  \n", "The JSON provided in the body of the request is invalid or missing."},
			{"malformed", `{"externalId":`, "The JSON syntax provided in the body of the request is invalid: "},
			{"trailing comma", `{"a":1,}`, "The JSON syntax provided in the body of the request is invalid: "},
			{"duplicate key", `{"officeId":1,"officeId":2}`, "The JSON syntax provided in the body of the request is invalid: duplicate key: officeId"},
			{"not an object", `[1]`, "The JSON syntax provided in the body of the request is invalid: "},
			{"two documents", `{} {}`, "The JSON syntax provided in the body of the request is invalid: "},
		}
		routes := []struct{ method, path string }{
			{http.MethodPost, "clients"},
			{http.MethodPut, "clients/1"},
			{http.MethodPost, "clients/1?command=close"},
		}
		for _, tc := range tests {
			for _, rt := range routes {
				t.Run(tc.name+" "+rt.method+" "+rt.path, func(t *testing.T) {
					r := do(t, s, rt.method, rt.path, tc.body, withHeader("Content-Type", "application/json"))
					require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Raw)
					// A bare ApiParameterError: no envelope.
					assert.NotContains(t, r.Body, "httpStatusCode")
					assert.NotContains(t, r.Body, "errors")
					assert.Equal(t, "error.msg.invalid.request.body", r.Body["userMessageGlobalisationCode"])
					assert.Equal(t, "id", r.Body["parameterName"])
					assert.Equal(t, []any{}, r.Body["args"])
					assert.True(t, strings.HasPrefix(r.Body["defaultUserMessage"].(string), tc.prefix), r.Body["defaultUserMessage"])
					assert.Equal(t, r.Body["defaultUserMessage"], r.Body["developerMessage"])
					_, hasValue := r.Body["value"]
					assert.Equal(t, !v.AtLeast(upstream.V1_9), hasValue, "1.8 writes \"value\":null")
				})
			}
		}
		assert.Zero(t, s.Writes())
	})
}

// TestErrorWriters pins how each line writes error bodies: 1.8 compact with
// nulls, 1.9+ indented without them (a null arg becomes {}).
func TestErrorWriters(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		r := do(t, s, http.MethodPost, "clients", `{"officeId":1,"firstname":"A","lastname":"B"}`)
		wantError(t, r, http.StatusBadRequest, "validation.msg.validation.errors.exist",
			item{"validation.msg.client.legalFormId.cannot.be.blank", "The parameter `legalFormId` is mandatory.", "legalFormId", []any{nil}})
		assert.Equal(t, "The request was invalid. This typically will happen due to validation errors which are provided.", r.Body["developerMessage"])
		assert.Equal(t, "Validation errors exist.", r.Body["defaultUserMessage"])
		if v.AtLeast(upstream.V1_9) {
			assert.Contains(t, string(r.Raw), "\n  ", "indented")
			assert.Contains(t, string(r.Raw), `"args": [`)
			assert.NotContains(t, string(r.Raw), "null")
			assert.JSONEq(t, `[{}]`, toJSON(t, r.Body["errors"].([]any)[0].(map[string]any)["args"]))
		} else {
			assert.NotContains(t, string(r.Raw), "\n")
			assert.Contains(t, string(r.Raw), `"parameterName":"legalFormId","value":null,"args":[{"value":null}]`)
		}
	})
}

// TestSuccessBodiesAreCompact: Gson writes every success body compact and
// without nulls, in every line.
func TestSuccessBodiesAreCompact(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, _ upstream.Version, s *fake.Server) {
		r := do(t, s, http.MethodGet, fmt.Sprintf("clients/%d", fake.SeedPendingID), "")
		require.Equal(t, http.StatusOK, r.Status)
		assert.NotContains(t, string(r.Raw), "\n")
		assert.NotContains(t, string(r.Raw), "null")
		assert.True(t, json.Valid(r.Raw))
	})
}

// TestFirewall: Spring Security's StrictHttpFirewall refuses, before the
// tenant or the credentials are looked at, paths a servlet container
// could read in more than one way; query values pass.
func TestFirewall(t *testing.T) {
	tests := []struct {
		name, path string
		allowed    bool
	}{
		{"encoded slash", "/external-id/a%2Fb", false},
		{"encoded percent", "/external-id/50%25", false},
		{"encoded backslash", "/external-id/a%5Cb", false},
		{"semicolon", "/external-id/a;b", false},
		{"encoded semicolon", "/external-id/a%3Bb", false},
		{"encoded period", "/external-id/%2E", false},
		{"dot segment", "/external-id/.", false},
		{"dot-dot segment", "/external-id/..", false},
		{"line separator", "/external-id/a%E2%80%A8b", false},
		{"paragraph separator", "/external-id/a%E2%80%A9b", false},
		{"double slash", "//1", false},
		{"encoded space, hash, question mark, non-ASCII", "/external-id/a%20%23%3F%C3%A9", true},
		{"dots inside a segment", "/external-id/a..b", true},
		{"anything in the query", "?externalId=a%2F%25%5C%3B%E2%80%A8", true},
	}
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := do(t, s, http.MethodGet, clientsPath+tc.path, "", withoutHeader("Fineract-Platform-TenantId"))
				if tc.allowed {
					assert.Equal(t, http.StatusBadRequest, r.Status, "reaches the tenant filter: %s", r.Raw)
					return
				}
				want := http.StatusBadRequest // Spring Security 6's HttpStatusRequestRejectedHandler
				if !v.AtLeast(upstream.V1_9) {
					want = http.StatusInternalServerError // Spring Security 5 rethrows
				}
				path, _, _ := strings.Cut(clientsPath+tc.path, "?")
				wantSpring(t, r, want, path)
			})
		}
	})
}

func TestRequestLog(t *testing.T) {
	s := newServer(upstream.V1_10)
	do(t, s, http.MethodGet, "clients?limit=10&externalId=a%25b", "", withHeader("Idempotency-Key", "k1"))
	do(t, s, http.MethodPost, "clients/external-id/a%3Fb?command=close", `{"x":1}`)

	reqs := s.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, http.MethodGet, reqs[0].Method)
	assert.Equal(t, clientsPath, reqs[0].Path)
	assert.Equal(t, "10", reqs[0].Query().Get("limit"))
	assert.Equal(t, "a%b", reqs[0].Query().Get("externalId"))
	assert.Equal(t, "k1", reqs[0].Header.Get("Idempotency-Key"))
	assert.Equal(t, "default", reqs[0].Header.Get("Fineract-Platform-TenantId"))
	assert.Empty(t, reqs[0].Body)

	assert.Equal(t, clientsPath+"/external-id/a%3Fb", reqs[1].Path, "the escaped path is kept")
	assert.Equal(t, "command=close", reqs[1].RawQuery)
	assert.Equal(t, `{"x":1}`, string(reqs[1].Body))
}

// TestOverTheNetwork drives the simulator through a real HTTP server: an
// encoded "?" or "#" in an external id must not end the path, and
// concurrent requests must be safe (run with -race).
func TestOverTheNetwork(t *testing.T) {
	s := newServer(upstream.V1_10)
	id := s.AddClient(fake.ClientSeed{ExternalID: "a b?#é", Firstname: "A", Lastname: "B"})
	srv := httptest.NewServer(s)
	defer srv.Close()

	get := func(path string) (int, map[string]any) {
		req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		require.NoError(t, err)
		req.Header.Set("Fineract-Platform-TenantId", "default")
		req.SetBasicAuth("mifos", "password")
		res, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		var body map[string]any
		raw, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		require.NoError(t, json.NewDecoder(bytes.NewReader(raw)).Decode(&body), "%s", raw)
		return res.StatusCode, body
	}

	status, body := get(clientsPath + "/external-id/" + url.PathEscape("a b?#é"))
	require.Equal(t, http.StatusOK, status, "%v", body)
	assert.Equal(t, float64(id), body["id"])

	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				status, _ := get(clientsPath + "?limit=5")
				assert.Equal(t, http.StatusOK, status)
				return
			}
			s.AddClient(fake.ClientSeed{Firstname: "P", Lastname: fmt.Sprint(i)})
		}()
	}
	wg.Wait()
	assert.Len(t, s.Requests(), 11)
}
