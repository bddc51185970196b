package server

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"lmsproxy/translate"
	"lmsproxy/upstream"
	"lmsproxy/upstream/wire"
)

// Path parameter names of the two addressing forms.
const (
	paramID         = "id"
	paramExternalID = "externalId"
)

// customers holds the customer handlers. Each handler validates everything
// the partner sent (path, query, body) before any upstream call, then calls
// the upstream and hands results and errors to translate.
type customers struct{ s *Server }

// addressed is a validated request to one customer.
type addressed struct {
	ref    upstream.Ref
	target translate.Target
}

// address reads the customer from the path, in either form. Echo routes on
// the escaped path when it has one and then leaves parameters escaped
// (Echo #1974), so the externalId is unescaped here, exactly once.
func address(c echo.Context) (addressed, *translate.Error) {
	if !slices.Contains(c.ParamNames(), paramExternalID) {
		raw := c.Param(paramID)
		id, err := translate.ParseCustomerID(raw)
		if err != nil {
			return addressed{}, err
		}
		return addressed{ref: upstream.ByID(id), target: translate.Customers.ByID(raw)}, nil
	}
	raw := c.Param(paramExternalID)
	if c.Request().URL.RawPath != "" {
		unescaped, err := url.PathUnescape(raw)
		if err != nil {
			return addressed{}, translate.Invalid(translate.FieldError{Field: translate.FieldCustomerExternalID, Error: "malformed percent-encoding"})
		}
		raw = unescaped
	}
	ext, err := translate.ParseCustomerExternalID(raw)
	if err != nil {
		return addressed{}, err
	}
	return addressed{ref: upstream.ByExternalID(ext), target: translate.Customers.ByExternalID(ext)}, nil
}

// noQuery refuses query parameters on routes that take none: nothing a
// partner sends is silently ignored, not even a query that does not parse.
func noQuery(c echo.Context) *translate.Error {
	return translate.NoQuery(c.Request().URL.RawQuery)
}

// readBody reads a JSON body within the configured limit.
func (h *customers) readBody(c echo.Context) ([]byte, *translate.Error) {
	if ct := c.Request().Header.Get(echo.HeaderContentType); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != echo.MIMEApplicationJSON {
			return nil, translate.Invalid(translate.FieldError{Field: "Content-Type", Error: "must be application/json"})
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), c.Request().Body, h.s.cfg.BodyLimit))
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
func (h *customers) noBody(c echo.Context) *translate.Error {
	body, err := h.readBody(c)
	if err != nil {
		return err
	}
	if len(body) > 0 {
		return translate.Invalid(translate.FieldError{Field: "body", Error: "must be empty"})
	}
	return nil
}

// bodiless validates a request to one customer that carries no body.
func (h *customers) bodiless(c echo.Context) (addressed, error) {
	a, aerr := address(c)
	if err := translate.Merge(aerr, noQuery(c), h.noBody(c)); err != nil {
		return addressed{}, err
	}
	return a, nil
}

func (h *customers) get(c echo.Context) error {
	a, err := h.bodiless(c)
	if err != nil {
		return err
	}
	client, err := h.s.upstream.GetClient(c.Request().Context(), a.ref)
	if err != nil {
		return translate.FromUpstream(err, a.target)
	}
	return writeJSON(c, http.StatusOK, translate.CustomerFromUpstream(client))
}

func (h *customers) list(c echo.Context) error {
	req, qerr := translate.ParseListQuery(c.Request().URL.RawQuery)
	if err := translate.Merge(qerr, h.noBody(c)); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if req.HasExternalID {
		target := translate.Customers.ByExternalID(req.ExternalID)
		client, err := h.s.upstream.GetClient(ctx, upstream.ByExternalID(req.ExternalID))
		switch {
		case err == nil:
			return writeJSON(c, http.StatusOK, translate.PointLookupPage(&client, req))
		case isNotFound(err, target):
			return writeJSON(c, http.StatusOK, translate.PointLookupPage(nil, req))
		}
		return translate.FromUpstream(err, target)
	}
	page, err := h.s.upstream.ListClients(ctx, req.Upstream())
	if err != nil {
		return translate.FromUpstream(err, translate.Target{Resource: translate.Customers})
	}
	return writeJSON(c, http.StatusOK, translate.CustomerPage(page, req))
}

// withBody reads and parses a JSON body, merging its problems with those
// already found in the path and query, so the partner hears of them all in
// one answer.
func withBody[T any](h *customers, c echo.Context, parse func([]byte) (T, *translate.Error), found ...*translate.Error) (T, error) {
	var req T
	body, berr := h.readBody(c)
	var perr *translate.Error
	if berr == nil {
		req, perr = parse(body)
	}
	if err := translate.Merge(append(found, berr, perr)...); err != nil {
		return req, err
	}
	return req, nil
}

func (h *customers) create(c echo.Context) error {
	req, err := withBody(h, c, translate.ParseCreate, noQuery(c))
	if err != nil {
		return err
	}
	target := translate.Target{Resource: translate.Customers, Values: []string{req.ExternalID}, Fields: translate.CreateFields}
	today := h.s.today.Date(c.Request().Context())
	ctx, cancel := writeContext(c.Request().Context())
	res, err := h.s.upstream.CreateClient(ctx, translate.CreateBody(req, h.s.cfg.OfficeID, today))
	cancel()
	if maybeApplied(err) {
		// The externalId is unique, so an exact lookup finds the customer
		// if and only if this create (or an earlier one) made it.
		return h.reconcile(c, upstream.ByExternalID(req.ExternalID), target, err,
			func(wire.ClientData) bool { return true })
	}
	if err != nil {
		return translate.FromUpstream(err, target)
	}
	return h.respondWithClient(c, res, upstream.ByExternalID(req.ExternalID), target)
}

func (h *customers) update(c echo.Context) error {
	a, aerr := address(c)
	req, err := withBody(h, c, translate.ParseUpdate, aerr, noQuery(c))
	if err != nil {
		return err
	}
	a.target.Values = append(a.target.Values, req.ExternalID)
	a.target.Fields = translate.UpdateFields
	ctx := c.Request().Context()
	current, err := h.s.upstream.GetClient(ctx, a.ref)
	if err != nil {
		return translate.FromUpstream(err, a.target)
	}
	writeCtx, cancel := writeContext(ctx)
	res, err := h.s.upstream.UpdateClient(writeCtx, upstream.ByID(current.ID), translate.UpdateBody(current, req))
	cancel()
	if maybeApplied(err) {
		return h.reconcile(c, upstream.ByID(current.ID), a.target, err,
			func(cl wire.ClientData) bool { return cl.ExternalID == req.ExternalID })
	}
	if err != nil {
		return translate.FromUpstream(err, a.target)
	}
	return h.respondWithClient(c, res, upstream.ByID(current.ID), a.target)
}

func (h *customers) delete(c echo.Context) error {
	a, err := h.bodiless(c)
	if err != nil {
		return err
	}
	ctx, cancel := writeContext(c.Request().Context())
	res, err := h.s.upstream.DeleteClient(ctx, a.ref)
	cancel()
	if maybeApplied(err) {
		return h.reconcileDelete(c, a, err)
	}
	if err != nil {
		return translate.FromUpstream(err, a.target)
	}
	if res.AwaitingApproval() {
		return translate.AwaitingApproval(res.CommandID)
	}
	return c.NoContent(http.StatusOK)
}

func (h *customers) close(c echo.Context) error {
	a, aerr := address(c)
	req, err := withBody(h, c, translate.ParseClose, aerr, noQuery(c))
	if err != nil {
		return err
	}
	a.target.Values = append(a.target.Values, strconv.FormatInt(req.ClosureReasonID, 10), req.ClosureDate.ISO())
	a.target.Fields = translate.CloseFields
	ctx, cancel := writeContext(c.Request().Context())
	res, err := h.s.upstream.CloseClient(ctx, a.ref, translate.CloseBody(req))
	cancel()
	if maybeApplied(err) {
		return h.reconcile(c, a.ref, a.target, err,
			func(cl wire.ClientData) bool { return cl.StatusID() == wire.ClientStatusClosed })
	}
	if err != nil {
		return translate.FromUpstream(err, a.target)
	}
	return h.respondWithClient(c, res, a.ref, a.target)
}

// respondWithClient answers a write the upstream confirmed with the
// customer as it now stands: read back by the id the result names (the
// upstream client guarantees one unless the write awaits approval) and
// checked to be the customer written, as the handler knows it. A
// maker-checker acceptance applied nothing and is reported as such. When
// the read-back fails the change still stands, so the answer says it was
// applied and where to read the customer, never to send the write again. A
// read-back that is no customer or another one puts the result itself in
// doubt: the outcome is unknown.
func (h *customers) respondWithClient(c echo.Context, res wire.CommandResult, written upstream.Ref, target translate.Target) error {
	if res.AwaitingApproval() {
		return translate.AwaitingApproval(res.CommandID)
	}
	client, err := h.s.upstream.GetClient(c.Request().Context(), upstream.ByID(res.ClientID))
	if err == nil {
		err = upstream.VerifyClient(written, client)
	}
	switch {
	case err == nil:
		return writeJSON(c, http.StatusOK, translate.CustomerFromUpstream(client))
	case unexpected(err):
		return translate.OutcomeUnknown(err, target)
	}
	return translate.Applied(target.Resource, res.ClientID, err)
}
