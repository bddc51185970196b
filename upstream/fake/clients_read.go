package fake

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"lmsproxy/upstream/wire"
)

// lookup is findOneWithNotFoundDetection.
func (s *Server) lookup(id int64) (*ClientSnapshot, error) {
	c, ok := s.db.clients.rows[id]
	if !ok {
		return nil, clientNotFoundError(&id)
	}
	return c, nil
}

// getClient is GET /clients/{id} and, from 1.9, /clients/external-id/{x}:
// read permission, then the lookup. From 1.9 a missing numeric id has its
// own code and text ("valuer", sic) with the id as a string argument.
func (s *Server) getClient(t target) (obj, error) {
	if err := s.permitRead(clientEntity.name); err != nil {
		return nil, err
	}
	id, err := s.resolve(clientEntity, t)
	if err != nil {
		return nil, err
	}
	c, ok := s.db.clients.rows[id]
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
	"pending":              wire.ClientStatusPending,
	"active":               wire.ClientStatusActive,
	"transfer_in_progress": wire.ClientStatusTransferInProgress,
	"transfer_on_hold":     wire.ClientStatusTransferOnHold,
	"withdrawn":            wire.ClientStatusWithdrawn,
	"closed":               wire.ClientStatusClosed,
	"rejected":             wire.ClientStatusRejected,
}

// listClients is GET /clients: filters with SQL semantics, ordering, paging
// with the line's defaults, and {"totalFilteredRecords","pageItems"}.
func (s *Server) listClients(c *call) (obj, error) {
	if err := s.permitRead(clientEntity.name); err != nil {
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
	order, err := s.listOrder(q.Get("orderBy"), q.Get("sortOrder"))
	if err != nil {
		return nil, err
	}

	var rows []*ClientSnapshot
	for _, cl := range s.db.clients.sorted() {
		if keep(cl) {
			rows = append(rows, cl)
		}
	}
	unordered(rows, offset, limit)
	if order != nil {
		sort.SliceStable(rows, func(i, j int) bool { return order(s, rows[i], rows[j]) })
	}
	total := len(rows)
	rows = page(s, rows, offset, limit)

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
func (s *Server) listFilter(q url.Values, officeID *int64) (func(*ClientSnapshot) bool, error) {
	var conds []func(*ClientSnapshot) bool
	if st := q.Get("status"); !isBlank(st) {
		id, ok := clientStatusNames[strings.ToLower(st)]
		if !ok {
			return nil, validationError(paramError("validation.msg.client.status.value.is.not.supported",
				"The Status value '"+st+"' is not supported.", "status", st))
		}
		conds = append(conds, func(c *ClientSnapshot) bool { return c.Status == id })
	}
	likes := []struct {
		param, prefix, suffix string
		get                   func(*ClientSnapshot) string
	}{
		{"externalId", "", "", func(c *ClientSnapshot) string { return c.ExternalID }},
		{"displayName", "%", "%", (*ClientSnapshot).DisplayName},
		{"firstName", "", "", func(c *ClientSnapshot) string { return c.Firstname }},
		{"lastName", "", "", func(c *ClientSnapshot) string { return c.Lastname }},
	}
	for _, l := range likes {
		if v := q.Get(l.param); v != "" {
			pattern, err := compileLike(s.opts.Version, l.prefix+v+l.suffix)
			if err != nil {
				return nil, err
			}
			get := l.get
			conds = append(conds, func(c *ClientSnapshot) bool { return get(c) != "" && pattern.match(get(c)) })
		}
	}
	if officeID != nil {
		conds = append(conds, func(c *ClientSnapshot) bool { return c.OfficeID == *officeID })
	}
	if search := q.Get("sqlSearch"); search != "" && acceptsSQLSearch(s.opts.Version) {
		match, err := sqlSearchFilter(s.opts.Version, search)
		if err != nil {
			return nil, err
		}
		conds = append(conds, func(c *ClientSnapshot) bool { return match(s, c) })
	}
	return func(c *ClientSnapshot) bool {
		for _, cond := range conds {
			if !cond(c) {
				return false
			}
		}
		return true
	}, nil
}

// unordered puts rows in the order of a query without ORDER BY: whatever the
// database's plan yields, which need not be id order and may differ from one
// LIMIT/OFFSET to the next (a join or parallel scan is free to). It is
// modelled as a scramble that is stable for one offset and limit but
// differs between them, so a client that pages without a total order sees
// repeats and gaps here as it could on a real database; the ties of an
// ORDER BY on a column that is not unique stay in this order too.
func unordered(rows []*ClientSnapshot, offset, limit *int64) {
	var seed uint64
	if offset != nil {
		seed = uint64(*offset) << 32
	}
	if limit != nil {
		seed ^= uint64(*limit)
	}
	seed = mix64(seed + 1)
	sort.Slice(rows, func(i, j int) bool { return mix64(uint64(rows[i].ID)^seed) < mix64(uint64(rows[j].ID)^seed) })
}

// mix64 is SplitMix64's finaliser: a bijection, so distinct ids keep
// distinct keys and the scramble is a total order.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// listOrder is " order by " + orderBy [+ " " + sortOrder], as
// ClientReadPlatformServiceImpl.retrieveAll builds it (fineract-provider/
// src/main/java/org/apache/fineract/portfolio/client/service/, 1.8.4 to
// 1.10.1): nothing when orderBy is blank, and sortOrder only after an
// orderBy. ColumnValidator.validateSqlInjection (security/utils/
// ColumnValidator.java) checks each: up to 1.9 with SQLInjectionValidator
// (400), from 1.10 with the SqlValidator "column" profile, a subset of the
// "main" profile ClientsApiResource has already run on both. Its column
// check only reads operands of comparison operators, so an ORDER BY list
// ("displayName DESC,id") passes and no name is checked against a
// whitelist: an unknown column, or a direction other than ASC/DESC, is a
// database error (500).
func (s *Server) listOrder(orderBy, sortOrder string) (func(*Server, *ClientSnapshot, *ClientSnapshot) bool, error) {
	if isBlank(orderBy) {
		return nil, nil
	}
	clause := orderBy
	if !isBlank(sortOrder) {
		clause += " " + sortOrder
	}
	if !runsSQLValidator(s.opts.Version) {
		for _, fragment := range []string{orderBy, sortOrder} {
			if err := checkSQLInput(fragment); err != nil {
				return nil, err
			}
		}
	}
	type sortKey struct {
		col  column
		desc bool
	}
	var keys []sortKey
	for item := range strings.SplitSeq(clause, ",") {
		words := strings.Fields(item)
		if len(words) == 0 || len(words) > 2 {
			return nil, springError(http.StatusInternalServerError)
		}
		col, err := lookupColumn(words[0])
		if err != nil {
			return nil, springError(http.StatusInternalServerError)
		}
		k := sortKey{col: col}
		if len(words) == 2 {
			switch strings.ToUpper(words[1]) {
			case "ASC":
			case "DESC":
				k.desc = true
			default:
				return nil, springError(http.StatusInternalServerError)
			}
		}
		keys = append(keys, k)
	}
	return func(s *Server, a, b *ClientSnapshot) bool {
		for _, k := range keys {
			if c := compareColumn(k.col(s, a), k.col(s, b)); c != 0 {
				return c < 0 != k.desc
			}
		}
		return false
	}, nil
}

// page applies LIMIT/OFFSET with the line's defaults: without limit 1.8 and
// 1.9 return 200 rows and 1.10 every row; limit <= 0 is unlimited, and the
// offset only applies together with a positive limit. The clients and the
// loans lists share it.
func page[T any](s *Server, rows []*T, offset, limit *int64) []*T {
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
