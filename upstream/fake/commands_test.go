package fake_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream"
	"lmsproxy/upstream/fake"
	"lmsproxy/upstream/wire"
)

func TestDelete(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		r := do(t, s, http.MethodDelete, fmt.Sprintf("clients/%d", fake.SeedPendingID), "")
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
		want := `{"officeId":1,"clientId":3,"resourceId":3}`
		if v.AtLeast(upstream.V1_9) {
			want = `{"officeId":1,"clientId":3,"resourceId":3,"resourceExternalId":"ext-pending-001"}`
		}
		assert.JSONEq(t, want, string(r.Raw))
		_, exists := s.Client(fake.SeedPendingID)
		assert.False(t, exists)

		for _, id := range []int64{fake.SeedActiveID, fake.SeedClosedID} {
			wantError(t, do(t, s, http.MethodDelete, fmt.Sprintf("clients/%d", id), ""), http.StatusForbidden, "validation.msg.domain.rule.violation",
				item{"error.msg.clients.cannot.be.deleted", fmt.Sprintf("Client with identifier %d cannot be deleted as it is not in Pending state.", id), "id", []any{id}})
		}
		wantError(t, do(t, s, http.MethodDelete, fmt.Sprintf("clients/%d", fake.SeedPendingID), ""), http.StatusNotFound, "error.msg.resource.not.found",
			item{"error.msg.client.id.invalid", "Client with identifier 3 does not exist", "id", []any{3}})
		assert.Equal(t, 1, s.Writes())

		s.DenyPermission("DELETE_CLIENT")
		wantError(t, do(t, s, http.MethodDelete, "clients/99", ""), http.StatusForbidden, "error.msg.not.authorized",
			item{"error.msg.not.authorized", "User has no authority to: DELETE_CLIENT", "id", nil})
	})
}

// closeBody is a valid close body for the given date.
func closeBody(date string, reason int64) string {
	return fmt.Sprintf(`{"closureDate":%q,"closureReasonId":%d,"dateFormat":"yyyy-MM-dd","locale":"en"}`, date, reason)
}

func TestClose(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		for _, id := range []int64{fake.SeedActiveID, fake.SeedPendingID} { // a pending client may be closed
			r := do(t, s, http.MethodPost, fmt.Sprintf("clients/%d?command=close", id), closeBody("2024-10-24", fake.ClosureReasonRelocatedID))
			require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
			c, _ := s.Client(id)
			want := fmt.Sprintf(`{"clientId":%d,"resourceId":%d}`, id, id)
			if v.AtLeast(upstream.V1_9) {
				want = fmt.Sprintf(`{"clientId":%d,"resourceId":%d,"resourceExternalId":%q}`, id, id, c.ExternalID)
			}
			assert.JSONEq(t, want, string(r.Raw), "no officeId in a close answer")
			assert.Equal(t, wire.ClientStatusClosed, c.Status)
			assert.Equal(t, "2024-10-24", c.ClosedOn.ISO())
			assert.Equal(t, fake.ClosureReasonRelocatedID, c.ClosureReasonID)
		}
		// Command names are trimmed and case-insensitive; a future date is fine.
		r := do(t, s, http.MethodPost, fmt.Sprintf("clients/%d?command=%%20CLOSE", fake.SeedNamedID), closeBody("2030-01-01", fake.ClosureReasonID))
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
		assert.Equal(t, 3, s.Writes())
	})
}

func TestCloseRefusals(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, _ upstream.Version, s *fake.Server) {
		transfer := s.AddClient(fake.Seed{Status: wire.ClientStatusTransferOnHold, Firstname: "T", Lastname: "T"})
		loanClosed := s.AddClient(fake.Seed{Firstname: "L", Lastname: "C", SubmittedOn: day(2023, 1, 1), LoanClosedOn: day(2024, 6, 1)})
		overpaid := s.AddClient(fake.Seed{Firstname: "O", Lastname: "P", SubmittedOn: day(2023, 1, 1), OverpaidLoan: true})
		savings := s.AddClient(fake.Seed{Firstname: "S", Lastname: "V", SubmittedOn: day(2023, 1, 1), OpenSavings: true})

		rule := func(code, msg string, args ...any) []item {
			if args == nil {
				args = []any{}
			}
			return []item{{code, msg, "id", args}}
		}
		tests := []struct {
			name   string
			id     int64
			body   string
			status int
			top    string
			items  []item
		}{
			{"already closed", fake.SeedClosedID, closeBody("2024-10-01", 17), http.StatusForbidden, "validation.msg.domain.rule.violation",
				rule("error.msg.client.close.is.already.closed", "Client is already closed.")},
			{"under transfer", transfer, closeBody("2024-10-01", 17), http.StatusForbidden, "validation.msg.domain.rule.violation",
				rule("error.msg.client.close.is.under.transfer", "Cannot Close a Client under Transfer")},
			{"before activation", fake.SeedActiveID, closeBody("2023-01-09", 17), http.StatusForbidden, "validation.msg.domain.rule.violation",
				rule("error.msg.client.close.date.cannot.before.client.actvation.date",
					"The client closureDate cannot be before the client ActivationDate.", "2023-01-09", "2023-01-10")},
			{"open loan", fake.SeedOpenLoanID, closeBody("2024-10-01", 17), http.StatusForbidden, "validation.msg.domain.rule.violation",
				rule("error.msg.client.close.loan.non-closed", "Client cannot be closed because of non-closed loans.")},
			{"before a loan's close date", loanClosed, closeBody("2024-05-31", 17), http.StatusForbidden, "validation.msg.domain.rule.violation",
				rule("error.msg.client.close.date.cannot.before.loan.closed.date",
					"The client closureDate cannot be before the loan closedOnDate.", "2024-05-31", "2024-06-01")},
			{"overpaid loan", overpaid, closeBody("2024-10-01", 17), http.StatusForbidden, "validation.msg.domain.rule.violation",
				rule("error.msg.client.close.loan.overpaid", "Client cannot be closed because of overpaid loans.")},
			{"open savings", savings, closeBody("2024-10-01", 17), http.StatusForbidden, "validation.msg.domain.rule.violation",
				rule("error.msg.client.close.non-closed.savings.account", "Client cannot be closed because of non-closed savings account.")},
			{"unknown reason", fake.SeedActiveID, closeBody("2024-10-01", 11), http.StatusNotFound, "error.msg.resource.not.found",
				[]item{{"error.msg.codevalue.codename.id.combination.invalid",
					"Code value with identifier 11 does not exist for a code with name ClientClosureReason", "id", []any{11, "ClientClosureReason"}}}},
			{"reason of another code", fake.SeedActiveID, closeBody("2024-10-01", fake.RejectReasonID), http.StatusNotFound, "error.msg.resource.not.found",
				[]item{{"error.msg.codevalue.codename.id.combination.invalid",
					"Code value with identifier 20 does not exist for a code with name ClientClosureReason", "id", nil}}},
			{"reason checked before the rules", fake.SeedClosedID, closeBody("2024-10-01", 11), http.StatusNotFound, "error.msg.resource.not.found",
				[]item{{"error.msg.codevalue.codename.id.combination.invalid",
					"Code value with identifier 11 does not exist for a code with name ClientClosureReason", "id", nil}}},
			{"unknown client", 999, closeBody("2024-10-01", 11), http.StatusNotFound, "error.msg.resource.not.found",
				[]item{{"error.msg.client.id.invalid", "Client with identifier 999 does not exist", "id", []any{999}}}},
			{"body before lookup", 999, `{"dateFormat":"yyyy-MM-dd","locale":"en"}`, http.StatusBadRequest, "validation.msg.validation.errors.exist", []item{
				{"validation.msg.client.closureDate.cannot.be.blank", "The parameter `closureDate` is mandatory.", "closureDate", []any{nil}},
				{"validation.msg.client.closureReasonId.cannot.be.blank", "The parameter `closureReasonId` is mandatory.", "closureReasonId", []any{nil}},
			}},
			{"reason not positive", fake.SeedActiveID, closeBody("2024-10-01", 0), http.StatusBadRequest, "validation.msg.validation.errors.exist", []item{
				{"validation.msg.client.closureReasonId.not.greater.than.zero", "The parameter `closureReasonId` must be greater than 0.", "closureReasonId", []any{0, 0}},
			}},
			{"date needs format", fake.SeedActiveID, `{"closureDate":"2024-10-01","closureReasonId":0}`, http.StatusBadRequest, "validation.msg.validation.errors.exist", []item{
				{"validation.msg.missing.dateFormat.parameter", "The parameter `closureDate` requires a `dateFormat` parameter to be passed with it.", "closureDate", nil},
				{"validation.msg.missing.locale.parameter", "The parameter `closureDate` requires a `locale` parameter to be passed with it.", "closureDate", nil},
			}},
			{"unsupported member", fake.SeedActiveID, `{"closureDate":"2024-10-01","closureReasonId":17,"note":"x"}`, http.StatusBadRequest, "validation.msg.validation.errors.exist", []item{
				{"error.msg.parameter.unsupported", "The parameter note is not supported.", "note", nil},
			}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := do(t, s, http.MethodPost, fmt.Sprintf("clients/%d?command=close", tc.id), tc.body)
				wantError(t, r, tc.status, tc.top, tc.items...)
			})
		}
		t.Run("reason that is not a number", func(t *testing.T) {
			wantSpring(t, do(t, s, http.MethodPost, "clients/1?command=close", `{"closureDate":"2024-10-01","closureReasonId":"x","dateFormat":"yyyy-MM-dd","locale":"en"}`),
				http.StatusInternalServerError, clientsPath+"/1")
		})
		assert.Zero(t, s.Writes())
	})
}

func TestUnknownCommands(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, _ upstream.Version, s *fake.Server) {
		s.DenyPermission("CLOSE_CLIENT") // no permission is checked for an unknown command
		for _, tc := range []struct{ query, shown string }{
			{"?command=fly", "fly"},
			{"", "null"},
			{"?command=assignStaff", "assignStaff"},
			{"?command=proposeTransfer", "proposeTransfer"},
		} {
			t.Run(tc.shown, func(t *testing.T) {
				var arg any
				if tc.shown != "null" {
					arg = tc.shown
				}
				wantError(t, do(t, s, http.MethodPost, "clients/999"+tc.query, `{}`), http.StatusBadRequest, "validation.msg.validation.errors.exist",
					item{"error.msg.query.parameter.value.unsupported", "The query parameter command has an unsupported value of: " + tc.shown, "command", []any{"command", arg}})
			})
		}
	})
}

func TestClosePermission(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, _ upstream.Version, s *fake.Server) {
		s.DenyPermission("CLOSE_CLIENT")
		wantError(t, do(t, s, http.MethodPost, "clients/999?command=close", ""), http.StatusForbidden, "error.msg.not.authorized",
			item{"error.msg.not.authorized", "User has no authority to: CLOSE_CLIENT", "id", []any{}})
	})
}

// TestStateCommands covers the other lifecycle commands the upstream has.
func TestStateCommands(t *testing.T) {
	type step struct {
		id         int64
		command    string
		body       string
		status     int
		wantStatus int    // client status afterwards
		code       string // errors[0] code when refused
		msg        string
	}
	date := func(param, d string) string {
		return fmt.Sprintf(`{%q:%q,"dateFormat":"yyyy-MM-dd","locale":"en"}`, param, d)
	}
	withReason := func(param, d, reasonParam string, reason int64) string {
		return fmt.Sprintf(`{%q:%q,%q:%d,"dateFormat":"yyyy-MM-dd","locale":"en"}`, param, d, reasonParam, reason)
	}
	p, a, c := fake.SeedPendingID, fake.SeedActiveID, fake.SeedClosedID
	steps := []step{
		{a, "activate", date("activationDate", "2024-01-01"), 400, 300, "error.msg.clients.already.active", "Cannot activate client. Client is already active."},
		{p, "activate", date("activationDate", "2024-10-25"), 400, 100, "error.msg.clients.activationDate.in.the.future", "Activation date cannot be in the future."},
		{p, "activate", date("activationDate", "2023-02-01"), 400, 100, "error.msg.clients.submittedOnDate.after.activation.date", "submitted date cannot be after the activation date"},
		{a, "reject", withReason("rejectionDate", "2024-01-01", "rejectionReasonId", fake.RejectReasonID), 403, 300,
			"error.msg.client.rejection.on.account.not.in.pending.activation.status", "Only clients pending activation may be withdrawn."},
		{p, "reject", withReason("rejectionDate", "2023-02-28", "rejectionReasonId", fake.RejectReasonID), 403, 100,
			"error.msg.client.rejection.date.cannot.before.client.submitted.date", "The client rejection date cannot be before the client submitted date."},
		{p, "reject", withReason("rejectionDate", "2024-01-01", "rejectionReasonId", fake.ClosureReasonID), 404, 100,
			"error.msg.codevalue.codename.id.combination.invalid", "Code value with identifier 17 does not exist for a code with name ClientRejectReason"},
		{p, "reject", withReason("rejectionDate", "2024-01-01", "rejectionReasonId", fake.RejectReasonID), 200, 700, "", ""},
		{p, "undoWithdrawal", date("reopenedDate", "2024-01-02"), 403, 700,
			"error.msg.client.undoWithdrawal.on.nonwithdrawal.account", "only withdrawal clients may be reactivated."},
		{p, "undoRejection", date("reopenedDate", "2024-01-02"), 200, 100, "", ""},
		{p, "withdraw", withReason("withdrawalDate", "2024-01-03", "withdrawalReasonId", fake.WithdrawReasonID), 200, 800, "", ""},
		{p, "undoRejection", date("reopenedDate", "2024-01-04"), 403, 800,
			"error.msg.client.undorejection.on.nonrejected.account", "only rejected clients may be reactivated."},
		{p, "undowithdrawal", date("reopenedDate", "2024-01-04"), 200, 100, "", ""},
		{a, "withdraw", withReason("withdrawalDate", "2024-01-03", "withdrawalReasonId", fake.WithdrawReasonID), 403, 300,
			"error.msg.client.withdrawal.on.account.not.in.pending.activation.status", "Only clients pending activation may be withdrawn."},
		{p, "activate", date("activationDate", "2024-02-01"), 200, 300, "", ""},
		{a, "reactivate", date("reactivationDate", "2024-01-01"), 403, 300,
			"error.msg.client.reactivation.on.nonclosed.account", "only closed clients may be reactivated."},
		{c, "reactivate", date("reactivationDate", "2023-05-31"), 403, 600,
			"error.msg.client.reactivation.date.cannot.before.client.closed.date", "The client reactivation date cannot be before the client closed date."},
		{c, "reactivate", date("reactivationDate", "2024-01-01"), 200, 100, "", ""}, // back to Pending, not Active
	}
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		for i, st := range steps {
			t.Run(fmt.Sprintf("%02d %s %d", i, st.command, st.id), func(t *testing.T) {
				r := do(t, s, http.MethodPost, fmt.Sprintf("clients/%d?command=%s", st.id, st.command), st.body)
				require.Equal(t, st.status, r.Status, "body: %s", r.Raw)
				if st.status == http.StatusOK {
					_, hasOffice := r.Body["officeId"]
					assert.Equal(t, st.command == "activate", hasOffice, "only activate answers officeId")
					_, hasExt := r.Body["resourceExternalId"]
					assert.Equal(t, v.AtLeast(upstream.V1_9), hasExt)
				} else {
					assert.Equal(t, st.code, r.Body["errors"].([]any)[0].(map[string]any)["userMessageGlobalisationCode"])
					assert.Equal(t, st.msg, r.Body["errors"].([]any)[0].(map[string]any)["defaultUserMessage"])
				}
				got, _ := s.Client(st.id)
				assert.Equal(t, st.wantStatus, got.Status)
			})
		}
		reopened, _ := s.Client(c)
		assert.True(t, reopened.ClosedOn.IsZero())
		assert.True(t, reopened.ActivatedOn.IsZero())
		activated, _ := s.Client(p)
		assert.Equal(t, "2024-02-01", activated.ActivatedOn.ISO())
	})
}

func TestStateCommandValidation(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, _ upstream.Version, s *fake.Server) {
		wantError(t, do(t, s, http.MethodPost, "clients/3?command=reject", `{"locale":"en"}`), http.StatusBadRequest, "validation.msg.validation.errors.exist",
			item{"validation.msg.client.rejectionDate.cannot.be.blank", "The parameter `rejectionDate` is mandatory.", "rejectionDate", nil},
			item{"validation.msg.client.rejectionReasonId.cannot.be.blank", "The parameter `rejectionReasonId` is mandatory.", "rejectionReasonId", nil})
		wantError(t, do(t, s, http.MethodPost, "clients/3?command=activate", `{"closureDate":"x"}`), http.StatusBadRequest, "validation.msg.validation.errors.exist",
			item{"error.msg.parameter.unsupported", "The parameter closureDate is not supported.", "closureDate", nil})
		s.DenyPermission("ACTIVATE_CLIENT")
		wantError(t, do(t, s, http.MethodPost, "clients/3?command=activate", `{}`), http.StatusForbidden, "error.msg.not.authorized",
			item{"error.msg.not.authorized", "User has no authority to: ACTIVATE_CLIENT", "id", nil})
	})
}
