package upstream

import "net/http"

// Op is one upstream operation: its name (for logs, metrics and errors), its
// method, and whether it may be repeated. Every call the client makes goes
// through one of the values below, so retry safety is declared in one place.
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

var (
	OpListClients  = Op{Name: "clients.list", Method: http.MethodGet, Safety: ReadOnly}
	OpGetClient    = Op{Name: "clients.get", Method: http.MethodGet, Safety: ReadOnly}
	OpCreateClient = Op{Name: "clients.create", Method: http.MethodPost, Safety: Unsafe, Keyed: true}
	// PUT and DELETE are idempotent in HTTP terms, but each resend is a
	// second command in the upstream (a second audit entry, and a DELETE
	// resent after it committed answers 404), so they are resent only with
	// an Idempotency-Key the upstream honours, like the POSTs; otherwise the
	// server reconciles an ambiguous outcome by reading the customer back.
	OpUpdateClient = Op{Name: "clients.update", Method: http.MethodPut, Safety: Unsafe, Keyed: true}
	OpDeleteClient = Op{Name: "clients.delete", Method: http.MethodDelete, Safety: Unsafe, Keyed: true}
	OpCloseClient  = Op{Name: "clients.close", Method: http.MethodPost, Safety: Unsafe, Keyed: true}
)

// Ops lists every operation, for metrics initialisation and docs.
var Ops = []Op{OpListClients, OpGetClient, OpCreateClient, OpUpdateClient, OpDeleteClient, OpCloseClient, OpGetConfiguration, OpGetBusinessDate}

// safetyWith is the operation's safety given whether the upstream honours
// the Idempotency-Key it will carry.
func (o Op) safetyWith(keyHonoured bool) Safety {
	if o.Keyed && keyHonoured && o.Safety == Unsafe {
		return Idempotent
	}
	return o.Safety
}
