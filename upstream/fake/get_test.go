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

// TestGetOneShape pins GET /clients/{id}: the SQL row mapper up to 1.8,
// the entity mapper from 1.9 (no unset code values, no submittedBy*,
// savingsProductName = the id, legalForm "Person").
func TestGetOneShape(t *testing.T) {
	want := map[upstream.Version]string{
		upstream.V1_8: `{"id":2,"accountNo":"000000002","externalId":"ext-ada-001",
			"status":{"id":300,"code":"clientStatusType.active","value":"Active"},
			"subStatus":{"active":false,"mandatory":false},"active":true,"activationDate":[2023,2,1],
			"firstname":"Ada","lastname":"Lovelace","displayName":"Ada Lovelace","mobileNo":"+447700900001",
			"emailAddress":"ada@example.com","dateOfBirth":[1815,12,10],
			"gender":{"active":false,"mandatory":false},"clientType":{"active":false,"mandatory":false},
			"clientClassification":{"active":false,"mandatory":false},"isStaff":false,"officeId":1,"officeName":"Head Office",
			"timeline":{"submittedOnDate":[2023,2,1],"submittedByUsername":"mifos","submittedByFirstname":"App",
				"submittedByLastname":"Administrator","activatedOnDate":[2023,2,1],"activatedByUsername":"mifos",
				"activatedByFirstname":"App","activatedByLastname":"Administrator"},
			"legalForm":{"id":1,"code":"legalFormType.person","value":"PERSON"},
			"clientCollateralManagements":[],"groups":[],
			"clientNonPersonDetails":{"constitution":{"active":false,"mandatory":false},"mainBusinessLine":{"active":false,"mandatory":false}}}`,
		upstream.V1_10: `{"id":2,"accountNo":"000000002","externalId":"ext-ada-001",
			"status":{"id":300,"code":"clientStatusType.active","value":"Active"},"active":true,"activationDate":[2023,2,1],
			"firstname":"Ada","lastname":"Lovelace","displayName":"Ada Lovelace","mobileNo":"+447700900001",
			"emailAddress":"ada@example.com","dateOfBirth":[1815,12,10],"isStaff":false,"officeId":1,"officeName":"Head Office",
			"timeline":{"submittedOnDate":[2023,2,1],"activatedOnDate":[2023,2,1],"activatedByUsername":"mifos",
				"activatedByFirstname":"App","activatedByLastname":"Administrator"},
			"savingsProductName":"2","legalForm":{"id":1,"code":"legalFormType.person","value":"Person"},
			"clientCollateralManagements":[],"groups":[]}`,
	}
	want[upstream.V1_9] = want[upstream.V1_10]
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		r := do(t, s, http.MethodGet, fmt.Sprintf("clients/%d", fake.SeedNamedID), "")
		require.Equal(t, http.StatusOK, r.Status)
		assert.JSONEq(t, want[v], string(r.Raw))
	})
}

func TestGetOneStates(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		pending := do(t, s, http.MethodGet, fmt.Sprintf("clients/%d", fake.SeedPendingID), "").Body
		assert.Equal(t, false, pending["active"])
		assert.NotContains(t, pending, "activationDate")
		timeline := pending["timeline"].(map[string]any)
		assert.NotContains(t, timeline, "activatedOnDate")
		_, submitter := timeline["submittedByUsername"]
		assert.Equal(t, !v.AtLeast(upstream.V1_9), submitter, "1.9+ GET-one has no submittedBy*")

		closed := do(t, s, http.MethodGet, fmt.Sprintf("clients/%d", fake.SeedClosedID), "").Body
		assert.Equal(t, float64(600), closed["status"].(map[string]any)["id"])
		assert.Equal(t, "mifos", closed["timeline"].(map[string]any)["closedByUsername"])

		entity := s.AddClient(fake.ClientSeed{Fullname: "Acme Ltd", LegalFormID: 2})
		body := do(t, s, http.MethodGet, fmt.Sprintf("clients/%d", entity), "").Body
		assert.Equal(t, "Acme Ltd", body["displayName"])
		wantLabel := "ENTITY"
		if v.AtLeast(upstream.V1_9) {
			wantLabel = "Entity"
		}
		assert.Equal(t, map[string]any{"id": float64(2), "code": "legalFormType.entity", "value": wantLabel}, body["legalForm"])
	})
}

// TestGetOneNotFound: the 1.9 rewrite changed code, text ("valuer", sic)
// and the arg's type.
func TestGetOneNotFound(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		r := do(t, s, http.MethodGet, "clients/99", "")
		if v.AtLeast(upstream.V1_9) {
			wantError(t, r, http.StatusNotFound, "error.msg.resource.not.found",
				item{"error.msg.client.not.found.with.client.id", "Client not found with valuer 99.", "id", []any{"99"}})
		} else {
			wantError(t, r, http.StatusNotFound, "error.msg.resource.not.found",
				item{"error.msg.client.id.invalid", "Client with identifier 99 does not exist", "id", []any{99}})
		}
		assert.Equal(t, "The requested resource is not available.", r.Body["developerMessage"])
		assert.Equal(t, "The requested resource is not available.", r.Body["defaultUserMessage"])
	})
}

func TestGetOneReadPermission(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, _ upstream.Version, s *fake.Server) {
		s.DenyPermission("READ_CLIENT")
		for _, id := range []int{1, 99} { // permission before lookup
			wantError(t, do(t, s, http.MethodGet, fmt.Sprintf("clients/%d", id), ""), http.StatusForbidden, "error.msg.not.authorized",
				item{"error.msg.not.authorized", "User has no authority to READ clients", "id", []any{}})
		}
	})
}

// TestGetByExternalID: 1.9+ only; an unknown id says "identifier null".
func TestGetByExternalID(t *testing.T) {
	forEachVersion(t, []upstream.Version{upstream.V1_9, upstream.V1_10}, func(t *testing.T, _ upstream.Version, s *fake.Server) {
		odd := s.AddClient(fake.ClientSeed{ExternalID: "x?#& é+", Firstname: "O", Lastname: "Dd"})
		accounts := s.AddClient(fake.ClientSeed{ExternalID: "accounts", Firstname: "A", Lastname: "Cc"})

		tests := []struct {
			name, ext string
			want      int64
		}{
			{"seeded", fake.SeedNamedExternalID, fake.SeedNamedID},
			{"case-insensitive collation", "EXT-ADA-001", fake.SeedNamedID},
			{"reserved characters", "x?#& é+", odd},
			{"{clientId}/accounts has fewer literal characters", "accounts", accounts},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := do(t, s, http.MethodGet, "clients/external-id/"+url.PathEscape(tc.ext), "")
				require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
				assert.Equal(t, float64(tc.want), r.Body["id"])
				assert.Contains(t, r.Body, "savingsProductName", "the 1.9+ single-client shape")
			})
		}
		t.Run("another resource's template matches first", func(t *testing.T) {
			s.AddClient(fake.ClientSeed{ExternalID: "identifiers", Firstname: "I", Lastname: "Dd"})
			for _, rq := range []struct {
				method, name string
				status       int
			}{
				{http.MethodGet, "identifiers", http.StatusNotFound},
				{http.MethodPut, "identifiers", http.StatusMethodNotAllowed},
				{http.MethodGet, "transactions", http.StatusNotFound},
				{http.MethodDelete, "notes", http.StatusMethodNotAllowed},
				{http.MethodDelete, "images", http.StatusNotFound},
			} {
				path := fake.BasePath + "/clients/external-id/" + rq.name
				wantSpring(t, do(t, s, rq.method, path, "{}"), rq.status, path)
			}
		})
		t.Run("wildcards are not special here", func(t *testing.T) {
			r := do(t, s, http.MethodGet, "clients/external-id/"+url.PathEscape("ext-ada-_"), "")
			wantError(t, r, http.StatusNotFound, "error.msg.resource.not.found",
				item{"error.msg.client.id.invalid", "Client with identifier null does not exist", "id", []any{nil}})
			assert.Contains(t, string(r.Raw), `"args": [`+"\n        {}")
		})
		t.Run("permission before resolution", func(t *testing.T) {
			s.DenyPermission("READ_CLIENT")
			wantError(t, do(t, s, http.MethodGet, "clients/external-id/nope", ""), http.StatusForbidden, "error.msg.not.authorized",
				item{"error.msg.not.authorized", "User has no authority to READ clients", "id", nil})
		})
	})
}
