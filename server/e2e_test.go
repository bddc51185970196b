package server_test

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/translate"
	"lmsproxy/upstream"
	"lmsproxy/upstream/fake"
)

// The seed documents' examples, literally.
func TestSeedExamples(t *testing.T) {
	forEachLine(t, func(t *testing.T, s *stack) {
		r := s.do("GET", "/v1/customers/9999", "")
		assert.Equal(t, 404, r.status)
		assert.JSONEq(t, `{"code":"not_found","message":"lms: status=404: Customer with id 9999 does not exist"}`, r.body)

		r = s.do("POST", "/v1/customers", `{}`)
		assert.Equal(t, 400, r.status)
		assert.JSONEq(t, `{"code":"invalid_argument","message":"[{\"field\":\"externalId\",\"error\":\"required\"}]"}`, r.body)
	})
}

// customers is how partners address a customer.
var customers = resourceForms{prefix: "/v1/customers", idParam: "customer_id", extParam: "customer_external_id"}

func TestCustomerLifecycle(t *testing.T) {
	forEachLine(t, func(t *testing.T, s *stack) {
		for i, ext := range []string{"ext-ada-900", "Client-7", "a/b%c", "with space?#", "ünïcødé-☃", strings.Repeat("x", 100)} {
			form := forms[i%2]
			r := s.do("POST", "/v1/customers", `{"externalId":`+strconv.Quote(ext)+`}`)
			require.Equal(t, 200, r.status, r.body)
			var created translate.Customer
			require.NoError(t, json.Unmarshal([]byte(r.body), &created))
			firstname := ext
			if len(ext) > 50 {
				firstname = ext[:50]
			}
			assert.Equal(t, translate.Customer{
				ID: created.ID, AccountNo: created.AccountNo, ExternalID: ext, Status: "Active", Active: true,
				OfficeID: "1", OfficeName: "Head Office", Firstname: firstname, Lastname: "Customer",
				DisplayName: firstname + " Customer", ActivationDate: "2026-11-21", SubmittedDate: "2026-11-21",
			}, created)

			byID := s.do("GET", customers.path("id", created.ID, ext), "")
			byExt := s.do("GET", customers.path("external", created.ID, ext), "")
			assert.Equal(t, 200, byID.status)
			assert.Equal(t, r.body, byID.body, "create answers the customer as GET does")
			assert.Equal(t, byID.body, byExt.body, "both addressing forms answer identically")

			list := s.do("GET", "/v1/customers?externalId="+url.QueryEscape(ext), "")
			assert.Equal(t, 200, list.status)
			assert.JSONEq(t, `{"items":[`+byID.body+`],"total":1,"page":1,"rowsPerPage":10}`, list.body)

			renamed := ext + "-2"
			if len(renamed) > 100 {
				renamed = "renamed-" + strconv.Itoa(i)
			}
			r = s.do("PUT", customers.path(form, created.ID, ext), `{"externalId":`+strconv.Quote(renamed)+`}`)
			require.Equal(t, 200, r.status, r.body)
			var updated translate.Customer
			require.NoError(t, json.Unmarshal([]byte(r.body), &updated))
			assert.Equal(t, renamed, updated.ExternalID)
			assert.Equal(t, renamed, updated.Firstname, "firstname mirrored the old externalId, so it follows")

			r = s.do("POST", customers.path(form, created.ID, renamed)+"/close", `{"closureDate":"2026-11-21","closureReasonId":17}`)
			require.Equal(t, 200, r.status, r.body)
			var closed translate.Customer
			require.NoError(t, json.Unmarshal([]byte(r.body), &closed))
			assert.Equal(t, "Closed", closed.Status)
			assert.False(t, closed.Active)

			r = s.do("POST", customers.path(form, created.ID, renamed)+"/close", `{"closureDate":"2026-11-21","closureReasonId":"17"}`)
			assert.Equal(t, 409, r.status)
			assert.JSONEq(t, `{"code":"aborted","message":"lms: status=403: Customer is already closed"}`, r.body)
		}
	})
}

func TestUpdateKeepsRealNames(t *testing.T) {
	forEachLine(t, func(t *testing.T, s *stack) {
		for _, form := range forms {
			ext := fake.SeedNamedExternalID
			if form == "id" {
				ext = "ada-by-id"
				r := s.do("PUT", customers.path("external", "", fake.SeedNamedExternalID), `{"externalId":"ada-by-id"}`)
				require.Equal(t, 200, r.status, r.body)
			}
			r := s.do("PUT", customers.path(form, strconv.FormatInt(fake.SeedNamedID, 10), ext), `{"externalId":"ada-renamed-`+form+`"}`)
			require.Equal(t, 200, r.status, r.body)
			var c translate.Customer
			require.NoError(t, json.Unmarshal([]byte(r.body), &c))
			assert.Equal(t, "Ada", c.Firstname)
			assert.Equal(t, "Lovelace", c.Lastname)
			assert.Equal(t, "ada-renamed-"+form, c.ExternalID)
			assert.Equal(t, fake.SeedNamedMobileNo, c.MobileNo)
			assert.Equal(t, "1815-12-10", c.DateOfBirth)
			// Put the name back for the other form.
			r = s.do("PUT", customers.path("id", c.ID, ""), `{"externalId":"`+fake.SeedNamedExternalID+`"}`)
			require.Equal(t, 200, r.status, r.body)
		}
	})
}

func TestDelete(t *testing.T) {
	forEachLine(t, func(t *testing.T, s *stack) {
		pending := strconv.FormatInt(fake.SeedPendingID, 10)
		r := s.do("DELETE", customers.path("external", pending, fake.SeedPendingExternalID), "")
		assert.Equal(t, 200, r.status)
		assert.Empty(t, r.body)
		r = s.do("DELETE", customers.path("id", pending, ""), "")
		assert.JSONEq(t, `{"code":"not_found","message":"lms: status=404: Customer with id `+pending+` does not exist"}`, r.body)

		active := strconv.FormatInt(fake.SeedActiveID, 10)
		for _, form := range forms {
			r = s.do("DELETE", customers.path(form, active, fake.SeedActiveExternalID), "")
			assert.Equal(t, 409, r.status)
			want := "Customer with id " + active
			if form == "external" {
				want = "Customer with externalId " + fake.SeedActiveExternalID
			}
			assert.JSONEq(t, `{"code":"aborted","message":"lms: status=403: `+want+` cannot be deleted as it is not in Pending state"}`, r.body)
		}
	})
}

// Upstream refusals, as partners see them, identical on every line.
func TestUpstreamErrors(t *testing.T) {
	tests := []struct {
		name, method, path, body string
		wantStatus               int
		wantBody                 string
	}{
		{"unknown id", "GET", "/v1/customers/424242", "", 404, `{"code":"not_found","message":"lms: status=404: Customer with id 424242 does not exist"}`},
		{"unknown externalId", "GET", "/v1/customers/external/Client-404", "", 404, `{"code":"not_found","message":"lms: status=404: Customer with externalId Client-404 does not exist"}`},
		{"unknown externalId, close", "POST", "/v1/customers/external/nope/close", `{"closureDate":"2026-11-21","closureReasonId":17}`, 404, `{"code":"not_found","message":"lms: status=404: Customer with externalId nope does not exist"}`},
		{"case differs from a real externalId", "GET", "/v1/customers/external/EXT-ACTIVE-001", "", 404, `{"code":"not_found","message":"lms: status=404: Customer with externalId EXT-ACTIVE-001 does not exist"}`},
		{"point lookup miss", "GET", "/v1/customers?externalId=nope&rows=5", "", 200, `{"items":[],"total":0,"page":1,"rowsPerPage":5}`},
		{"point lookup with a LIKE wildcard", "GET", "/v1/customers?externalId=ext-%25", "", 200, `{"items":[],"total":0,"page":1,"rowsPerPage":10}`},
		{"duplicate externalId", "POST", "/v1/customers", `{"externalId":"` + fake.SeedActiveExternalID + `"}`, 409, `{"code":"aborted","message":"lms: status=403: Customer with externalId ` + fake.SeedActiveExternalID + ` already exists (or one differing from it only in letter case)"}`},
		{"rename onto another customer's externalId", "PUT", "/v1/customers/external/" + fake.SeedActiveExternalID, `{"externalId":"` + fake.SeedNamedExternalID + `"}`, 409, `{"code":"aborted","message":"lms: status=403: Customer with externalId ` + fake.SeedNamedExternalID + ` already exists (or one differing from it only in letter case)"}`},
		{"close with open loans", "POST", "/v1/customers/external/" + fake.SeedOpenLoanExternalID + "/close", `{"closureDate":"2026-11-21","closureReasonId":17}`, 409, `{"code":"aborted","message":"lms: status=403: Customer cannot be closed because of non-closed loans"}`},
		{"close already closed", "POST", "/v1/customers/" + strconv.FormatInt(fake.SeedClosedID, 10) + "/close", `{"closureDate":"2026-11-21","closureReasonId":17}`, 409, `{"code":"aborted","message":"lms: status=403: Customer is already closed"}`},
		{"unknown closure reason", "POST", "/v1/customers/" + strconv.FormatInt(fake.SeedActiveID, 10) + "/close", `{"closureDate":"2026-11-21","closureReasonId":11}`, 400, `{"code":"invalid_argument","message":"[{\"field\":\"closureReasonId\",\"error\":\"unknown closure reason\"}]"}`},
		{"closure before activation", "POST", "/v1/customers/" + strconv.FormatInt(fake.SeedActiveID, 10) + "/close", `{"closureDate":"2020-01-01","closureReasonId":17}`, 400, `{"code":"invalid_argument","message":"[{\"field\":\"closureDate\",\"error\":\"must not be before the activation date 2023-01-10\"}]"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var bodies []string
			for _, line := range lines {
				r := newStack(t, line).do(tt.method, tt.path, tt.body)
				assert.Equal(t, tt.wantStatus, r.status, "%s: %s", line, r.body)
				assert.JSONEq(t, tt.wantBody, r.body, "line %s", line)
				bodies = append(bodies, r.body)
			}
			for _, b := range bodies[1:] {
				assert.Equal(t, bodies[0], b, "partners see the same bytes whatever the upstream line")
			}
		})
	}
}

func TestList(t *testing.T) {
	forEachLine(t, func(t *testing.T, s *stack) {
		r := s.do("GET", "/v1/customers?page=1&rows=2&orderBy=id&sortOrder=DESC", "")
		require.Equal(t, 200, r.status, r.body)
		var p translate.Page[translate.Customer]
		require.NoError(t, json.Unmarshal([]byte(r.body), &p))
		assert.Equal(t, int64(5), p.Total, "total counts every match, not the page")
		assert.Equal(t, 1, p.Page)
		assert.Equal(t, 2, p.RowsPerPage)
		require.Len(t, p.Items, 2)
		assert.Equal(t, "5", p.Items[0].ID)
		assert.Equal(t, "4", p.Items[1].ID)

		r = s.do("GET", "/v1/customers?page=3&rows=2&orderBy=id&sortOrder=DESC", "")
		require.NoError(t, json.Unmarshal([]byte(r.body), &p))
		require.Len(t, p.Items, 1)
		assert.Equal(t, "1", p.Items[0].ID)

		// The upstream always gets an explicit positive limit and only
		// whitelisted sort columns.
		for _, req := range s.sim.Requests() {
			if req.Method == "GET" && strings.HasSuffix(req.Path, "/clients") {
				q, err := url.ParseQuery(req.RawQuery)
				require.NoError(t, err)
				limit, err := strconv.Atoi(q.Get("limit"))
				require.NoError(t, err, req.RawQuery)
				assert.Positive(t, limit)
			}
		}
	})
}

// Input the proxy refuses before any upstream call.
func TestInputValidation(t *testing.T) {
	tests := append(customers.addressingRefusals(), []inputCase{
		{"unknown query parameter on get", "GET", "/v1/customers/1?fields=id", "", "", `[{"field":"fields","error":"unknown parameter"}]`},
		{"unknown list parameter", "GET", "/v1/customers?limit=1000", "", "", `[{"field":"limit","error":"unknown parameter"}]`},
		{"rows too large", "GET", "/v1/customers?rows=101", "", "", `[{"field":"rows","error":"must be an integer from 1 to 100"}]`},
		{"orderBy not whitelisted", "GET", "/v1/customers?orderBy=c.id%20desc%3B", "", "", `[{"field":"orderBy","error":"must be one of id, displayName, submittedDate, activationDate"}]`},
		{"unknown body field", "POST", "/v1/customers", `{"externalId":"x","officeId":2}`, "", `[{"field":"officeId","error":"unknown field"}]`},
		{"malformed JSON", "POST", "/v1/customers", `{"externalId":`, "", `[{"field":"body","error":"malformed JSON"}]`},
		{"wrong type", "PUT", "/v1/customers/1", `{"externalId":1}`, "", `[{"field":"externalId","error":"must be a string"}]`},
		{"path and body problems together", "PUT", "/v1/customers/x", `{"foo":1}`, "", `[{"field":"customer_id","error":"must be a positive integer"},{"field":"foo","error":"unknown field"},{"field":"externalId","error":"required"}]`},
		{"close without fields", "POST", "/v1/customers/1/close", `{}`, "", `[{"field":"closureDate","error":"required"},{"field":"closureReasonId","error":"required"}]`},
		{"body on delete", "DELETE", "/v1/customers/1", `{"force":true}`, "", `[{"field":"body","error":"must be empty"}]`},
		{"form content type", "POST", "/v1/customers", `externalId=x`, "application/x-www-form-urlencoded", `[{"field":"Content-Type","error":"must be application/json"}]`},
		{"oversized body", "POST", "/v1/customers", `{"externalId":"` + strings.Repeat("x", 1<<20) + `"}`, "", `[{"field":"body","error":"too large"}]`},
	}...)
	s := newStack(t, upstream.V1_10)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			headers := map[string]string{"Authorization": "Bearer " + s.token}
			if tt.contentType != "" {
				headers["Content-Type"] = tt.contentType
			}
			s.assertRefusedBeforeUpstream(t, tt.wantBody, func() response { return s.doWith(tt.method, tt.path, tt.body, headers) })
		})
	}
}

// Failures outside the handlers still answer with the envelope.
func TestEnvelopeEverywhere(t *testing.T) {
	s := newStack(t, upstream.V1_10)
	tests := []struct {
		name, method, path string
		headers            map[string]string
		wantStatus         int
		wantCode           translate.Code
	}{
		{"unknown route", "GET", "/v1/nothing", map[string]string{"Authorization": "Bearer " + s.token}, 404, translate.NotFound},
		{"unknown route outside /v1", "GET", "/nothing", nil, 404, translate.NotFound},
		{"wrong method", "PATCH", "/v1/customers/1", map[string]string{"Authorization": "Bearer " + s.token}, 404, translate.NotFound},
		{"no token", "GET", "/v1/customers", nil, 401, translate.Unauthenticated},
		{"unknown route without token", "GET", "/v1/nothing", nil, 401, translate.Unauthenticated},
		{"basic auth", "GET", "/v1/customers", map[string]string{"Authorization": "Basic ZGV2OmRldg=="}, 401, translate.Unauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.doWith(tt.method, tt.path, "", tt.headers)
			assert.Equal(t, tt.wantStatus, r.status, r.body)
			var env translate.Error
			require.NoError(t, json.Unmarshal([]byte(r.body), &env))
			assert.Equal(t, tt.wantCode, env.Code)
			assert.NotEmpty(t, r.header.Get("X-Request-ID"))
		})
	}
}

func TestHealthz(t *testing.T) {
	s := newStack(t, upstream.V1_10)
	r := s.doWith("GET", "/healthz", "", nil)
	assert.Equal(t, 200, r.status)
	assert.JSONEq(t, `{"status":"ok"}`, r.body)
}

func TestRequestID(t *testing.T) {
	s := newStack(t, upstream.V1_10)
	r := s.doWith("GET", "/v1/customers/1", "", map[string]string{"Authorization": "Bearer " + s.token, "X-Request-ID": "partner-req-42"})
	assert.Equal(t, "partner-req-42", r.header.Get("X-Request-ID"))
	reqs := s.sim.Requests()
	assert.Equal(t, "partner-req-42", reqs[len(reqs)-1].Header.Get("X-Request-ID"), "forwarded upstream")

	r = s.doWith("GET", "/v1/customers/1", "", map[string]string{"Authorization": "Bearer " + s.token, "X-Request-ID": "bad id\twith spaces"})
	assert.Regexp(t, `^[0-9a-f]{32}$`, r.header.Get("X-Request-ID"), "a malformed id is replaced")
}
