package fake

import "lmsproxy/upstream/wire"

// form reads a request body while validating it. The upstream collects
// validator problems into one 400 but throws at once on some read failures
// (a date without dateFormat, a non-numeric Long, ...); form keeps the first
// such failure, skips later reads, and reports it in preference to the
// collected problems.
type form struct {
	b     *body
	v     validator
	abort error
}

func (f *form) keep(err error) {
	if f.abort == nil {
		f.abort = err
	}
}

func (f *form) long(name string) *int64 {
	if f.abort != nil {
		return nil
	}
	n, err := f.b.long(name)
	f.keep(err)
	return n
}

func (f *form) integer(name string) *int {
	if f.abort != nil {
		return nil
	}
	n, err := f.b.integer(name)
	f.keep(err)
	return n
}

func (f *form) integerWithLocale(name string) *int64 {
	if f.abort != nil {
		return nil
	}
	n, err := f.b.integerWithLocale(name)
	f.keep(err)
	return n
}

func (f *form) date(name string) *wire.Date {
	if f.abort != nil {
		return nil
	}
	d, err := f.b.date(name)
	f.keep(err)
	return d
}

// requiredLong reads a mandatory positive Long (notNull().longGreaterThanZero()).
func (f *form) requiredLong(name string) *int64 {
	n := f.long(name)
	if n == nil {
		f.v.mandatory(name)
	}
	f.v.positive(name, n)
	return n
}

// requiredDate reads a mandatory date (notNull()).
func (f *form) requiredDate(name string) *wire.Date {
	d := f.date(name)
	if d == nil {
		f.v.mandatory(name)
	}
	return d
}

// optionalDate reads a date that is validated only when its member is
// present, and then must have a value.
func (f *form) optionalDate(name string) *wire.Date {
	if !f.b.has(name) {
		return nil
	}
	return f.requiredDate(name)
}

// err is the first aborting failure, else the collected problems.
func (f *form) err() error {
	if f.abort != nil {
		return f.abort
	}
	return f.v.err()
}
