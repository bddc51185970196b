package upstream

import "slices"

// Op is one upstream operation: its name (for logs, metrics and errors), its
// method, and whether it may be repeated. Every call the client makes goes
// through one of the values its resource file declares (clients.go,
// businessdate.go), so retry safety is declared once per operation.
type Op struct {
	Name   string
	Method string
	// Safety applies when no Idempotency-Key is sent.
	Safety Safety
	// Keyed marks writes that carry an Idempotency-Key on lines that honour
	// it; with the key the upstream replays instead of re-applying, so the
	// write becomes Idempotent.
	Keyed bool
}

// Ops lists every operation, for metrics initialisation and docs: one line
// per resource API, each declaring its own.
var Ops = slices.Concat(
	clientOps,
	businessDateOps,
	loanProductOps,
	loanOps,
	loanTransactionOps,
	batchOps,
)

// Safety says whether an upstream operation may be sent twice. It is declared
// per operation (Op), never inferred from the method alone: a POST
// carrying an Idempotency-Key the upstream honours is as safe to repeat as a
// PUT, and one without it is not (go-retryablehttp#169: its default policy
// retries POSTs).
type Safety int

const (
	// Unsafe operations are never resent once they may have reached the
	// upstream; only a connection that was refused before anything was
	// written is retried.
	Unsafe Safety = iota
	// Idempotent operations give the same end state when repeated.
	Idempotent
	// ReadOnly operations have no side effects.
	ReadOnly
)

// safetyWith is the operation's safety given whether the upstream honours
// the Idempotency-Key it will carry.
func (o Op) safetyWith(keyHonoured bool) Safety {
	if o.Keyed && keyHonoured && o.Safety == Unsafe {
		return Idempotent
	}
	return o.Safety
}
