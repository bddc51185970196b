package upstream

import (
	"context"
	"net/http"
	"net/url"

	"lmsproxy/upstream/wire"
)

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

// clientOps are the clients API's operations, in Ops.
var clientOps = []Op{OpListClients, OpGetClient, OpCreateClient, OpUpdateClient, OpDeleteClient, OpCloseClient}

// clients addresses the upstream's /v1/clients.
var clients = &resource[wire.ClientData]{
	segment: "clients",
	noun:    "client",
	get:     OpGetClient,
	list:    OpListClients,
	// /clients/external-id/{externalId} exists from 1.9.0 (FINERACT-1760).
	externalIDRoutes: Version.HasExternalIDRoutes,
	shadows:          clientExternalIDShadows,
	filter:           "externalId",
	sortColumns:      clientSortColumns,
	identity:         func(c *wire.ClientData) (int64, string) { return c.ID, c.ExternalID },
	notFound:         clientNotFound,
	// Every client command the proxy sends answers with the client's id
	// once applied (ClientWritePlatformServiceJpaRepositoryImpl: withClientId
	// in createClient, updateClient, closeClient and deleteClient, 1.8.4 and
	// 1.10.1).
	appliedID: func(r wire.CommandResult) int64 { return r.ClientID },
}

// clientSortColumns are the columns a client list may be ordered by.
//
// ClientReadPlatformServiceImpl.retrieveAll (fineract-provider/src/main/java/
// org/apache/fineract/portfolio/client/service/, at 1.8.4, 1.9.0 and 1.10.1)
// builds `" order by " + orderBy` and then, only when orderBy is given,
// `" " + sortOrder`; both are checked by ColumnValidator.validateSqlInjection
// (SQLInjectionValidator's keywords and characters up to 1.9, the SqlValidator
// "column" profile from 1.10, where ClientsApiResource also runs the "main"
// profile), whose column check only looks at operands of comparison
// operators. There is no column whitelist, so a list such as
// "displayName DESC,id" reaches the SQL: ',' and ' ' are in
// SQLInjectionValidator's character set and match none of the 1.10
// patterns. id is the `c.id as id` primary key of the list's select.
var clientSortColumns = map[string]bool{"id": true, "displayName": true, "submittedOnDate": true, "activationDate": true}

// clientExternalIDShadows are the ids that, as /clients/external-id/{id},
// reach another resource (1.9.0 to develop): Jersey tries templates with
// more literal characters first and does not backtrack, so
// /v1/clients/{clientId}/charges, …/collaterals, …/familymembers,
// …/identifiers and /v1/{type}/{id}/calendars, …/documents, …/images,
// …/meetings, …/notes beat ClientsApiResource's /v1/clients, and
// {clientId}/obligeedetails, {clientId}/transferproposaldate and
// {clientId}/transactions beat its /external-id/{externalId}; each then
// fails to read "external-id" as a number. ({clientId}/accounts has fewer
// literal characters and does not.)
var clientExternalIDShadows = map[string]bool{
	"charges": true, "collaterals": true, "familymembers": true, "identifiers": true,
	"calendars": true, "documents": true, "images": true, "meetings": true, "notes": true,
	"obligeedetails": true, "transferproposaldate": true, "transactions": true,
}

// clientNotFound is the 1.9+ external-id route's answer for an unknown id.
func clientNotFound(op string) *wire.Error {
	const text = "Client with identifier null does not exist"
	return &wire.Error{
		Op: op, Status: http.StatusNotFound, Shape: wire.ShapeEnvelope,
		Code: "error.msg.resource.not.found", Message: "The requested resource is not available.",
		Params: []wire.ParamError{{Code: "error.msg.client.id.invalid", Message: text, Parameter: "id", Args: []any{nil}}},
	}
}

// ListClients returns one page of clients.
func (c *Client) ListClients(ctx context.Context, q wire.ListQuery) (wire.Page[wire.ClientData], error) {
	return clients.page(ctx, c, q, nil)
}

// GetClient returns one client: the one ref names, or an error (verify.go).
func (c *Client) GetClient(ctx context.Context, ref Ref) (wire.ClientData, error) {
	return clients.fetch(ctx, c, ref)
}

// VerifyClient reports an answer that is not the client ref names
// (verify.go), for callers that read back the client a write named.
func VerifyClient(ref Ref, got wire.ClientData) error { return clients.verify(ref, &got) }

// CreateClient creates a client and returns the command result.
func (c *Client) CreateClient(ctx context.Context, body wire.ClientCreate) (wire.CommandResult, error) {
	return clients.create(ctx, c, OpCreateClient, body)
}

// UpdateClient changes a client.
func (c *Client) UpdateClient(ctx context.Context, ref Ref, body wire.ClientUpdate) (wire.CommandResult, error) {
	return clients.command(ctx, c, OpUpdateClient, ref, nil, body)
}

// DeleteClient hard-deletes a pending client.
func (c *Client) DeleteClient(ctx context.Context, ref Ref) (wire.CommandResult, error) {
	return clients.command(ctx, c, OpDeleteClient, ref, nil, nil)
}

// CloseClient runs ?command=close.
func (c *Client) CloseClient(ctx context.Context, ref Ref, body wire.ClientClose) (wire.CommandResult, error) {
	return clients.command(ctx, c, OpCloseClient, ref, url.Values{"command": {"close"}}, body)
}

// Ready reports whether the upstream answers this client's credentials, for
// the proxy's readiness probe. It asks for the smallest page of clients:
// the cheapest authenticated read that needs no id, which every line has
// and every deployment of the proxy needs, as customers are served on all
// of them; so it stays a clients probe whatever other resources are added.
// Any authenticated answer counts, 403 included: a service account that
// lacks a permission is reported per request, not by taking every replica
// out of service. A refused login, a server error or no answer is not
// ready.
func (c *Client) Ready(ctx context.Context) error {
	err := c.do(ctx, OpListClients, clients.url(c, "", url.Values{"offset": {"0"}, "limit": {"1"}}), nil, nil)
	if e, ok := wire.AsError(err); ok && e.Status == http.StatusForbidden {
		return nil
	}
	return err
}
