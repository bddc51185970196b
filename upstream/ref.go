package upstream

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"lmsproxy/upstream/wire"
)

// Ref addresses one entity of a resource (a client, say) by internal id or
// by external id.
type Ref struct {
	ID         int64
	ExternalID string
}

// ByID addresses an entity by its internal id.
func ByID(id int64) Ref { return Ref{ID: id} }

// ByExternalID addresses an entity by its external id.
func ByExternalID(ext string) Ref { return Ref{ExternalID: ext} }

// resource is what the core needs to know of one upstream collection of T
// to address its entities by id or external id, list them and write to
// them. Addressing is written once, here; each resource file configures one
// (clients.go's clients) and its API methods are one call into it.
type resource[T any] struct {
	// segment is the collection's path under /v1, e.g. "clients".
	segment string
	// noun names one entity in the client's own errors, e.g. "client".
	noun string
	// get and list are the operations that read one entity and a page.
	get, list Op
	// externalIDRoutes reports whether line v has the route
	// /{segment}/external-id/{externalId}.
	externalIDRoutes func(v Version) bool
	// shadows are the external ids that, as that route, reach another
	// resource's template instead (the literal sub-resource names).
	shadows map[string]bool
	// filter is the list's query parameter that selects by external id,
	// the way to an entity where the route is missing or cannot carry it.
	filter string
	// filterExact says the filter compares with = rather than LIKE, so the
	// id is sent once, as it is (lookup).
	filterExact bool
	// getQuery is sent with every read of one entity (the associations a
	// loan is read with); a list item lacks what it attaches, so an entity
	// found through the list filter is then read by its id.
	getQuery url.Values
	// sortColumns are the columns a list may be ordered by.
	sortColumns map[string]bool
	// identity is the id and the external id of an entity as read.
	identity func(*T) (id int64, externalID string)
	// notFound is the error the 1.9+ external-id route gives for an unknown
	// id, synthesised where the client resolved the id itself, so callers see
	// one error whichever way the id was looked up.
	notFound func(op string) *wire.Error
	// appliedID is the id of the entity an applied write's result names.
	appliedID func(wire.CommandResult) int64
}

// fetch returns the one entity ref names, or an error (verify.go). By
// external id it goes the way lookup decides for the line and the id.
func (r *resource[T]) fetch(ctx context.Context, c *Client, ref Ref) (T, error) {
	var out T
	at := ref
	if ref.ExternalID != "" {
		if l := r.lookup(c.version, ref.ExternalID); !l.route {
			found, err := r.find(ctx, c, ref.ExternalID, l.filters)
			if err != nil || r.getQuery == nil {
				return found, err
			}
			id, _ := r.identity(&found)
			at = ByID(id)
		}
	}
	err := c.do(ctx, r.get, r.refURL(c, at, r.getQuery), nil, &out)
	if err == nil && ref.ExternalID != "" {
		if _, ext := r.identity(&out); ext != ref.ExternalID {
			// The route matches under the database collation (case-insensitive
			// by default); only an exact match is the entity the partner named.
			var none T
			return none, r.notFound(r.get.Name)
		}
	}
	return r.verified(ref, out, err)
}

// create runs a write on the collection itself (POST /{segment}).
func (r *resource[T]) create(ctx context.Context, c *Client, op Op, body any) (wire.CommandResult, error) {
	out := result[T]{of: r}
	err := c.do(ctx, op, r.url(c, "", nil), body, &out)
	return out.CommandResult, err
}

// command runs a write on the one entity ref names, with the query q
// (?command=close, say). The write goes to the entity's internal id
// (writeRef).
func (r *resource[T]) command(ctx context.Context, c *Client, op Op, ref Ref, q url.Values, body any) (wire.CommandResult, error) {
	ref, err := r.writeRef(ctx, c, ref)
	if err != nil {
		return wire.CommandResult{}, err
	}
	out := result[T]{of: r}
	err = c.do(ctx, op, r.refURL(c, ref, q), body, &out)
	return out.CommandResult, err
}

// writeRef resolves an external id to the internal id before any write.
// Writes never go through the external-id routes: the upstream matches
// them under its database collation (case-insensitive by default), so a
// write to "ABC" could change "abc"; resolving first, with the exact
// comparison fetch makes, means a write only ever touches the entity the
// partner named.
func (r *resource[T]) writeRef(ctx context.Context, c *Client, ref Ref) (Ref, error) {
	if ref.ExternalID == "" {
		return ref, nil
	}
	found, err := r.fetch(ctx, c, ref)
	if err != nil {
		return Ref{}, err
	}
	id, _ := r.identity(&found)
	return ByID(id), nil
}

// externalIDLookup is how one external id is found on one line: by the
// external-id route, or through the list filter with each value of filters
// in turn, the next one only when the SQL validator refused the previous.
type externalIDLookup struct {
	route   bool
	filters []string
}

// lookup decides how fetch reaches the entity with external id ext on line
// v, so that every id a partner may use (any printable characters) is
// found, exactly, on every line:
//
//   - The external-id route where the line has it (1.9+ for clients),
//     unless the upstream's firewall refuses the path (routable) or another
//     resource's template captures it (shadows).
//   - Otherwise the list filter (?externalId= for clients; 1.8 has nothing
//     else). Where it compares with = (filterExact: loans) the id goes as
//     it is, and nothing below applies. For clients it is SQL LIKE with
//     the value bound as sent and backslash as the escape character
//     (MySQL/MariaDB and PostgreSQL), so the id is sent with "\", "%" and
//     "_" escaped: it then matches only itself (up to the collation;
//     candidates are compared exactly) and never ends in a lone escape,
//     which PostgreSQL refuses.
//   - 1.10+ runs its SQL validator on that value (403 error.msg.sql.
//     validation). When the value has a character the default patterns
//     need — each needs a space, "=", "(", ")" or ";" (sqlValidatorNeeds);
//     the backslashes of the escaping are none of them — a second value
//     follows with each such character replaced by the LIKE wildcard "_",
//     which none of them matches. It is sent only when the exact value is
//     refused, so it costs nothing on lines without the validator (and
//     Detect reports 1.10 as 1.9); its extra candidates are compared
//     exactly too.
func (r *resource[T]) lookup(v Version, ext string) externalIDLookup {
	if r.externalIDRoutes(v) && routable(ext) && !r.shadows[ext] {
		return externalIDLookup{route: true}
	}
	if r.filterExact {
		return externalIDLookup{filters: []string{ext}}
	}
	exact := likeEscaper.Replace(ext)
	if wild := strings.Map(validatorSafe, exact); wild != exact {
		return externalIDLookup{filters: []string{exact, wild}}
	}
	return externalIDLookup{filters: []string{exact}}
}

// likeEscaper escapes SQL LIKE's metacharacters with its default escape
// character.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// sqlValidatorNeeds are the characters without which no pattern of the
// upstream's default SQL validator (fineract.sql-validation.patterns in
// fineract-provider/src/main/resources/application.properties, 1.10.0 to
// develop) can match: inject-blind and detect-backend need "=",
// detect-entry-point ")" or a space, inject-timing "(", detect-column,
// detect-out-of-bands and inject-comment a space (Java's \s), and
// inject-stacked-query ";".
const sqlValidatorNeeds = " \t\n\v\f\r=();"

// validatorSafe maps a character the validator needs to the one-character
// LIKE wildcard.
func validatorSafe(r rune) rune {
	if strings.ContainsRune(sqlValidatorNeeds, r) {
		return '_'
	}
	return r
}

// routable reports whether ext can travel as the last segment of the
// external-id route. The upstream's Spring Security StrictHttpFirewall (its
// defaults; Fineract sets none) rejects a path holding ";", an encoded "/",
// "\" or "%" (so "/", "\", "%" and ";" in an id, which the path must
// encode), NUL, CR, LF, U+2028 or U+2029, or a "." or ".." segment.
func routable(ext string) bool {
	return ext != "." && ext != ".." && !strings.ContainsAny(ext, "/\\%;\x00\r\n\u2028\u2029")
}

// lookupPageSize is the page used to resolve an external id through the list
// filter, in id order; lookupMaxPages bounds the walk. An escaped filter
// matches one entity or a few (the collation folds case), a wildcarded one
// more; past the bound the lookup fails rather than miss the entity.
const (
	lookupPageSize = 200
	lookupMaxPages = 10
)

// sqlValidationCode is the code of the 1.10+ SQL validator's refusal.
const sqlValidationCode = "error.msg.sql.validation"

// find resolves ext through the list filter, with each of filters in turn
// while the SQL validator refuses them, comparing every candidate exactly.
func (r *resource[T]) find(ctx context.Context, c *Client, ext string, filters []string) (T, error) {
	var err error
	for _, filter := range filters {
		var found T
		found, err = r.scan(ctx, c, ext, filter)
		if e, ok := wire.AsError(err); !ok || !e.HasCode(sqlValidationCode) {
			return found, err
		}
	}
	var none T
	return none, err
}

// scan walks the pages the filter matches for the entity whose external id
// is exactly ext.
func (r *resource[T]) scan(ctx context.Context, c *Client, ext, filter string) (T, error) {
	var none T
	for page := 0; page < lookupMaxPages; page++ {
		p, err := r.page(ctx, c, wire.ListQuery{Offset: page * lookupPageSize, Limit: lookupPageSize}, url.Values{r.filter: {filter}})
		if err != nil {
			return none, err
		}
		for i := range p.PageItems {
			if _, got := r.identity(&p.PageItems[i]); got == ext {
				return p.PageItems[i], nil
			}
		}
		if int64((page+1)*lookupPageSize) >= p.TotalFilteredRecords || len(p.PageItems) == 0 {
			return none, r.notFound(r.get.Name)
		}
	}
	return none, &wire.Error{Op: r.get.Name, Shape: wire.ShapeOther,
		Err: fmt.Errorf("external id lookup: more than %d %s match %q", lookupMaxPages*lookupPageSize, r.segment, filter)}
}

// url is {base}/v1/{segment}[/{tail}]?query; tail must already be escaped.
func (r *resource[T]) url(c *Client, escapedTail string, q url.Values) string {
	var b strings.Builder
	b.WriteString(c.base.String())
	b.WriteString("/v1/")
	b.WriteString(r.segment)
	if escapedTail != "" {
		b.WriteString("/")
		b.WriteString(escapedTail)
	}
	if len(q) > 0 {
		b.WriteString("?")
		b.WriteString(q.Encode())
	}
	return b.String()
}

// refURL is the entity's own URL: /{segment}/{id} or
// /{segment}/external-id/{externalId}.
func (r *resource[T]) refURL(c *Client, ref Ref, q url.Values) string {
	if ref.ExternalID != "" {
		return r.url(c, "external-id/"+url.PathEscape(ref.ExternalID), q)
	}
	return r.url(c, strconv.FormatInt(ref.ID, 10), q)
}
