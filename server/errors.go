package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"go.uber.org/zap"

	"lmsproxy/server/auth"
	"lmsproxy/translate"
	"lmsproxy/upstream"
)

// writeError is the one error writer: every failure of every layer —
// routing, auth, body limits, validation, upstream, panics — reaches the
// partner through it as the {code, message} envelope. It is Echo's
// HTTPErrorHandler; handlers and middleware only return errors.
func (s *Server) writeError(err error, c echo.Context) {
	if c.Response().Committed {
		// Echo issue #1948: some middleware report an error after writing.
		return
	}
	perr := partnerError(err)
	scopeOf(c).code = perr.Code
	if perr.Code == translate.Internal {
		s.log.Error("internal error", zap.String("request_id", scopeOf(c).requestID), zap.Error(err))
	}
	if perr.RetryAfterSeconds > 0 {
		c.Response().Header().Set("Retry-After", strconv.Itoa(perr.RetryAfterSeconds))
	}
	body, merr := json.Marshal(perr)
	if merr != nil { // cannot happen: two strings; marshal first so status and body agree (Echo #1334)
		body = []byte(`{"code":"internal","message":"internal error"}`)
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(perr.Code.HTTPStatus())
		return
	}
	_ = c.Blob(perr.Code.HTTPStatus(), echo.MIMEApplicationJSON, body)
}

// partnerError turns any error into the partner envelope. Errors the
// handlers already translated pass through; Echo's own errors (no route,
// wrong method, bad request) and auth failures are mapped here; anything
// else is internal and says nothing about its cause.
func partnerError(err error) *translate.Error {
	var perr *translate.Error
	if errors.As(err, &perr) {
		return perr
	}
	var aerr *auth.Error
	if errors.As(err, &aerr) {
		code := translate.Unauthenticated
		if aerr.Unavailable() {
			code = translate.Unavailable
		}
		return &translate.Error{Code: code, Message: aerr.Message, Cause: err}
	}
	if uerr, ok := upstream.AsError(err); ok {
		return translate.FromUpstream(uerr, translate.Target{})
	}
	var herr *echo.HTTPError
	if errors.As(err, &herr) {
		switch herr.Code {
		case http.StatusNotFound:
			return &translate.Error{Code: translate.NotFound, Message: "no such route", Cause: err}
		case http.StatusMethodNotAllowed:
			return &translate.Error{Code: translate.NotFound, Message: "no such route for this method", Cause: err}
		case http.StatusRequestEntityTooLarge:
			return bodyTooLarge(err)
		case http.StatusBadRequest, http.StatusUnsupportedMediaType:
			e := translate.Invalid(translate.FieldError{Field: "body", Error: "invalid"})
			e.Cause = err
			return e
		}
	}
	return &translate.Error{Code: translate.Internal, Message: "internal error", Cause: err}
}

func bodyTooLarge(cause error) *translate.Error {
	e := translate.Invalid(translate.FieldError{Field: "body", Error: "too large"})
	e.Cause = cause
	return e
}

// recoverPanics turns a panic into an error for writeError, so a panic gets
// the same envelope as any other failure (Echo's Recover middleware writes
// through c.Error itself, Echo #1948).
func recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				err = fmt.Errorf("panic: %v", r)
			}
		}()
		return next(c)
	}
}
