package upstream

import (
	"errors"
	"fmt"
	"net/http"

	"lmsproxy/upstream/wire"
)

// A success body is used only when it answers the request that was sent.
// Decoding alone accepts null, {} and another entity's record alike (a
// gateway or cache in front of the upstream, a misrouted tenant, a broken
// build can send any of them), and each would reach a partner as a 200 with
// a made-up or wrong customer. So every decoded body is checked for the
// shape the upstream always gives it (wire.Checked, run by do; result below
// for write results), and every read of one entity for being that entity
// (resource.verify, run by fetch, and VerifyClient, run by the server on the
// read-back after a write). Both failures are ShapeUnexpected errors, which
// translate maps to internal.

// result is a write's answer on one resource, checked by do (wire.Checked).
// A write answers with the id of the entity written once applied (the
// resource's appliedID), or with a command id when stored for maker-checker
// approval. A result with neither does not say what happened; do reports it
// as a success body it could not use, which on a write means "may have been
// applied", so the server reads the entity back.
type result[T any] struct {
	wire.CommandResult
	of *resource[T]
}

func (r *result[T]) WellFormed() error {
	if r.of.appliedID(r.CommandResult) <= 0 && !r.AwaitingApproval() {
		return errors.New("command result names no " + r.of.noun)
	}
	return nil
}

// verify reports an answer that is not the entity ref names: another id,
// or another externalId, compared exactly as the partner's lookups are. It
// is the one identity check, for fetch and for callers that read back the
// entity a write named.
func (r *resource[T]) verify(ref Ref, got *T) error {
	id, ext := r.identity(got)
	var err error
	switch {
	case ref.ID != 0 && id != ref.ID:
		err = fmt.Errorf("answer is for %s %d, not %d", r.noun, id, ref.ID)
	case ref.ExternalID != "" && ext != ref.ExternalID:
		err = fmt.Errorf("answer is for %s %d with another external id", r.noun, id)
	default:
		return nil
	}
	return unexpectedAnswer(r.get.Name, http.StatusOK, err)
}

// verified passes on a successful read of ref only when it is the entity
// ref names, so fetch checks identity in one line whichever way it looked.
func (r *resource[T]) verified(ref Ref, got T, err error) (T, error) {
	if err == nil {
		err = r.verify(ref, &got)
	}
	if err != nil {
		var none T
		return none, err
	}
	return got, nil
}
