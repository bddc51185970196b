package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"lmsproxy/server"
	"lmsproxy/upstream"
	"lmsproxy/upstream/fake"
)

// The partner's trace context, as a W3C-instrumented caller sends it.
const (
	partnerTraceID  = "4bf92f3577b34da6a3ce929d0e0e4736"
	partnerParentID = "00f067aa0ba902b7"
	partnerState    = "partner=opaque-1"
)

func partnerTraceHeaders(s *stack) map[string]string {
	return map[string]string{
		"Authorization": "Bearer " + s.token,
		"traceparent":   "00-" + partnerTraceID + "-" + partnerParentID + "-01",
		"tracestate":    partnerState,
	}
}

// tracedStack is a stack whose server and upstream client share a tracer
// provider exporting to memory, as lmsproxy serve wires them.
func tracedStack(t *testing.T, line upstream.Version) (*stack, *tracetest.InMemoryExporter) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(t.Context()) })
	s := deploy(t, stackOptions{
		line:           line,
		upstreamConfig: func(c *upstream.Config) { c.TracerProvider = tp },
		options:        []server.Option{server.WithTracerProvider(tp)},
	})
	return s, exp
}

// serverSpan waits for the partner request's span: it ends after the
// answer is written, so it may end after the partner has read it.
func serverSpan(t *testing.T, exp *tracetest.InMemoryExporter) (tracetest.SpanStub, tracetest.SpanStubs) {
	t.Helper()
	var found tracetest.SpanStub
	require.Eventually(t, func() bool {
		for _, sp := range exp.GetSpans() {
			if sp.SpanKind == trace.SpanKindServer {
				found = sp
				return true
			}
		}
		return false
	}, 2*time.Second, 5*time.Millisecond, "no server span")
	return found, exp.GetSpans()
}

// A create whose first upstream attempt is answered 503 and retried: one
// server span named by the route, continuing the partner's trace; under
// it one client span per upstream attempt, the retry visible as attempt 2
// after a failed attempt 1; the upstream saw the same trace, each attempt
// with its own span as parent, and the partner's tracestate. No span
// carries a partner value, a token or the upstream credentials.
func TestTraceOfRetriedCreate(t *testing.T) {
	for _, line := range lines {
		t.Run("fineract-"+line.String(), func(t *testing.T) {
			t.Parallel()
			s, exp := tracedStack(t, line)
			// A write is retried only where it carries an Idempotency-Key
			// (1.9+); on 1.8 the create's read of the business date is.
			faulted := http.MethodGet
			if line.HonoursIdempotencyKey() {
				faulted = http.MethodPost
			}
			s.sim.InjectFaults(faulted, fake.Fault{Status: http.StatusServiceUnavailable})
			const externalID = "trace-ext-1"
			r := s.doWith("POST", "/v1/customers", `{"externalId":"`+externalID+`"}`, partnerTraceHeaders(s))
			require.Equal(t, http.StatusOK, r.status, r.body)

			root, spans := serverSpan(t, exp)
			assert.Equal(t, "POST /v1/customers", root.Name)
			assert.Equal(t, partnerTraceID, root.SpanContext.TraceID().String())
			assert.Equal(t, partnerParentID, root.Parent.SpanID().String())
			assert.True(t, root.Parent.IsRemote())
			assert.Contains(t, attrs(root), "http.route=/v1/customers")
			assert.Contains(t, attrs(root), "http.response.status_code=200")

			var attempts []tracetest.SpanStub
			for _, sp := range spans {
				assert.Equal(t, partnerTraceID, sp.SpanContext.TraceID().String(), sp.Name)
				if sp.SpanKind == trace.SpanKindClient {
					assert.Equal(t, root.SpanContext.SpanID(), sp.Parent.SpanID(), "attempt %s is a child of the request", sp.Name)
					assert.Contains(t, attrs(sp), "lmsproxy.upstream.operation="+strings.TrimPrefix(sp.Name, "upstream "))
					attempts = append(attempts, sp)
				}
			}
			retried := retriedAttempts(attempts)
			require.Len(t, retried, 2, "one operation attempted twice: %v", names(attempts))
			assert.Contains(t, attrs(retried[0]), "lmsproxy.upstream.attempt=1")
			assert.Contains(t, attrs(retried[0]), "http.response.status_code=503")
			assert.Equal(t, codes.Error, retried[0].Status.Code)
			assert.Contains(t, attrs(retried[1]), "lmsproxy.upstream.attempt=2")
			assert.Contains(t, attrs(retried[1]), "http.response.status_code=200")

			upstreamRequests := s.sim.Requests()
			require.Len(t, upstreamRequests, len(attempts), "one span per upstream request")
			parents := map[string]bool{}
			for _, sp := range attempts {
				parents[sp.SpanContext.SpanID().String()] = true
			}
			for _, req := range upstreamRequests {
				tp := strings.Split(req.Header.Get("traceparent"), "-")
				require.Len(t, tp, 4, req.Header.Get("traceparent"))
				assert.Equal(t, partnerTraceID, tp[1], "the upstream saw the partner's trace")
				assert.True(t, parents[tp[2]], "parent of %s %s is its attempt span", req.Method, req.Path)
				assert.Equal(t, partnerState, req.Header.Get("tracestate"))
			}

			forbidden := []string{externalID, s.token, "Bearer", "Basic", "authorization", "Authorization", "/clients", "/customers/", "password"}
			for _, sp := range spans {
				for _, a := range attrs(sp) {
					for _, f := range forbidden {
						assert.NotContains(t, a, f, "span %s", sp.Name)
					}
				}
			}
		})
	}
}

// Spans of reads are named by the route template: the partner's id and
// externalId are in no span name or attribute.
func TestTraceNamesRoutesNotPaths(t *testing.T) {
	for _, line := range lines {
		t.Run("fineract-"+line.String(), func(t *testing.T) {
			t.Parallel()
			s, exp := tracedStack(t, line)
			const externalID = "trace-ext-2"
			require.Equal(t, http.StatusOK, s.do("POST", "/v1/customers", `{"externalId":"`+externalID+`"}`).status)
			for _, tc := range []struct{ path, want string }{
				{"/v1/customers/external/" + externalID, "GET /v1/customers/external/:externalId"},
				{"/v1/customers/1", "GET /v1/customers/:id"},
				{"/v1/customers?externalId=" + externalID, "GET /v1/customers"},
			} {
				exp.Reset()
				require.Equal(t, http.StatusOK, s.do("GET", tc.path, "").status, tc.path)
				root, spans := serverSpan(t, exp)
				assert.Equal(t, tc.want, root.Name)
				for _, sp := range spans {
					assert.NotContains(t, sp.Name, externalID)
					for _, a := range attrs(sp) {
						assert.NotContains(t, a, externalID, "span %s", sp.Name)
						assert.NotContains(t, a, "/clients/1", "span %s", sp.Name)
					}
				}
			}
		})
	}
}

// With tracing off (no provider), a partner's trace context still reaches
// the upstream as it came, and its trace id is in the access line.
func TestTraceContextForwardedWhenTracingIsOff(t *testing.T) {
	for _, line := range lines {
		t.Run("fineract-"+line.String(), func(t *testing.T) {
			t.Parallel()
			var out syncBuffer
			s := deploy(t, stackOptions{line: line, log: jsonLogger(&out)})
			require.Equal(t, http.StatusOK, s.doWith("GET", "/v1/customers/1", "", partnerTraceHeaders(s)).status)
			reqs := s.sim.Requests()
			require.NotEmpty(t, reqs)
			last := reqs[len(reqs)-1]
			assert.Equal(t, "00-"+partnerTraceID+"-"+partnerParentID+"-01", last.Header.Get("traceparent"))
			assert.Equal(t, partnerState, last.Header.Get("tracestate"))
			assert.Contains(t, out.String(), `"trace_id":"`+partnerTraceID+`"`)

			// Without a partner trace nothing is invented or sent.
			require.Equal(t, http.StatusOK, s.do("GET", "/v1/customers/1", "").status)
			reqs = s.sim.Requests()
			assert.Empty(t, reqs[len(reqs)-1].Header.Get("traceparent"))
		})
	}
}

// retriedAttempts are the attempts of the one operation tried more than
// once, in order.
func retriedAttempts(attempts []tracetest.SpanStub) []tracetest.SpanStub {
	byOp := map[string][]tracetest.SpanStub{}
	for _, sp := range attempts {
		byOp[sp.Name] = append(byOp[sp.Name], sp)
	}
	for _, spans := range byOp {
		if len(spans) > 1 {
			return spans
		}
	}
	return nil
}

func names(spans []tracetest.SpanStub) []string {
	var out []string
	for _, sp := range spans {
		out = append(out, sp.Name)
	}
	return out
}

// attrs renders a span's attributes as key=value.
func attrs(sp tracetest.SpanStub) []string {
	var out []string
	for _, a := range sp.Attributes {
		out = append(out, string(a.Key)+"="+a.Value.Emit())
	}
	return out
}
