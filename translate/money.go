package translate

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Amount is a money amount the partner sent, kept as exact decimal text
// ("10000", "833.33", "0.1"): it never passes through binary floating
// point, where 0.1 + 0.2 is not 0.3 (spec §4). The text is normalised:
// no sign, exponent or leading zeros, and no trailing zeros after the
// point, so 10000.00 and 1e4 are both "10000".
type Amount struct{ text string }

// String is the amount's normalised decimal text.
func (a Amount) String() string { return a.text }

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
		s := string(v)
		if s == "" || (s[0] != '-' && (s[0] < '0' || s[0] > '9')) {
			return Amount{}, errNumber
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
		if digits == "" || negative {
			return Amount{}, errNotPositive
		}
		// The amount is 0.<digits> × 10^point.
		point := len(whole) + exponent - (len(whole) + len(frac) - len(digits))
		digits = strings.TrimRight(digits, "0")
		if point > maxAmountDigits {
			return Amount{}, errAmountTooLarge
		}
		if len(digits)-point > decimals {
			if decimals == 0 {
				return Amount{}, errWhole
			}
			return Amount{}, "must have at most " + strconv.Itoa(decimals) + " decimal places"
		}
		switch {
		case point <= 0:
			return Amount{"0." + strings.Repeat("0", -point) + digits}, ""
		case point >= len(digits):
			return Amount{digits + strings.Repeat("0", point-len(digits))}, ""
		}
		return Amount{digits[:point] + "." + digits[point:]}, ""
	}
}
