package upstream_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream"
	"lmsproxy/upstream/fake"
	"lmsproxy/upstream/wire"
)

// TestBusinessDate reads the business date in every state the upstream can
// be in: only a stored date under the enabled flag is the upstream's today;
// otherwise it is the tenant's local date, which the caller computes.
func TestBusinessDate(t *testing.T) {
	stored := wire.Date{Year: 2026, Month: 11, Day: 20}
	tests := []struct {
		name       string
		arrange    func(*fake.Server)
		want       wire.Date
		wantErr    error
		wantStatus int // of the *wire.Error, when it is one
	}{
		{"fresh install: off, nothing stored", func(*fake.Server) {}, wire.Date{}, upstream.ErrTenantDate, 0},
		{"on with a stored date", func(s *fake.Server) { s.SetBusinessDate(true, stored) }, stored, nil, 0},
		{"on, nothing stored", func(s *fake.Server) { s.SetBusinessDate(true, wire.Date{}) }, wire.Date{}, upstream.ErrTenantDate, 0},
		{"off with a stale row", func(s *fake.Server) { s.SetBusinessDate(false, stored) }, wire.Date{}, upstream.ErrTenantDate, 0},
		{"flag not readable", func(s *fake.Server) { s.DenyPermission("READ_CONFIGURATION") }, wire.Date{}, nil, http.StatusForbidden},
		{"date not readable", func(s *fake.Server) {
			s.SetBusinessDate(true, stored)
			s.DenyPermission("READ_BUSINESS_DATE")
		}, wire.Date{}, nil, http.StatusForbidden},
		{"a body that is not the flag", func(s *fake.Server) {
			s.InjectFaults(http.MethodGet, fake.Fault{Status: http.StatusOK, Body: `{"name":"something-else","enabled":true}`})
		}, wire.Date{}, nil, http.StatusOK},
	}
	for _, line := range []upstream.Version{upstream.V1_8, upstream.V1_10} {
		for _, tt := range tests {
			t.Run(line.String()+"/"+tt.name, func(t *testing.T) {
				sim := fake.New(fake.Options{Version: line})
				tt.arrange(sim)
				srv := httptest.NewServer(sim)
				t.Cleanup(srv.Close)
				got, err := detectClient(t, srv.URL, "password").BusinessDate(context.Background())
				assert.Equal(t, tt.want, got)
				switch {
				case tt.wantStatus != 0:
					e, ok := wire.AsError(err)
					require.True(t, ok, "%v", err)
					assert.Equal(t, tt.wantStatus, e.Status)
				default:
					assert.Equal(t, tt.wantErr, err)
				}
			})
		}
	}
}
