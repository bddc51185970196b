package server_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/translate"
	"lmsproxy/upstream/fake"
)

// awaitingApproval is the README's answer to a write that a maker-checker
// rule holds for approval.
const awaitingApproval = `{"code":"permission_denied","message":"lms: status=200: the change awaits approval in the loan management system and is not applied until it is approved there; do not resend it"}`

// partnerDo sends a request as a partner following the README's retry
// guidance would: an unavailable answer is resent (at most three times in
// all), any other answer is final.
func partnerDo(s *stack, method, path, body string) response {
	s.t.Helper()
	var r response
	for range 3 {
		if r = s.do(method, path, body); r.status != http.StatusServiceUnavailable {
			break
		}
	}
	return r
}

// A write that a maker-checker rule holds is answered as the README
// promises, on every line (1.10+ writes the held answer with plain Gson,
// externalIds as objects): 403 permission_denied saying it awaits approval
// — never a customer, and never "not applied, retry", which would have a
// partner queue one more pending command with every retry. The customer is
// unchanged and exactly one command is pending.
func TestMakerCheckerHeldWrites(t *testing.T) {
	active := strconv.FormatInt(fake.SeedActiveID, 10)
	pending := strconv.FormatInt(fake.SeedPendingID, 10)
	tests := []struct {
		name, task, method, path, body string
		clientID                       int64
	}{
		{"create", "CREATE_CLIENT", "POST", "/v1/customers", `{"externalId":"mc-new"}`, 0},
		{"rename by id", "UPDATE_CLIENT", "PUT", customers.path("id", active, ""), `{"externalId":"mc-renamed"}`, fake.SeedActiveID},
		{"rename by externalId", "UPDATE_CLIENT", "PUT", customers.path("external", "", fake.SeedActiveExternalID), `{"externalId":"mc-renamed"}`, fake.SeedActiveID},
		{"close by id", "CLOSE_CLIENT", "POST", customers.path("id", active, "") + "/close", `{"closureDate":"2026-11-21","closureReasonId":17}`, fake.SeedActiveID},
		{"close by externalId", "CLOSE_CLIENT", "POST", customers.path("external", "", fake.SeedActiveExternalID) + "/close", `{"closureDate":"2026-11-21","closureReasonId":17}`, fake.SeedActiveID},
		{"delete by id", "DELETE_CLIENT", "DELETE", customers.path("id", pending, ""), "", fake.SeedPendingID},
		{"delete by externalId", "DELETE_CLIENT", "DELETE", customers.path("external", "", fake.SeedPendingExternalID), "", fake.SeedPendingID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forEachLine(t, func(t *testing.T, s *stack) {
				s.sim.SetMakerChecker(tt.task, true)
				before, _ := s.sim.Client(tt.clientID)

				r := partnerDo(s, tt.method, tt.path, tt.body)
				assert.Equal(t, http.StatusForbidden, r.status)
				assert.JSONEq(t, awaitingApproval, r.body)

				assert.Equal(t, []fake.PendingCommand{{ID: 1, Task: tt.task, ClientID: tt.clientID}}, s.sim.PendingCommands(),
					"one partner request, one pending command")
				assert.Zero(t, s.sim.Writes())
				after, _ := s.sim.Client(tt.clientID)
				assert.Equal(t, before, after)
				if tt.clientID == 0 {
					assert.Equal(t, http.StatusNotFound, s.do("GET", customers.path("external", "", "mc-new"), "").status)
				}
			})
		})
	}
}

// A create asks the upstream for an active customer, which needs the
// service account's ACTIVATE_CLIENT as well as CREATE_CLIENT: without it the
// partner gets permission_denied and nothing is created; with activation
// under maker-checker the create is held.
func TestCreateNeedsActivation(t *testing.T) {
	t.Run("permission", func(t *testing.T) {
		forEachLine(t, func(t *testing.T, s *stack) {
			s.sim.DenyPermission("ACTIVATE_CLIENT")
			r := s.do("POST", "/v1/customers", `{"externalId":"no-activate"}`)
			assert.Equal(t, http.StatusForbidden, r.status)
			assert.JSONEq(t, `{"code":"permission_denied","message":"lms: status=403: the service account may not perform this action"}`, r.body)
			assert.NotContains(t, r.body, "ACTIVATE")
			assert.Zero(t, s.sim.Writes())
			assert.Equal(t, http.StatusNotFound, s.do("GET", customers.path("external", "", "no-activate"), "").status)
		})
	})
	t.Run("maker-checker", func(t *testing.T) {
		forEachLine(t, func(t *testing.T, s *stack) {
			s.sim.SetMakerChecker("ACTIVATE_CLIENT", true)
			r := partnerDo(s, "POST", "/v1/customers", `{"externalId":"held-activation"}`)
			assert.Equal(t, http.StatusForbidden, r.status)
			assert.JSONEq(t, awaitingApproval, r.body)
			assert.Equal(t, []fake.PendingCommand{{ID: 1, Task: "CREATE_CLIENT"}}, s.sim.PendingCommands())
		})
	})
}

// Each permission the README lists for the service account is needed: take
// one away and what needs it answers permission_denied, in partner words.
func TestServiceAccountPermissions(t *testing.T) {
	active := strconv.FormatInt(fake.SeedActiveID, 10)
	pending := strconv.FormatInt(fake.SeedPendingID, 10)
	tests := []struct {
		permission, method, path, body string
	}{
		{"READ_CLIENT", "GET", customers.path("id", active, ""), ""},
		{"READ_CLIENT", "GET", "/v1/customers?page=1", ""},
		{"CREATE_CLIENT", "POST", "/v1/customers", `{"externalId":"perm-1"}`},
		{"ACTIVATE_CLIENT", "POST", "/v1/customers", `{"externalId":"perm-2"}`},
		{"UPDATE_CLIENT", "PUT", customers.path("id", active, ""), `{"externalId":"perm-3"}`},
		{"CLOSE_CLIENT", "POST", customers.path("id", active, "") + "/close", `{"closureDate":"2026-11-21","closureReasonId":17}`},
		{"DELETE_CLIENT", "DELETE", customers.path("id", pending, ""), ""},
	}
	for _, tt := range tests {
		t.Run(tt.permission+" "+tt.method, func(t *testing.T) {
			forEachLine(t, func(t *testing.T, s *stack) {
				s.sim.DenyPermission(tt.permission)
				r := s.do(tt.method, tt.path, tt.body)
				require.Equal(t, http.StatusForbidden, r.status, r.body)
				assert.Contains(t, r.body, `"code":"`+string(translate.PermissionDenied)+`"`)
				assert.Zero(t, s.sim.Writes())
			})
		})
	}
}
