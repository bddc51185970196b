package fake_test

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"

	"lmsproxy/upstream"
	"lmsproxy/upstream/fake"
)

// TestLoanListStatusSearch: 1.8 filters the loan list by a status
// comparison in sqlSearch (1.9+ has ?status=); what the injection check
// refuses is a 400, any condition beyond the one modelled a database error.
func TestLoanListStatusSearch(t *testing.T) {
	s := newServer(upstream.V1_8)
	client := s.AddClient(fake.ClientSeed{ExternalID: "search-1", Firstname: "A", Lastname: "B"})
	s.AddLoan(fake.LoanSeed{ClientID: client, Status: fake.LoanSubmittedAndPendingApproval})
	s.AddLoan(fake.LoanSeed{ClientID: client, Status: fake.LoanActive})
	count := func(t *testing.T, search string) resp {
		t.Helper()
		return do(t, s, "GET", "loans?offset=0&limit=100&sqlSearch="+url.QueryEscape(search), "")
	}
	all := do(t, s, "GET", "loans?offset=0&limit=100", "")
	submitted := count(t, "l.loan_status_id = 100")
	assert.Equal(t, 200, submitted.Status, string(submitted.Raw))
	assert.Equal(t, 1.0, submitted.Body["totalFilteredRecords"])
	active := count(t, " l.loan_status_id=300 ")
	assert.Less(t, active.Body["totalFilteredRecords"].(float64), all.Body["totalFilteredRecords"].(float64))
	assert.Equal(t, 400, count(t, "l.loan_status_id = 300 -- x").Status, "the injection check")
	assert.Equal(t, 500, count(t, "l.principal_amount > 5").Status, "not modelled: a database error")
}
