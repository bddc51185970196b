package server

import (
	"context"

	"lmsproxy/translate"
	"lmsproxy/upstream/wire"
)

// maybeApplied reports a write whose outcome is unknown: cut off after it
// may have reached the upstream (see wire.Error.MaybeApplied).
func maybeApplied(err error) bool {
	ue, ok := wire.AsError(err)
	return ok && ue.MaybeApplied
}

// inState is the check (step.applied) of a write meant to leave a resource
// in a state: read reads the resource back, want recognises the state asked
// for. A resource in that state means the write took effect, and a partner
// told to retry a create would get a duplicate. One in another state, or no
// resource, means the write was not applied, and the partner may safely
// retry.
func inState[T any](target translate.Target, read func(context.Context) (T, error), want func(T) bool) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		v, err := read(ctx)
		switch {
		case err == nil:
			return want(v), nil
		case isNotFound(err, target):
			return false, nil
		}
		return false, err
	}
}

// gone is the check (step.applied) of a delete: a resource that can no
// longer be found was deleted, as the partner asked; one still there was
// not, and the partner may safely retry.
func gone[T any](target translate.Target, read func(context.Context) (T, error)) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		_, err := read(ctx)
		switch {
		case err == nil:
			return false, nil
		case isNotFound(err, target):
			return true, nil
		}
		return false, err
	}
}

// unexpected reports an upstream answer that is not one to the request sent
// (wire.ShapeUnexpected): no client, or another one.
func unexpected(err error) bool {
	ue, ok := wire.AsError(err)
	return ok && ue.Shape == wire.ShapeUnexpected
}

// isNotFound reports an upstream answer that the partner contract calls
// not_found, so that "the resource is not there" is decided by the one
// translation table rather than by a second reading of upstream codes.
func isNotFound(err error, target translate.Target) bool {
	return translate.FromUpstream(err, target).Code == translate.NotFound
}
