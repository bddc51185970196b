package fake_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream"
	"lmsproxy/upstream/fake"
)

// heldCommand is one client command as the proxy sends it, with the client
// it is for (0 for a create).
type heldCommand struct {
	name, task, method, path, body string
	clientID                       int64
}

var heldCommands = []heldCommand{
	{"create", "CREATE_CLIENT", http.MethodPost, "clients", "", 0},
	{"update", "UPDATE_CLIENT", http.MethodPut, "clients/1", `{"externalId":"renamed"}`, fake.SeedActiveID},
	{"close", "CLOSE_CLIENT", http.MethodPost, "clients/1?command=close", closeBody("2024-10-24", fake.ClosureReasonID), fake.SeedActiveID},
	{"delete", "DELETE_CLIENT", http.MethodDelete, "clients/3", "", fake.SeedPendingID},
}

// The answer to a held command, byte for byte per line: up to 1.9 the
// ToApiJsonSerializer's (rollbackTransaction false, a create's resourceId is
// the rolled-back client's), from 1.10 plain Gson's through
// RollbackTransactionNotApprovedExceptionMapper (ExternalId objects as {},
// no resourceId for a create). Nothing is applied; one command is pending;
// a held create used up a client id.
func TestMakerCheckerAnswerPerLine(t *testing.T) {
	for _, cmd := range heldCommands {
		t.Run(cmd.name, func(t *testing.T) {
			forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
				s.SetMakerChecker(cmd.task, true)
				before, _ := s.Client(cmd.clientID)
				body := cmd.body
				if cmd.name == "create" {
					body = jsonBody(t, proxyCreate, nil)
				}
				r := do(t, s, cmd.method, cmd.path, body)
				require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
				assert.Equal(t, "application/json", r.Header.Get("Content-Type"))

				resourceID := cmd.clientID
				if resourceID == 0 {
					resourceID = 6 // the id the rolled-back insert took
				}
				want := fmt.Sprintf(`{"commandId":1,"resourceId":%d,"rollbackTransaction":false}`, resourceID)
				if v.AtLeast(upstream.V1_10) {
					want = fmt.Sprintf(`{"commandId":1,"resourceId":%d,"rollbackTransaction":true,"resourceExternalId":{},"subResourceExternalId":{}}`, cmd.clientID)
					if cmd.clientID == 0 {
						want = `{"commandId":1,"rollbackTransaction":true,"resourceExternalId":{},"subResourceExternalId":{}}`
					}
				}
				assert.Equal(t, want, string(r.Raw))

				assert.Zero(t, s.Writes())
				assert.Equal(t, []fake.PendingCommand{{ID: 1, Task: cmd.task, ClientID: cmd.clientID}}, s.PendingCommands())
				after, _ := s.Client(cmd.clientID)
				assert.Equal(t, before, after, "a held command changes nothing")
				if cmd.name == "create" {
					_, exists := s.Client(6)
					assert.False(t, exists)
					s.SetMakerChecker(cmd.task, false)
					r := do(t, s, http.MethodPost, "clients", jsonBody(t, proxyCreate, nil))
					require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
					assert.EqualValues(t, 7, r.Body["clientId"], "the held create used up id 6")
				}
			})
		})
	}
}

// A held command still runs every check: a refused one is refused, not held.
func TestMakerCheckerRunsTheChecks(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, _ upstream.Version, s *fake.Server) {
		s.SetMakerChecker("CREATE_CLIENT", true)
		s.SetMakerChecker("CLOSE_CLIENT", true)
		wantError(t, do(t, s, http.MethodPost, "clients", `{}`), http.StatusBadRequest, "validation.msg.validation.errors.exist",
			item{"validation.msg.client.officeId.cannot.be.blank", "The parameter `officeId` is mandatory.", "officeId", nil},
			item{"validation.msg.client.id..no.name.details.passed", "Failed data validation due to: .no.name.details.passed.", "id", nil},
			item{"validation.msg.client.legalFormId.cannot.be.blank", "The parameter `legalFormId` is mandatory.", "legalFormId", nil})
		wantError(t, do(t, s, http.MethodPost, "clients/4?command=close", closeBody("2024-10-01", fake.ClosureReasonID)), http.StatusForbidden,
			"validation.msg.domain.rule.violation", item{"error.msg.client.close.loan.non-closed", "Client cannot be closed because of non-closed loans.", "id", nil})
		s.DenyPermission("CREATE_CLIENT")
		wantError(t, do(t, s, http.MethodPost, "clients", jsonBody(t, proxyCreate, nil)), http.StatusForbidden, "error.msg.not.authorized",
			item{"error.msg.not.authorized", "User has no authority to: CREATE_CLIENT", "id", nil})
		assert.Empty(t, s.PendingCommands())
	})
}

// createClient with active=true also asks for ACTIVATE_CLIENT, after the
// body, the references and the unique indexes
// (ClientWritePlatformServiceJpaRepositoryImpl, 1.8.4 and 1.10.1); an
// inactive create does not need it.
func TestCreateNeedsActivatePermission(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, _ upstream.Version, s *fake.Server) {
		s.DenyPermission("ACTIVATE_CLIENT")
		wantError(t, do(t, s, http.MethodPost, "clients", jsonBody(t, proxyCreate, nil)), http.StatusForbidden, "error.msg.not.authorized",
			item{"error.msg.not.authorized", "User has no authority to: ACTIVATE_CLIENT", "id", nil})
		dup := jsonBody(t, proxyCreate, map[string]any{"externalId": fake.SeedActiveExternalID})
		r := do(t, s, http.MethodPost, "clients", dup)
		require.Equal(t, http.StatusForbidden, r.Status)
		assert.Equal(t, "error.msg.client.duplicate.externalId", r.Body["userMessageGlobalisationCode"], "the unique index comes first")
		assert.Zero(t, s.Writes())

		r = do(t, s, http.MethodPost, "clients", jsonBody(t, proxyCreate, nil, "active", "activationDate"))
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
		assert.Equal(t, 1, s.Writes())
	})
}

// Maker-checker on ACTIVATE_CLIENT holds a create with active=true (its
// result asks for the rollback), as a pending CREATE_CLIENT command.
func TestActivationMakerCheckerHoldsCreate(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, _ upstream.Version, s *fake.Server) {
		s.SetMakerChecker("ACTIVATE_CLIENT", true)
		r := do(t, s, http.MethodPost, "clients", jsonBody(t, proxyCreate, nil))
		require.Equal(t, http.StatusOK, r.Status)
		assert.EqualValues(t, 1, r.Body["commandId"])
		assert.NotContains(t, r.Body, "clientId")
		assert.Equal(t, []fake.PendingCommand{{ID: 1, Task: "CREATE_CLIENT"}}, s.PendingCommands())
		assert.Zero(t, s.Writes())

		r = do(t, s, http.MethodPost, "clients", jsonBody(t, proxyCreate, nil, "active", "activationDate"))
		require.Equal(t, http.StatusOK, r.Status)
		assert.Contains(t, r.Body, "clientId", "a pending client needs no activation")
	})
}

// From 1.10 a checker super user (CHECKER_SUPER_USER, or ALL_FUNCTIONS) is
// its own checker; before it maker-checker holds everyone.
func TestCheckerSuperUser(t *testing.T) {
	for _, permission := range []string{"CHECKER_SUPER_USER", "ALL_FUNCTIONS"} {
		t.Run(permission, func(t *testing.T) {
			forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
				s.GrantPermission(permission)
				s.SetMakerChecker("UPDATE_CLIENT", true)
				r := do(t, s, http.MethodPut, "clients/1", `{"externalId":"renamed"}`)
				require.Equal(t, http.StatusOK, r.Status)
				applied := v.AtLeast(upstream.V1_10)
				assert.Equal(t, applied, r.Body["clientId"] != nil, "body: %s", r.Raw)
				assert.Equal(t, applied, s.Writes() == 1)
			})
		})
	}
}

// Read permission is READ_CLIENT, ALL_FUNCTIONS_READ or ALL_FUNCTIONS
// (AppUser.validateHasReadPermission).
func TestReadPermissionAlternatives(t *testing.T) {
	for _, grant := range []string{"ALL_FUNCTIONS_READ", "ALL_FUNCTIONS"} {
		t.Run(grant, func(t *testing.T) {
			s := newServer(upstream.V1_10)
			s.DenyPermission("READ_CLIENT")
			wantError(t, do(t, s, http.MethodGet, "clients/1", ""), http.StatusForbidden, "error.msg.not.authorized",
				item{"error.msg.not.authorized", "User has no authority to READ clients", "id", nil})
			s.GrantPermission(grant)
			assert.Equal(t, http.StatusOK, do(t, s, http.MethodGet, "clients/1", "").Status)
		})
	}
}

// Only commands can be put under maker-checker: the upstream refuses READ_*,
// *_CHECKER and the special permissions (updateMakerCheckerPermissions).
func TestSetMakerCheckerRefusesNonCommands(t *testing.T) {
	s := newServer(upstream.V1_10)
	for _, p := range []string{"READ_CLIENT", "CREATE_CLIENT_CHECKER", "ALL_FUNCTIONS", "CHECKER_SUPER_USER", "WAIVEINTERESTPORTION_LOAN"} {
		assert.Panics(t, func() { s.SetMakerChecker(p, true) }, p)
	}
	assert.NotPanics(t, func() { s.SetMakerChecker("ACTIVATE_CLIENT", true) })
}
