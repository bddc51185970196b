package upstream

import (
	"errors"
	"fmt"
	"net/http"
)

// A success body is used only when it answers the request that was sent.
// Decoding alone accepts null, {} and another client's record alike (a
// gateway or cache in front of the upstream, a misrouted tenant, a broken
// build can send any of them), and each would reach a partner as a 200 with
// a made-up or wrong customer. So every decoded body is checked for the
// shape the upstream always gives it (wellFormed, run by do), and every read
// of one client for being that client (ClientRef.Verify, run by GetClient
// and by the server on the read-back after a write). Both failures are
// ShapeUnexpected errors, which translate maps to internal.

// wellFormed is implemented by the bodies do decodes.
type wellFormed interface{ wellFormed() error }

// A client always has an id: m_client.id is the table's generated primary
// key, and every client read maps it (ClientReadPlatformServiceImpl's row
// mappers, 1.8.4 and 1.10.1). A body without one is not a client.
func (c *ClientData) wellFormed() error {
	if c.ID <= 0 {
		return errors.New("client answer carries no id")
	}
	return nil
}

// A page always carries pageItems: PaginationHelper.fetchPage builds it from
// the JDBC result list, which is never null (fineract-core/.../core/service/
// PaginationHelper.java at 1.10.1, fineract-provider/... at 1.8.4). Each item
// is a client with an id; an item without one cannot be addressed by the
// partner, so the page is refused whole rather than shown with an id "0" or
// silently shortened. totalFilteredRecords is not compared with the items:
// outside MySQL it comes from a second query and may disagree under
// concurrent writes.
func (p *ClientPage) wellFormed() error {
	if p.PageItems == nil {
		return errors.New("page answer carries no pageItems")
	}
	for i := range p.PageItems {
		if err := p.PageItems[i].wellFormed(); err != nil {
			return fmt.Errorf("page item %d: %w", i, err)
		}
	}
	return nil
}

// Every client command the proxy sends answers with the client's id once
// applied (ClientWritePlatformServiceJpaRepositoryImpl: withClientId in
// createClient, updateClient, closeClient and deleteClient, 1.8.4 and
// 1.10.1), or with a command id when stored for maker-checker approval. A
// result with neither does not say what happened; do reports it as a
// success body it could not use, which on a write means "may have been
// applied", so the server reads the customer back.
func (r *CommandResult) wellFormed() error {
	if r.ClientID <= 0 && !r.AwaitingApproval() {
		return errors.New("command result names no client")
	}
	return nil
}

// Verify reports an answer that is not the client r names: another id, or
// another externalId, compared exactly as the partner's lookups are. It is
// the one identity check, for GetClient and for callers that read back the
// client a write named.
func (r ClientRef) Verify(got ClientData) error {
	var err error
	switch {
	case r.ID != 0 && got.ID != r.ID:
		err = fmt.Errorf("answer is for client %d, not %d", got.ID, r.ID)
	case r.ExternalID != "" && got.ExternalID != r.ExternalID:
		err = fmt.Errorf("answer is for client %d with another external id", got.ID)
	default:
		return nil
	}
	return unexpectedAnswer(OpGetClient.Name, http.StatusOK, err)
}

// verified passes on a successful read of r only when it is the client r
// names, so GetClient checks identity in one line whichever way it looked.
func (r ClientRef) verified(got ClientData, err error) (ClientData, error) {
	if err == nil {
		err = r.Verify(got)
	}
	if err != nil {
		return ClientData{}, err
	}
	return got, nil
}

// unexpectedAnswer is an answer that is not one to the request sent; the
// status is kept, so translate's table maps it (2xx and 3xx rows).
func unexpectedAnswer(op string, status int, cause error) *Error {
	return &Error{Op: op, Status: status, Shape: ShapeUnexpected, Err: cause}
}
