package server

import (
	"context"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"lmsproxy/translate"
	"lmsproxy/upstream"
	"lmsproxy/upstream/wire"
)

// ClientsAPI is what the customer handlers need of the upstream.
type ClientsAPI interface {
	ListClients(ctx context.Context, q wire.ListQuery) (wire.Page[wire.ClientData], error)
	GetClient(ctx context.Context, ref upstream.Ref) (wire.ClientData, error)
	CreateClient(ctx context.Context, body wire.ClientCreate) (wire.CommandResult, error)
	UpdateClient(ctx context.Context, ref upstream.Ref, body wire.ClientUpdate) (wire.CommandResult, error)
	DeleteClient(ctx context.Context, ref upstream.Ref) (wire.CommandResult, error)
	CloseClient(ctx context.Context, ref upstream.Ref, body wire.ClientClose) (wire.CommandResult, error)
}

// customerAddress is how partners name one customer: /customers/{id} or
// /customers/external/{externalId}.
var customerAddress = addressing[upstream.Ref]{
	resource: translate.Customers,
	idParam:  paramID,
	extParam: paramExternalID,
	parseID:  translate.ParseCustomerID,
	parseExt: translate.ParseCustomerExternalID,
	extField: translate.FieldCustomerExternalID,
	byID:     upstream.ByID,
	byExt:    upstream.ByExternalID,
}

// customers holds the customer handlers. Each handler validates everything
// the partner sent (path, query, body) before any upstream call, then calls
// the upstream and hands results and errors to translate.
type customers struct{ s *Server }

func (h *customers) mount(v1 *echo.Group) {
	bothForms(v1, "/customers", customerAddress, func(r router) {
		r.add(http.MethodGet, "", h.get)
		r.add(http.MethodPut, "", h.update)
		r.add(http.MethodDelete, "", h.delete)
		r.add(http.MethodPost, "/close", h.close)
	})
	v1.GET("/customers", h.list)
	v1.POST("/customers", h.create)
}

func (h *customers) get(c echo.Context) error {
	a, err := customerAddress.bodiless(c)
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
	if err := translate.Merge(qerr, noBody(c)); err != nil {
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

func (h *customers) create(c echo.Context) error {
	req, err := withBody(c, translate.ParseCreate, noQuery(c))
	if err != nil {
		return err
	}
	target := translate.Target{Resource: translate.Customers, Values: []string{req.ExternalID}, Fields: translate.CreateFields}
	body := translate.CreateBody(req, h.s.cfg.OfficeID, h.s.today.Date(c.Request().Context()))
	// The externalId is unique, so an exact lookup finds the customer if and
	// only if this create (or an earlier one) made it.
	return h.write(c, upstream.ByExternalID(req.ExternalID), target,
		func(wire.ClientData) bool { return true },
		func(ctx context.Context) (wire.CommandResult, error) { return h.s.upstream.CreateClient(ctx, body) })
}

func (h *customers) update(c echo.Context) error {
	a, aerr := customerAddress.address(c)
	req, err := withBody(c, translate.ParseUpdate, aerr, noQuery(c))
	if err != nil {
		return err
	}
	a.target.Values = append(a.target.Values, req.ExternalID)
	a.target.Fields = translate.UpdateFields
	current, err := h.s.upstream.GetClient(c.Request().Context(), a.ref)
	if err != nil {
		return translate.FromUpstream(err, a.target)
	}
	body := translate.UpdateBody(current, req)
	return h.write(c, upstream.ByID(current.ID), a.target,
		func(cl wire.ClientData) bool { return cl.ExternalID == req.ExternalID },
		func(ctx context.Context) (wire.CommandResult, error) {
			return h.s.upstream.UpdateClient(ctx, upstream.ByID(current.ID), body)
		})
}

func (h *customers) delete(c echo.Context) error {
	a, err := customerAddress.bodiless(c)
	if err != nil {
		return err
	}
	var res wire.CommandResult
	err = runSteps(c.Request().Context(), a.target, step{
		do: func(ctx context.Context) (err error) {
			res, err = h.s.upstream.DeleteClient(ctx, a.ref)
			return err
		},
		applied: gone(a.target, h.reader(a.ref)),
	})
	switch {
	case err != nil:
		return err
	case res.AwaitingApproval():
		return translate.AwaitingApproval(res.CommandID)
	}
	return c.NoContent(http.StatusOK)
}

func (h *customers) close(c echo.Context) error {
	a, aerr := customerAddress.address(c)
	req, err := withBody(c, translate.ParseClose, aerr, noQuery(c))
	if err != nil {
		return err
	}
	a.target.Values = append(a.target.Values, strconv.FormatInt(req.ClosureReasonID, 10), req.ClosureDate.ISO())
	a.target.Fields = translate.CloseFields
	body := translate.CloseBody(req)
	return h.write(c, a.ref, a.target,
		func(cl wire.ClientData) bool { return cl.StatusID() == wire.ClientStatusClosed },
		func(ctx context.Context) (wire.CommandResult, error) {
			return h.s.upstream.CloseClient(ctx, a.ref, body)
		})
}

// write makes one customer write, a one-step operation (runSteps), and
// answers with the customer as it then stands. written is the customer
// written, as the handler knows it; want recognises the state the write
// asks for, to reconcile an unknown outcome by reading the customer back.
// Found applied, the customer read is the answer, with no second read.
func (h *customers) write(c echo.Context, written upstream.Ref, target translate.Target,
	want func(wire.ClientData) bool, do func(context.Context) (wire.CommandResult, error)) error {
	var res wire.CommandResult
	var found *wire.ClientData
	err := runSteps(c.Request().Context(), target, step{
		do: func(ctx context.Context) (err error) {
			res, err = do(ctx)
			return err
		},
		applied: inState(target, h.reader(written), func(cl wire.ClientData) bool {
			if !want(cl) {
				return false
			}
			found = &cl
			return true
		}),
	})
	switch {
	case err != nil:
		return err
	case found != nil:
		return writeJSON(c, http.StatusOK, translate.CustomerFromUpstream(*found))
	}
	return h.respondWithClient(c, res, written, target)
}

// reader reads one customer, for a write's check.
func (h *customers) reader(ref upstream.Ref) func(context.Context) (wire.ClientData, error) {
	return func(ctx context.Context) (wire.ClientData, error) { return h.s.upstream.GetClient(ctx, ref) }
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
