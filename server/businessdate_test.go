package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/server"
	"lmsproxy/translate"
	"lmsproxy/upstream/fake"
	"lmsproxy/upstream/wire"
)

// businessDateReads counts the proxy's reads of the upstream's business date
// (the flag and the stored date).
func (s *stack) businessDateReads() int {
	n := 0
	for _, r := range s.sim.Requests() {
		if strings.Contains(r.Path, "/configurations/") || strings.Contains(r.Path, "/businessdate") {
			n++
		}
	}
	return n
}

// fallbacks reads lmsproxy_business_date_fallbacks_total.
func (s *stack) fallbacks() string {
	s.t.Helper()
	for line := range strings.Lines(s.doWith(http.MethodGet, "/metrics", "", nil).body) {
		if v, ok := strings.CutPrefix(line, "lmsproxy_business_date_fallbacks_total "); ok {
			return strings.TrimSpace(v)
		}
	}
	s.t.Fatal("no lmsproxy_business_date_fallbacks_total series")
	return ""
}

// createDates creates a customer and returns its status and, on success,
// its activation and submission dates.
func (s *stack) createDates(ext string) (r response, activation, submitted string) {
	s.t.Helper()
	r = s.do(http.MethodPost, "/v1/customers", `{"externalId":"`+ext+`"}`)
	if r.status != http.StatusOK {
		return r, "", ""
	}
	var c translate.Customer
	require.NoError(s.t, json.Unmarshal([]byte(r.body), &c))
	return r, c.ActivationDate, c.SubmittedDate
}

// TestCreateOnTheUpstreamBusinessDate: the upstream's business date is
// yesterday by the host clock (its business-date feature is on), and the
// proxy's time zone is east of the tenant's, already tomorrow. Customers are
// created on the business date, never on the proxy's date (which the
// upstream refuses as in the future), and the date is read once for many
// creates.
func TestCreateOnTheUpstreamBusinessDate(t *testing.T) {
	kiritimati, err := time.LoadLocation("Pacific/Kiritimati") // UTC+14: 2026-11-22 at the clock's 10:00 UTC
	require.NoError(t, err)
	for _, line := range lines {
		t.Run("fineract-"+line.String(), func(t *testing.T) {
			t.Parallel()
			s := deploy(t, stackOptions{
				line:   line,
				sim:    func(o *fake.Options) { o.BusinessDate = wire.Date{Year: 2026, Month: 11, Day: 20} },
				config: func(c *server.Config) { c.Location = kiritimati },
			})
			for _, ext := range []string{"bd-1", "bd-2", "bd-3"} {
				r, activation, submitted := s.createDates(ext)
				require.Equal(t, http.StatusOK, r.status, r.body)
				assert.Equal(t, "2026-11-20", activation)
				assert.Equal(t, "2026-11-20", submitted)
			}
			assert.Equal(t, 2, s.businessDateReads(), "the flag and the date, read once for every create")
			assert.Equal(t, "0", s.fallbacks())
		})
	}
}

// TestCreateWhenTheBusinessDateIsUnreadable: when the upstream's business
// date cannot be read, today is the date in the configured tenant time zone
// (here the tenant's own, Los Angeles, where the clock's 03:00 UTC is still
// 2026-11-20); the failure is counted once per read, never answered as a
// 500, and the fallback is cached like a read. Where that date is after the
// upstream's business date, the refusal is unavailable: retryable, and not
// the partner's doing.
func TestCreateWhenTheBusinessDateIsUnreadable(t *testing.T) {
	losAngeles, err := time.LoadLocation("America/Los_Angeles")
	require.NoError(t, err)
	clock := func() time.Time { return time.Date(2026, 11, 21, 3, 0, 0, 0, time.UTC) }
	tests := []struct {
		name         string
		businessDate wire.Date // stored with the feature on; zero: feature off
		arrange      func(s *stack)
		wantStatus   int
		wantBody     string // on failure
		wantReads    int    // business-date requests over two creates
	}{
		{name: "the flag is refused", arrange: func(s *stack) { s.sim.DenyPermission("READ_CONFIGURATION") },
			wantStatus: http.StatusOK, wantReads: 1},
		{name: "the upstream is overloaded", arrange: func(s *stack) {
			s.sim.InjectFaults(http.MethodGet, fake.Fault{Status: 503}, fake.Fault{Status: 503}, fake.Fault{Status: 503})
		}, wantStatus: http.StatusOK, wantReads: 3},
		{name: "the date is refused while an earlier one is in force", businessDate: wire.Date{Year: 2026, Month: 11, Day: 19},
			arrange:    func(s *stack) { s.sim.DenyPermission("READ_BUSINESS_DATE") },
			wantStatus: http.StatusServiceUnavailable, wantReads: 2,
			wantBody: `{"code":"unavailable","message":"lms: status=400: the loan management system's business date is behind today's date, retry later"}`},
	}
	for _, line := range lines {
		for _, tt := range tests {
			t.Run("fineract-"+line.String()+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				s := deploy(t, stackOptions{
					line: line, now: clock,
					sim: func(o *fake.Options) {
						o.TimeZone, o.BusinessDate = losAngeles, tt.businessDate
					},
					config: func(c *server.Config) { c.Location = losAngeles },
				})
				tt.arrange(s)
				for _, ext := range []string{"fb-1", "fb-2"} {
					r, activation, submitted := s.createDates(ext)
					require.Equal(t, tt.wantStatus, r.status, r.body)
					if tt.wantStatus != http.StatusOK {
						assert.JSONEq(t, tt.wantBody, r.body)
						continue
					}
					assert.Equal(t, "2026-11-20", activation)
					assert.Equal(t, "2026-11-20", submitted)
				}
				assert.Equal(t, tt.wantReads, s.businessDateReads(), "the fallback is cached like a read")
				assert.Equal(t, "1", s.fallbacks())
			})
		}
	}
}
