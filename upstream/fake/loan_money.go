package fake

import (
	"fmt"
	"math/big"
)

// decimal is an amount as a DECIMAL(19,6) column holds it, in millionths.
// Fineract reads such columns into BigDecimal (JdbcSupport
// .getBigDecimalDefaultToZeroIfNull) and Gson writes them with the column's
// scale: 10000.000000, 833.330000 (fineract-core/src/main/java/org/apache/
// fineract/infrastructure/core/domain/JdbcSupport.java, 1.10.1). Used by the
// loan products and loans of the simulator.
type decimal int64

// decimalOne is 1 at the column's scale.
const decimalOne decimal = 1_000_000

// units is n whole units.
func units(n int64) decimal { return decimal(n) * decimalOne }

// MarshalJSON writes the number with six decimals, as BigDecimal.toString
// of a scale-6 value does.
func (d decimal) MarshalJSON() ([]byte, error) {
	sign := ""
	n := int64(d)
	if n < 0 {
		sign, n = "-", -n
	}
	return []byte(fmt.Sprintf("%s%d.%06d", sign, n/int64(decimalOne), n%int64(decimalOne))), nil
}

// times is d × r rounded HALF_EVEN to places decimals.
func (d decimal) times(r *big.Rat, places int) decimal {
	return decimalOf(new(big.Rat).Mul(big.NewRat(int64(d), int64(decimalOne)), r), places)
}

// decimalOf is r rounded HALF_EVEN to places decimals.
func decimalOf(r *big.Rat, places int) decimal {
	step := int64(1)
	for i := 0; i < places; i++ {
		step *= 10
	}
	scaled := roundHalfEven(new(big.Rat).Mul(r, big.NewRat(step, 1)))
	return decimal(scaled * (int64(decimalOne) / step))
}

// roundHalfEven is RoundingMode.HALF_EVEN of a rational to an integer.
func roundHalfEven(r *big.Rat) int64 {
	num, den := new(big.Int).Set(r.Num()), r.Denom()
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	twice := new(big.Int).Mul(new(big.Int).Abs(m), big.NewInt(2))
	switch c := twice.Cmp(den); {
	case c > 0, c == 0 && q.Bit(0) == 1:
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q.Int64()
}

// rat is d as a rational.
func (d decimal) rat() *big.Rat { return big.NewRat(int64(d), int64(decimalOne)) }
