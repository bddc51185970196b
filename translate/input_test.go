package translate

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream/wire"
)

// TestMoneyValue: amounts are read from the JSON literal, exactly, and
// refused with a field problem when not a positive number with the
// currency's decimals.
func TestMoneyValue(t *testing.T) {
	const places2 = "must have at most 2 decimal places"
	tests := []struct {
		name     string
		literal  string
		decimals int
		want     string // normalised text on success
		wantErr  string
	}{
		{"whole", `10000`, 2, "10000", ""},
		{"trailing zeros trimmed", `10000.00`, 2, "10000", ""},
		{"cents", `833.33`, 2, "833.33", ""},
		{"a zero beyond the currency's decimals is the same amount", `833.330`, 2, "833.33", ""},
		{"one tenth stays exact", `0.1`, 2, "0.1", ""},
		{"two tenths stay exact", `0.2`, 2, "0.2", ""},
		{"exponent", `1e4`, 2, "10000", ""},
		{"signed upper-case exponent", `1.5E+3`, 2, "1500", ""},
		{"negative exponent", `25e-1`, 2, "2.5", ""},
		{"upstream scale", `0.000001`, 6, "0.000001", ""},
		{"largest the upstream stores", `9999999999999.99`, 2, "9999999999999.99", ""},
		{"too many decimals", `0.005`, 2, "", places2},
		{"too many decimals by exponent", `1e-3`, 2, "", places2},
		{"tiny exponent", `1e-400`, 2, "", places2},
		{"decimals in a currency without", `1.5`, 0, "", "must be a whole number"},
		{"zero", `0`, 2, "", "must be greater than 0"},
		{"zero with decimals", `0.00`, 2, "", "must be greater than 0"},
		{"zero with a huge exponent", `0e99999999999999999999`, 2, "", "must be greater than 0"},
		{"negative", `-5`, 2, "", "must be greater than 0"},
		{"negative zero", `-0`, 2, "", "must be greater than 0"},
		{"ten to the thirteenth", `10000000000000`, 2, "", "must be less than 10000000000000"},
		{"by exponent", `1e13`, 2, "", "must be less than 10000000000000"},
		{"huge exponent", `1e99999999999999999999`, 2, "", "must be less than 10000000000000"},
		{"more digits than a float holds", `123456789012345678901234567890`, 2, "", "must be less than 10000000000000"},
		{"string", `"100"`, 2, "", "must be a number"},
		{"null", `null`, 2, "", "must be a number"},
		{"boolean", `true`, 2, "", "must be a number"},
		{"object", `{}`, 2, "", "must be a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problem := moneyValue(tt.decimals)(json.RawMessage(tt.literal))
			assert.Equal(t, tt.wantErr, problem)
			if tt.wantErr == "" {
				assert.Equal(t, tt.want, got.String())
			}
		})
	}
}

// loanish is a body of the shape loans take: a customer by exactly one of
// two fields, a required amount, optional fields.
type loanish struct {
	CustomerID         *int64
	CustomerExternalID *string
	Principal          Amount
	ExternalID         *string
	Date               *wire.Date
}

func parseLoanish(body string) (loanish, *Error) {
	var r loanish
	err := parseBody([]byte(body), []field{
		optional("customerId", &r.CustomerID, positiveIntValue),
		optional("customerExternalId", &r.CustomerExternalID, externalIDValue),
		required("principal", &r.Principal, moneyValue(2)),
		optional("externalId", &r.ExternalID, externalIDValue),
		optional("transactionDate", &r.Date, dateValue),
	}, [2]string{"customerId", "customerExternalId"})
	return r, err
}

// TestParseBodyKinds: optional fields are unset when absent and validated
// when present; "exactly one of two" is reported on the field to fix; all
// problems come in one answer, in the order they are met.
func TestParseBodyKinds(t *testing.T) {
	id, ext, loanExt := int64(42), "c/1 é", "halotel-tx-1"
	date, err := wire.ParseISODate("2026-05-25")
	require.NoError(t, err)
	tests := []struct {
		name    string
		body    string
		want    loanish
		wantErr string
	}{
		{"customer by id, optional fields absent", `{"customerId":42,"principal":10000}`,
			loanish{CustomerID: &id, Principal: Amount{"10000"}}, ""},
		{"customer by id as digits", `{"customerId":"42","principal":10000.50}`,
			loanish{CustomerID: &id, Principal: Amount{"10000.5"}}, ""},
		{"customer by externalId, byte for byte", `{"customerExternalId":"c/1 é","principal":833.33}`,
			loanish{CustomerExternalID: &ext, Principal: Amount{"833.33"}}, ""},
		{"optional fields present", `{"customerId":42,"principal":1,"externalId":"halotel-tx-1","transactionDate":"2026-05-25"}`,
			loanish{CustomerID: &id, Principal: Amount{"1"}, ExternalID: &loanExt, Date: &date}, ""},
		{"an optional field present is validated", `{"customerId":42,"principal":1,"externalId":""}`, loanish{},
			`[{"field":"externalId","error":"must be 1 to 100 characters (UTF-16 code units: an emoji counts as 2)"}]`},
		{"an optional field sent as null is validated", `{"customerId":42,"principal":1,"transactionDate":null}`, loanish{},
			`[{"field":"transactionDate","error":"must be a date YYYY-MM-DD"}]`},
		{"neither of the pair", `{"principal":1}`, loanish{},
			`[{"field":"customerId","error":"required unless customerExternalId is given"}]`},
		{"both of the pair", `{"customerId":42,"customerExternalId":"c-1","principal":1}`, loanish{},
			`[{"field":"customerExternalId","error":"must not be given with customerId"}]`},
		{"a member of the pair given twice", `{"customerId":1,"customerId":2,"principal":1}`, loanish{},
			`[{"field":"customerId","error":"given more than once"}]`},
		{"everything wrong at once", `{"extra":1,"customerId":0,"customerExternalId":"x","principal":"1"}`, loanish{},
			`[{"field":"extra","error":"unknown field"},{"field":"customerId","error":"must be a positive integer"},` +
				`{"field":"principal","error":"must be a number"},{"field":"customerExternalId","error":"must not be given with customerId"}]`},
		{"a required field among optional ones", `{"customerId":42}`, loanish{},
			`[{"field":"principal","error":"required"}]`},
		{"too many decimals", `{"customerId":42,"principal":0.001}`, loanish{},
			`[{"field":"principal","error":"must have at most 2 decimal places"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseLoanish(tt.body)
			if tt.wantErr != "" {
				require.NotNil(t, err)
				assert.Equal(t, InvalidArgument, err.Code)
				assert.Equal(t, tt.wantErr, err.Message)
				return
			}
			require.Nil(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
