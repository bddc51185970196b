package fake_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream"
	"lmsproxy/upstream/fake"
)

func TestUpdate(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		tests := []struct {
			name      string
			id        int64
			body      string
			changes   string
			resultExt string
			check     func(t *testing.T, c fake.ClientSnapshot)
		}{
			{"external id with mirrored name", fake.SeedActiveID,
				`{"externalId":"ext-new","firstname":"ext-new","lastname":"Customer"}`,
				`{"externalId":"ext-new","firstname":"ext-new"}`, "ext-new",
				func(t *testing.T, c fake.ClientSnapshot) {
					assert.Equal(t, "ext-new", c.ExternalID)
					assert.Equal(t, "ext-new Customer", c.DisplayName())
				}},
			{"nothing actually changes", fake.SeedNamedID, `{"externalId":"ext-ada-001","mobileNo":"+447700900001"}`,
				`{}`, fake.SeedNamedExternalID, nil},
			{"case-only change is a change", fake.SeedNamedID, `{"externalId":"EXT-ADA-001"}`,
				`{"externalId":"EXT-ADA-001"}`, "EXT-ADA-001", nil},
			{"cleared external id", fake.SeedPendingID, `{"externalId":""}`,
				`{"externalId":""}`, "", func(t *testing.T, c fake.ClientSnapshot) { assert.Empty(t, c.ExternalID) }},
			{"dates keep the input text", fake.SeedNamedID,
				`{"dateOfBirth":"10 December 1816","submittedOnDate":"01 January 2023","dateFormat":"dd MMMM yyyy","locale":"en"}`,
				`{"dateOfBirth":"10 December 1816","dateFormat":"dd MMMM yyyy","locale":"en","submittedOnDate":"01 January 2023"}`,
				"EXT-ADA-001", // as changed by the case before
				func(t *testing.T, c fake.ClientSnapshot) {
					assert.Equal(t, "1816-12-10", c.DateOfBirth.ISO())
					assert.Equal(t, "2023-01-01", c.SubmittedOn.ISO())
				}},
			{"legal form and staff flag", fake.SeedClosedID, `{"legalFormId":2,"isStaff":true}`,
				`{"legalFormId":{"id":2,"code":"legalFormType.entity","value":"` + map[bool]string{true: "Entity", false: "ENTITY"}[v.AtLeast(upstream.V1_9)] + `"},"isStaff":true}`,
				fake.SeedClosedExternalID, nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				writes := s.Writes()
				r := do(t, s, http.MethodPut, fmt.Sprintf("clients/%d", tc.id), tc.body)
				require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
				want := fmt.Sprintf(`{"officeId":1,"clientId":%d,"resourceId":%d,"changes":%s}`, tc.id, tc.id, tc.changes)
				if v.AtLeast(upstream.V1_9) && tc.resultExt != "" {
					want = want[:len(want)-1] + `,"resourceExternalId":"` + tc.resultExt + `"}`
				}
				assert.JSONEq(t, want, string(r.Raw))
				assert.Equal(t, writes+1, s.Writes())
				if tc.check != nil {
					c, _ := s.Client(tc.id)
					tc.check(t, c)
				}
			})
		}
	})
}

// TestUpdateValidation: validateForUpdate runs before the lookup, so a bad
// body on an unknown id is a 400. Its quirks are reproduced: a name part
// alone needs the other parts, and emailAddress alone is "no parameters".
func TestUpdateValidation(t *testing.T) {
	tests := []struct {
		name, body string
		items      []item
	}{
		{"empty object", `{}`, []item{
			{"validation.msg.client.no.parameters.for.update", "No parameters passed for update.", "id", []any{}}}},
		{"email alone does not count", `{"emailAddress":"a@b.c"}`, []item{
			{"validation.msg.client.no.parameters.for.update", "No parameters passed for update.", "id", nil}}},
		{"firstname alone", `{"firstname":"Ada"}`, []item{
			{"validation.msg.client.lastname.cannot.be.blank", "The parameter `lastname` is mandatory.", "lastname", nil}}},
		{"external id too long", `{"externalId":"` + fmt.Sprintf("%0101d", 0) + `"}`, []item{
			{"validation.msg.client.externalId.exceeds.max.length", "The parameter `externalId` exceeds max length of 100.", "externalId", nil}}},
		{"office is not updatable", `{"officeId":2,"externalId":"x"}`, []item{
			{"error.msg.parameter.unsupported", "The parameter officeId is not supported.", "officeId", []any{"officeId"}}}},
		{"legal form range", `{"legalFormId":0}`, []item{
			{"validation.msg.client.legalFormId.is.not.within.expected.range", "The parameter `legalFormId` must be between 1 and 2.", "legalFormId", []any{0, 1, 2}}}},
		{"date of birth after submission", `{"dateOfBirth":"2024-01-02","submittedOnDate":"2024-01-01","dateFormat":"yyyy-MM-dd","locale":"en"}`, []item{
			{"validation.msg.client.dateOfBirth.is.greater.than.date", "The parameter `dateOfBirth` must be less than the provided date2024-01-01", "dateOfBirth", nil}}},
	}
	forEachVersion(t, allVersions, func(t *testing.T, _ upstream.Version, s *fake.Server) {
		for _, tc := range tests {
			for _, id := range []int{1, 999} {
				t.Run(fmt.Sprintf("%s/%d", tc.name, id), func(t *testing.T) {
					wantError(t, do(t, s, http.MethodPut, fmt.Sprintf("clients/%d", id), tc.body), http.StatusBadRequest,
						"validation.msg.validation.errors.exist", tc.items...)
				})
			}
		}
		assert.Zero(t, s.Writes())
	})
}

func TestUpdateRefusals(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, _ upstream.Version, s *fake.Server) {
		t.Run("not found in every line", func(t *testing.T) {
			wantError(t, do(t, s, http.MethodPut, "clients/999", `{"externalId":"x"}`), http.StatusNotFound, "error.msg.resource.not.found",
				item{"error.msg.client.id.invalid", "Client with identifier 999 does not exist", "id", []any{999}})
		})
		t.Run("duplicate external id", func(t *testing.T) {
			wantError(t, do(t, s, http.MethodPut, "clients/1", `{"externalId":"ext-ada-001"}`), http.StatusForbidden,
				"error.msg.client.duplicate.externalId",
				item{"error.msg.client.duplicate.externalId", "Client with externalId `ext-ada-001` already exists", "externalId", []any{"ext-ada-001"}})
		})
		t.Run("submitted after activation", func(t *testing.T) {
			wantError(t, do(t, s, http.MethodPut, "clients/1", `{"submittedOnDate":"2023-02-01","dateFormat":"yyyy-MM-dd","locale":"en"}`),
				http.StatusBadRequest, "validation.msg.validation.errors.exist",
				item{"error.msg.clients.submittedOnDate.after.activation.date", "submitted date cannot be after the activation date", "submittedOnDate", []any{"2023-02-01"}})
		})
		t.Run("savings product on an active client", func(t *testing.T) {
			wantError(t, do(t, s, http.MethodPut, "clients/1", `{"savingsProductId":3}`), http.StatusForbidden, "validation.msg.domain.rule.violation",
				item{"error.msg.client.active.for.update.parameter.savingsProductId",
					"The Client with id `1` is active,can't update parameter savingsProductId", "id", []any{1, "savingsProductId"}})
		})
		t.Run("savings product on a pending client", func(t *testing.T) {
			wantError(t, do(t, s, http.MethodPut, "clients/3", `{"savingsProductId":3}`), http.StatusNotFound, "error.msg.resource.not.found",
				item{"error.msg.savingproduct.id.invalid", "Saving product with identifier 3 does not exist", "id", []any{3}})
		})
		t.Run("client type", func(t *testing.T) {
			wantError(t, do(t, s, http.MethodPut, "clients/1", `{"clientTypeId":5}`), http.StatusNotFound, "error.msg.resource.not.found",
				item{"error.msg.codevalue.codename.id.combination.invalid", "Code value with identifier 5 does not exist for a code with name ClientType", "id", []any{5, "ClientType"}})
		})
		t.Run("permission", func(t *testing.T) {
			s.DenyPermission("UPDATE_CLIENT")
			wantError(t, do(t, s, http.MethodPut, "clients/999", `{}`), http.StatusForbidden, "error.msg.not.authorized",
				item{"error.msg.not.authorized", "User has no authority to: UPDATE_CLIENT", "id", nil})
		})
		assert.Zero(t, s.Writes())
	})
}

// TestByExternalIDWrites: on 1.9+ writes by external id resolve it before
// the permission check, so an unknown one is 404 even without permission.
func TestByExternalIDWrites(t *testing.T) {
	forEachVersion(t, []upstream.Version{upstream.V1_9, upstream.V1_10}, func(t *testing.T, _ upstream.Version, s *fake.Server) {
		path := "clients/external-id/" + url.PathEscape(fake.SeedActiveExternalID)
		r := do(t, s, http.MethodPut, path, `{"externalId":"a?b"}`)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
		assert.JSONEq(t, `{"officeId":1,"clientId":1,"resourceId":1,"changes":{"externalId":"a?b"},"resourceExternalId":"a?b"}`, string(r.Raw))

		path = "clients/external-id/" + url.PathEscape("a?b")
		r = do(t, s, http.MethodPost, path+"?command=close", `{"closureDate":"2024-10-01","closureReasonId":17,"dateFormat":"yyyy-MM-dd","locale":"en"}`)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
		assert.JSONEq(t, `{"clientId":1,"resourceId":1,"resourceExternalId":"a?b"}`, string(r.Raw))

		r = do(t, s, http.MethodDelete, "clients/external-id/"+fake.SeedPendingExternalID, "")
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
		assert.JSONEq(t, `{"officeId":1,"clientId":3,"resourceId":3,"resourceExternalId":"ext-pending-001"}`, string(r.Raw))

		for _, task := range []string{"UPDATE_CLIENT", "DELETE_CLIENT", "CLOSE_CLIENT"} {
			s.DenyPermission(task)
		}
		notFound := item{"error.msg.client.id.invalid", "Client with identifier null does not exist", "id", []any{nil}}
		for _, rq := range []struct{ method, path, body string }{
			{http.MethodPut, "clients/external-id/nope", `{}`},
			{http.MethodDelete, "clients/external-id/nope", ""},
			{http.MethodPost, "clients/external-id/nope?command=close", `{}`},
			{http.MethodPost, "clients/external-id/nope?command=fly", `{}`},
		} {
			wantError(t, do(t, s, rq.method, rq.path, rq.body), http.StatusNotFound, "error.msg.resource.not.found", notFound)
		}
		wantError(t, do(t, s, http.MethodPut, "clients/external-id/"+fake.SeedNamedExternalID, `{}`), http.StatusForbidden, "error.msg.not.authorized",
			item{"error.msg.not.authorized", "User has no authority to: UPDATE_CLIENT", "id", nil})
		assert.Equal(t, 3, s.Writes())
	})
}
