package upstream

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"lmsproxy/upstream/wire"
)

// ClientExternalIDs maps client ids to their externalIds, for a page of
// loans read from a line whose loans do not carry them: a client without an
// externalId, or not found, is absent from the map. From 1.9 it makes no
// call and answers nil, as the loans already say.
//
// On 1.8 it costs one request whatever the page size: a client list
// narrowed by sqlSearch "c.id in (…)" with a limit of the number of
// distinct ids, so every match is on the one page (SearchParameters.
// getCheckedLimit applies a positive limit as given). The fragment reaches
// the SQL verbatim (ClientReadPlatformServiceImpl.buildSqlStringFromClient
// Criteria, fineract-provider/.../portfolio/client/service/ at 1.8.4), so it
// is built only from the integers given, never from partner text, and it
// passes ColumnValidator.validateSqlInjection (infrastructure/security/
// utils/ at 1.8.4): SQLInjectionValidator finds no keyword, no "=", no
// lone quote, none of its two patterns (one needs "-1", the other "="),
// and only characters of its set; " in " is one of ColumnValidator's
// operators, and its operand c.id is a column of m_client, the table the
// list's schema calls c. (Both checks, run from the 1.8.4 source on this
// fragment and on the simulator's sqlSearch table, pass it.) Ids below 1
// name no client, so they are left out, and with none left nothing is
// sent, as "in ()" is not SQL.
func (c *Client) ClientExternalIDs(ctx context.Context, ids []int64) (map[int64]string, error) {
	if c.version.LoansCarryClientExternalID() {
		return nil, nil
	}
	var wanted []int64
	for _, id := range ids {
		if id > 0 {
			wanted = append(wanted, id)
		}
	}
	slices.Sort(wanted)
	wanted = slices.Compact(wanted)
	if len(wanted) == 0 {
		return nil, nil
	}
	p, err := clients.page(ctx, c, wire.ListQuery{Limit: len(wanted)}, url.Values{"sqlSearch": {clientIDSearch(wanted)}})
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(p.PageItems))
	for _, cl := range p.PageItems {
		// A client not asked for means the filter was not applied (a
		// line that ignores sqlSearch, as 1.9 does): the ids missing
		// from the page would pass for clients without an externalId.
		if _, asked := slices.BinarySearch(wanted, cl.ID); !asked {
			return nil, unexpectedAnswer(OpListClients.Name, http.StatusOK, fmt.Errorf("client %d was not asked for", cl.ID))
		}
		if cl.ExternalID != "" {
			out[cl.ID] = cl.ExternalID
		}
	}
	return out, nil
}

// clientIDSearch is the sqlSearch fragment naming the clients ids.
func clientIDSearch(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return "c.id in (" + strings.Join(s, ",") + ")"
}
