package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Date is a calendar date as the upstream writes it. Every Fineract line
// serialises LocalDate as a JSON array [y, m, d] (Gson's LocalDateAdapter), but
// a build that writes success bodies with Jackson emits ISO "yyyy-MM-dd"
// strings instead (fineract-facts §7), so both decode. The zero Date means
// "absent".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// IsZero reports whether the date is absent.
func (d Date) IsZero() bool { return d == Date{} }

// ISO renders the date as YYYY-MM-DD, or "" when absent.
func (d Date) ISO() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// ParseISODate parses YYYY-MM-DD and rejects impossible dates (2024-02-30).
func ParseISODate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("not a YYYY-MM-DD date: %q", s)
	}
	return DateOf(t), nil
}

// Time returns midnight UTC of the date.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// Before reports whether d is strictly before e.
func (d Date) Before(e Date) bool { return d.Time().Before(e.Time()) }

// UnmarshalJSON accepts [y,m,d], "yyyy-MM-dd" and null. The array form is
// parsed by hand: a list page carries three dates per client, and a nested
// json.Unmarshal per date was the largest allocation on the read path.
func (d *Date) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*d = Date{}
		return nil
	case len(b) > 0 && b[0] == '[':
		parts, err := parseDateArray(b)
		if err != nil {
			return err
		}
		t := time.Date(parts[0], time.Month(parts[1]), parts[2], 0, 0, 0, 0, time.UTC)
		if t.Year() != parts[0] || int(t.Month()) != parts[1] || t.Day() != parts[2] {
			return fmt.Errorf("date array %v is not a calendar date", parts)
		}
		*d = DateOf(t)
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		parsed, err := ParseISODate(s)
		if err != nil {
			return err
		}
		*d = parsed
		return nil
	}
	return fmt.Errorf("date: unexpected JSON %.20q", b)
}

// parseDateArray reads exactly three non-negative integers in [ ], with
// optional white space, as the upstream's LocalDateAdapter writes them.
func parseDateArray(b []byte) ([3]int, error) {
	var parts [3]int
	fields := bytes.Split(bytes.TrimSuffix(b[1:], []byte("]")), []byte(","))
	if len(fields) != 3 || b[len(b)-1] != ']' {
		return parts, fmt.Errorf("date array %.40q: want [year, month, day]", b)
	}
	for i, f := range fields {
		n, err := strconv.Atoi(string(bytes.TrimSpace(f)))
		if err != nil || n < 0 {
			return parts, fmt.Errorf("date array %.40q: want [year, month, day]", b)
		}
		parts[i] = n
	}
	return parts, nil
}

// MarshalJSON writes the array form, as the upstream's own success bodies do;
// only the simulator and recorded fixtures marshal dates.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return []byte("[" + strconv.Itoa(d.Year) + "," + strconv.Itoa(int(d.Month)) + "," + strconv.Itoa(d.Day) + "]"), nil
}
