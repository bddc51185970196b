// Package recording is the file format of recorded upstream exchanges
// (testdata/fineract/<line>/<resource>/<scenario>.json) and the RoundTripper
// that writes them. One file is one partner scenario: the partner request and
// every upstream exchange the proxy made to answer it, in order. Bodies are
// kept as strings, byte for byte, because the upstream lines differ in
// whitespace and null handling (compact with nulls up to 1.8, indented
// without nulls from 1.9) and the proxy must cope with both.
package recording

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Scenario is one recorded partner scenario.
type Scenario struct {
	// Scenario is the name, also the file's base name.
	Scenario string `json:"scenario"`
	// Resource is the partner resource the scenario exercises
	// ("customers"): the folder the file is in, so not stored in it. Each
	// resource has a folder of its own, so names need only be unique
	// within one.
	Resource string `json:"-"`
	// Line is the upstream release line recorded ("1.8", "1.10").
	Line string `json:"line"`
	// Source says where the exchanges come from: "recorded: …" by lmsproxy
	// record, or "hand-written: fineract-facts §…" for answers no reachable
	// upstream could be made to give.
	Source string `json:"source"`
	// Today is the proxy's business date during the recording (YYYY-MM-DD):
	// create bodies carry it, so a replay must run on the same date.
	Today   string         `json:"today"`
	Partner PartnerRequest `json:"partner"`
	// Exchanges are the upstream calls in the order the proxy made them,
	// retries included.
	Exchanges []Exchange `json:"exchanges"`
}

// PartnerRequest is the request a partner sent to the proxy.
type PartnerRequest struct {
	Method string `json:"method"`
	Path   string `json:"path"` // escaped path and query, e.g. /v1/customers?externalId=a%2Fb
	Body   string `json:"body,omitempty"`
}

// Exchange is one upstream HTTP round trip.
type Exchange struct {
	Request  Request  `json:"request"`
	Response Response `json:"response"`
}

// Request is an upstream request. Path is relative to the configured base
// URL (e.g. /v1/clients/7), so recordings from differently mounted
// upstreams compare equal.
type Request struct {
	Method string            `json:"method"`
	Path   string            `json:"path"`
	Query  string            `json:"query,omitempty"` // raw, as sent
	Header map[string]string `json:"header,omitempty"`
	Body   string            `json:"body,omitempty"`
}

// Response is an upstream response.
type Response struct {
	Status int               `json:"status"`
	Header map[string]string `json:"header,omitempty"`
	Body   string            `json:"body"`
}

// Present stands for a header whose value differs on every request (the
// proxy's Idempotency-Key): only its presence is part of the contract.
const Present = "(present)"

// RequestHeaders are the request headers that matter to the upstream;
// nothing else is recorded (request ids and the like change every run).
var RequestHeaders = []string{"Authorization", "Content-Type", "Fineract-Platform-TenantId", "Idempotency-Key"}

// ResponseHeaders are the response headers the proxy may act on.
var ResponseHeaders = []string{"Content-Type", "Retry-After", "Www-Authenticate", "X-Served-From-Cache"}

// RecordedRequestHeader is the value recorded for a request header:
// credentials keep only their scheme, idempotency keys only their presence.
func RecordedRequestHeader(name, value string) string {
	switch http.CanonicalHeaderKey(name) {
	case "Authorization":
		scheme, _, _ := strings.Cut(value, " ")
		return scheme + " REDACTED"
	case "Idempotency-Key":
		return Present
	}
	return value
}

// batchItemKey is an Idempotency-Key inside a Batch API body: each item of
// an origination batch carries its own, derived from the partner request's
// random one, and the answer echoes it.
var batchItemKey = regexp.MustCompile(`("name":"Idempotency-Key","value":")[^"]*(")`)

// RecordedBody is a request or response body as recorded: a batch item's
// Idempotency-Key keeps only its presence, as the header does.
func RecordedBody(body string) string {
	return batchItemKey.ReplaceAllString(body, "${1}"+Present+"${2}")
}

func headers(h http.Header, names []string, value func(name, v string) string) map[string]string {
	out := map[string]string{}
	for _, n := range names {
		if v := h.Get(n); v != "" {
			out[n] = value(n, v)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// Recorder is an http.RoundTripper that records every exchange passing
// through it. It sits under the upstream client's retries, so each attempt
// is an exchange of its own.
type Recorder struct {
	next     http.RoundTripper
	basePath string

	mu        sync.Mutex
	exchanges []Exchange
}

// NewRecorder records the exchanges next carries; basePath (the path of the
// upstream base URL) is cut from recorded paths.
func NewRecorder(next http.RoundTripper, basePath string) *Recorder {
	return &Recorder{next: next, basePath: strings.TrimRight(basePath, "/")}
}

// RoundTrip forwards req and records it with its response. A request that
// got no response is not recorded: there is nothing to replay.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		reqBody = b
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	respBody, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	ex := Exchange{
		Request: Request{
			Method: req.Method,
			Path:   strings.TrimPrefix(req.URL.EscapedPath(), r.basePath),
			Query:  req.URL.RawQuery,
			Header: headers(req.Header, RequestHeaders, RecordedRequestHeader),
			Body:   RecordedBody(string(reqBody)),
		},
		Response: Response{
			Status: resp.StatusCode,
			Header: headers(resp.Header, ResponseHeaders, func(_, v string) string { return v }),
			Body:   RecordedBody(string(respBody)),
		},
	}
	r.mu.Lock()
	r.exchanges = append(r.exchanges, ex)
	r.mu.Unlock()
	return resp, nil
}

// Take returns the exchanges recorded since the last Take and forgets them.
func (r *Recorder) Take() []Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.exchanges
	r.exchanges = nil
	return out
}

// Marshal renders a scenario as indented JSON without HTML escaping, so
// bodies stay readable in diffs.
func (s Scenario) Marshal() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// ID names the scenario within its line's corpus: <resource>/<scenario>,
// also its file's path there without ".json".
func (s Scenario) ID() string { return s.Resource + "/" + s.Scenario }

// Write stores the scenario as dir/<resource>/<scenario>.json, dir being a
// line's corpus.
func (s Scenario) Write(dir string) error {
	b, err := s.Marshal()
	if err != nil {
		return err
	}
	path := filepath.Join(dir, filepath.FromSlash(s.ID())+".json")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// Load reads one scenario file, rejecting unknown keys so a typo in a
// hand-written file cannot silently drop an expectation. Its resource is
// the folder it is in.
func Load(path string) (Scenario, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Scenario{}, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var s Scenario
	if err := dec.Decode(&s); err != nil {
		return Scenario{}, fmt.Errorf("%s: %w", path, err)
	}
	if want := strings.TrimSuffix(filepath.Base(path), ".json"); s.Scenario != want {
		return Scenario{}, fmt.Errorf("%s: scenario %q does not match the file name", path, s.Scenario)
	}
	s.Resource = filepath.Base(filepath.Dir(path))
	return s, nil
}

// LoadDir reads a line's corpus: every dir/<resource>/*.json scenario,
// sorted by ID. A scenario file directly in dir is an error rather than
// skipped, so a file copied to the old flat layout is not silently left out
// of the replay.
func LoadDir(dir string) ([]Scenario, error) {
	if stray, _ := filepath.Glob(filepath.Join(dir, "*.json")); len(stray) > 0 {
		return nil, fmt.Errorf("%s: scenario files belong in a folder per resource (%s/<resource>/%s)", stray[0], dir, filepath.Base(stray[0]))
	}
	paths, err := filepath.Glob(filepath.Join(dir, "*", "*.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	out := make([]Scenario, 0, len(paths))
	for _, p := range paths {
		s, err := Load(p)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}
