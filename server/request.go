package server

import (
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/labstack/echo/v4"

	"lmsproxy/translate"
)

// The request plumbing every resource's handlers share: strict reading of
// the body, the query and the content type. Each check returns its problems
// rather than answering, so that a handler merges the problems of path,
// query and body into one answer (translate.Merge).

// limitBody caps every partner request body at the configured limit, once
// for all routes; readBody reports a body past it as too large.
func (s *Server) limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		r.Body = http.MaxBytesReader(c.Response(), r.Body, s.cfg.BodyLimit)
		return next(c)
	}
}

// noQuery refuses query parameters on routes that take none: nothing a
// partner sends is silently ignored, not even a query that does not parse.
func noQuery(c echo.Context) *translate.Error {
	return translate.NoQuery(c.Request().URL.RawQuery)
}

// readBody reads a JSON body within the limit (limitBody).
func readBody(c echo.Context) ([]byte, *translate.Error) {
	if ct := c.Request().Header.Get(echo.HeaderContentType); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != echo.MIMEApplicationJSON {
			return nil, translate.Invalid(translate.FieldError{Field: "Content-Type", Error: "must be application/json"})
		}
	}
	body, err := io.ReadAll(c.Request().Body)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, bodyTooLarge(err)
	case err != nil:
		return nil, translate.Invalid(translate.FieldError{Field: "body", Error: "could not be read"})
	}
	return body, nil
}

// noBody refuses a body on routes that take none.
func noBody(c echo.Context) *translate.Error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	if len(body) > 0 {
		return translate.Invalid(translate.FieldError{Field: "body", Error: "must be empty"})
	}
	return nil
}

// withBody reads and parses a JSON body, merging its problems with those
// already found in the path and query, so the partner hears of them all in
// one answer.
func withBody[T any](c echo.Context, parse func([]byte) (T, *translate.Error), found ...*translate.Error) (T, error) {
	var req T
	body, berr := readBody(c)
	var perr *translate.Error
	if berr == nil {
		req, perr = parse(body)
	}
	if err := translate.Merge(append(found, berr, perr)...); err != nil {
		return req, err
	}
	return req, nil
}
