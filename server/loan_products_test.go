package server_test

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream/fake"
)

// seededProducts are the simulator's seeded products (fake/seed.go) as
// partners read them, on every line.
var seededProducts = map[int64]string{
	fake.SeedFlatProductID: `{"id":"` + strconv.FormatInt(fake.SeedFlatProductID, 10) + `","name":"Standard 12-Month","shortName":"STD1",
		"description":"Standard individual loan, 12 months, monthly repayments","currencyCode":"TZS",
		"principal":10000,"minPrincipal":1000,"maxPrincipal":50000,
		"numberOfRepayments":12,"minNumberOfRepayments":12,"maxNumberOfRepayments":12,"repaymentEvery":1,
		"repaymentFrequencyType":"Months","interestRatePerPeriod":1.5,"interestRateFrequencyType":"Per month",
		"annualInterestRate":18,"amortizationType":"Equal installments","interestType":"Flat","active":true}`,
	fake.SeedDecliningProductID: `{"id":"` + strconv.FormatInt(fake.SeedDecliningProductID, 10) + `","name":"Declining 12-Month","shortName":"DEC1",
		"description":"Declining-balance individual loan, 12 months, monthly repayments","currencyCode":"TZS",
		"principal":10000,"minPrincipal":1000,"maxPrincipal":50000,
		"numberOfRepayments":12,"minNumberOfRepayments":12,"maxNumberOfRepayments":12,"repaymentEvery":1,
		"repaymentFrequencyType":"Months","interestRatePerPeriod":1.5,"interestRateFrequencyType":"Per month",
		"annualInterestRate":18,"amortizationType":"Equal installments","interestType":"Declining Balance","active":true}`,
}

// TestLoanProducts: partners list every product and read each by id, in
// partner vocabulary, and an unknown product is not_found naming it.
func TestLoanProducts(t *testing.T) {
	forEachLine(t, func(t *testing.T, s *stack) {
		r := s.do("GET", "/v1/loan-products", "")
		require.Equal(t, 200, r.status, r.body)
		assert.JSONEq(t, `{"items":[`+seededProducts[fake.SeedFlatProductID]+`,`+seededProducts[fake.SeedDecliningProductID]+`]}`, r.body)

		tests := []struct {
			name       string
			path       string
			wantStatus int
			wantBody   string
		}{
			{"flat", "/v1/loan-products/" + strconv.FormatInt(fake.SeedFlatProductID, 10), 200, seededProducts[fake.SeedFlatProductID]},
			{"declining", "/v1/loan-products/" + strconv.FormatInt(fake.SeedDecliningProductID, 10), 200, seededProducts[fake.SeedDecliningProductID]},
			{"unknown", "/v1/loan-products/9999", 404, `{"code":"not_found","message":"lms: status=404: Loan product with id 9999 does not exist"}`},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := s.do("GET", tt.path, "")
				assert.Equal(t, tt.wantStatus, r.status, r.body)
				assert.JSONEq(t, tt.wantBody, r.body)
			})
		}
	})
}

// TestLoanProductInputValidation: what the product routes refuse before any
// upstream call. Products have no externalId, so only the id form exists.
func TestLoanProductInputValidation(t *testing.T) {
	const badID = `[{"field":"product_id","error":"must be a positive integer"}]`
	tests := []inputCase{
		{"non-numeric id", "GET", "/v1/loan-products/abc", "", "", badID},
		{"zero id", "GET", "/v1/loan-products/0", "", "", badID},
		{"id out of range", "GET", "/v1/loan-products/99999999999999999999", "", "", badID},
		{"query on get", "GET", "/v1/loan-products/1?fields=id", "", "", `[{"field":"fields","error":"unknown parameter"}]`},
		{"query on list", "GET", "/v1/loan-products?page=1", "", "", `[{"field":"page","error":"unknown parameter"}]`},
		{"body on list", "GET", "/v1/loan-products", `{"x":1}`, "", `[{"field":"body","error":"must be empty"}]`},
		{"id, query and body together", "GET", "/v1/loan-products/x?active=true", `{}`, "",
			`[{"field":"product_id","error":"must be a positive integer"},{"field":"active","error":"unknown parameter"},{"field":"body","error":"must be empty"}]`},
	}
	for _, line := range lines {
		s := newStack(t, line)
		for _, tt := range tests {
			t.Run(line.String()+"/"+tt.name, func(t *testing.T) {
				s.assertRefusedBeforeUpstream(t, tt.wantBody, func() response { return s.do(tt.method, tt.path, tt.body) })
			})
		}
	}
}
