package fake

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"lmsproxy/upstream"
)

// POST /batches (BatchApiResource, BatchApiServiceImpl, CommandStrategyProvider,
// ResolutionHelper; fineract-provider/src/main/java/org/apache/fineract/batch/
// at 1.8.4, fineract-core/src/main/java/org/apache/fineract/batch/ at 1.9.0
// and 1.10.1): a list of requests run in order, a request with a reference
// running after that one with "$.x" in its relativeUrl or body replaced from
// the referenced response's body, and with ?enclosingTransaction=true all of
// them in one transaction that a failure rolls back. Each request runs
// through the simulator's own routes and write pipeline. Not modelled:
// invalid references, the batch idempotency and COB filters, JsonPath beyond
// "$.name.name". Used by the proxy's one-call origination, next.

// batchRequest is BatchRequest as the client sends it.
type batchRequest struct {
	RequestID   int64         `json:"requestId"`
	RelativeURL string        `json:"relativeUrl"`
	Method      string        `json:"method"`
	Headers     []batchHeader `json:"headers"`
	Reference   *int64        `json:"reference"`
	Body        *string       `json:"body"`
}

// batchHeader is Header.
type batchHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// batchStrategy is one entry of CommandStrategyProvider: a method and a
// pattern the whole relative URL must match (CommandContext.matcher).
type batchStrategy struct {
	method  string
	pattern *regexp.Regexp
}

// Patterns of CommandStrategyProvider (NUMBER_REGEX, UUID_PARAM_REGEX,
// OPTIONAL_QUERY_PARAM_REGEX, MANDATORY_COMMAND_PARAM_REGEX).
const (
	batchNumber   = `\d+`
	batchExtID    = `[\w\d-]+`
	batchOptQuery = `(\?(\w+(?:=[\w,]+|&)+)+)?`
	batchCommand  = `\?command=\w+`
)

func strategyOf(method, pattern string) batchStrategy {
	return batchStrategy{method, regexp.MustCompile("^" + pattern + "$")}
}

// batchStrategies18 are 1.8.4's client and loan strategies: relative URLs
// without "v1/", loan commands approve and disburse only.
var batchStrategies18 = []batchStrategy{
	strategyOf(http.MethodPost, `clients`),
	strategyOf(http.MethodPut, `clients/`+batchNumber),
	strategyOf(http.MethodPost, `loans`),
	strategyOf(http.MethodGet, `loans/`+batchNumber),
	strategyOf(http.MethodGet, `loans/`+batchNumber+`(\?(\w+(?:=[\w,]+|&)+)+)`),
	strategyOf(http.MethodPost, `loans/`+batchNumber+`/transactions\?command=repayment`),
	strategyOf(http.MethodPost, `clients/`+batchNumber+`\?command=activate`),
	strategyOf(http.MethodPost, `loans/`+batchNumber+`\?command=approve`),
	strategyOf(http.MethodPost, `loans/`+batchNumber+`\?command=disburse`),
}

// batchStrategies19 are 1.9.0's and 1.10.1's: "v1/"-prefixed (an
// unprefixed URL is tried with it), adding the external-id loan reads,
// every loan state command by external id, loan modification and every
// loan transaction command. Neither line has one for undoapproval or
// DELETE by loan id.
var batchStrategies19 = []batchStrategy{
	strategyOf(http.MethodPost, `v1/clients`),
	strategyOf(http.MethodPut, `v1/clients/`+batchNumber),
	strategyOf(http.MethodPost, `v1/loans`),
	strategyOf(http.MethodGet, `v1/loans/`+batchNumber+batchOptQuery),
	strategyOf(http.MethodGet, `v1/loans/external-id/`+batchExtID+batchOptQuery),
	strategyOf(http.MethodPost, `v1/loans/`+batchNumber+`/transactions`+batchCommand),
	strategyOf(http.MethodPost, `v1/loans/external-id/`+batchExtID+`/transactions`+batchCommand),
	strategyOf(http.MethodPost, `v1/clients/`+batchNumber+`\?command=activate`),
	strategyOf(http.MethodPost, `v1/loans/`+batchNumber+`\?command=approve`),
	strategyOf(http.MethodPost, `v1/loans/`+batchNumber+`\?command=disburse`),
	strategyOf(http.MethodPost, `v1/loans/external-id/`+batchExtID+batchCommand),
	strategyOf(http.MethodPut, `v1/loans/`+batchNumber+`(\?command=\w+)?`),
	strategyOf(http.MethodPut, `v1/loans/external-id/`+batchExtID+`(\?command=\w+)?`),
}

// routeInBatch is Server.route, set at init: a batch request dispatches
// through routes, which hold batchRoutes, a cycle a package-level
// initialiser cannot have.
var routeInBatch func(s *Server, c *call, rest string) result

func init() { routeInBatch = (*Server).route }

// batchRoutes is /batches.
var batchRoutes = []route{
	{template: "batches", methods: func(s *Server, c *call, _ params) methods {
		return methods{http.MethodPost: func() result { return s.batch(c) }}
	}},
}

// batch answers the list, always 200: each item carries its own status.
func (s *Server) batch(c *call) result {
	var reqs []batchRequest
	if err := json.Unmarshal(c.body, &reqs); err != nil || reqs == nil {
		return s.render(c.r, nil, invalidBodyError("The JSON provided in the body of the request is invalid or missing."))
	}
	if err := s.batchLockError(reqs); err != nil {
		return s.render(c.r, nil, err)
	}
	enclosing := strings.EqualFold(c.query.Get("enclosingTransaction"), "true")
	var before *snapshot
	if enclosing {
		before = s.snapshot()
	}
	run := batchRun{s: s, reqs: reqs}
	for i := range reqs {
		if reqs[i].Reference == nil {
			run.recurse(i, nil)
		}
	}
	sort.SliceStable(run.out, func(i, j int) bool { return run.out[i].id < run.out[j].id })
	items := make([]obj, len(run.out))
	for i, r := range run.out {
		items[i] = r.object(s.opts.Version)
	}
	switch {
	case enclosing && run.failed != nil:
		s.restore(before)
		items = []obj{s.rolledBack(*run.failed)}
	case enclosing && run.unknown && s.opts.Version.AtLeast(upstream.V1_9):
		// No strategy is no exception: the list is answered, and 1.9+
		// marks the transaction rollback-only (parentRequestFailedRecursive).
		s.restore(before)
	}
	return result{status: http.StatusOK, body: encodeSuccess(items)}
}

// batchLoanID is a loan id in a relative URL, as LoanCOBFilterHelper
// reads it; a "$." reference is not known before the batch runs.
var batchLoanID = regexp.MustCompile(`^(?:v1/)?loans/(\d+)(?:[/?]|$)`)

// batchLockError is LoanCOBApiFilter on a batch (1.9+): a held loan named
// by any request's URL or top-level body loanId refuses the whole batch.
func (s *Server) batchLockError(reqs []batchRequest) error {
	for _, r := range reqs {
		var ids []int64
		if m := batchLoanID.FindStringSubmatch(r.RelativeURL); m != nil {
			n, _ := strconv.ParseInt(m[1], 10, 64)
			ids = append(ids, n)
		}
		if r.Body != nil {
			var b struct {
				LoanID *int64 `json:"loanId"`
			}
			if json.Unmarshal([]byte(*r.Body), &b) == nil && b.LoanID != nil {
				ids = append(ids, *b.LoanID)
			}
		}
		for _, id := range ids {
			if err := s.cobLockError(id); err != nil {
				return err
			}
		}
	}
	return nil
}

// batchResponse is one BatchResponse.
type batchResponse struct {
	id      int64
	status  int
	headers []batchHeader
	body    string
	errored bool // an error response (1.9+ then writes its headers, empty or not)
}

// object is BatchResponse as Gson writes it.
func (r batchResponse) object(v upstream.Version) obj {
	o := obj{{"requestId", r.id}, {"statusCode", r.status}}
	if r.headers != nil || (r.errored && v.AtLeast(upstream.V1_9)) {
		hs := []obj{}
		for _, h := range r.headers {
			hs = append(hs, obj{{"name", h.Name}, {"value", h.Value}})
		}
		o = append(o, field{"headers", hs})
	}
	return append(o, field{"body", r.body})
}

// rolledBack is the one answer to an enclosing batch a request failed:
// 1.8 reports the rollback as a 400 without a request id (ErrorHandler's
// TransactionException; the 1.8.4 integration test BatchApiTest
// .shouldRollBackAllTransactionsOnFailure expects one 400), 1.9 the failed
// request's own error (callInTransaction's BatchExecutionException branch),
// 1.10 the failed request's status with the rollback text (the 1.10.1 test
// expects one 403).
func (s *Server) rolledBack(failed batchResponse) obj {
	gson := string(mustMarshal(obj{{"requestId", failed.id}, {"statusCode", failed.status}, {"body", failed.body}}))
	text := "Transaction is being rolled back. First erroneous request: \n" + gson
	v := s.opts.Version
	switch {
	case !v.AtLeast(upstream.V1_9):
		return obj{{"statusCode", http.StatusBadRequest}, {"body", text}}
	case !v.AtLeast(upstream.V1_10):
		return failed.object(v)
	}
	failed.body = text
	return failed.object(v)
}

// batchRun executes one batch.
type batchRun struct {
	s       *Server
	reqs    []batchRequest
	out     []batchResponse
	failed  *batchResponse // the first request that failed
	unknown bool           // a request had no strategy (501)
}

// recurse runs request i (resolved against its parent's answer) and then
// the requests referencing it; those of a failed request are answered
// without running.
func (b *batchRun) recurse(i int, parent *batchResponse) {
	req := b.reqs[i]
	var res batchResponse
	if parent != nil {
		req = resolveReferences(req, parent.body)
	}
	res = b.execute(req)
	b.out = append(b.out, res)
	for j := range b.reqs {
		ref := b.reqs[j].Reference
		if ref == nil || *ref != req.RequestID || j == i {
			continue
		}
		if res.status == http.StatusOK {
			b.recurse(j, &res)
			continue
		}
		b.skip(j, res)
	}
}

// skip answers a request whose parent failed, and its own children: 1.8
// with 409, 1.9+ with the parent's status.
func (b *batchRun) skip(j int, parent batchResponse) {
	status := http.StatusConflict
	if b.s.opts.Version.AtLeast(upstream.V1_9) {
		status = parent.status
	}
	res := batchResponse{id: b.reqs[j].RequestID, status: status, errored: true,
		body: "Parent request with id " + strconv.FormatInt(parent.id, 10) + " was erroneous!"}
	b.out = append(b.out, res)
	for k := range b.reqs {
		if ref := b.reqs[k].Reference; ref != nil && *ref == res.id && k != j {
			b.skip(k, res)
		}
	}
}

// execute finds the request's strategy and runs it through the routes.
func (b *batchRun) execute(req batchRequest) batchResponse {
	s := b.s
	url := req.RelativeURL
	strategies := batchStrategies18
	if s.opts.Version.AtLeast(upstream.V1_9) {
		strategies = batchStrategies19
		if !strings.HasPrefix(url, "v1/") {
			url = "v1/" + url
		}
	}
	if !matchesStrategy(strategies, req.Method, url) {
		b.unknown = true
		return batchResponse{id: req.RequestID, status: http.StatusNotImplemented,
			body: "Resource with method " + req.Method + " and relativeUrl " + req.RelativeURL + " doesn't exist"}
	}
	path, query, _ := strings.Cut(strings.TrimPrefix(url, "v1/"), "?")
	var raw []byte
	if req.Body != nil {
		raw = []byte(*req.Body)
	}
	r, err := http.NewRequest(req.Method, BasePath+"/"+path+"?"+query, bytes.NewReader(raw))
	if err != nil {
		return batchResponse{id: req.RequestID, status: http.StatusInternalServerError, errored: true, body: err.Error()}
	}
	r.Header.Set("Content-Type", "application/json")
	for _, h := range req.Headers {
		r.Header.Set(h.Name, h.Value)
	}
	res := routeInBatch(s, &call{r: r, body: raw, query: parseQuery(query), batched: true}, "/"+path)
	out := batchResponse{id: req.RequestID, status: res.status, headers: req.Headers, body: compact(res.body)}
	if res.status != http.StatusOK {
		out.errored = true
		if b.failed == nil {
			b.failed = &out
		}
	}
	return out
}

func matchesStrategy(strategies []batchStrategy, method, url string) bool {
	for _, st := range strategies {
		if st.method == method && st.pattern.MatchString(url) {
			return true
		}
	}
	return false
}

// compact is an answer as the batch embeds it: Gson's compact form.
func compact(body []byte) string {
	var b bytes.Buffer
	if json.Compact(&b, body) != nil {
		return string(body)
	}
	return b.String()
}

// resolveReferences is ResolutionHelper.resolveRequest: every "$.x" path
// segment of the relative URL and every body value containing "$." are
// replaced with that member of the parent's answer.
func resolveReferences(req batchRequest, parentBody string) batchRequest {
	var parent any
	_ = json.Unmarshal([]byte(parentBody), &parent) // a 200 body is JSON
	if strings.Contains(req.RelativeURL, "$.") {
		path, query, hasQuery := strings.Cut(req.RelativeURL, "?")
		segs := strings.Split(path, "/")
		for i, seg := range segs {
			if strings.Contains(seg, "$.") {
				segs[i] = jsonText(jsonPath(parent, seg))
			}
		}
		req.RelativeURL = strings.Join(segs, "/")
		if hasQuery {
			req.RelativeURL += "?" + query
		}
	}
	if req.Body != nil {
		if b, err := decodeObject([]byte(*req.Body)); err == nil {
			o := obj{}
			for _, k := range b.order {
				var v any = b.members[k]
				var text string
				if json.Unmarshal(b.members[k], &text) == nil && strings.Contains(text, "$.") {
					v = jsonPath(parent, text)
				}
				o = append(o, field{k, v})
			}
			body := string(mustMarshal(o))
			req.Body = &body
		}
	}
	return req
}

// jsonPath reads "$.a.b" from a decoded document.
func jsonPath(doc any, path string) any {
	cur := doc
	for _, name := range strings.Split(strings.TrimPrefix(path, "$."), ".") {
		m, _ := cur.(map[string]any)
		cur = m[name]
	}
	return cur
}

// jsonText is JsonPath's value as text: numbers without a fraction print as
// integers.
func jsonText(v any) string {
	if f, ok := v.(float64); ok && f == float64(int64(f)) {
		return strconv.FormatInt(int64(f), 10)
	}
	b, _ := json.Marshal(v)
	return strings.Trim(string(b), `"`)
}

// snapshot is the state an enclosing transaction restores. The
// idempotency keys its commands stored are forgotten too: Fineract keeps
// their command-source rows (saved in a transaction of their own), so a
// retry with the same key may meet a stale row there (425 or the cached
// answer; facts §9.5) — not modelled, a batch retry should use new keys.
type snapshot struct {
	db         *store
	writes     int
	commandIDs int64
	pending    []PendingCommand
	idempotent map[string]commandSource
}

func (s *Server) snapshot() *snapshot {
	return &snapshot{db: s.db.clone(), writes: s.writes, commandIDs: s.commandIDs,
		pending: append([]PendingCommand(nil), s.pending...), idempotent: maps.Clone(s.idempotent)}
}

// restore rolls back to sn. The sequences stay where the batch left them:
// an auto-increment value a rolled-back insert took is not handed out again.
func (s *Server) restore(sn *snapshot) {
	sn.db.clients.sequence, sn.db.loans.sequence, sn.db.loanTxs = s.db.clients.sequence, s.db.loans.sequence, s.db.loanTxs
	s.db, s.writes, s.commandIDs, s.pending, s.idempotent = sn.db, sn.writes, sn.commandIDs, sn.pending, sn.idempotent
}

// clone copies the rows writes change (clients, loans and their
// sequences); rows are copied by value, and a loan's transactions are
// replaced, never changed in place, so sharing them is safe. Offices, code
// values, products and payment types are never written.
func (st *store) clone() *store {
	c := *st
	c.clients = cloneTable(st.clients)
	c.loans = cloneTable(st.loans)
	for _, l := range c.loans.rows {
		l.txs = append([]*loanTx(nil), l.txs...)
	}
	return &c
}

func cloneTable[T any](t table[T]) table[T] {
	out := table[T]{sequence: t.sequence, rows: make(map[int64]*T, len(t.rows))}
	for id, row := range t.rows {
		cp := *row
		out.rows[id] = &cp
	}
	return out
}
