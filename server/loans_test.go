package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/server"
	"lmsproxy/upstream/fake"
	"lmsproxy/upstream/wire"
)

// loanForms addresses one loan by id or by externalId.
var loanForms = resourceForms{prefix: "/v1/loans", idParam: "loan_id", extParam: "loan_external_id"}

// partnerLoan is the part of the loan object the lifecycle tests follow.
type partnerLoan struct {
	ID                 string  `json:"id"`
	ExternalID         string  `json:"externalId"`
	CustomerID         string  `json:"customerId"`
	CustomerExternalID string  `json:"customerExternalId"`
	LoanProductID      string  `json:"loanProductId"`
	Status             string  `json:"status"`
	Principal          float64 `json:"principal"`
	PrincipalDisbursed float64 `json:"principalDisbursed"`
	TotalOutstanding   float64 `json:"totalOutstanding"`
	DisbursementDate   string  `json:"disbursementDate"`
	ApprovedDate       string  `json:"approvedDate"`
	RepaymentSchedule  []struct {
		Period  int    `json:"period"`
		DueDate string `json:"dueDate"`
	} `json:"repaymentSchedule"`
}

// decodeOK decodes a 200 answer, failing the test on any other.
func decodeOK[T any](t *testing.T, r response) T {
	t.Helper()
	require.Equal(t, http.StatusOK, r.status, r.body)
	var v T
	require.NoError(t, json.Unmarshal([]byte(r.body), &v), r.body)
	return v
}

func decodeLoan(t *testing.T, r response) partnerLoan {
	t.Helper()
	return decodeOK[partnerLoan](t, r)
}

// customer seeds an Active customer with externalId ext and returns its id.
func (s *stack) customer(ext string) int64 {
	return s.sim.AddClient(fake.ClientSeed{ExternalID: ext, Firstname: "Ada", Lastname: "Lovelace"})
}

// originate sends an origination for customer id of principal, with the
// body's externalId when ext is not "".
func (s *stack) originate(customer int64, principal int, ext string) response {
	body := fmt.Sprintf(`{"customerId":%d,"productId":%d,"principal":%d`, customer, fake.SeedFlatProductID, principal)
	if ext != "" {
		body += `,"externalId":` + strconv.Quote(ext)
	}
	return s.do("POST", "/v1/loans", body+"}")
}

// loanStatuses lists the statuses of a customer's loans in the simulator.
func (s *stack) loanStatuses(customer int64) []fake.LoanStatus {
	var out []fake.LoanStatus
	for _, l := range s.sim.Loans(customer) {
		out = append(out, l.Status)
	}
	return out
}

// assertRefusedBeforeWrite is assertRefusedBeforeUpstream for a refusal
// that needs the loan read first (its dates): nothing is written.
func (s *stack) assertRefusedBeforeWrite(t *testing.T, want string, send func() response) {
	t.Helper()
	writes := s.sim.Writes()
	r := send()
	require.Equal(t, http.StatusBadRequest, r.status, r.body)
	assert.JSONEq(t, `{"code":"invalid_argument","message":`+strconv.Quote(want)+`}`, r.body)
	assert.Equal(t, writes, s.sim.Writes(), "nothing written")
}

// TestLoanLifecycle: a loan originated in one call is Active, read in both
// forms alike, and taken back step by step to nothing, each answer the loan
// as the upstream then holds it; commands the status forbids are aborted
// and change nothing.
func TestLoanLifecycle(t *testing.T) {
	forEachLine(t, func(t *testing.T, s *stack) {
		for _, form := range forms {
			t.Run(form, func(t *testing.T) {
				cust := s.customer("cust-life-" + form)
				ext := "loan-life-" + form + "/a b"
				l := decodeLoan(t, s.originate(cust, 12000, ext))
				assert.Equal(t, "Active", l.Status)
				assert.Equal(t, ext, l.ExternalID)
				assert.Equal(t, strconv.FormatInt(cust, 10), l.CustomerID)
				assert.Equal(t, "cust-life-"+form, l.CustomerExternalID, "filled on 1.8 too")
				assert.Equal(t, 12000.0, l.Principal)
				assert.Equal(t, 12000.0, l.PrincipalDisbursed)
				assert.Equal(t, today.Format("2006-01-02"), l.DisbursementDate)
				assert.Len(t, l.RepaymentSchedule, 12)

				path := loanForms.path(form, l.ID, ext)
				byID := s.do("GET", loanForms.path("id", l.ID, ""), "")
				byExt := s.do("GET", loanForms.path("external", "", ext), "")
				require.Equal(t, 200, byID.status, byID.body)
				assert.JSONEq(t, byID.body, byExt.body, "both forms answer alike")

				for _, refused := range []struct{ method, sub, body string }{
					{"PUT", "", `{"principal":11000}`},
					{"DELETE", "", ""},
					{"POST", "/undo-approval", ""},
				} {
					r := s.do(refused.method, path+refused.sub, refused.body)
					assert.Equal(t, http.StatusConflict, r.status, r.body)
					assert.Contains(t, r.body, `"code":"aborted"`)
					assert.Contains(t, r.body, "is Active")
				}

				assert.Equal(t, "Approved", decodeLoan(t, s.do("POST", path+"/undo-disbursal", `{"note":"payout failed"}`)).Status)
				r := s.do("POST", path+"/undo-disbursal", "")
				assert.Equal(t, http.StatusConflict, r.status, "twice: %s", r.body)
				assert.Equal(t, "Submitted and pending approval", decodeLoan(t, s.do("POST", path+"/undo-approval", "")).Status)

				updated := decodeLoan(t, s.do("PUT", path, `{"principal":11000}`))
				assert.Equal(t, 11000.0, updated.Principal)
				assert.Equal(t, ext, updated.ExternalID, "unchanged terms are sent again as they were")

				r = s.do("DELETE", path, "")
				require.Equal(t, 200, r.status, r.body)
				assert.Empty(t, r.body)
				r = s.do("GET", path, "")
				assert.Equal(t, http.StatusNotFound, r.status, r.body)
				assert.Empty(t, s.sim.Loans(cust), "nothing left upstream")
			})
		}
	})
}

// TestOriginationRefusals: what an origination refuses, before anything is
// written upstream where the proxy can tell (principal, body, header), and
// with the customer or product named when the upstream refuses.
func TestOriginationRefusals(t *testing.T) {
	forEachLine(t, func(t *testing.T, s *stack) {
		active := s.customer("cust-refusals")
		closed := s.sim.AddClient(fake.ClientSeed{ExternalID: "cust-closed-r", Firstname: "Bo", Lastname: "Closed", Status: wire.ClientStatusClosed})
		product := strconv.FormatInt(fake.SeedFlatProductID, 10)
		tests := []struct {
			name, body string
			headers    map[string]string
			status     int
			code       string
			contains   string
		}{
			{"principal under the product's range", `{"customerId":` + strconv.FormatInt(active, 10) + `,"productId":` + product + `,"principal":500}`, nil,
				400, "invalid_argument", `must be between 1000 and 50000 for product 1`},
			{"principal with more decimals than the currency", `{"customerId":` + strconv.FormatInt(active, 10) + `,"productId":` + product + `,"principal":1000.123}`, nil,
				400, "invalid_argument", `decimal places (TZS)`},
			{"both customer fields", `{"customerId":1,"customerExternalId":"x","productId":1,"principal":1000}`, nil,
				400, "invalid_argument", `customerExternalId`},
			{"reserved externalId", `{"customerId":1,"productId":1,"principal":1000,"externalId":"lmsproxy-mine"}`, nil,
				400, "invalid_argument", `must not start with lmsproxy-`},
			{"bad Idempotency-Key", `{"customerId":1,"productId":1,"principal":1000}`, map[string]string{"Idempotency-Key": strings.Repeat("k", 101)},
				400, "invalid_argument", `Idempotency-Key`},
			{"unknown product", `{"customerId":` + strconv.FormatInt(active, 10) + `,"productId":999,"principal":1000}`, nil,
				404, "not_found", `Loan product with productId 999 does not exist`},
			{"unknown customer", `{"customerId":999999,"productId":` + product + `,"principal":1000}`, nil,
				404, "not_found", `Customer with customerId 999999 does not exist`},
			{"unknown customer externalId", `{"customerExternalId":"nobody","productId":` + product + `,"principal":1000}`, nil,
				404, "not_found", `Customer with customerExternalId nobody does not exist`},
			{"customer not active", `{"customerId":` + strconv.FormatInt(closed, 10) + `,"productId":` + product + `,"principal":1000}`, nil,
				409, "aborted", ``},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				headers := map[string]string{"Authorization": "Bearer " + s.token}
				for k, v := range tt.headers {
					headers[k] = v
				}
				writes := s.sim.Writes()
				r := s.doWith("POST", "/v1/loans", tt.body, headers)
				assert.Equal(t, tt.status, r.status, r.body)
				assert.Contains(t, r.body, `"code":"`+tt.code+`"`)
				assert.Contains(t, r.body, tt.contains)
				assert.Equal(t, writes, s.sim.Writes(), "nothing written")
			})
		}
		assert.Empty(t, s.sim.Loans(active))
		assert.Empty(t, s.sim.Loans(closed))
	})
}

// TestOriginationRetries: a partner's retry never makes a second loan. With
// an externalId the retry answers the first loan, or aborted when the id
// names a loan with other terms; without one the Idempotency-Key does the
// same, scoped to the partner.
func TestOriginationRetries(t *testing.T) {
	forEachLine(t, func(t *testing.T, s *stack) {
		cust := s.customer("cust-retries")
		first := decodeLoan(t, s.originate(cust, 5000, "retry-me"))
		again := decodeLoan(t, s.originate(cust, 5000, "retry-me"))
		assert.Equal(t, first.ID, again.ID, "the retry answers the first loan")

		r := s.originate(cust, 6000, "retry-me")
		assert.Equal(t, http.StatusConflict, r.status, r.body)
		assert.Contains(t, r.body, "already exists with other terms (id "+first.ID+")")
		s.sim.InjectFaults("POST", fake.Fault{ResetAfter: true})
		r = s.originate(cust, 6000, "retry-me")
		assert.Equal(t, http.StatusConflict, r.status, "a cut-off refusal is not taken for the first loan: %s", r.body)
		assert.Contains(t, r.body, "already exists with other terms (id "+first.ID+")")

		keyed := func(key string, principal int) response {
			return s.doWith("POST", "/v1/loans", fmt.Sprintf(`{"customerId":%d,"productId":1,"principal":%d}`, cust, principal),
				map[string]string{"Authorization": "Bearer " + s.token, "Idempotency-Key": key})
		}
		k1 := decodeLoan(t, keyed("wallet-req-1", 7000))
		assert.Empty(t, k1.ExternalID, "the proxy's own externalId is not shown")
		k2 := decodeLoan(t, keyed("wallet-req-1", 7000))
		assert.Equal(t, k1.ID, k2.ID)
		r = keyed("wallet-req-1", 8000)
		assert.Equal(t, http.StatusConflict, r.status, r.body)
		assert.Contains(t, r.body, "Idempotency-Key was used for another loan request")
		k3 := decodeLoan(t, keyed("wallet-req-2", 7000))
		assert.NotEqual(t, k1.ID, k3.ID, "a new key is a new loan")

		plain := decodeLoan(t, s.originate(cust, 9000, ""))
		assert.Empty(t, plain.ExternalID)
		assert.Equal(t, []fake.LoanStatus{fake.LoanActive, fake.LoanActive, fake.LoanActive, fake.LoanActive}, s.loanStatuses(cust))
	})
}

// TestOriginationFaults: whatever happens to the origination's one upstream
// write, the upstream ends with no loan or one Active loan, the partner's
// answer says which, and a partner's retry with the same Idempotency-Key
// never makes a second one.
func TestOriginationFaults(t *testing.T) {
	tests := []struct {
		name  string
		fault fake.Fault
		// created: the loan exists afterwards; otherwise the answer is an error.
		created bool
		code    string
	}{
		{"reset before the upstream applied it", fake.Fault{ResetBefore: true}, false, "unavailable"},
		{"reset after the upstream committed it", fake.Fault{ResetAfter: true}, true, ""},
		{"truncated answer after commit", fake.Fault{Truncate: true}, true, ""},
		{"malformed answer after commit", fake.Fault{Malformed: true}, true, ""},
		{"load balancer 502", fake.HTMLBadGateway, false, "unavailable"},
		{"overloaded 503", fake.Fault{Status: http.StatusServiceUnavailable, RetryAfter: 1}, false, "unavailable"},
		{"stall past the deadline", fake.Fault{Delay: 3 * time.Second}, false, "unavailable"},
	}
	for _, line := range lines {
		for _, tt := range tests {
			t.Run(line.String()+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				s := deploy(t, stackOptions{line: line, config: func(c *server.Config) { c.RequestTimeout = time.Second }})
				cust := s.customer("cust-fault")
				s.sim.InjectFaultAlways("POST", tt.fault)
				r := s.originateKeyed(cust, 10000, "wallet-fault-1")
				s.sim.ClearFaults()
				if tt.created {
					assert.Equal(t, "Active", decodeLoan(t, r).Status)
				} else {
					assert.Contains(t, r.body, `"code":"`+tt.code+`"`)
					assert.Empty(t, s.sim.Loans(cust), "no loan left behind")
				}
				retry := decodeLoan(t, s.originateKeyed(cust, 10000, "wallet-fault-1"))
				if tt.created {
					assert.Equal(t, decodeLoan(t, r).ID, retry.ID, "the retry answers the loan the cut-off request made")
				}
				assert.Equal(t, []fake.LoanStatus{fake.LoanActive}, s.loanStatuses(cust), "one loan, Active")
			})
		}
	}
}

// originateKeyed sends an origination without an externalId, made safe to
// retry by an Idempotency-Key.
func (s *stack) originateKeyed(customer int64, principal int, key string) response {
	return s.doWith("POST", "/v1/loans", fmt.Sprintf(`{"customerId":%d,"productId":%d,"principal":%d}`, customer, fake.SeedFlatProductID, principal),
		map[string]string{"Authorization": "Bearer " + s.token, "Idempotency-Key": key})
}

// TestOriginationStepRefused: a step the upstream refuses inside the batch
// (no permission) or holds for maker-checker approval leaves no loan: the
// batch's transaction rolls back, or the proxy tears down what a held step
// let through, and the partner is told nothing was originated.
func TestOriginationStepRefused(t *testing.T) {
	for _, line := range lines {
		for _, task := range []string{"CREATE_LOAN", "APPROVE_LOAN", "DISBURSE_LOAN"} {
			for _, how := range []string{"held", "denied"} {
				t.Run(line.String()+"/"+task+"/"+how, func(t *testing.T) {
					t.Parallel()
					s := newStack(t, line)
					cust := s.customer("cust-held")
					if how == "held" {
						s.sim.SetMakerChecker(task, true)
					} else {
						s.sim.DenyPermission(task)
					}
					r := s.originate(cust, 10000, "refused-"+task)
					assert.Equal(t, http.StatusForbidden, r.status, r.body)
					assert.Contains(t, r.body, `"code":"permission_denied"`)
					assert.Empty(t, s.sim.Loans(cust), "no Submitted or Approved loan stays behind")
				})
			}
		}
	}
}

// seededActiveLoan is an Active loan approved and disbursed ten days ago.
func (s *stack) seededActiveLoan(ext string) (int64, string) {
	cust := s.customer("cust-" + ext)
	id := s.sim.AddLoan(fake.LoanSeed{ClientID: cust, Status: fake.LoanActive, ExternalID: ext,
		SubmittedOn: wire.DateOf(today.AddDate(0, 0, -10))})
	return id, strconv.FormatInt(id, 10)
}

// TestAdjustDisbursementDate: the disbursement moves to the partner's date
// within its bounds; when the new disbursement fails the original is
// restored, and when that fails too the answer names the loan's state and
// the date to restore.
func TestAdjustDisbursementDate(t *testing.T) {
	day := func(d int) string { return today.AddDate(0, 0, d).Format("2006-01-02") }
	forEachLine(t, func(t *testing.T, s *stack) {
		for _, form := range forms {
			ext := "adjust-ok-" + form
			_, id := s.seededActiveLoan(ext)
			l := decodeLoan(t, s.do("POST", loanForms.path(form, id, ext)+"/adjust-disbursement-date", `{"actualDisbursementDate":"`+day(-5)+`"}`))
			assert.Equal(t, "Active", l.Status)
			assert.Equal(t, day(-5), l.DisbursementDate)
			assert.Equal(t, day(25), l.RepaymentSchedule[0].DueDate, "the schedule follows the new date")
		}
		_, id := s.seededActiveLoan("adjust-bounds")

		for _, bad := range []struct{ date, want string }{
			{day(1), "must not be after today's date " + day(0)},
			{day(-11), "must not be before the approval date " + day(-10)},
		} {
			s.assertRefusedBeforeWrite(t, `[{"field":"actualDisbursementDate","error":"`+bad.want+`"}]`, func() response {
				return s.do("POST", "/v1/loans/"+id+"/adjust-disbursement-date", `{"actualDisbursementDate":"`+bad.date+`"}`)
			})
		}

		t.Run("re-disbursement fails, original restored", func(t *testing.T) {
			_, id := s.seededActiveLoan("adjust-restore")
			s.sim.InjectFaults("POST", fake.Fault{}, fake.Fault{Status: http.StatusForbidden, Body: `{"httpStatusCode":"403","userMessageGlobalisationCode":"error.msg.loan.disbursal.failed","defaultUserMessage":"refused","errors":[]}`})
			r := s.do("POST", "/v1/loans/"+id+"/adjust-disbursement-date", `{"actualDisbursementDate":"`+day(-5)+`"}`)
			assert.GreaterOrEqual(t, r.status, 400, r.body)
			l := decodeLoan(t, s.do("GET", "/v1/loans/"+id, ""))
			assert.Equal(t, "Active", l.Status)
			assert.Equal(t, day(-10), l.DisbursementDate, "the original disbursement date is back")
		})
		t.Run("re-disbursement and restore fail", func(t *testing.T) {
			_, id := s.seededActiveLoan("adjust-stuck")
			refused := fake.Fault{Status: http.StatusForbidden, Body: `{"httpStatusCode":"403","userMessageGlobalisationCode":"error.msg.loan.disbursal.failed","defaultUserMessage":"refused","errors":[]}`}
			s.sim.InjectFaults("POST", fake.Fault{}, refused, refused)
			r := s.do("POST", "/v1/loans/"+id+"/adjust-disbursement-date", `{"actualDisbursementDate":"`+day(-5)+`"}`)
			assert.Equal(t, http.StatusInternalServerError, r.status, r.body)
			assert.Contains(t, r.body, "left Approved")
			assert.Contains(t, r.body, "disburse it at "+day(-10))
			assert.Equal(t, "Approved", decodeLoan(t, s.do("GET", "/v1/loans/"+id, "")).Status)
		})
	})
}

// TestRollback: a rollback takes a loan from any status it allows back to
// nothing, resuming after a failed call from where the loan stands.
func TestRollback(t *testing.T) {
	forEachLine(t, func(t *testing.T, s *stack) {
		for _, form := range forms {
			t.Run("from Active, "+form, func(t *testing.T) {
				ext := "rollback-" + form
				_, id := s.seededActiveLoan(ext)
				r := s.do("POST", loanForms.path(form, id, ext)+"/rollback", `{"note":"wallet payout failed"}`)
				require.Equal(t, 200, r.status, r.body)
				var out struct {
					Steps []string    `json:"steps"`
					Loan  partnerLoan `json:"loan"`
				}
				require.NoError(t, json.Unmarshal([]byte(r.body), &out))
				assert.Equal(t, []string{"undo-disbursal", "undo-approval", "delete"}, out.Steps)
				assert.Equal(t, "Submitted and pending approval", out.Loan.Status)
				assert.Equal(t, http.StatusNotFound, s.do("GET", "/v1/loans/"+id, "").status)
			})
		}
		t.Run("resumed after each step", func(t *testing.T) {
			for failAt := 1; failAt <= 3; failAt++ {
				_, id := s.seededActiveLoan("rollback-resume-" + strconv.Itoa(failAt))
				seq := make([]fake.Fault, failAt)
				seq[failAt-1] = fake.Fault{Status: http.StatusForbidden, Body: `{"httpStatusCode":"403","userMessageGlobalisationCode":"error.msg.rollback.refused","defaultUserMessage":"refused","errors":[]}`}
				s.sim.InjectFaults("POST", seq...)
				if failAt == 3 {
					s.sim.ClearFaults()
					s.sim.InjectFaults("POST", fake.Fault{}, fake.Fault{})
					s.sim.InjectFaults("DELETE", seq[2])
				}
				r := s.do("POST", "/v1/loans/"+id+"/rollback", "")
				assert.GreaterOrEqual(t, r.status, 400, "step %d fails: %s", failAt, r.body)
				s.sim.ClearFaults()
				r = s.do("POST", "/v1/loans/"+id+"/rollback", "")
				require.Equal(t, 200, r.status, r.body)
				want := []string{"undo-disbursal", "undo-approval", "delete"}[failAt-1:]
				var out struct {
					Steps []string `json:"steps"`
				}
				require.NoError(t, json.Unmarshal([]byte(r.body), &out))
				assert.Equal(t, want, out.Steps, "resumed at step %d", failAt)
				assert.Equal(t, http.StatusNotFound, s.do("GET", "/v1/loans/"+id, "").status)
			}
		})
		t.Run("settled loans refused", func(t *testing.T) {
			cust := s.customer("cust-settled")
			id := s.sim.AddLoan(fake.LoanSeed{ClientID: cust, Status: fake.LoanClosedObligationsMet})
			r := s.do("POST", "/v1/loans/"+strconv.FormatInt(id, 10)+"/rollback", "")
			assert.Equal(t, http.StatusConflict, r.status, r.body)
			assert.Contains(t, r.body, "Closed (obligations met)")
		})
	})
}

// TestWriteOff: an Active loan is written off today or at a date from its
// disbursement on; other statuses are aborted.
func TestWriteOff(t *testing.T) {
	forEachLine(t, func(t *testing.T, s *stack) {
		for _, form := range forms {
			t.Run(form, func(t *testing.T) {
				ext := "writeoff-" + form
				_, id := s.seededActiveLoan(ext)
				path := loanForms.path(form, id, ext)
				s.assertRefusedBeforeWrite(t, `[{"field":"transactionDate","error":"must not be before the disbursement date `+today.AddDate(0, 0, -10).Format("2006-01-02")+`"}]`, func() response {
					return s.do("POST", path+"/write-off", `{"transactionDate":"`+today.AddDate(0, 0, -11).Format("2006-01-02")+`"}`)
				})
				assert.Equal(t, "Closed (written off)", decodeLoan(t, s.do("POST", path+"/write-off", `{"note":"uncollectable"}`)).Status)
				r := s.do("POST", path+"/write-off", "")
				assert.Equal(t, http.StatusConflict, r.status, r.body)
				assert.Contains(t, r.body, "is Closed (written off)")
			})
		}
	})
}

// list0 counts the loans the simulator was seeded with.
func list0(t *testing.T, s *stack) int {
	t.Helper()
	r := s.do("GET", "/v1/loans?rows=1", "")
	require.Equal(t, 200, r.status, r.body)
	var p struct{ Total int }
	require.NoError(t, json.Unmarshal([]byte(r.body), &p))
	return p.Total
}

// TestLoanList: filters, order and paging over the loans, with a total that
// counts every match, in a bounded number of upstream round trips.
func TestLoanList(t *testing.T) {
	forEachLine(t, func(t *testing.T, s *stack) {
		seeded := list0(t, s)
		a := s.customer("list-a")
		b := s.customer("list-b")
		for i, p := range []int{3000, 1000, 2000} {
			decodeLoan(t, s.originate(a, p, "list-a-"+strconv.Itoa(i)))
		}
		s.sim.AddLoan(fake.LoanSeed{ClientID: a, Status: fake.LoanSubmittedAndPendingApproval, Principal: 4000})
		decodeLoan(t, s.originate(b, 5000, "list-b-0"))

		type page struct {
			Items []partnerLoan `json:"items"`
			Total int           `json:"total"`
		}
		list := func(query string) page {
			t.Helper()
			before := len(s.sim.Requests())
			r := s.do("GET", "/v1/loans?"+query, "")
			require.Equal(t, 200, r.status, r.body)
			assert.LessOrEqual(t, len(s.sim.Requests())-before, 3, "round trips for %s", query)
			var p page
			require.NoError(t, json.Unmarshal([]byte(r.body), &p))
			return p
		}
		principals := func(p page) []float64 {
			var out []float64
			for _, l := range p.Items {
				out = append(out, l.Principal)
			}
			return out
		}
		cid := strconv.FormatInt(a, 10)
		p := list("customerId=" + cid + "&orderBy=principal&sortOrder=DESC")
		assert.Equal(t, 4, p.Total)
		assert.Equal(t, []float64{4000, 3000, 2000, 1000}, principals(p))
		p = list("customerExternalId=list-a&status=active&rows=2&page=2&orderBy=principal")
		assert.Equal(t, 3, p.Total, "status filters before the total")
		assert.Equal(t, []float64{3000}, principals(p))
		p = list("status=Submitted%20and%20pending%20approval")
		assert.Equal(t, 1, p.Total)
		p = list("externalId=list-b-0")
		require.Len(t, p.Items, 1)
		assert.Equal(t, "list-b", p.Items[0].CustomerExternalID)
		p = list("externalId=list-b-0&customerId=" + cid)
		assert.Empty(t, p.Items, "the point lookup keeps the other filters")
		p = list("rows=50")
		assert.Equal(t, seeded+5, p.Total)
		assert.Len(t, p.Items, seeded+5)

		r := s.do("GET", "/v1/loans?customerId=1&customerExternalId=x", "")
		assert.Equal(t, 400, r.status, r.body)
		assert.True(t, strings.Contains(r.body, "must not be given with customerId"), r.body)
	})
}
