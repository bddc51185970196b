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

// TestLoanUpdate: a Submitted loan takes a whole re-sent application and
// reports what changed; any other state is a 403 before the body is read.
func TestLoanUpdate(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		id := submit(t, s, v, map[string]any{"externalId": "u-1"})
		path := fmt.Sprintf("loans/%d", id)
		r := do(t, s, http.MethodPut, path, submitBody(t, v, map[string]any{"externalId": "u-1", "principal": 12000}))
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
		assert.Equal(t, map[string]any{"principal": 12000.0}, r.Body["changes"])
		got := do(t, s, http.MethodGet, path, "").Body
		assert.Equal(t, 12000.0, got["proposedPrincipal"])

		wantError(t, do(t, s, http.MethodPut, path, submitBody(t, v, map[string]any{"principal": 60000})),
			http.StatusBadRequest, "validation.msg.validation.errors.exist",
			item{code: "validation.msg.loan.principal.amount.is.not.within.min.max.range",
				msg: "The parameter `principal` amount 60000.0 must be between 1000.00 and 50000.00 ."})
		wantError(t, do(t, s, http.MethodPut, path, `{"locale":"en"}`), http.StatusBadRequest, "validation.msg.validation.errors.exist",
			item{code: "validation.msg.loan.no.parameters.for.update", msg: "No parameters passed for update.", param: "id"})

		wantError(t, do(t, s, http.MethodPut, "loans/1", "{}"), http.StatusForbidden, "validation.msg.domain.rule.violation",
			item{code: "error.msg.loan.cannot.modify.loan.in.its.present.state",
				msg: "Loan application with identifier 1 cannot be modified in its current state."})
		wantError(t, do(t, s, http.MethodPut, "loans/99", "{}"), http.StatusNotFound, "error.msg.resource.not.found",
			item{code: "error.msg.loan.id.invalid", msg: "Loan with identifier 99 does not exist"})
		assert.Equal(t, 2, s.Writes())
	})
}

// TestLoanList: the exact externalId filter of every line, the numeric
// status of 1.9+ (ignored by 1.8, a name is a 500), paging.
func TestLoanList(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		submit(t, s, v, map[string]any{"externalId": "list-1"})
		submit(t, s, v, map[string]any{"externalId": "list-2"})
		count := func(query string) any {
			return do(t, s, http.MethodGet, "loans"+query, "").Body["totalFilteredRecords"]
		}
		assert.Equal(t, 3.0, count(""))
		assert.Equal(t, 1.0, count("?externalId=LIST-2"))
		assert.Equal(t, 0.0, count("?externalId=list"), "exact, not LIKE")
		page := do(t, s, http.MethodGet, "loans?offset=1&limit=1", "").Body
		assert.Equal(t, 3.0, page["totalFilteredRecords"])
		require.Len(t, page["pageItems"], 1)
		assert.Equal(t, 2.0, page["pageItems"].([]any)[0].(map[string]any)["id"])
		r := do(t, s, http.MethodGet, "loans?status=Active", "")
		if !v.AtLeast(upstream.V1_9) {
			assert.Equal(t, 3.0, count("?status=100"), "1.8 has no status filter")
			return
		}
		assert.Equal(t, 2.0, count("?status=100"))
		assert.Equal(t, http.StatusInternalServerError, r.Status)
	})
}

// TestClientAccounts: a customer's loans with the balances the partner
// roll-up reads; zero amounts and empty collections are omitted.
func TestClientAccounts(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		r := do(t, s, http.MethodGet, fmt.Sprintf("clients/%d/accounts", fake.SeedOpenLoanID), "")
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
		loans := r.Body["loanAccounts"].([]any)
		require.Len(t, loans, 1)
		l := loans[0].(map[string]any)
		assert.Equal(t, "Standard 12-Month", l["productName"])
		assert.Equal(t, 10000.0, l["originalLoan"])
		assert.Equal(t, 11800.0, l["loanBalance"])
		assert.NotContains(t, l, "amountPaid")
		_, hasCurrency := l["currency"]
		assert.Equal(t, v.AtLeast(upstream.V1_9), hasCurrency)

		submitted := do(t, s, http.MethodGet, fmt.Sprintf("clients/%d/accounts", fake.SeedActiveID), "")
		assert.JSONEq(t, `{}`, string(submitted.Raw), "no loans: no collection")
		assert.Equal(t, http.StatusNotFound, do(t, s, http.MethodGet, "clients/99/accounts", "").Status)
		if v.HasExternalIDRoutes() {
			r = do(t, s, http.MethodGet, "clients/external-id/"+fake.SeedOpenLoanExternalID+"/accounts", "")
			assert.Len(t, r.Body["loanAccounts"], 1)
		}
	})
}
