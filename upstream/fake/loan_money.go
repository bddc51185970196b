package fake

import "fmt"

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
