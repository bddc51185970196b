package server_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"lmsproxy/server"
	"lmsproxy/server/auth"
	"lmsproxy/upstream"
	"lmsproxy/upstream/wire"
)

// stubUpstream answers every read with fixed data and no I/O, so the
// benchmarks below measure lmsproxy's own work: routing, middleware,
// authentication (cached), validation, translation, encoding, logging.
type stubUpstream struct {
	// The benchmarks read no loans nor repayments: such a call would panic
	// on the nil interface rather than measure a stub.
	server.LoansAPI
	server.RepaymentsAPI
	client wire.ClientData
	page   wire.Page[wire.ClientData]
}

var errStubWrite = errors.New("stub upstream is read-only")

func (s *stubUpstream) ListClients(context.Context, wire.ListQuery) (wire.Page[wire.ClientData], error) {
	return s.page, nil
}

func (s *stubUpstream) GetClient(context.Context, upstream.Ref) (wire.ClientData, error) {
	return s.client, nil
}

func (s *stubUpstream) CreateClient(context.Context, wire.ClientCreate) (wire.CommandResult, error) {
	return wire.CommandResult{}, errStubWrite
}

func (s *stubUpstream) UpdateClient(context.Context, upstream.Ref, wire.ClientUpdate) (wire.CommandResult, error) {
	return wire.CommandResult{}, errStubWrite
}

func (s *stubUpstream) DeleteClient(context.Context, upstream.Ref) (wire.CommandResult, error) {
	return wire.CommandResult{}, errStubWrite
}

func (s *stubUpstream) CloseClient(context.Context, upstream.Ref, wire.ClientClose) (wire.CommandResult, error) {
	return wire.CommandResult{}, errStubWrite
}

// The benchmarks read no products: the stub has none.
func (s *stubUpstream) ListLoanProducts(context.Context) (wire.LoanProducts, error) {
	return wire.LoanProducts{}, nil
}

func (s *stubUpstream) GetLoanProduct(context.Context, int64) (wire.LoanProductData, error) {
	return wire.LoanProductData{}, errStubWrite
}

func benchClient(id int64) wire.ClientData {
	day := wire.DateOf(time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC))
	return wire.ClientData{
		ID: id, AccountNo: fmt.Sprintf("%09d", id), ExternalID: fmt.Sprintf("ext-%d", id),
		Status: &wire.EnumOption{ID: wire.ClientStatusActive, Code: "clientStatusType.active", Value: "Active"},
		Active: true, ActivationDate: day, Firstname: "Ada", Lastname: "Customer", DisplayName: "Ada Customer",
		OfficeID: 1, OfficeName: "Head Office", Timeline: &wire.Timeline{SubmittedOnDate: day, ActivatedOnDate: day},
	}
}

// benchServer is lmsproxy as deployed, minus the network: a real verifier
// (its key set served by a local issuer; the token reused, so verification
// hits the cache after the first request), the production JSON access log
// encoded to io.Discard, and no rate limit (one token would be limited).
func benchServer(b *testing.B) (http.Handler, string) {
	issuer, err := auth.NewLocalIssuer("service-project", nil)
	if err != nil {
		b.Fatal(err)
	}
	jwks := httptest.NewServer(issuer.Handler())
	b.Cleanup(jwks.Close)
	verifier, err := auth.NewVerifier(auth.Config{Issuer: "service-project", JWKSURL: jwks.URL + auth.JWKSPath}.WithDefaults())
	if err != nil {
		b.Fatal(err)
	}
	token, err := issuer.Mint(nil)
	if err != nil {
		b.Fatal(err)
	}
	stub := &stubUpstream{client: benchClient(1), page: wire.Page[wire.ClientData]{TotalFilteredRecords: 125}}
	for i := range 25 {
		stub.page.PageItems = append(stub.page.PageItems, benchClient(int64(i+1)))
	}
	cfg := server.DefaultConfig()
	cfg.RateLimit = 0
	log := zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(io.Discard), zapcore.InfoLevel))
	return server.New(cfg, stub, verifier, server.WithLogger(log)), "Bearer " + token
}

func benchRoute(b *testing.B, path string) {
	h, authorization := benchServer(b)
	serve := func() {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Authorization", authorization)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
		}
	}
	serve() // fetch the keys and fill the token cache
	b.ReportAllocs()
	for b.Loop() {
		serve()
	}
}

// BenchmarkGetByID is GET /v1/customers/{id} end to end in process.
func BenchmarkGetByID(b *testing.B) { benchRoute(b, "/v1/customers/1") }

// BenchmarkGetByExternalID exercises the percent-decoding path.
func BenchmarkGetByExternalID(b *testing.B) { benchRoute(b, "/v1/customers/external/ext%2D1") }

// BenchmarkListPage is GET /v1/customers?rows=25: 25 translations and the
// largest body.
func BenchmarkListPage(b *testing.B) { benchRoute(b, "/v1/customers?rows=25") }

// BenchmarkNotFoundRoute is an authenticated request to no route, the cost
// of the router and error writer alone.
func BenchmarkNotFoundRoute(b *testing.B) {
	h, authorization := benchServer(b)
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, "/v1/nothing", nil)
		req.Header.Set("Authorization", authorization)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotFound {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
	}
}
