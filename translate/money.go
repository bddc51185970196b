package translate

import (
	"cmp"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Amount is a money amount the partner sent, kept as exact decimal text
// ("10000", "833.33", "0.1"): it never passes through binary floating
// point, where 0.1 + 0.2 is not 0.3 (spec §4). The text is normalised:
// no sign, exponent or leading zeros, and no trailing zeros after the
// point, so 10000.00 and 1e4 are both "10000".
type Amount struct{ text string }

// String is the amount's normalised decimal text; "0" for the zero Amount.
func (a Amount) String() string {
	if a.text == "" {
		return "0"
	}
	return a.text
}

// maxAmountDigits bounds the digits before the point: the upstream stores
// amounts as DECIMAL(19,6) (m_loan.principal_amount, m_loan_transaction.amount
// in fineract-provider/src/main/resources/db/changelog/tenant/parts/
// 0001_initial_schema.xml, 1.8.4 and 1.10.1), so a larger amount would fail
// in its database instead of answering the partner's field.
const maxAmountDigits = 19 - 6

// maxExponent bounds an exponent before it is applied; anything beyond it
// is far outside maxAmountDigits or any currency's decimals either way.
const maxExponent = 1000

// Partner-facing problem texts of amounts.
const (
	errNumber         = "must be a number"
	errNotPositive    = "must be greater than 0"
	errNegative       = "must be 0 or greater"
	errWhole          = "must be a whole number"
	errAmountTooLarge = "must be less than 10000000000000" // 10^maxAmountDigits
)

// moneyValue parses an amount greater than 0 with at most decimals digits
// after the point (the currency's; 0 means whole units). The value must be
// a JSON number, as the contract has it; its literal is read digit by
// digit. A number whose extra decimals are zeros (833.330) is the same
// amount and passes.
func moneyValue(decimals int) valueParser[Amount] {
	return func(v json.RawMessage) (Amount, string) {
		a, sign, problem := parseDecimal(string(v), decimals)
		if problem == "" && sign <= 0 {
			problem = errNotPositive
		}
		return a, problem
	}
}

// rateValue parses an interest rate: a JSON number of 0 or more (a loan
// may be interest-free; the upstream checks zeroOrPositiveAmount) with at
// most maxRateDecimals decimals, the scale of the upstream's
// DECIMAL(19,6) rate columns.
func rateValue(v json.RawMessage) (Amount, string) {
	a, sign, problem := parseDecimal(string(v), maxRateDecimals)
	if problem == "" && sign < 0 {
		problem = errNegative
	}
	return a, problem
}

// maxRateDecimals is the scale of m_loan.nominal_interest_rate_per_period
// (DECIMAL(19,6), 0001_initial_schema.xml at 1.8.4 and 1.10.1).
const maxRateDecimals = 6

// parseDecimal reads a JSON number literal into an Amount. sign is -1, 0 or
// 1; a literal that is 0 or negative returns before the size and decimals
// checks, so callers decide how to refuse it and a negative amount is never
// reported as "too many decimals".
func parseDecimal(s string, decimals int) (a Amount, sign int, problem string) {
	if s == "" || (s[0] != '-' && (s[0] < '0' || s[0] > '9')) {
		return Amount{}, 0, errNumber
	}
	negative := strings.HasPrefix(s, "-")
	mantissa, exponent := strings.TrimPrefix(s, "-"), 0
	if i := strings.IndexAny(mantissa, "eE"); i >= 0 {
		e, err := strconv.Atoi(mantissa[i+1:])
		if err != nil || e > maxExponent || e < -maxExponent {
			// Out of int range: only the sign matters.
			e = maxExponent
			if strings.HasPrefix(mantissa[i+1:], "-") {
				e = -maxExponent
			}
		}
		mantissa, exponent = mantissa[:i], e
	}
	whole, frac, _ := strings.Cut(mantissa, ".")
	digits := strings.TrimLeft(whole+frac, "0")
	switch {
	case digits == "":
		return Amount{}, 0, ""
	case negative:
		return Amount{}, -1, ""
	}
	// The amount is 0.<digits> × 10^point.
	point := len(whole) + exponent - (len(whole) + len(frac) - len(digits))
	digits = strings.TrimRight(digits, "0")
	if point > maxAmountDigits {
		return Amount{}, 1, errAmountTooLarge
	}
	if len(digits)-point > decimals {
		if decimals == 0 {
			return Amount{}, 1, errWhole
		}
		return Amount{}, 1, "must have at most " + strconv.Itoa(decimals) + " decimal places"
	}
	switch {
	case point <= 0:
		return Amount{"0." + strings.Repeat("0", -point) + digits}, 1, ""
	case point >= len(digits):
		return Amount{digits + strings.Repeat("0", point-len(digits))}, 1, ""
	}
	return Amount{digits[:point] + "." + digits[point:]}, 1, ""
}

// CheckCurrencyScale refuses, on field, an amount with more decimals than
// currency code has (decimals; 0 for whole units), before anything is
// sent: the upstream would not refuse it but round it to the currency
// (LoanAccountDomainServiceJpa.makeRepayment's Money.of, which sets the
// currency's scale with the tenant's rounding mode: fineract-core/.../
// organisation/monetary/domain/Money.java at 1.10.1, fineract-provider/...
// at 1.8.4), so a partner's 0.005 would be recorded as 0.01 or 0 (spec §4).
func CheckCurrencyScale(field string, a Amount, code string, decimals int) *Error {
	_, frac, _ := strings.Cut(a.String(), ".")
	if len(frac) <= decimals {
		return nil
	}
	problem := errWhole
	if decimals > 0 {
		problem = "must have at most " + strconv.Itoa(decimals) + " decimal places"
	}
	return Invalid(FieldError{Field: field, Error: problem + " (" + code + ")"})
}

// maxUpstreamDecimals bounds the decimals read from upstream amounts: its
// columns have 6, and amounts it computes in memory may print more.
const maxUpstreamDecimals = 20

// AmountFromUpstream reads an amount the upstream sent as a JSON number
// ("10000.000000", "0", "983.33"): trailing zeros are trimmed, nothing
// passes through a float. A negative or unreadable amount is an error.
func AmountFromUpstream(literal string) (Amount, error) {
	a, sign, problem := parseDecimal(literal, maxUpstreamDecimals)
	if problem == "" && sign < 0 {
		problem = errNegative
	}
	if problem != "" {
		return Amount{}, fmt.Errorf("upstream amount %q: %s", literal, problem)
	}
	return a, nil
}

// IsZero reports the amount 0.
func (a Amount) IsZero() bool { return a.text == "" }

// Cmp compares two amounts: -1, 0 or +1. Both are normalised, so the one
// with more digits before the point is larger, and otherwise the texts
// compare digit by digit once the fractions have the same length.
func (a Amount) Cmp(b Amount) int {
	aw, af, _ := strings.Cut(a.String(), ".")
	bw, bf, _ := strings.Cut(b.String(), ".")
	if c := cmp.Compare(len(aw), len(bw)); c != 0 {
		return c
	}
	if c := strings.Compare(aw, bw); c != 0 {
		return c
	}
	n := max(len(af), len(bf))
	return strings.Compare(af+strings.Repeat("0", n-len(af)), bf+strings.Repeat("0", n-len(bf)))
}

// MarshalJSON writes the amount as a JSON number, its exact decimal text
// (spec §4); the zero Amount is 0, so a balance with nothing in it reads 0.
func (a Amount) MarshalJSON() ([]byte, error) { return []byte(a.String()), nil }
