package server_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/server"
	"lmsproxy/upstream/fake"
)

// partnerRepayment is the repayment object.
type partnerRepayment struct {
	ID                 string  `json:"id"`
	Type               string  `json:"type"`
	Date               string  `json:"date"`
	Amount             float64 `json:"amount"`
	Principal          float64 `json:"principal"`
	Interest           float64 `json:"interest"`
	OverpaymentPortion float64 `json:"overpaymentPortion"`
	Reversed           bool    `json:"reversed"`
	IdempotencyKey     string  `json:"idempotencyKey"`
}

func decodeRepayment(t *testing.T, r response) partnerRepayment {
	t.Helper()
	return decodeOK[partnerRepayment](t, r)
}

// activeLoan seeds an Active loan of 12 000 on the flat product, disbursed
// today: 12 instalments of 1 000 principal and 180 interest.
func (s *stack) activeLoan(ext string) string {
	cust := s.customer("cust-" + ext)
	return strconv.FormatInt(s.sim.AddLoan(fake.LoanSeed{ClientID: cust, Status: fake.LoanActive, Principal: 12000, ExternalID: ext}), 10)
}

// repay posts a repayment of amount to the loan at path, with key unless "".
func (s *stack) repay(path string, amount float64, key string) response {
	body := `{"transactionAmount":` + strconv.FormatFloat(amount, 'f', -1, 64)
	if key != "" {
		body += `,"idempotencyKey":` + strconv.Quote(key)
	}
	return s.do("POST", path+"/repayments", body+"}")
}

// repayments lists the loan's repayments, all of them.
func (s *stack) repayments(t *testing.T, path string) []partnerRepayment {
	t.Helper()
	r := s.do("GET", path+"/repayments?rows=100", "")
	require.Equal(t, 200, r.status, r.body)
	var p struct {
		Items []partnerRepayment `json:"items"`
		Total int                `json:"total"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.body), &p))
	require.Len(t, p.Items, p.Total)
	return p.Items
}

// TestRepaymentAllocation: a payment is allocated as the upstream's default
// strategy does, interest then principal of the oldest instalment; paying
// off with a surplus leaves the loan Overpaid with the surplus shown; the
// loan's repaymentHistory and the repayment list agree, newest first.
func TestRepaymentAllocation(t *testing.T) {
	forEachLine(t, func(t *testing.T, s *stack) {
		for _, form := range forms {
			t.Run(form, func(t *testing.T) {
				ext := "alloc-" + form
				id := s.activeLoan(ext)
				path := loanForms.path(form, id, ext)

				first := decodeRepayment(t, s.repay(path, 1180, "wallet-"+form+"-1"))
				assert.Equal(t, partnerRepayment{ID: first.ID, Type: "Repayment", Date: today.Format("2006-01-02"),
					Amount: 1180, Principal: 1000, Interest: 180, IdempotencyKey: "wallet-" + form + "-1"}, first)
				loan := decodeLoan(t, s.do("GET", path, ""))
				assert.Equal(t, 12980.0, loan.TotalOutstanding)

				payoff := decodeRepayment(t, s.repay(path, 12980+500, "wallet-"+form+"-2"))
				assert.Equal(t, 13480.0, payoff.Amount)
				assert.Equal(t, 11000.0, payoff.Principal)
				assert.Equal(t, 1980.0, payoff.Interest)
				assert.Equal(t, 500.0, payoff.OverpaymentPortion)
				loan = decodeLoan(t, s.do("GET", path, ""))
				assert.Equal(t, "Overpaid", loan.Status)
				assert.Equal(t, 0.0, loan.TotalOutstanding)

				listed := s.repayments(t, path)
				require.Len(t, listed, 2)
				assert.Equal(t, []string{payoff.ID, first.ID}, []string{listed[0].ID, listed[1].ID}, "newest first")
				var detail struct {
					RepaymentHistory []partnerRepayment `json:"repaymentHistory"`
				}
				require.NoError(t, json.Unmarshal([]byte(s.do("GET", path, "").body), &detail))
				assert.Equal(t, listed, detail.RepaymentHistory, "the list is the loan's repaymentHistory")
				assert.Equal(t, first, decodeRepayment(t, s.do("GET", path+"/repayments/"+first.ID, "")))
			})
		}
	})
}

// TestRepaymentExactPayoffCloses: paying exactly what is owed closes the
// loan.
func TestRepaymentExactPayoffCloses(t *testing.T) {
	forEachLine(t, func(t *testing.T, s *stack) {
		id := s.activeLoan("payoff")
		decodeRepayment(t, s.repay("/v1/loans/"+id, 14160, "payoff-1"))
		assert.Equal(t, "Closed (obligations met)", decodeLoan(t, s.do("GET", "/v1/loans/"+id, "")).Status)
	})
}

// TestRepaymentIdempotency: the same key on the same loan posts once and
// answers the first repayment, sequentially and concurrently; on another
// loan it is another repayment.
func TestRepaymentIdempotency(t *testing.T) {
	forEachLine(t, func(t *testing.T, s *stack) {
		a := "/v1/loans/" + s.activeLoan("idem-a")
		b := "/v1/loans/" + s.activeLoan("idem-b")
		first := decodeRepayment(t, s.repay(a, 500, "wallet-tx-778"))
		again := decodeRepayment(t, s.repay(a, 500, "wallet-tx-778"))
		assert.Equal(t, first, again, "a repeat answers the first repayment")
		other := decodeRepayment(t, s.repay(b, 500, "wallet-tx-778"))
		assert.NotEqual(t, first.ID, other.ID, "the key on another loan is another repayment")
		assert.Len(t, s.repayments(t, a), 1)
		assert.Len(t, s.repayments(t, b), 1)

		const n = 20
		answers := make([]response, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { answers[i] = s.repay(a, 250, "wallet-tx-concurrent") })
		}
		wg.Wait()
		var ids []string
		for _, r := range answers {
			ids = append(ids, decodeRepayment(t, r).ID)
		}
		for _, id := range ids {
			assert.Equal(t, ids[0], id, "every concurrent duplicate answers the one repayment")
		}
		assert.Len(t, s.repayments(t, a), 2, "posted once")

		long := strings.Repeat("k", 100)
		l1 := decodeRepayment(t, s.repay(b, 100, long))
		l2 := decodeRepayment(t, s.repay(b, 100, long))
		assert.Equal(t, l1.ID, l2.ID, "a key too long to carry in the externalId is still posted once")
		assert.Empty(t, l1.IdempotencyKey, "and cannot be told back")

		plain := decodeRepayment(t, s.repay(b, 100, ""))
		assert.Empty(t, plain.IdempotencyKey)
		assert.Len(t, s.repayments(t, b), 3)
	})
}

// TestRepaymentFaults: whatever happens to the post, a repayment is never
// posted twice and a committed one is never lost: the answer is the
// repayment, or an error after which the same key answers it (or posts it
// once, when it was not posted).
func TestRepaymentFaults(t *testing.T) {
	tests := []struct {
		name   string
		faults []fake.Fault
		// posted: the first request's answer is the repayment.
		posted bool
	}{
		{"reset before the upstream read it", []fake.Fault{{ResetBefore: true}}, false},
		{"reset after the upstream committed it", []fake.Fault{{ResetAfter: true}}, true},
		{"truncated answer after commit", []fake.Fault{{Truncate: true}}, true},
		{"503 burst", []fake.Fault{{Status: http.StatusServiceUnavailable}, {Status: http.StatusServiceUnavailable}, {Status: http.StatusServiceUnavailable}}, false},
		{"stall past the deadline", []fake.Fault{{Delay: 3 * time.Second}}, false},
	}
	for _, line := range lines {
		for _, tt := range tests {
			for _, keyed := range []bool{true, false} {
				t.Run(fmt.Sprintf("%s/%s/keyed=%v", line, tt.name, keyed), func(t *testing.T) {
					t.Parallel()
					s := deploy(t, stackOptions{line: line, config: func(c *server.Config) { c.RequestTimeout = time.Second }})
					path := "/v1/loans/" + s.activeLoan("fault")
					key := ""
					if keyed {
						key = "wallet-fault"
					}
					s.sim.InjectFaults("POST", tt.faults...)
					r := s.repay(path, 1180, key)
					s.sim.ClearFaults()
					after := s.repayments(t, path)
					require.LessOrEqual(t, len(after), 1, "never posted twice: %s", r.body)
					if r.status == http.StatusOK {
						require.Len(t, after, 1, "an answered repayment is posted")
						assert.Equal(t, after[0].ID, decodeRepayment(t, r).ID)
					} else {
						assert.NotContains(t, []int{400, 404, 409}, r.status, "not the partner's fault: %s", r.body)
					}
					if tt.posted {
						assert.Equal(t, http.StatusOK, r.status, "a committed post is found and answered: %s", r.body)
					}
					if !keyed {
						return
					}
					retry := decodeRepayment(t, s.repay(path, 1180, key))
					final := s.repayments(t, path)
					require.Len(t, final, 1, "the retry with the key posts at most once in all")
					assert.Equal(t, final[0].ID, retry.ID)
				})
			}
		}
	}
}

// fieldNamed is how an invalid_argument answer names a field: inside its
// JSON-encoded message, so with escaped quotes.
func fieldNamed(name string) string { return `\"field\":\"` + name + `\"` }

// TestRepaymentRefusals: what a repayment refuses, each before anything is
// posted, and reads that never show another loan's transactions.
func TestRepaymentRefusals(t *testing.T) {
	forEachLine(t, func(t *testing.T, s *stack) {
		day := func(d int) string { return today.AddDate(0, 0, d).Format("2006-01-02") }
		active := "/v1/loans/" + s.activeLoan("refusals")
		cust := s.customer("cust-refusals-pending")
		pending := "/v1/loans/" + strconv.FormatInt(s.sim.AddLoan(fake.LoanSeed{ClientID: cust, Status: fake.LoanSubmittedAndPendingApproval}), 10)
		writtenOff := "/v1/loans/" + strconv.FormatInt(s.sim.AddLoan(fake.LoanSeed{ClientID: cust, Status: fake.LoanClosedWrittenOff}), 10)
		tests := []struct {
			name, path, body string
			status           int
			contains         string
		}{
			{"no amount", active, `{}`, 400, fieldNamed("transactionAmount")},
			{"zero", active, `{"transactionAmount":0}`, 400, fieldNamed("transactionAmount")},
			{"more decimals than the currency", active, `{"transactionAmount":1.005}`, 400, `decimal places (TZS)`},
			{"future date", active, `{"transactionAmount":10,"transactionDate":"` + day(1) + `"}`, 400, fieldNamed("transactionDate")},
			{"before the disbursement", active, `{"transactionAmount":10,"transactionDate":"` + day(-1) + `"}`, 400, `must not be before the disbursement date`},
			{"unknown field", active, `{"transactionAmount":10,"note":"x"}`, 400, fieldNamed("note")},
			{"key too long", active, `{"transactionAmount":10,"idempotencyKey":"` + strings.Repeat("k", 101) + `"}`, 400, fieldNamed("idempotencyKey")},
			{"pending loan", pending, `{"transactionAmount":10}`, 409, `is Submitted and pending approval`},
			{"written-off loan", writtenOff, `{"transactionAmount":10}`, 409, `is Closed (written off)`},
			{"unknown loan", "/v1/loans/999999", `{"transactionAmount":10}`, 404, `Loan with id 999999 does not exist`},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				writes := s.sim.Writes()
				r := s.do("POST", tt.path+"/repayments", tt.body)
				assert.Equal(t, tt.status, r.status, r.body)
				assert.Contains(t, r.body, tt.contains)
				assert.Equal(t, writes, s.sim.Writes(), "nothing posted")
			})
		}

		other := "/v1/loans/" + s.activeLoan("refusals-other")
		mine := decodeRepayment(t, s.repay(active, 100, "mine"))
		r := s.do("GET", other+"/repayments/"+mine.ID, "")
		assert.Equal(t, http.StatusNotFound, r.status, "another loan's repayment: %s", r.body)
		assert.Contains(t, r.body, `"code":"not_found"`)
		assert.Empty(t, s.repayments(t, other), "another loan's repayments are not listed")
		r = s.do("GET", active+"/repayments/999999", "")
		assert.Equal(t, http.StatusNotFound, r.status, r.body)
		assert.Contains(t, r.body, "Repayment with id 999999 does not exist")
	})
}

// TestRepaymentAcrossReplicas: two replicas get the same key at once, the
// first one's post held in flight upstream. The second never posts a
// second repayment: 1.9+'s key store answers it 425 (unavailable, retry
// later), 1.8's unique externalId refuses the first's late insert, which
// then finds the second's. Either way one repayment, answered to both.
func TestRepaymentAcrossReplicas(t *testing.T) {
	for _, line := range lines {
		t.Run(line.String(), func(t *testing.T) {
			t.Parallel()
			s := newStack(t, line)
			second := httptest.NewServer(server.New(server.DefaultConfig(), s.up, acceptAll{}, server.WithClock(clock)))
			t.Cleanup(second.Close)
			path := "/v1/loans/" + s.activeLoan("replicas")
			body := `{"transactionAmount":1180,"idempotencyKey":"wallet-replicas"}`
			inFlight, resume := s.sim.PauseCommand("REPAYMENT_LOAN")
			defer resume()
			firstAnswer := make(chan response, 1)
			go func() { firstAnswer <- s.do("POST", path+"/repayments", body) }()
			<-inFlight
			viaSecond := func() response {
				res, err := http.Post(second.URL+path+"/repayments", "application/json", strings.NewReader(body))
				require.NoError(t, err)
				defer res.Body.Close()
				b, err := io.ReadAll(res.Body)
				require.NoError(t, err)
				return response{status: res.StatusCode, header: res.Header, body: string(b)}
			}
			r2 := viaSecond()
			resume()
			r1 := <-firstAnswer
			first := decodeRepayment(t, r1)
			if r2.status != http.StatusOK {
				assert.Equal(t, http.StatusServiceUnavailable, r2.status, r2.body)
				assert.NotEmpty(t, r2.header.Get("Retry-After"))
				r2 = viaSecond()
			}
			assert.Equal(t, first, decodeRepayment(t, r2), "both replicas answer the one repayment")
			assert.Len(t, s.repayments(t, path), 1, "posted once")
		})
	}
}

// TestRepaymentLoanLocked: 1.9+'s loan COB lock is unavailable, with when
// to retry; nothing is posted.
func TestRepaymentLoanLocked(t *testing.T) {
	s := newStack(t, lines[len(lines)-1])
	id := s.activeLoan("locked")
	n, _ := strconv.ParseInt(id, 10, 64)
	s.sim.LockLoanForCOB(n, true)
	r := s.repay("/v1/loans/"+id, 100, "locked-1")
	assert.Equal(t, http.StatusServiceUnavailable, r.status, r.body)
	assert.NotEmpty(t, r.header.Get("Retry-After"))
	s.sim.LockLoanForCOB(n, false)
	assert.Empty(t, s.repayments(t, "/v1/loans/"+id))
}

// TestRepaymentSettledLoan: a Closed (obligations met) loan takes a
// repayment from 1.9 on, all of it overpayment; 1.8 refuses it, and the
// proxy says so before posting anything.
func TestRepaymentSettledLoan(t *testing.T) {
	forEachLine(t, func(t *testing.T, s *stack) {
		cust := s.customer("cust-settled-repay")
		path := "/v1/loans/" + strconv.FormatInt(s.sim.AddLoan(fake.LoanSeed{ClientID: cust, Status: fake.LoanClosedObligationsMet, Principal: 12000}), 10)
		writes := s.sim.Writes()
		r := s.repay(path, 10, "settled-1")
		if !s.up.Version().RepaysSettledLoans() {
			assert.Equal(t, http.StatusConflict, r.status, r.body)
			assert.Contains(t, r.body, "is Closed (obligations met); a loan in this status takes no repayments")
			assert.Equal(t, writes, s.sim.Writes(), "nothing posted")
			return
		}
		assert.Equal(t, 10.0, decodeRepayment(t, r).OverpaymentPortion)
		assert.Equal(t, "Overpaid", decodeLoan(t, s.do("GET", path, "")).Status)
	})
}
