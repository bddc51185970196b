package server

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"lmsproxy/translate"
	"lmsproxy/upstream"
	"lmsproxy/upstream/wire"
)

// reconcileShare is the part of a partner request's remaining time that a
// write leaves for reading the resource back when its outcome is unknown,
// so that reconciling happens within the one request deadline.
const reconcileShare = 5

// writeContext bounds an upstream write so that reconcileShare of the
// request's remaining time is left after it.
func writeContext(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, deadline.Add(-time.Until(deadline)/reconcileShare))
}

// maybeApplied reports a write whose outcome is unknown: cut off after it
// may have reached the upstream (see wire.Error.MaybeApplied).
func maybeApplied(err error) bool {
	ue, ok := wire.AsError(err)
	return ok && ue.MaybeApplied
}

// reconcile answers a write whose outcome is unknown by reading the
// customer back. A customer in the state the write asked for (applied
// reports it) is the answer: the write took effect, and a partner told to
// retry a create would get a duplicate. A customer that is not, or no
// customer, means the write was not applied, and the partner may safely
// retry. When even the read fails the outcome stays unknown, and the answer
// says so: "retry" could end in a duplicate, "failed" could be untrue.
func (h *customers) reconcile(c echo.Context, ref upstream.Ref, target translate.Target, writeErr error, applied func(wire.ClientData) bool) error {
	client, err := h.s.upstream.GetClient(c.Request().Context(), ref)
	switch {
	case err == nil && applied(client):
		return writeJSON(c, http.StatusOK, translate.CustomerFromUpstream(client))
	case err == nil || isNotFound(err, target):
		return translate.NotApplied(writeErr)
	}
	return translate.OutcomeUnknown(errors.Join(writeErr, err), target)
}

// reconcileDelete answers a delete whose outcome is unknown: a customer
// that can no longer be found was deleted, as the partner asked; one still
// there was not, and the partner may safely retry; when the read fails, the
// outcome stays unknown, as in reconcile.
func (h *customers) reconcileDelete(c echo.Context, a addressed, writeErr error) error {
	_, err := h.s.upstream.GetClient(c.Request().Context(), a.ref)
	switch {
	case err == nil:
		return translate.NotApplied(writeErr)
	case isNotFound(err, a.target):
		return c.NoContent(http.StatusOK)
	}
	return translate.OutcomeUnknown(errors.Join(writeErr, err), a.target)
}

// unexpected reports an upstream answer that is not one to the request sent
// (wire.ShapeUnexpected): no client, or another one.
func unexpected(err error) bool {
	ue, ok := wire.AsError(err)
	return ok && ue.Shape == wire.ShapeUnexpected
}

// isNotFound reports an upstream answer that the partner contract calls
// not_found, so that "the customer is not there" is decided by the one
// translation table rather than by a second reading of upstream codes.
func isNotFound(err error, target translate.Target) bool {
	return translate.FromUpstream(err, target).Code == translate.NotFound
}
