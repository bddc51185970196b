package server_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream"
	"lmsproxy/upstream/fake"
)

// An https upstream with Fineract's default self-signed certificate is
// reached once its CA bundle is configured, and refused (never trusted
// blindly) without it.
func TestUpstreamTLSWithCABundle(t *testing.T) {
	for _, line := range lines {
		t.Run("fineract-"+line.String(), func(t *testing.T) {
			t.Parallel()
			s := deploy(t, stackOptions{line: line, upstreamTLS: true})
			require.True(t, strings.HasPrefix(s.simSrv.URL, "https://"))
			r := s.do("POST", "/v1/customers", `{"externalId":"tls-1"}`)
			require.Equal(t, 200, r.status, r.body)
			assert.Equal(t, 200, s.do("GET", "/v1/customers/external/tls-1", "").status)
			assert.Equal(t, 200, s.do("GET", "/readyz", "").status)

			untrusted := deploy(t, stackOptions{line: line, upstreamTLS: true, upstreamConfig: func(c *upstream.Config) { c.RootCAs = nil }})
			r = untrusted.do("GET", "/v1/customers/1", "")
			assert.Equal(t, 503, r.status, r.body)
			assert.NotContains(t, r.body, "x509")
			assert.Empty(t, untrusted.sim.Requests(), "no request crossed an unverified connection")
		})
	}
}

// Every 503 carries Retry-After: the upstream's own when it gave one, the
// breaker's remaining cool-down, else one second.
func TestRetryAfterOnEvery503(t *testing.T) {
	tests := []struct {
		name     string
		breaker  upstream.BreakerPolicy
		inject   func(s *faultStack)
		requests int // the last one is checked
		// want is the Retry-After range in seconds.
		wantMin, wantMax int
	}{
		{"upstream 503 with Retry-After", upstream.BreakerPolicy{}, func(s *faultStack) {
			s.sim.InjectFaultAlways("", fake.Fault{Status: 503, RetryAfter: 7})
		}, 1, 7, 7},
		{"upstream 429 without Retry-After", upstream.BreakerPolicy{}, func(s *faultStack) {
			s.sim.InjectFaultAlways("", fake.Fault{Status: 429})
		}, 1, 1, 1},
		{"gateway 502", upstream.BreakerPolicy{}, func(s *faultStack) {
			s.sim.InjectFaultAlways("", fake.HTMLBadGateway)
		}, 1, 1, 1},
		{"upstream unreachable", upstream.BreakerPolicy{}, func(s *faultStack) { s.refuse() }, 1, 1, 1},
		{"circuit breaker open", upstream.BreakerPolicy{Threshold: 1, Cooldown: 30 * time.Second}, func(s *faultStack) {
			s.sim.InjectFaultAlways("", fake.Fault{Status: 503})
		}, 2, 29, 30},
	}
	for _, line := range lines {
		for _, tt := range tests {
			t.Run(line.String()+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				s := newFaultStack(t, line, resilience{requestTimeout: 2 * time.Second, breaker: tt.breaker})
				tt.inject(s)
				var r response
				for range tt.requests {
					r = s.do("GET", "/v1/customers/1", "")
				}
				require.Equal(t, 503, r.status, r.body)
				wait, err := strconv.Atoi(r.header.Get("Retry-After"))
				require.NoError(t, err, "Retry-After %q", r.header.Get("Retry-After"))
				assert.GreaterOrEqual(t, wait, tt.wantMin)
				assert.LessOrEqual(t, wait, tt.wantMax)
			})
		}
	}
}

// Requests Echo routes but no handler serves (HEAD, other methods) still
// get the envelope's status and headers; HEAD without the body.
func TestUnservedMethods(t *testing.T) {
	s := newStack(t, upstream.V1_10)
	bearer := map[string]string{"Authorization": "Bearer " + s.token}
	tests := []struct {
		name, method, path string
		headers            map[string]string
		wantStatus         int
		wantAllow          string
	}{
		{"HEAD on a partner route", "HEAD", "/v1/customers/1", bearer, 404, ""},
		{"HEAD without a token", "HEAD", "/v1/customers/1", nil, 401, ""},
		{"HEAD on an operational route", "HEAD", "/healthz", nil, 404, "OPTIONS, GET"},
		{"POST on an operational route", "POST", "/healthz", nil, 404, "OPTIONS, GET"},
		{"PATCH on a partner route", "PATCH", "/v1/customers/1", bearer, 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, s.proxy.URL+tt.path, nil)
			require.NoError(t, err)
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.NoError(t, err)
			assert.Equal(t, tt.wantStatus, resp.StatusCode)
			assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
			assert.NotEmpty(t, resp.Header.Get("X-Request-ID"))
			assert.Equal(t, tt.wantAllow, resp.Header.Get("Allow"))
			if tt.method == "HEAD" {
				assert.Empty(t, body)
				return
			}
			r := response{status: resp.StatusCode, header: resp.Header, body: string(body)}
			assertPartnerVocabulary(t, r)
			validateAgainstOpenAPI(t, tt.method, tt.path, r.status, r.header, body)
		})
	}
}

// The README's known exceptions: requests Go's HTTP server refuses before
// any handler runs are answered by it, in plain text, not the envelope.
// This pins the list; if Go changes, the README must too.
func TestNetHTTPExceptions(t *testing.T) {
	s := newStack(t, upstream.V1_10)
	addr := strings.TrimPrefix(s.proxy.URL, "http://")
	tests := []struct {
		name, request string
		wantStatus    int
	}{
		{"malformed request line", "GET /v1/customers\r\nHost: x\r\n\r\n", 400},
		{"HTTP/0.9", "GET /v1/customers\r\n\r\n", 400},
		{"invalid percent-encoding in the path", "GET /v1/customers/external/a%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400},
		{"missing Host", "GET /v1/customers HTTP/1.1\r\n\r\n", 400},
		{"malformed Host", "GET /v1/customers HTTP/1.1\r\nHost: a b\r\n\r\n", 400},
		{"invalid header name", "GET /v1/customers HTTP/1.1\r\nHost: x\r\nBad Name: 1\r\n\r\n", 400},
		{"invalid header value", "GET /v1/customers HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n", 400},
		{"invalid Content-Length", "POST /v1/customers HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n", 400},
		{"repeated Content-Length", "POST /v1/customers HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400},
		{"headers over 1 MiB", "GET /v1/customers HTTP/1.1\r\nHost: x\r\nX-Pad: " + strings.Repeat("a", 1<<20+4096) + "\r\n\r\n", 431},
		{"unknown Transfer-Encoding", "POST /v1/customers HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
		{"unsupported protocol version", "GET /v1/customers HTTP/2.0\r\nHost: x\r\n\r\n", 505},
		{"Expect other than 100-continue", "GET /v1/customers HTTP/1.1\r\nHost: x\r\nExpect: tea\r\n\r\n", 417},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			require.NoError(t, err)
			defer conn.Close()
			require.NoError(t, conn.SetDeadline(time.Now().Add(5*time.Second)))
			_, _ = io.WriteString(conn, tt.request) // the server may answer before reading it all
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			require.NoError(t, err)
			defer resp.Body.Close()
			assert.Equal(t, tt.wantStatus, resp.StatusCode)
			assert.NotEqual(t, "application/json", resp.Header.Get("Content-Type"), "answered before the proxy saw it")
		})
	}
}
