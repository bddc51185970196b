package translate

import (
	"strconv"

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

// ListRequest is a validated GET /v1/customers query.
type ListRequest struct {
	Page, Rows int
	OrderBy    string // partner column; "" orders by id (wire.ListQuery)
	SortOrder  string // ASC, DESC or "" for ASC
	// ExternalID, when HasExternalID, makes the list an exact point lookup.
	ExternalID    string
	HasExternalID bool
}

// customerSortColumns maps the partner's orderBy values to upstream columns.
var customerSortColumns = map[string]string{
	"id":             "id",
	"displayName":    "displayName",
	"submittedDate":  "submittedOnDate",
	"activationDate": "activationDate",
}

var listParams = []string{"page", "rows", "orderBy", "sortOrder", "externalId"}

// ParseListQuery validates a customer list query, given raw as received
// (see ParseQuery); every problem is reported with the field it concerns,
// unknown, repeated and unparseable parameters included.
func ParseListQuery(raw string) (ListRequest, *Error) {
	q, fields := ParseQuery(raw, listParams...)
	req, more := parseListParams(q, "id, displayName, submittedDate, activationDate", func(v string) bool {
		_, ok := customerSortColumns[v]
		return ok
	})
	if fields = append(fields, more...); len(fields) > 0 {
		return ListRequest{}, Invalid(fields...)
	}
	return req, nil
}

// parseListParams reads the parameters every partner list shares (spec §6)
// from a parsed query: paging, an order among sortable (listed, for the
// partner, in orderByChoices) and the exact externalId lookup.
func parseListParams(q map[string]string, orderByChoices string, sortable func(string) bool) (ListRequest, []FieldError) {
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
		if !sortable(v) {
			fields = append(fields, FieldError{Field: "orderBy", Error: "must be one of " + orderByChoices})
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

// Upstream is the upstream page request: always an explicit positive limit
// and only whitelisted sort columns; wire.ListQuery adds the default
// order and the unique tie-breaker.
func (r ListRequest) Upstream() wire.ListQuery {
	return wire.ListQuery{
		Offset:    (r.Page - 1) * r.Rows,
		Limit:     r.Rows,
		OrderBy:   customerSortColumns[r.OrderBy],
		SortOrder: r.SortOrder,
	}
}

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
