package fake

import (
	"strconv"
	"strings"
	"unicode/utf16"

	"lmsproxy/upstream/wire"
)

// validator collects problems like the upstream's DataValidatorBuilder for
// resource "client", so one 400 lists every problem in the validator's
// order. Codes are "validation.msg.client.<param>.<reason>".
type validator struct {
	errs []obj
}

func clientCode(param, reason string) string { return "validation.msg.client." + param + "." + reason }

// err is the collected problems as one validation error, or nil.
func (v *validator) err() error {
	if v.errs == nil {
		return nil
	}
	return validationError(v.errs...)
}

func (v *validator) add(e obj) { v.errs = append(v.errs, e) }

// mandatory is the failure of notNull/notBlank (the arg is the null array index).
func (v *validator) mandatory(param string) {
	v.add(paramError(clientCode(param, "cannot.be.blank"), "The parameter `"+param+"` is mandatory.", param, nil))
}

// notBlankString is notBlank on an optional string.
func (v *validator) notBlankString(param string, value *string) {
	if value == nil {
		v.mandatory(param)
	}
}

// maxLength is notExceedingLengthOf: Java measures the trimmed string in
// UTF-16 code units, so a character outside the BMP counts twice.
func (v *validator) maxLength(param string, value *string, limit int) {
	if value == nil || javaLength(javaTrim(*value)) <= limit {
		return
	}
	v.add(paramError(clientCode(param, "exceeds.max.length"),
		"The parameter `"+param+"` exceeds max length of "+strconv.Itoa(limit)+".", param, limit, *value))
}

// positive is integerGreaterThanZero/longGreaterThanZero; nil passes.
func (v *validator) positive(param string, value *int64) {
	if value == nil || *value >= 1 {
		return
	}
	v.add(paramError(clientCode(param, "not.greater.than.zero"),
		"The parameter `"+param+"` must be greater than 0.", param, *value, 0))
}

// positiveInt is positive for Integer parameters.
func (v *validator) positiveInt(param string, value *int) {
	if value != nil {
		n := int64(*value)
		v.positive(param, &n)
	}
}

// inRange is inMinMaxRange; nil passes.
func (v *validator) inRange(param string, value *int, lo, hi int) {
	if value == nil || (*value >= lo && *value <= hi) {
		return
	}
	v.add(paramError(clientCode(param, "is.not.within.expected.range"),
		"The parameter `"+param+"` must be between "+strconv.Itoa(lo)+" and "+strconv.Itoa(hi)+".",
		param, *value, lo, hi))
}

// dateNotAfter is validateDateBefore: value may equal ref but not follow it.
// The message really has no space before the date.
func (v *validator) dateNotAfter(param string, value, ref *wire.Date) {
	if value == nil || ref == nil || !ref.Before(*value) {
		return
	}
	v.add(paramError(clientCode(param, "is.greater.than.date"),
		"The parameter `"+param+"` must be less than the provided date"+ref.ISO(), param, *value, *ref))
}

// failWithCode is DataValidatorBuilder.failWithCode with a null value and no
// message args, whose varargs make the args [null, []].
func (v *validator) failWithCode(param, reason string) {
	v.add(paramError(clientCode(param, reason), "Failed data validation due to: "+reason+".", param, nil, []any{}))
}

// mustBeBlankWhen is mustBeBlankWhenParameterProvided.
func (v *validator) mustBeBlankWhen(param string, value *string, other, otherValue string) {
	if value == nil {
		return
	}
	v.add(paramError(clientCode(param, "cannot.also.be.provided.when."+other+".is.populated"),
		"The parameter `"+param+"` cannot also be provided when `"+other+"` is populated.",
		param, *value, other, otherValue))
}

// names ports ClientDataValidator's name rules: either a fullname or
// firstname+lastname (middlename optional). requireSome is set on create,
// where passing no name member at all is itself an error.
func (v *validator) names(b *body, requireSome bool) {
	fullGiven := b.str("fullname") != nil
	partsGiven := b.str("firstname") != nil || b.str("middlename") != nil || b.str("lastname") != nil
	fullPassed := b.has("fullname")
	partsPassed := b.has("firstname") || b.has("middlename") || b.has("lastname")
	switch {
	case fullGiven || partsGiven:
		v.nameCombination(b, fullGiven, partsGiven)
	case fullPassed && partsPassed:
		v.failWithCode("id", ".no.name.details.passed")
	case fullPassed || partsPassed:
		v.nameCombination(b, fullPassed, partsPassed)
	case requireSome:
		v.failWithCode("id", ".no.name.details.passed")
	}
}

func (v *validator) nameCombination(b *body, full, parts bool) {
	switch {
	case full && !parts:
		fullname := b.str("fullname")
		v.notBlankString("fullname", fullname)
		v.maxLength("fullname", fullname, 160)
	case parts && !full:
		first, middle, last := b.str("firstname"), b.str("middlename"), b.str("lastname")
		v.notBlankString("firstname", first)
		v.maxLength("firstname", first, 50)
		v.maxLength("middlename", middle, 50)
		v.notBlankString("lastname", last)
		v.maxLength("lastname", last, 50)
	default:
		for _, part := range []string{"firstname", "middlename", "lastname"} {
			if p := b.str(part); p != nil {
				v.mustBeBlankWhen("fullname", b.str("fullname"), part, *p)
			}
		}
	}
}

// javaTrim is String.trim: it strips code points up to and including space.
func javaTrim(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
}

// javaLength is String.length: UTF-16 code units.
func javaLength(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
