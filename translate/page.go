package translate

import (
	"strconv"
	"strings"

	"lmsproxy/upstream/wire"
)

// Page is the partner list envelope (spec §6): `total` counts every match,
// `page` and `rowsPerPage` echo the request.
type Page[T any] struct {
	Items       []T   `json:"items"`
	Total       int64 `json:"total"`
	Page        int   `json:"page"`
	RowsPerPage int   `json:"rowsPerPage"`
}

// Paging defaults and bounds of every partner list.
const (
	DefaultPage = 1
	DefaultRows = 10
	MaxRows     = 100
	// maxPage keeps offsets far inside int64 and SQL OFFSET ranges.
	maxPage = 10_000_000
)

// ListRequest is the part of a partner list query every list shares
// (spec §6): paging, order and the exact externalId lookup.
type ListRequest struct {
	Page, Rows int
	OrderBy    string // partner column; "" orders by id (wire.ListQuery)
	SortOrder  string // ASC, DESC or "" for ASC
	// ExternalID, when HasExternalID, makes the list an exact point lookup.
	ExternalID    string
	HasExternalID bool
}

// sortColumn maps one partner orderBy value to its upstream column.
type sortColumn struct{ partner, upstream string }

// sortColumns are a resource's orderBy values, in the order the partner's
// error message lists them.
type sortColumns []sortColumn

func (cols sortColumns) upstream(partner string) (string, bool) {
	for _, c := range cols {
		if c.partner == partner {
			return c.upstream, true
		}
	}
	return "", false
}

func (cols sortColumns) names() string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.partner
	}
	return strings.Join(names, ", ")
}

// customerSortColumns are the customer list's orderBy values.
var customerSortColumns = sortColumns{
	{"id", "id"},
	{"displayName", "displayName"},
	{"submittedDate", "submittedOnDate"},
	{"activationDate", "activationDate"},
}

// listParams are the query parameters parseListParams reads; a resource's
// list accepts them and its own filters.
var listParams = []string{"page", "rows", "orderBy", "sortOrder", "externalId"}

// ParseListQuery validates a customer list query, given raw as received
// (see ParseQuery); every problem is reported with the field it concerns,
// unknown, repeated and unparseable parameters included.
func ParseListQuery(raw string) (ListRequest, *Error) {
	q, fields := ParseQuery(raw, listParams...)
	req, more := parseListParams(q, customerSortColumns)
	if fields = append(fields, more...); len(fields) > 0 {
		return ListRequest{}, Invalid(fields...)
	}
	return req, nil
}

// parseListParams reads the parameters every partner list shares from a
// parsed query: paging, an order among cols and the exact externalId
// lookup.
func parseListParams(q map[string]string, cols sortColumns) (ListRequest, []FieldError) {
	req := ListRequest{Page: DefaultPage, Rows: DefaultRows}
	var fields []FieldError
	if v, ok := q["page"]; ok {
		n, valid := parsePositiveDigits(v)
		if !valid || n > maxPage {
			fields = append(fields, FieldError{Field: "page", Error: "must be an integer from 1 to " + strconv.Itoa(maxPage)})
		}
		req.Page = int(n)
	}
	if v, ok := q["rows"]; ok {
		n, valid := parsePositiveDigits(v)
		if !valid || n > MaxRows {
			fields = append(fields, FieldError{Field: "rows", Error: "must be an integer from 1 to " + strconv.Itoa(MaxRows)})
		}
		req.Rows = int(n)
	}
	if v, ok := q["orderBy"]; ok {
		if _, valid := cols.upstream(v); !valid {
			fields = append(fields, FieldError{Field: "orderBy", Error: "must be one of " + cols.names()})
		}
		req.OrderBy = v
	}
	if v, ok := q["sortOrder"]; ok {
		if v != "ASC" && v != "DESC" {
			fields = append(fields, FieldError{Field: "sortOrder", Error: "must be ASC or DESC"})
		}
		req.SortOrder = v
	}
	if v, ok := q["externalId"]; ok {
		if problem := checkExternalID(v); problem != "" {
			fields = append(fields, FieldError{Field: "externalId", Error: problem})
		}
		req.ExternalID, req.HasExternalID = v, true
	}
	return req, fields
}

// upstreamPage is the upstream page request: always an explicit positive
// limit and only the whitelisted column of cols; wire.ListQuery adds the
// default order and the unique tie-breaker.
func (r ListRequest) upstreamPage(cols sortColumns) wire.ListQuery {
	column, _ := cols.upstream(r.OrderBy)
	return wire.ListQuery{
		Offset:    (r.Page - 1) * r.Rows,
		Limit:     r.Rows,
		OrderBy:   column,
		SortOrder: r.SortOrder,
	}
}

// Upstream is the upstream page request of a customer list.
func (r ListRequest) Upstream() wire.ListQuery { return r.upstreamPage(customerSortColumns) }

// CustomerPage maps an upstream page.
func CustomerPage(p wire.Page[wire.ClientData], r ListRequest) Page[Customer] {
	items := make([]Customer, 0, len(p.PageItems))
	for _, c := range p.PageItems {
		items = append(items, CustomerFromUpstream(c))
	}
	return Page[Customer]{Items: items, Total: p.TotalFilteredRecords, Page: r.Page, RowsPerPage: r.Rows}
}

// PointLookupPage is the page for ?externalId=: a list of one match or
// none, paged like any other list, so page 2 onwards is empty (a partner
// paging until an empty page stops) while total still counts the match.
func PointLookupPage(found *wire.ClientData, r ListRequest) Page[Customer] {
	p := wire.Page[wire.ClientData]{}
	if found != nil {
		p.TotalFilteredRecords = 1
		if r.Page == 1 {
			p.PageItems = []wire.ClientData{*found}
		}
	}
	return CustomerPage(p, r)
}
