package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"time"

	"lmsproxy/server"
	"lmsproxy/server/auth"
	"lmsproxy/upstream"
	"lmsproxy/upstream/fake"
	"lmsproxy/upstream/recording"
	"lmsproxy/upstream/wire"
)

// recordIssuer is the iss of the throw-away token issuer record runs for
// itself: the tour goes through the whole proxy, auth included, without
// anyone having to supply a JWT.
const recordIssuer = "lmsproxy-record"

// recordOptions is what one recording run needs besides the LMSPROXY_*
// upstream settings.
type recordOptions struct {
	dir string
	// prefix starts every externalId the tour creates; a live upstream keeps
	// them, so each run needs its own.
	prefix string
	// closureReasonID is a ClientClosureReason code value that exists on the
	// upstream (deployments configure their own).
	closureReasonID int64
	// source describes the upstream in each file's source field; it must not
	// name hosts or accounts.
	source string
	now    func() time.Time
	// sim, when the upstream is the simulator, unlocks the scenarios that
	// need a state no client of a live upstream can arrange.
	sim *fake.Server
}

// record is the record command: the scripted tour against the upstream
// configured by LMSPROXY_UPSTREAM_*, written to -dir (or LMSPROXY_RECORD_DIR)
// in the testdata/fineract format, so a new upstream version can be diffed
// against the checked-in corpus.
func record(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("record", flag.ContinueOnError)
	fs.SetOutput(stdout)
	opts := recordOptions{source: "a live upstream", now: time.Now}
	fs.StringVar(&opts.dir, "dir", getenv("LMSPROXY_RECORD_DIR"), "directory the scenario files are written to (LMSPROXY_RECORD_DIR)")
	fs.StringVar(&opts.prefix, "prefix", "rec-"+time.Now().UTC().Format("20060102T150405"), "prefix of every externalId the tour creates; must be new on the upstream")
	fs.Int64Var(&opts.closureReasonID, "closure-reason", fake.ClosureReasonID, "a ClientClosureReason code value id that exists on the upstream")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if opts.dir == "" {
		return errors.New("record: set -dir or LMSPROXY_RECORD_DIR")
	}
	return recordTour(ctx, getenv, opts, stdout)
}

// recordTour runs the proxy in process against the configured upstream,
// with a recording transport under the real upstream client, and writes one
// file per scenario.
func recordTour(ctx context.Context, getenv func(string) string, opts recordOptions, stdout io.Writer) error {
	issuer, err := auth.NewLocalIssuer(recordIssuer, nil)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	keys := &http.Server{Handler: issuer.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = keys.Serve(ln) }()
	defer keys.Close()

	jwksURL := "http://" + ln.Addr().String() + auth.JWKSPath
	cfg, err := LoadConfig(func(k string) string {
		switch k {
		case "LMSPROXY_OIDC_ISSUER":
			return recordIssuer
		case "LMSPROXY_JWKS_URL":
			return jwksURL
		case "LMSPROXY_AUDIENCE":
			return ""
		}
		return getenv(k)
	})
	if err != nil {
		return err
	}
	base, _ := url.Parse(cfg.Upstream.BaseURL) // validated by LoadConfig
	rec := recording.NewRecorder(upstream.NewTransport(cfg.Upstream.ConnectTimeout, cfg.Upstream.ResponseHeaderTimeout, cfg.Upstream.RootCAs), base.Path)
	cfg.Upstream.Transport = rec
	// One attempt per call: a retried answer would be recorded twice and
	// replayed with whatever retry policy the replay uses.
	cfg.Upstream.Retry = upstream.RetryPolicy{MaxAttempts: 1}
	if cfg.Upstream.Version.IsZero() {
		probe, err := upstream.New(cfg.Upstream)
		if err != nil {
			return err
		}
		if cfg.Upstream.Version, err = probe.Detect(ctx); err != nil {
			return err
		}
		rec.Take() // the probe is not a partner scenario
	}
	verifier, err := auth.NewVerifier(cfg.Auth)
	if err != nil {
		return err
	}
	token, err := issuer.Mint(nil)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(opts.dir, 0o755); err != nil {
		return err
	}
	t := &tour{ctx: ctx, opts: opts, cfg: cfg, verifier: verifier, token: token, rec: rec}
	if t.proxy, err = t.proxyWith(func(*upstream.Config) {}); err != nil {
		return err
	}
	if err := t.run(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "recorded %d scenarios from upstream line %s into %s\n", t.written, cfg.Upstream.Version, opts.dir)
	return nil
}

// tour runs partner requests through an in-process proxy and writes the
// upstream exchanges each one caused.
type tour struct {
	ctx      context.Context
	opts     recordOptions
	cfg      Config
	verifier *auth.Verifier
	token    string
	rec      *recording.Recorder
	proxy    http.Handler
	// resource is the corpus folder the running script writes into.
	resource string
	written  int
	err      error
}

// proxyWith builds a proxy whose upstream client has cfg changed by edit
// (wrong credentials or tenant), sharing the recorder.
func (t *tour) proxyWith(edit func(*upstream.Config)) (http.Handler, error) {
	ucfg := t.cfg.Upstream
	edit(&ucfg)
	up, err := upstream.New(ucfg)
	if err != nil {
		return nil, err
	}
	return server.New(t.cfg.Server, up, t.verifier, server.WithClock(t.opts.now)), nil
}

// partner sends one request to proxy and returns the status and body.
func (t *tour) partner(proxy http.Handler, method, path, body string) (int, []byte) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequestWithContext(t.ctx, method, path, rd)
	req.Header.Set("Authorization", "Bearer "+t.token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	proxy.ServeHTTP(w, req)
	return w.Code, w.Body.Bytes()
}

// scenario sends a partner request and writes its exchanges as one file.
// After the first failure it does nothing, so run reads as a script.
func (t *tour) scenario(name, method, path, body string) []byte {
	return t.scenarioVia(t.proxy, name, method, path, body)
}

func (t *tour) scenarioVia(proxy http.Handler, name, method, path, body string) []byte {
	if t.err != nil {
		return nil
	}
	t.rec.Take()
	_, out := t.partner(proxy, method, path, body)
	s := recording.Scenario{
		Scenario:  name,
		Resource:  t.resource,
		Line:      t.cfg.Upstream.Version.String(),
		Source:    "recorded: lmsproxy record against " + t.opts.source,
		Today:     wire.DateOf(t.opts.now().In(t.cfg.Server.Location)).ISO(),
		Partner:   recording.PartnerRequest{Method: method, Path: path, Body: body},
		Exchanges: t.rec.Take(),
	}
	if err := s.Write(t.opts.dir); err != nil {
		t.err = err
		return nil
	}
	t.written++
	return out
}

// setup sends a partner request that only arranges state; it must succeed
// and is not written. It returns the id of the answer.
func (t *tour) setup(method, path, body string) string {
	if t.err != nil {
		return ""
	}
	status, out := t.partner(t.proxy, method, path, body)
	t.rec.Take()
	if status != http.StatusOK {
		t.err = fmt.Errorf("record: set-up %s %s answered %d: %s", method, path, status, out)
		return ""
	}
	return answerID(out)
}

// answerID is the id of a partner answer (a created customer's, say).
func answerID(body []byte) string {
	var c struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(body, &c)
	return c.ID
}

// tours are the record command's scripts, one per partner resource, run in
// order, each writing into its resource's folder of the corpus
// (testdata/fineract/<line>/<resource>/). A resource adds its script in a
// record_<resource>.go of its own and one line here.
var tours = []struct {
	resource string
	script   func(*tour)
}{
	{"customers", (*tour).customers},
	{"loans", (*tour).loans},
	{"repayments", (*tour).repayments},
}

// run runs every script; after the first failure the rest do nothing.
func (t *tour) run() error {
	for _, s := range tours {
		t.resource = s.resource
		s.script(t)
	}
	return t.err
}

// awaitingApproval records a write while maker-checker holds its task.
func (t *tour) awaitingApproval(sim *fake.Server, task, name, method, path, body string) {
	sim.SetMakerChecker(task, true)
	t.scenario(name, method, path, body)
	sim.SetMakerChecker(task, false)
}

// freshProxy is a proxy with the tour's settings and nothing cached.
func (t *tour) freshProxy() http.Handler {
	if t.err != nil {
		return nil
	}
	proxy, err := t.proxyWith(func(*upstream.Config) {})
	if err != nil {
		t.err = err
	}
	return proxy
}
