package fake

import (
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode"

	"lmsproxy/upstream/wire"
)

// date is extractLocalDateNamed: nil when absent, non-primitive or blank.
// The request's locale is validated first (even when name is absent), and a
// present date needs both dateFormat and locale; each failure aborts the
// request at once, as JsonParserHelper throws.
func (b *body) date(name string) (*wire.Date, error) {
	locale, hasLocale, err := b.locale()
	if err != nil {
		return nil, err
	}
	s := b.str(name)
	if s == nil {
		return nil, nil
	}
	format, _ := b.primitive("dateFormat")
	var missing []obj
	if isBlank(format) {
		missing = append(missing, paramError("validation.msg.missing.dateFormat.parameter",
			"The parameter `"+name+"` requires a `dateFormat` parameter to be passed with it.", name))
	}
	if !hasLocale {
		missing = append(missing, paramError("validation.msg.missing.locale.parameter",
			"The parameter `"+name+"` requires a `locale` parameter to be passed with it.", name))
	}
	if missing != nil {
		return nil, validationError(missing...)
	}
	d, perr := parseJavaDate(*s, format)
	if perr != nil {
		return nil, validationError(paramError("validation.msg.invalid.dateFormat.format",
			"The parameter `"+name+"` is invalid based on the dateFormat: `"+format+"` and locale: `"+locale+"` provided:",
			name, nil, format))
	}
	return &d, nil
}

// locale is extractLocaleParameter → localeFromString: a present locale must
// be language[_COUNTRY[_variant]] with an ISO language and country. The
// returned text is Java's Locale.toString of it.
func (b *body) locale() (text string, present bool, err error) {
	raw, ok := b.primitive("locale")
	if !ok {
		return "", false, nil
	}
	if isBlank(raw) {
		return "", false, validationError(paramError("validation.msg.invalid.locale.format",
			"The parameter `locale` is invalid. It cannot be blank.", "locale"))
	}
	parts := strings.Split(raw, "_")
	lang, country := parts[0], ""
	if len(parts) > 1 {
		country = parts[1]
	}
	var errs []obj
	if !isLetters(strings.ToLower(lang), 'a', 'z') {
		errs = append(errs, paramError("validation.msg.invalid.locale.format",
			"The parameter `locale` has an invalid language value "+lang+" .", "locale", lang))
	}
	if country != "" && !isLetters(country, 'A', 'Z') {
		errs = append(errs, paramError("validation.msg.invalid.locale.format",
			"The parameter `locale` has an invalid country value "+country+" .", "locale", country))
	}
	if errs != nil {
		return "", false, validationError(errs...)
	}
	text = strings.ToLower(lang)
	if country != "" {
		text += "_" + country
	}
	return text, true, nil
}

// isLetters approximates membership of Locale.getISOLanguages/Countries:
// exactly two letters in [lo, hi].
func isLetters(s string, lo, hi rune) bool {
	if len(s) != 2 {
		return false
	}
	for _, r := range s {
		if r < lo || r > hi {
			return false
		}
	}
	return true
}

// patternItem is one element of a java.time pattern: a field letter with its
// repeat count, or literal text.
type patternItem struct {
	letter  rune
	count   int
	literal string
}

// parseJavaDate parses s with a java.time DateTimeFormatter pattern the way
// the upstream does (case-insensitive, lenient widths, strict calendar
// resolution). Supported letters: y/u (year), M/L (month as number, "Jan" or
// "January", English names whatever the locale) and d (day); quoted text and
// other symbols are literals. Any other letter fails, as an unsupported
// pattern fails upstream.
func parseJavaDate(s, pattern string) (wire.Date, error) {
	items, err := compilePattern(pattern)
	if err != nil {
		return wire.Date{}, err
	}
	fields := map[rune]int{}
	rest := s
	for i, it := range items {
		if it.letter == 0 {
			if !hasPrefixFold(rest, it.literal) {
				return wire.Date{}, errors.New("literal mismatch")
			}
			rest = rest[len(it.literal):]
			continue
		}
		if it.letter == 'M' && it.count >= 3 {
			m, n := parseMonthName(rest, it.count == 3)
			if n == 0 {
				return wire.Date{}, errors.New("bad month name")
			}
			fields['M'], rest = m, rest[n:]
			continue
		}
		// Adjacent numeric fields ("yyyyMMdd") must take their exact width;
		// otherwise lenient parsing takes every digit.
		width := 0
		if i+1 < len(items) && items[i+1].letter != 0 {
			width = it.count
		}
		v, n := leadingNumber(rest, width)
		if n == 0 {
			return wire.Date{}, errors.New("missing number")
		}
		if it.letter == 'y' && it.count == 2 {
			v += 2000 // reduced two-digit year, base 2000
		}
		fields[it.letter], rest = v, rest[n:]
	}
	if rest != "" {
		return wire.Date{}, errors.New("unparsed text")
	}
	y, okY := fields['y']
	m, okM := fields['M']
	d, okD := fields['d']
	if !okY || !okM || !okD {
		return wire.Date{}, errors.New("incomplete date")
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return wire.Date{}, errors.New("no such date")
	}
	return wire.DateOf(t), nil
}

// compilePattern splits a pattern into items, normalising u→y and L→M.
func compilePattern(p string) ([]patternItem, error) {
	var items []patternItem
	rs := []rune(p)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case r == '\'':
			j := i + 1
			var lit strings.Builder
			for ; j < len(rs); j++ {
				if rs[j] == '\'' {
					if j+1 < len(rs) && rs[j+1] == '\'' {
						lit.WriteRune('\'')
						j++
						continue
					}
					break
				}
				lit.WriteRune(rs[j])
			}
			if j >= len(rs) {
				return nil, errors.New("unterminated quote")
			}
			if lit.Len() == 0 {
				lit.WriteRune('\'') // '' is a quote character
			}
			items = append(items, patternItem{literal: lit.String()})
			i = j + 1
		case unicode.IsLetter(r):
			j := i
			for j < len(rs) && rs[j] == r {
				j++
			}
			letter := map[rune]rune{'y': 'y', 'u': 'y', 'M': 'M', 'L': 'M', 'd': 'd'}[r]
			if letter == 0 || j-i > 4 || (letter == 'd' && j-i > 2) {
				return nil, errors.New("unsupported pattern letter")
			}
			items = append(items, patternItem{letter: letter, count: j - i})
			i = j
		default:
			items = append(items, patternItem{literal: string(r)})
			i++
		}
	}
	return items, nil
}

// leadingNumber reads the decimal digits at the start of s (exactly width
// of them when width > 0) and returns the value and the bytes consumed.
func leadingNumber(s string, width int) (int, int) {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' && (width == 0 || n < width) {
		n++
	}
	if n == 0 || (width > 0 && n != width) || n > 9 {
		return 0, 0
	}
	v, _ := strconv.Atoi(s[:n])
	return v, n
}

// parseMonthName matches an English month name (abbreviated when short) at
// the start of s, case-insensitively.
func parseMonthName(s string, short bool) (month, consumed int) {
	for m := time.January; m <= time.December; m++ {
		name := m.String()
		if short {
			name = name[:3]
		}
		if hasPrefixFold(s, name) {
			return int(m), len(name)
		}
	}
	return 0, 0
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
