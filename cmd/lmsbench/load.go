package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"lmsproxy/server"
	"lmsproxy/translate"
	"lmsproxy/upstream"
	"lmsproxy/upstream/fake"
	"lmsproxy/upstream/wire"
)

// maxRequestsPerRun bounds every load loop by count as well as by time, so
// a target that answers instantly (say, with errors) cannot spin forever.
const maxRequestsPerRun = 5_000_000

// requestTimeout bounds one request; lmsproxy's own deadline is 10 s.
const requestTimeout = 15 * time.Second

// target is one system under test, reached over loopback.
type target struct {
	name   string // "baseline" or "lmsproxy"
	origin string
	header http.Header // sent with every request: upstream credentials or the bearer token
	proc   *child
	proxy  bool
	// origination is what the baseline builds an originate's batch from;
	// nil for lmsproxy, which reads its own.
	origination *origination
}

// workload builds the n-th request of one kind for a target. The two
// targets get the equivalent request: the baseline the upstream's own path
// and body, lmsproxy the partner's.
type workload struct {
	name  string
	build func(t *target, n int64) (method, path string, body []byte)
}

// runID keeps externalIds unique across invocations against a long-lived
// simulator and across targets within one.
var runID = fmt.Sprintf("%d-%d", os.Getpid(), time.Now().UnixNano()%1e6)

var workloads = []workload{
	{"get-id", func(t *target, _ int64) (string, string, []byte) {
		if t.proxy {
			return http.MethodGet, "/v1/customers/1", nil
		}
		return http.MethodGet, simAPI + "/v1/clients/1", nil
	}},
	{"get-ext", func(t *target, _ int64) (string, string, []byte) {
		if t.proxy {
			return http.MethodGet, "/v1/customers/external/ext-active-001", nil
		}
		return http.MethodGet, simAPI + "/v1/clients/external-id/ext-active-001", nil
	}},
	{"list", func(t *target, _ int64) (string, string, []byte) {
		if t.proxy {
			return http.MethodGet, "/v1/customers?rows=25", nil
		}
		return http.MethodGet, simAPI + "/v1/clients?offset=0&limit=25", nil
	}},
	{"get-loan", func(t *target, _ int64) (string, string, []byte) {
		if t.proxy {
			return http.MethodGet, "/v1/loans/" + seededLoanID, nil
		}
		return http.MethodGet, simAPI + "/v1/loans/" + seededLoanID + "?associations=repaymentSchedule%2Ctransactions", nil
	}},
	{"originate", func(t *target, n int64) (string, string, []byte) {
		if t.proxy {
			return http.MethodPost, "/v1/loans", originateBody
		}
		ext := fmt.Sprintf("bench-%s-%s-%d", runID, t.name, n)
		return http.MethodPost, simAPI + "/v1/batches?enclosingTransaction=true", t.origination.batch(ext, n)
	}},
	{"create", func(t *target, n int64) (string, string, []byte) {
		ext := fmt.Sprintf("bench-%s-%s-%d", runID, t.name, n)
		if t.proxy {
			body, _ := json.Marshal(map[string]string{"externalId": ext})
			return http.MethodPost, "/v1/customers", body
		}
		return http.MethodPost, simAPI + "/v1/clients", upstreamCreateBody(ext)
	}},
}

// upstreamCreateBody is exactly what lmsproxy posts upstream for a create.
func upstreamCreateBody(ext string) []byte {
	body, _ := json.Marshal(translate.CreateBody(translate.CreateRequest{ExternalID: ext}, 1, today()))
	return body
}

// today is the date lmsproxy's creates carry: the simulator's business
// date is off, so it is the tenant's today, and both it and lmsproxy's
// default tenant time zone are UTC.
func today() wire.Date { return wire.DateOf(time.Now().UTC()) }

// seededLoanID is the simulator's one seeded loan, Active, of client
// fake.SeedOpenLoanID (upstream/fake/seed.go).
const seededLoanID = "1"

// originateBody is the partner's origination: the seeded Active client and
// the seeded flat-interest product, at its default principal.
var originateBody = fmt.Appendf(nil, `{"customerId":%d,"productId":%d,"principal":10000}`, fake.SeedActiveID, fake.SeedFlatProductID)

// origination is the baseline's half of the originate workload: the
// partner's request as lmsproxy parses it and the product it names as the
// simulator serves it, read once at start (lmsproxy caches it for 30 s, so
// once per run is what it reads too).
type origination struct {
	req     translate.LoanCreateRequest
	product wire.LoanProductData
}

// newOrigination reads what the baseline's batches are built from.
func newOrigination(ctx context.Context, simOrigin string) (*origination, error) {
	req, perr := translate.ParseLoanCreate(originateBody)
	if perr != nil {
		return nil, fmt.Errorf("the originate body: %v", perr)
	}
	up, err := simClient(simOrigin)
	if err != nil {
		return nil, err
	}
	p, err := up.GetLoanProduct(ctx, req.ProductID)
	if err != nil {
		return nil, fmt.Errorf("reading loan product %d: %w", req.ProductID, err)
	}
	return &origination{req: req, product: p}, nil
}

// batch is the one upstream request lmsproxy makes to originate a loan
// with externalId ext (upstream.OriginationBatch on simVersion, the body
// upstream.Client.OriginateLoan posts), with bodies from the same translate
// helpers. Its steps' Idempotency-Keys derive from a key unique to request
// n, as lmsproxy derives them from a fresh key per partner request, so the
// simulator stores and checks as many keys.
func (o *origination) batch(ext string, n int64) []byte {
	day := today()
	reqs, err := upstream.OriginationBatch(simVersion, fmt.Sprintf("bench-%s-%d", runID, n),
		translate.LoanCreateBody(o.req, *o.req.CustomerID, o.product, ext, day), translate.ApproveBody(day),
		translate.DisburseBody(day, server.DefaultConfig().DisbursementPaymentTypeID, nil))
	if err != nil {
		panic(err) // the bodies are plain structs, which always marshal
	}
	out, _ := json.Marshal(reqs)
	return out
}

func workloadByName(name string) (workload, bool) {
	for _, w := range workloads {
		if w.name == name {
			return w, true
		}
	}
	return workload{}, false
}

// sample is what one measured run of one target observed.
type sample struct {
	requests, errors int64
	elapsed          time.Duration
	latencies        []time.Duration
	firstError       string
}

// recorder collects latencies per worker, without locks on the hot path.
type recorder struct {
	mu        sync.Mutex
	latencies []time.Duration
	errors    int64
	firstErr  string
}

func (r *recorder) merge(lat []time.Duration, errs int64, firstErr string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.latencies = append(r.latencies, lat...)
	r.errors += errs
	if r.firstErr == "" {
		r.firstErr = firstErr
	}
}

func (r *recorder) sample(elapsed time.Duration) sample {
	return sample{requests: int64(len(r.latencies)), errors: r.errors, elapsed: elapsed, latencies: r.latencies, firstError: r.firstErr}
}

func newTransport(conns int) *http.Transport {
	return &http.Transport{
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
}

// do sends one request and reads the whole answer; anything but 200 is an
// error.
func do(ctx context.Context, c *http.Client, t *target, w workload, n int64) error {
	method, path, body := w.build(t, n)
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, t.origin+path, rd)
	if err != nil {
		return err
	}
	for k, v := range t.header {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: status %d", method, path, resp.StatusCode)
	}
	return err
}

var requestSeq atomic.Int64

// closedLoop runs conc clients, each sending its next request as soon as
// the previous one is answered, for d after a short unrecorded warm-up that
// opens the connections.
func closedLoop(ctx context.Context, t *target, w workload, conc int, d time.Duration) sample {
	tr := newTransport(conc)
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: requestTimeout}
	warm := min(d/4, 500*time.Millisecond)
	var rec recorder
	var wg sync.WaitGroup
	var budget atomic.Int64
	budget.Store(maxRequestsPerRun)
	warmEnd := time.Now().Add(warm)
	end := warmEnd.Add(d)
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, 1024)
			var errs int64
			var firstErr string
			for {
				t0 := time.Now()
				if t0.After(end) || ctx.Err() != nil || budget.Add(-1) < 0 {
					break
				}
				err := do(ctx, client, t, w, requestSeq.Add(1))
				if t0.Before(warmEnd) {
					continue
				}
				lat = append(lat, time.Since(t0))
				if err != nil {
					errs++
					if firstErr == "" {
						firstErr = err.Error()
					}
				}
			}
			rec.merge(lat, errs, firstErr)
		}()
	}
	wg.Wait()
	return rec.sample(time.Since(warmEnd))
}

// paced sends requests open-loop at a fixed rate for d, from a pool of
// workers. Latency runs from when a request was due, not when a worker
// picked it up, so a target that falls behind is charged for the queue
// (no coordinated omission).
func paced(ctx context.Context, t *target, w workload, rate float64, workers int, d time.Duration) sample {
	tr := newTransport(workers)
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: requestTimeout}
	total := min(int64(rate*d.Seconds()), maxRequestsPerRun)
	due := make(chan time.Time, workers)
	var rec recorder
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			var errs int64
			var firstErr string
			for at := range due {
				err := do(ctx, client, t, w, requestSeq.Add(1))
				lat = append(lat, time.Since(at))
				if err != nil {
					errs++
					if firstErr == "" {
						firstErr = err.Error()
					}
				}
			}
			rec.merge(lat, errs, firstErr)
		}()
	}
	start := time.Now()
	interval := time.Duration(float64(time.Second) / rate)
	for i := range total {
		at := start.Add(time.Duration(i) * interval)
		if wait := time.Until(at); wait > 0 {
			time.Sleep(wait)
		}
		if ctx.Err() != nil {
			break
		}
		due <- at
	}
	close(due)
	wg.Wait()
	return rec.sample(time.Since(start))
}

// holdConnections keeps n keep-alive connections open for hold, each
// sending one request per interval (slow partners), staggered so that only
// a few requests are in flight at once: what it measures is the memory a
// target spends per open connection, not per concurrent request.
func holdConnections(ctx context.Context, t *target, w workload, n int, interval, hold time.Duration) sample {
	var rec recorder
	var wg sync.WaitGroup
	start := time.Now()
	end := start.Add(hold)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tr := newTransport(1) // one transport each: n distinct connections
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr, Timeout: requestTimeout}
			next := start.Add(interval * time.Duration(i) / time.Duration(n))
			var lat []time.Duration
			var errs int64
			var firstErr string
			for sent := 0; sent < maxRequestsPerRun && next.Before(end) && ctx.Err() == nil; sent++ {
				time.Sleep(time.Until(next))
				t0 := time.Now()
				if err := do(ctx, client, t, w, requestSeq.Add(1)); err != nil {
					errs++
					if firstErr == "" {
						firstErr = err.Error()
					}
				}
				lat = append(lat, time.Since(t0))
				next = next.Add(interval)
			}
			// Stay connected until the end, so the peak counts all n.
			time.Sleep(time.Until(end))
			rec.merge(lat, errs, firstErr)
		}()
	}
	wg.Wait()
	return rec.sample(time.Since(start))
}

// seedClients creates n clients directly upstream so that a page of 25 is
// full.
func seedClients(ctx context.Context, sim *target, n int) error {
	client := &http.Client{Timeout: requestTimeout}
	for i := range n {
		ext := url.PathEscape(fmt.Sprintf("seed-%s-%d", runID, i))
		if err := do(ctx, client, sim, workload{build: func(*target, int64) (string, string, []byte) {
			return http.MethodPost, simAPI + "/v1/clients", upstreamCreateBody(ext)
		}}, 0); err != nil {
			return fmt.Errorf("seeding the simulator: %w", err)
		}
	}
	return nil
}
