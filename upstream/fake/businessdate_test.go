package fake_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream"
	"lmsproxy/upstream/fake"
	"lmsproxy/upstream/wire"
)

// TestBusinessDateReads: the flag and the stored rows as the read API serves
// them, in each state the upstream can be in.
func TestBusinessDateReads(t *testing.T) {
	flag := func(on bool) string {
		return `{"name":"enable_business_date","enabled":` + map[bool]string{true: "true", false: "false"}[on] +
			`,"value":0,"id":44,"description":"Whether the logical business date functionality is enabled in the system","trapDoor":false}`
	}
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		notFound := "Business date with type `BUSINESS_DATE` does not found."
		if v.AtLeast(upstream.V1_9) {
			notFound = "Business date with type `BUSINESS_DATE` is not found."
		}

		// A fresh install: off, nothing stored.
		r := do(t, s, http.MethodGet, "configurations/name/enable_business_date", "")
		require.Equal(t, http.StatusOK, r.Status)
		assert.Equal(t, flag(false), string(r.Raw))
		wantError(t, do(t, s, http.MethodGet, "businessdate/BUSINESS_DATE", ""), http.StatusNotFound, "error.msg.resource.not.found",
			item{"error.msg.businessdate.not.found", notFound, "id", []any{"BUSINESS_DATE"}})
		r = do(t, s, http.MethodGet, "businessdate", "")
		require.Equal(t, http.StatusOK, r.Status)
		assert.Equal(t, "[]", string(r.Raw))

		s.SetBusinessDate(true, day(2024, 10, 20))
		r = do(t, s, http.MethodGet, "configurations/name/enable_business_date", "")
		assert.Equal(t, flag(true), string(r.Raw))
		r = do(t, s, http.MethodGet, "businessdate/BUSINESS_DATE", "")
		require.Equal(t, http.StatusOK, r.Status)
		assert.Equal(t, `{"description":"Business Date","type":"BUSINESS_DATE","date":[2024,10,20]}`, string(r.Raw))
		r = do(t, s, http.MethodGet, "businessdate", "")
		assert.Equal(t, `[{"description":"Business Date","type":"BUSINESS_DATE","date":[2024,10,20]},`+
			`{"description":"Close of Business Date","type":"COB_DATE","date":[2024,10,19]}]`, string(r.Raw))

		// Switched off after use: the row is still served.
		s.SetBusinessDate(false, day(2024, 10, 20))
		assert.Equal(t, flag(false), string(do(t, s, http.MethodGet, "configurations/name/enable_business_date", "").Raw))
		assert.Equal(t, http.StatusOK, do(t, s, http.MethodGet, "businessdate/BUSINESS_DATE", "").Status)

		wantError(t, do(t, s, http.MethodGet, "businessdate/business_date", ""), http.StatusNotFound, "error.msg.resource.not.found",
			item{"error.msg.businessdate.type.not.exist", "Business date with type `business_date` does not exist.", "id", []any{"business_date"}})
		wantSpring(t, do(t, s, http.MethodGet, "configurations/name/no-such-flag", ""), http.StatusInternalServerError,
			fake.BasePath+"/configurations/name/no-such-flag")

		s.DenyPermission("READ_CONFIGURATION")
		s.DenyPermission("READ_BUSINESS_DATE")
		wantError(t, do(t, s, http.MethodGet, "configurations/name/enable_business_date", ""), http.StatusForbidden, "error.msg.not.authorized",
			item{"error.msg.not.authorized", "User has no authority to READ configurations", "id", nil})
		for _, path := range []string{"businessdate", "businessdate/BUSINESS_DATE"} {
			wantError(t, do(t, s, http.MethodGet, path, ""), http.StatusForbidden, "error.msg.not.authorized",
				item{"error.msg.not.authorized", "User has no authority to READ business_dates", "id", nil})
		}
	})
}

// TestCreateRefusesDatesAfterTheBusinessDate: Client.validate compares
// activation and submission dates with the business date, which is the
// stored date while the feature is on and the tenant's local date otherwise.
func TestCreateRefusesDatesAfterTheBusinessDate(t *testing.T) {
	// At 2024-10-24 09:30 UTC it is still the 23rd in Pago Pago (UTC-11).
	pagoPago, err := time.LoadLocation("Pacific/Pago_Pago")
	require.NoError(t, err)
	tests := []struct {
		name     string
		opts     fake.Options
		accepted string // the latest accepted date
	}{
		{"feature off, tenant in UTC", fake.Options{}, "2024-10-24"},
		{"feature off, tenant west", fake.Options{TimeZone: pagoPago}, "2024-10-23"},
		{"feature on", fake.Options{BusinessDate: day(2024, 10, 23)}, "2024-10-23"},
	}
	for _, v := range allVersions {
		for _, tt := range tests {
			t.Run(v.String()+"/"+tt.name, func(t *testing.T) {
				opts := tt.opts
				opts.Version, opts.Today = v, func() time.Time { return businessDate }
				s := fake.New(opts)
				accepted, err := wire.ParseISODate(tt.accepted)
				require.NoError(t, err)
				next := wire.DateOf(accepted.Time().AddDate(0, 0, 1)).ISO()

				wantError(t, do(t, s, http.MethodPost, "clients", jsonBody(t, proxyCreate, map[string]any{"activationDate": next, "submittedOnDate": next})),
					http.StatusBadRequest, "validation.msg.validation.errors.exist",
					item{"error.msg.clients.submittedOnDate.in.the.future", "submitted date cannot be in the future.", "submittedOnDate", []any{next}},
					item{"error.msg.clients.activationDate.in.the.future", "Activation date cannot be in the future.", "activationDate", []any{next}})
				r := do(t, s, http.MethodPost, "clients", jsonBody(t, proxyCreate, map[string]any{"activationDate": tt.accepted, "submittedOnDate": tt.accepted}))
				assert.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
			})
		}
	}
}
