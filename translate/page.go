package translate

import (
	"net/url"
	"sort"
	"strconv"

	"lmsproxy/upstream"
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
	OrderBy    string // partner column, "" for the upstream default
	SortOrder  string // ASC, DESC or ""
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

// ParseListQuery validates a customer list query; every problem is reported
// with the field it concerns, unknown and repeated parameters included.
func ParseListQuery(q url.Values) (ListRequest, *Error) {
	req := ListRequest{Page: DefaultPage, Rows: DefaultRows}
	var fields []FieldError
	known := map[string]bool{}
	for _, p := range listParams {
		known[p] = true
	}
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	sort.Strings(names) // stable messages whatever the map order
	for _, name := range names {
		switch {
		case !known[name]:
			fields = append(fields, FieldError{Field: name, Error: "unknown parameter"})
		case len(q[name]) > 1:
			fields = append(fields, FieldError{Field: name, Error: errDuplicate})
		}
	}
	get := func(name string) (string, bool) {
		vs, ok := q[name]
		if !ok || len(vs) != 1 {
			return "", false
		}
		return vs[0], true
	}
	if v, ok := get("page"); ok {
		n, valid := parsePositiveDigits(v)
		if !valid || n > maxPage {
			fields = append(fields, FieldError{Field: "page", Error: "must be an integer from 1 to " + strconv.Itoa(maxPage)})
		}
		req.Page = int(n)
	}
	if v, ok := get("rows"); ok {
		n, valid := parsePositiveDigits(v)
		if !valid || n > MaxRows {
			fields = append(fields, FieldError{Field: "rows", Error: "must be an integer from 1 to " + strconv.Itoa(MaxRows)})
		}
		req.Rows = int(n)
	}
	if v, ok := get("orderBy"); ok {
		if _, valid := customerSortColumns[v]; !valid {
			fields = append(fields, FieldError{Field: "orderBy", Error: "must be one of id, displayName, submittedDate, activationDate"})
		}
		req.OrderBy = v
	}
	if v, ok := get("sortOrder"); ok {
		if v != "ASC" && v != "DESC" {
			fields = append(fields, FieldError{Field: "sortOrder", Error: "must be ASC or DESC"})
		}
		req.SortOrder = v
	}
	if v, ok := get("externalId"); ok {
		if problem := checkExternalID(v); problem != "" {
			fields = append(fields, FieldError{Field: "externalId", Error: problem})
		}
		req.ExternalID, req.HasExternalID = v, true
	}
	if len(fields) > 0 {
		return ListRequest{}, Invalid(fields...)
	}
	return req, nil
}

// Upstream is the upstream page request: always an explicit positive limit
// and only whitelisted sort columns.
func (r ListRequest) Upstream() upstream.ListQuery {
	return upstream.ListQuery{
		Offset:    (r.Page - 1) * r.Rows,
		Limit:     r.Rows,
		OrderBy:   customerSortColumns[r.OrderBy],
		SortOrder: r.SortOrder,
	}
}

// CustomerPage maps an upstream page.
func CustomerPage(p upstream.ClientPage, r ListRequest) Page[Customer] {
	items := make([]Customer, 0, len(p.PageItems))
	for _, c := range p.PageItems {
		items = append(items, CustomerFromUpstream(c))
	}
	return Page[Customer]{Items: items, Total: p.TotalFilteredRecords, Page: r.Page, RowsPerPage: r.Rows}
}

// PointLookupPage is the page for ?externalId=: one item or none. Paging
// parameters shape the envelope but not the result.
func PointLookupPage(found *upstream.ClientData, r ListRequest) Page[Customer] {
	p := upstream.ClientPage{}
	if found != nil {
		p = upstream.ClientPage{TotalFilteredRecords: 1, PageItems: []upstream.ClientData{*found}}
	}
	return CustomerPage(p, r)
}
