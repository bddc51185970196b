package server

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"lmsproxy/translate"
	"lmsproxy/upstream"
)

// keepBackShare is the part of a partner request's remaining time that its
// upstream writes leave for reading back a write whose outcome is unknown
// and for undoing the steps already applied, so that both happen within the
// one request deadline.
const keepBackShare = 5

// step is one upstream write of a partner operation, run by runSteps.
type step struct {
	// name scopes the step's Idempotency-Key (upstream.WithStep), so that a
	// command repeated within one operation (disburse, undo, disburse again)
	// is applied again rather than answered with the earlier step's stored
	// result. Names differ within an operation; a one-step operation leaves
	// it "" and sends the partner request's own key, as it did before steps
	// existed.
	name string
	// do makes the write.
	do func(ctx context.Context) error
	// applied decides by reading the upstream whether the write took effect,
	// when do's outcome is unknown (wire.Error.MaybeApplied). An error is
	// a failed read, which leaves the outcome unknown. inState and gone
	// (reconcile.go) are the usual checks.
	applied func(ctx context.Context) (bool, error)
	// undo, when set, reverses the applied write when a later step fails, so
	// that the operation leaves nothing half done.
	undo func(ctx context.Context) error
}

// undoStep scopes the key of a step's undo, a write of its own.
func undoStep(name string) string { return "undo:" + name }

// runSteps runs one partner operation's upstream writes in order. It
// returns nil once every step took effect, confirmed by the upstream or,
// after an unknown outcome, found applied by the step's check. Otherwise it
// returns the partner's answer, translated for target:
//   - a step failed: its error, once the steps before it are undone, last
//     first;
//   - a step's outcome was unknown and its check found it not applied: the
//     same undoing, then translate.NotApplied (sending the request again is
//     safe);
//   - the check could not read either: translate.OutcomeUnknown ("retry"
//     could end in a duplicate, "failed" could be untrue), and nothing is
//     undone, since what needs undoing depends on that outcome;
//   - an undo failed: *incomplete, and the steps before it stay applied.
//
// The writes together end a keepBackShare of the request's remaining time
// before its deadline; the checks and undos have the whole deadline.
func runSteps(ctx context.Context, target translate.Target, steps ...step) error {
	distinctKeys(steps)
	writeCtx, cancel := writeContext(ctx)
	defer cancel()
	for i, st := range steps {
		err := st.do(upstream.WithStep(writeCtx, st.name))
		if maybeApplied(err) {
			applied, readErr := st.applied(ctx)
			switch {
			case readErr != nil:
				return translate.OutcomeUnknown(errors.Join(err, readErr), target)
			case applied:
				continue
			}
			return undo(ctx, steps[:i], translate.NotApplied(err))
		}
		if err != nil {
			return undo(ctx, steps[:i], translate.FromUpstream(err, target))
		}
	}
	return nil
}

// writeContext bounds the writes of a partner request so that keepBackShare
// of its remaining time is left after them.
func writeContext(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, deadline.Add(-time.Until(deadline)/keepBackShare))
}

// undo reverses the applied steps, last first, and then answers with
// answer. It stops at the first undo that fails: a step is undone only once
// those after it are.
func undo(ctx context.Context, applied []step, answer error) error {
	for _, st := range slices.Backward(applied) {
		if st.undo == nil {
			continue
		}
		if err := st.undo(upstream.WithStep(ctx, undoStep(st.name))); err != nil {
			return &incomplete{answer: answer, step: st.name, undoErr: err}
		}
	}
	return answer
}

// distinctKeys panics when two writes of one operation would send the same
// Idempotency-Key: the upstream would answer the second with the first's
// stored result and apply nothing.
func distinctKeys(steps []step) {
	names := make([]string, 0, 2*len(steps))
	for _, st := range steps {
		names = append(names, st.name)
		if st.undo != nil {
			names = append(names, undoStep(st.name))
		}
	}
	for i, n := range names {
		if slices.Contains(names[i+1:], n) {
			panic("server: two upstream writes of one operation share the step name " + strconv.Quote(n))
		}
	}
}

// incomplete is a partner operation that failed after some of its steps
// took effect, and could not undo them all: the upstream holds a state the
// partner did not ask for. It answers internal with no detail (the error
// writer logs all of it) and has no Unwrap, so that the answer to the
// failure inside it is not taken for the outcome.
type incomplete struct {
	answer  error  // the answer to the failure, had every undo succeeded
	step    string // the step whose undo failed
	undoErr error
}

func (e *incomplete) Error() string {
	return "undoing step " + strconv.Quote(e.step) + " failed: " + e.undoErr.Error() + "; after: " + e.answer.Error()
}
