package server

import (
	"net/url"
	"slices"

	"github.com/labstack/echo/v4"

	"lmsproxy/translate"
)

// Path parameter names of the two addressing forms of a resource addressed
// by its own id.
const (
	paramID         = "id"
	paramExternalID = "externalId"
)

// addressing is how partners name one resource in the path, in either of two
// equivalent forms (spec §4): by id, prefix/:idParam, or by externalId,
// prefix/external/:extParam. bothForms mounts a resource's routes under both,
// and address reads whichever matched. R is the resource's upstream
// reference.
type addressing[R any] struct {
	// resource is what the path names, for the partner's error messages.
	resource          translate.Resource
	idParam, extParam string
	// parseID and parseExt validate the path value of each form; their
	// errors name the partner's path field.
	parseID  func(string) (int64, *translate.Error)
	parseExt func(string) (string, *translate.Error)
	// extField is the partner's name of the externalId path field, for an
	// escape that does not decode.
	extField string
	// byID and byExt make the upstream reference of each form.
	byID  func(int64) R
	byExt func(string) R
}

// addressed is a validated request to one resource.
type addressed[R any] struct {
	ref    R
	target translate.Target
}

// address reads the resource from the path, in either form. Echo routes on
// the escaped path when it has one and then leaves parameters escaped
// (Echo #1974), so the externalId is unescaped here, exactly once.
func (a addressing[R]) address(c echo.Context) (addressed[R], *translate.Error) {
	if !slices.Contains(c.ParamNames(), a.extParam) {
		raw := c.Param(a.idParam)
		id, err := a.parseID(raw)
		if err != nil {
			return addressed[R]{}, err
		}
		return addressed[R]{ref: a.byID(id), target: a.resource.ByID(raw)}, nil
	}
	raw := c.Param(a.extParam)
	if c.Request().URL.RawPath != "" {
		unescaped, err := url.PathUnescape(raw)
		if err != nil {
			return addressed[R]{}, translate.Invalid(translate.FieldError{Field: a.extField, Error: "malformed percent-encoding"})
		}
		raw = unescaped
	}
	ext, err := a.parseExt(raw)
	if err != nil {
		return addressed[R]{}, err
	}
	return addressed[R]{ref: a.byExt(ext), target: a.resource.ByExternalID(ext)}, nil
}

// bodiless validates a request to one resource that carries neither a query
// nor a body.
func (a addressing[R]) bodiless(c echo.Context) (addressed[R], error) {
	ad, aerr := a.address(c)
	if err := translate.Merge(aerr, noQuery(c), noBody(c)); err != nil {
		return addressed[R]{}, err
	}
	return ad, nil
}
