package upstream

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"strconv"

	"lmsproxy/upstream/wire"
)

// page returns one page of the collection: q, always in a total order
// (listValues), narrowed by the query parameters in filter (nil: none).
func (r *resource[T]) page(ctx context.Context, c *Client, q wire.ListQuery, filter url.Values) (wire.Page[T], error) {
	v, err := r.listValues(q)
	if err != nil {
		return wire.Page[T]{}, &wire.Error{Op: r.list.Name, Shape: wire.ShapeOther, Err: err}
	}
	for k, vs := range filter {
		v[k] = vs
	}
	var p wire.Page[T]
	err = c.do(ctx, r.list, r.url(c, "", v), nil, &p)
	return p, err
}

// listValues always asks for a total order, so that consecutive pages
// neither repeat nor skip an entity. Without orderBy the upstream's SQL has
// no ORDER BY at all, and a database may then return the rows of each
// LIMIT/OFFSET page in a different order; with a column that is not unique
// the order of ties is just as free. So the order defaults to id, and any
// other column is followed by id, the primary key. orderBy must be one of
// the resource's sortColumns: the upstream appends it to its SQL verbatim,
// so nothing else is ever sent. As sortOrder lands after the last column,
// the first column carries its own direction and sortOrder is the
// tie-breaker's: "order by displayName DESC,id DESC" (why the upstream
// accepts that list: clients.go's clientSortColumns). A space is sent as
// '+', which JAX-RS @QueryParam decodes as form encoding.
func (r *resource[T]) listValues(q wire.ListQuery) (url.Values, error) {
	if q.Limit <= 0 || q.Offset < 0 {
		return nil, fmt.Errorf("list: limit must be positive and offset non-negative (got %d, %d)", q.Limit, q.Offset)
	}
	orderBy, sortOrder := cmp.Or(q.OrderBy, "id"), cmp.Or(q.SortOrder, "ASC")
	if !r.sortColumns[orderBy] {
		return nil, fmt.Errorf("list: orderBy %q is not whitelisted", q.OrderBy)
	}
	if sortOrder != "ASC" && sortOrder != "DESC" {
		return nil, fmt.Errorf("list: sortOrder %q is not ASC or DESC", q.SortOrder)
	}
	if orderBy != "id" {
		orderBy += " " + sortOrder + ",id"
	}
	v := url.Values{}
	v.Set("offset", strconv.Itoa(q.Offset))
	v.Set("limit", strconv.Itoa(q.Limit))
	v.Set("orderBy", orderBy)
	v.Set("sortOrder", sortOrder)
	return v, nil
}
