package main

import (
	"context"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// Which OTEL_* settings turn tracing on, over which protocol, and which are
// refused with the rest of the configuration.
func TestLoadConfigTracing(t *testing.T) {
	tests := []struct {
		name     string
		env      map[string]string
		protocol string
		err      string
	}{
		{"off by default", nil, "", ""},
		{"an endpoint turns it on", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, "http/protobuf", ""},
		{"a traces endpoint too", map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, "http/protobuf", ""},
		{"otlp exporter, default endpoint", map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, "http/protobuf", ""},
		{"grpc", map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, "grpc", ""},
		{"traces protocol wins", map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/protobuf"}, "http/protobuf", ""},
		{"none wins over an endpoint", map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, "", ""},
		{"SDK disabled", map[string]string{"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"}, "", ""},
		{"unsupported exporter", map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, "", "OTEL_TRACES_EXPORTER"},
		{"unsupported protocol", map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"}, "", "OTEL_EXPORTER_OTLP_PROTOCOL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := validEnv()
			maps.Copy(e, tt.env)
			e["LMSPROXY_OFFICE_ID"] = "one" // listed beside a tracing problem
			cfg, err := LoadConfig(env(e))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "LMSPROXY_OFFICE_ID")
			if tt.err != "" {
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			assert.NotContains(t, err.Error(), "OTEL_")
			assert.Equal(t, tt.protocol, cfg.Tracing.protocol)
		})
	}
}

func TestLoadConfigTrustedProxies(t *testing.T) {
	tests := []struct {
		value string
		want  []netip.Prefix
		err   bool
	}{
		{"", nil, false},
		{"10.0.0.0/8", []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, false},
		{"10.1.2.3/8, 192.0.2.1 ,2001:db8::/32", []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.1/32"), netip.MustParsePrefix("2001:db8::/32")}, false},
		{"10.0.0.0/33", nil, true},
		{"lb.internal", nil, true},
		{"10.0.0.0/8,", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			e := validEnv()
			e["LMSPROXY_TRUSTED_PROXIES"] = tt.value
			cfg, err := LoadConfig(env(e))
			if tt.err {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "LMSPROXY_TRUSTED_PROXIES")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, cfg.Server.TrustedProxies)
		})
	}
}

// lmsproxy dev with an OTLP endpoint: the spans of a partner request reach
// the collector over OTLP/HTTP by the time the process exits (the batch is
// flushed on shutdown), in the partner's trace, with the upstream attempt
// under the partner request.
func TestTracesExportedOverOTLP(t *testing.T) {
	var mu sync.Mutex
	var spans = map[string]string{} // name -> trace id
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req collectortrace.ExportTraceServiceRequest
		if r.URL.Path != "/v1/traces" || proto.Unmarshal(body, &req) != nil {
			http.Error(w, "bad export", http.StatusBadRequest)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		for _, rs := range req.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				for _, sp := range ss.Spans {
					spans[sp.Name] = string(sp.TraceId)
				}
			}
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer collector.Close()
	// The exporter reads its endpoint from the process environment.
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d := startDev(ctx, t, map[string]string{"LMSPROXY_LISTEN": "127.0.0.1:0", "LMSPROXY_LOG_LEVEL": "error", "OTEL_EXPORTER_OTLP_ENDPOINT": collector.URL})
	req, err := http.NewRequest("GET", d.base+"/v1/customers/1", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+d.token)
	req.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	cancel()
	d.assertClean(t)

	mu.Lock()
	defer mu.Unlock()
	want := "\x4b\xf9\x2f\x35\x77\xb3\x4d\xa6\xa3\xce\x92\x9d\x0e\x0e\x47\x36"
	assert.Equal(t, want, spans["GET /v1/customers/:id"], "partner request span: %v", spans)
	assert.Equal(t, want, spans["upstream clients.get"], "upstream attempt span: %v", spans)
}
