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
