package wire

import (
	"bytes"
	"fmt"
	"math/big"
	"regexp"
)

// Amount is a money amount or a rate as the upstream writes it: the decimal
// text of a BigDecimal read from a DECIMAL(19,6) column, so the same value
// may arrive as 10000.000000, 833.33 or 0 (JdbcSupport.
// getBigDecimalDefaultToZeroIfNull, fineract-core/.../infrastructure/core/
// domain/JdbcSupport.java at 1.10.1, fineract-provider/... at 1.8.4; Gson
// writes BigDecimal with toString). It keeps that text and never goes
// through float64, which cannot hold 0.1 or 833.33 exactly: the partner
// contract (§4) wants decimal arithmetic or the upstream's text. It is
// marshalled as the same JSON number, which the upstream reads without a
// locale (JsonParserHelper.extractBigDecimalNamed: a JSON number is
// getAsBigDecimal, a string needs one). The zero Amount means "absent".
type Amount string

// jsonNumber is the JSON number grammar (RFC 8259 §6), which is also what
// BigDecimal.toString writes.
var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// ParseAmount accepts decimal text ("10000", "833.33", "1E+3").
func ParseAmount(s string) (Amount, error) {
	if !jsonNumber.MatchString(s) {
		return "", fmt.Errorf("amount %.30q is not a decimal number", s)
	}
	return Amount(s), nil
}

// IsZero reports whether the amount is absent (not whether it is 0).
func (a Amount) IsZero() bool { return a == "" }

// String is the upstream's text.
func (a Amount) String() string { return string(a) }

// Rat is the exact value; an absent amount is 0, as the upstream reads a
// NULL column.
func (a Amount) Rat() *big.Rat {
	r := new(big.Rat)
	if a != "" {
		r.SetString(string(a))
	}
	return r
}

// Cmp compares the values, so 10000.000000 equals 10000.
func (a Amount) Cmp(b Amount) int { return a.Rat().Cmp(b.Rat()) }

// UnmarshalJSON accepts a JSON number or null; a string is refused, as no
// success body writes a BigDecimal as one.
func (a *Amount) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*a = ""
		return nil
	}
	parsed, err := ParseAmount(string(b))
	if err != nil {
		return err
	}
	*a = parsed
	return nil
}

// MarshalJSON writes the text as a JSON number (null when absent).
func (a Amount) MarshalJSON() ([]byte, error) {
	if a == "" {
		return []byte("null"), nil
	}
	if !jsonNumber.MatchString(string(a)) {
		return nil, fmt.Errorf("amount %.30q is not a decimal number", string(a))
	}
	return []byte(a), nil
}
