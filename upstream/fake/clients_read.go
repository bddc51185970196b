package fake

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"lmsproxy/upstream"
)

// target is the client a /clients/{id} or /clients/external-id/{x} route
// addresses.
type target struct {
	id  int64
	ext *string // set on the external-id routes
}

func byID(id int64) target           { return target{id: id} }
func byExternalID(ext string) target { return target{ext: &ext} }

// resolve turns an external id into the client id (unknown → 404 saying
// "identifier null", since the upstream prints its null internal id). A
// numeric target is returned unchecked: writes validate their body before
// looking the client up.
func (s *Server) resolve(t target) (int64, error) {
	if t.ext == nil {
		return t.id, nil
	}
	c := s.db.byExternalID(*t.ext)
	if c == nil {
		return 0, clientNotFoundError(nil)
	}
	return c.ID, nil
}

// lookup is findOneWithNotFoundDetection.
func (s *Server) lookup(id int64) (*Snapshot, error) {
	c, ok := s.db.clients[id]
	if !ok {
		return nil, clientNotFoundError(&id)
	}
	return c, nil
}

// readPermission is validateHasReadPermission("client").
func (s *Server) readPermission() error {
	if s.denied["READ_CLIENT"] {
		return notAuthorizedError("User has no authority to READ clients")
	}
	return nil
}

// getClient is GET /clients/{id} and, from 1.9, /clients/external-id/{x}:
// read permission, then the lookup. From 1.9 a missing numeric id has its
// own code and text ("valuer", sic) with the id as a string argument.
func (s *Server) getClient(t target) (obj, error) {
	if err := s.readPermission(); err != nil {
		return nil, err
	}
	id, err := s.resolve(t)
	if err != nil {
		return nil, err
	}
	c, ok := s.db.clients[id]
	switch {
	case ok:
		return s.oneClient(c), nil
	case entityBasedGetOne(s.opts.Version):
		n := strconv.FormatInt(id, 10)
		return nil, notFoundError("error.msg.client.not.found.with.client.id", "Client not found with valuer "+n+".", n)
	}
	return nil, clientNotFoundError(&id)
}

// clientStatusNames are the ?status= values ClientStatus.fromString knows.
var clientStatusNames = map[string]int{
	"pending":              upstream.StatusPending,
	"active":               upstream.StatusActive,
	"transfer_in_progress": upstream.StatusTransferInProgress,
	"transfer_on_hold":     upstream.StatusTransferOnHold,
	"withdrawn":            upstream.StatusWithdrawn,
	"closed":               upstream.StatusClosed,
	"rejected":             upstream.StatusRejected,
}

// listClients is GET /clients: filters with SQL semantics, ordering, paging
// with the line's defaults, and {"totalFilteredRecords","pageItems"}.
func (s *Server) listClients(c *call) (obj, error) {
	if err := s.readPermission(); err != nil {
		return nil, err
	}
	q := c.query
	offset, okOffset := queryInt(q, "offset")
	limit, okLimit := queryInt(q, "limit")
	officeID, okOffice := queryInt(q, "officeId")
	if !okOffset || !okLimit || !okOffice { // JAX-RS cannot convert the Integer/Long
		return nil, springError(http.StatusNotFound)
	}
	if runsSQLValidator(s.opts.Version) {
		for _, p := range []string{"orderBy", "sortOrder", "externalId"} {
			if err := sqlValidationError(q.Get(p)); err != nil {
				return nil, err
			}
		}
	}
	keep, err := s.listFilter(q, officeID)
	if err != nil {
		return nil, err
	}
	order, err := listOrder(q.Get("orderBy"), q.Get("sortOrder"))
	if err != nil {
		return nil, err
	}

	var rows []*Snapshot
	for _, cl := range s.db.sorted() {
		if keep(cl) {
			rows = append(rows, cl)
		}
	}
	if order != nil {
		sort.SliceStable(rows, func(i, j int) bool { return order(s, rows[i], rows[j]) })
	}
	total := len(rows)
	rows = s.page(rows, offset, limit)

	items := make([]obj, len(rows))
	for i, cl := range rows {
		items[i] = s.rowMapperClient(cl, false)
	}
	return obj{{"totalFilteredRecords", total}, {"pageItems", items}}, nil
}

// queryInt reads an optional integer query parameter; ok is false when it
// is present but not an integer.
func queryInt(q url.Values, name string) (v *int64, ok bool) {
	s := q.Get(name)
	if s == "" {
		return nil, true
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return nil, false
	}
	return &n, true
}

// listFilter builds the WHERE clause: status (validated, 400), externalId,
// firstName and lastName with LIKE as sent, displayName with LIKE %v%,
// officeId, and on 1.8 the raw sqlSearch.
func (s *Server) listFilter(q url.Values, officeID *int64) (func(*Snapshot) bool, error) {
	var conds []func(*Snapshot) bool
	if st := q.Get("status"); !isBlank(st) {
		id, ok := clientStatusNames[strings.ToLower(st)]
		if !ok {
			return nil, validationError(paramError("validation.msg.client.status.value.is.not.supported",
				"The Status value '"+st+"' is not supported.", "status", st))
		}
		conds = append(conds, func(c *Snapshot) bool { return c.Status == id })
	}
	likes := []struct {
		param, prefix, suffix string
		get                   func(*Snapshot) string
	}{
		{"externalId", "", "", func(c *Snapshot) string { return c.ExternalID }},
		{"displayName", "%", "%", (*Snapshot).DisplayName},
		{"firstName", "", "", func(c *Snapshot) string { return c.Firstname }},
		{"lastName", "", "", func(c *Snapshot) string { return c.Lastname }},
	}
	for _, l := range likes {
		if v := q.Get(l.param); v != "" {
			pattern, err := compileLike(s.opts.Version, l.prefix+v+l.suffix)
			if err != nil {
				return nil, err
			}
			get := l.get
			conds = append(conds, func(c *Snapshot) bool { return get(c) != "" && pattern.match(get(c)) })
		}
	}
	if officeID != nil {
		conds = append(conds, func(c *Snapshot) bool { return c.OfficeID == *officeID })
	}
	if search := q.Get("sqlSearch"); search != "" && acceptsSQLSearch(s.opts.Version) {
		match, err := sqlSearchFilter(s.opts.Version, search)
		if err != nil {
			return nil, err
		}
		conds = append(conds, func(c *Snapshot) bool { return match(s, c) })
	}
	return func(c *Snapshot) bool {
		for _, cond := range conds {
			if !cond(c) {
				return false
			}
		}
		return true
	}, nil
}

// listOrder is ORDER BY orderBy sortOrder after the injection checks the
// upstream runs on both (400). A name that is no column, or a sort order
// other than ASC/DESC, is a database error (500). Ties keep id order.
func listOrder(orderBy, sortOrder string) (func(*Server, *Snapshot, *Snapshot) bool, error) {
	if orderBy == "" {
		return nil, nil
	}
	if err := checkSQLInput(orderBy); err != nil {
		return nil, err
	}
	col, err := lookupColumn(orderBy)
	if err != nil {
		return nil, err
	}
	desc := false
	if sortOrder != "" {
		if err := checkSQLInput(sortOrder); err != nil {
			return nil, err
		}
		switch strings.ToUpper(strings.TrimSpace(sortOrder)) {
		case "ASC":
		case "DESC":
			desc = true
		default:
			return nil, springError(http.StatusInternalServerError)
		}
	}
	return func(s *Server, a, b *Snapshot) bool {
		cmp := compareColumn(col(s, a), col(s, b))
		if desc {
			cmp = -cmp
		}
		return cmp < 0
	}, nil
}

// page applies LIMIT/OFFSET with the line's defaults: without limit 1.8 and
// 1.9 return 200 rows and 1.10 every row; limit <= 0 is unlimited, and the
// offset only applies together with a positive limit.
func (s *Server) page(rows []*Snapshot, offset, limit *int64) []*Snapshot {
	n := int64(-1)
	switch {
	case limit != nil && *limit > 0:
		n = *limit
	case limit == nil && !s.opts.Version.UnlimitedWithoutLimit():
		n = 200
	}
	if n < 0 {
		return rows
	}
	if offset != nil && *offset > 0 {
		if *offset >= int64(len(rows)) {
			return nil
		}
		rows = rows[*offset:]
	}
	return rows[:min(n, int64(len(rows)))]
}
