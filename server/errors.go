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
	"lmsproxy/upstream/wire"
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
	sc := scopeOf(c)
	sc.code = perr.Code
	if perr.Code == translate.Internal {
		if uerr, ok := wire.AsError(err); ok {
			sc.upstreamStatus, sc.upstreamCode = uerr.Status, uerr.Code
		}
		s.log.Error("internal error", zap.String("request_id", sc.requestID), zap.Error(err))
	}
	h := c.Response().Header()
	switch perr.Code {
	case translate.Unavailable:
		// Every 503 says when to come back (RFC 9110 §10.2.3): when the
		// cause knows (rate limit, breaker cool-down, upstream's own
		// Retry-After, next key fetch), else in a second.
		h.Set("Retry-After", strconv.Itoa(max(perr.RetryAfterSeconds, 1)))
	case translate.Unauthenticated:
		if aerr, ok := errors.AsType[*auth.Error](err); ok {
			h.Set(echo.HeaderWWWAuthenticate, bearerChallenge(aerr))
		}
	}
	body, merr := json.Marshal(perr)
	if merr != nil { // cannot happen: two strings; marshal first so status and body agree (Echo #1334)
		body = []byte(`{"code":"internal","message":"internal error"}`)
	}
	if c.Request().Method == http.MethodHead {
		// The headers a GET would get, without the body (RFC 9110 §9.3.2).
		h.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
		_ = c.NoContent(httpStatus(perr.Code))
		return
	}
	_ = c.Blob(httpStatus(perr.Code), echo.MIMEApplicationJSON, body)
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
		return &translate.Error{Code: code, Message: aerr.Message, RetryAfterSeconds: translate.WaitSeconds(aerr.RetryAfter), Cause: err}
	}
	if uerr, ok := wire.AsError(err); ok {
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

// bearerChallenge is the WWW-Authenticate of a 401 (RFC 6750 §3): the bare
// challenge for a request without bearer credentials, else the error code
// and the partner message as error_description. The message never holds
// the token (auth.Error); bytes §3 does not allow in a description (quotes,
// backslashes, non-ASCII) are replaced, so the header always parses.
func bearerChallenge(e *auth.Error) string {
	const challenge = `Bearer realm="lmsproxy"`
	code := e.BearerError()
	if code == "" {
		return challenge
	}
	desc := []byte(e.Message)
	for i, b := range desc {
		if b < 0x20 || b > 0x7e || b == '"' || b == '\\' {
			desc[i] = '?'
		}
	}
	return challenge + `, error="` + code + `", error_description="` + string(desc) + `"`
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
