package server_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"lmsproxy/server"
	"lmsproxy/server/auth"
	"lmsproxy/upstream/fake"
)

// syncBuffer collects log output from concurrent goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// jsonLogger logs as lmsproxy serve does (JSON, production encoder), at
// debug level so that every line the proxy can write is checked.
func jsonLogger(w *syncBuffer) *zap.Logger {
	return zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(w), zapcore.DebugLevel))
}

// A whole flow — successes, every kind of refused token, an upstream that
// refuses the proxy's credentials — logged at debug level: one access line
// per request with the documented fields, one line per upstream attempt,
// and no token, password or Authorization header anywhere.
func TestLogs(t *testing.T) {
	var out syncBuffer
	log := jsonLogger(&out)
	const upstreamPassword = "upstream-s3cr3t-pw"
	good := deploy(t, stackOptions{log: log})
	refused := deploy(t, stackOptions{log: log, upstreamPassword: upstreamPassword})

	stranger, err := auth.NewLocalIssuer("service-project", nil)
	require.NoError(t, err)
	forged, err := stranger.Mint(nil)
	require.NoError(t, err)
	expired, err := good.issuer.Mint(map[string]any{"exp": time.Now().Add(-time.Hour).Unix()})
	require.NoError(t, err)
	notAdmin, err := good.issuer.Mint(map[string]any{"roles": []string{"VIEWER"}})
	require.NoError(t, err)
	secrets := []string{
		good.token, refused.token, forged, expired, notAdmin, upstreamPassword,
		base64.StdEncoding.EncodeToString([]byte("mifos:" + upstreamPassword)),
		base64.StdEncoding.EncodeToString([]byte("mifos:password")),
		"Authorization", "authorization", "Basic ", "Bearer",
	}

	tests := []struct {
		name          string
		d             *stack
		method, path  string
		body          string
		authorization string
		want          map[string]any // fields of the access line
	}{
		{"read", good, "GET", "/v1/customers/1", "", "Bearer " + good.token,
			map[string]any{"level": "info", "method": "GET", "route": "/v1/customers/:id", "status": 200.0, "partner": "dev", "upstream_attempts": 1.0}},
		// The first create also reads the business-date flag.
		{"write", good, "POST", "/v1/customers", `{"externalId":"log-1"}`, "Bearer " + good.token,
			map[string]any{"level": "info", "method": "POST", "route": "/v1/customers", "status": 200.0, "partner": "dev", "upstream_attempts": 3.0, "request_bytes": 22.0}},
		{"external id stays out of the route", good, "GET", "/v1/customers/external/log-1", "", "Bearer " + good.token,
			map[string]any{"route": "/v1/customers/external/:externalId", "status": 200.0}},
		{"refused before the upstream", good, "GET", "/v1/customers/abc", "", "Bearer " + good.token,
			map[string]any{"status": 400.0, "code": "invalid_argument", "upstream_attempts": 0.0}},
		{"no token", good, "GET", "/v1/customers", "", "",
			map[string]any{"status": 401.0, "code": "unauthenticated", "auth_reason": "missing_header"}},
		{"token signed by another key", good, "GET", "/v1/customers", "", "Bearer " + forged,
			map[string]any{"status": 401.0, "code": "unauthenticated", "auth_reason": "unknown_key"}},
		{"expired token", good, "GET", "/v1/customers", "", "Bearer " + expired,
			map[string]any{"status": 401.0, "auth_reason": "expired"}},
		{"not admin", good, "GET", "/v1/customers", "", "Bearer " + notAdmin,
			map[string]any{"status": 401.0, "auth_reason": "not_admin"}},
		{"basic credentials", good, "GET", "/v1/customers", "", "Basic " + base64.StdEncoding.EncodeToString([]byte("dev:dev-password")),
			map[string]any{"status": 401.0, "auth_reason": "wrong_scheme"}},
		{"unknown route", good, "GET", "/v1/customers/1/loans", "", "Bearer " + good.token,
			map[string]any{"route": "unmatched", "status": 404.0}},
		{"probe", good, "GET", "/readyz", "", "",
			map[string]any{"level": "debug", "route": "/readyz", "status": 200.0}},
		{"upstream refuses the proxy's credentials", refused, "GET", "/v1/customers/1", "", "Bearer " + refused.token,
			map[string]any{"status": 500.0, "code": "internal", "partner": "dev", "upstream_attempts": 1.0, "upstream_status": 401.0}},
	}
	for i, tt := range tests {
		headers := map[string]string{"X-Request-ID": "log-" + strconv.Itoa(i)}
		if tt.authorization != "" {
			headers["Authorization"] = tt.authorization
		}
		tt.d.doWith(tt.method, tt.path, tt.body, headers)
	}

	text := out.String()
	accessLines := map[string]map[string]any{}
	var attempts []map[string]any
	for line := range strings.Lines(text) {
		var entry map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &entry), line)
		switch entry["msg"] {
		case "request":
			id, _ := entry["request_id"].(string)
			assert.NotContains(t, accessLines, id, "one access line per request")
			accessLines[id] = entry
		case "upstream attempt":
			attempts = append(attempts, entry)
		}
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line, ok := accessLines["log-"+strconv.Itoa(i)]
			require.True(t, ok, "no access line")
			for _, field := range []string{"ts", "request_id", "method", "route", "status", "latency", "upstream_attempts", "upstream_latency", "request_bytes"} {
				assert.Contains(t, line, field)
			}
			assert.Equal(t, "127.0.0.1", line["client_ip"])
			assert.Equal(t, "Go-http-client/1.1", line["user_agent"])
			assert.Positive(t, line["response_bytes"], "every answer has a body")
			if tt.want["code"] != "internal" {
				assert.NotContains(t, line, "upstream_status", "only internal answers name the upstream's")
			}
			for k, v := range tt.want {
				assert.Equal(t, v, line[k], k)
			}
		})
	}
	t.Run("upstream attempts", func(t *testing.T) {
		require.NotEmpty(t, attempts)
		assert.Equal(t, "debug", attempts[0]["level"])
		assert.Equal(t, "log-0", attempts[0]["request_id"])
		assert.Equal(t, "clients.get", attempts[0]["operation"])
		assert.Equal(t, 1.0, attempts[0]["attempt"])
		assert.Equal(t, 200.0, attempts[0]["status"])
		assert.Contains(t, attempts[0], "latency")
	})
	t.Run("no secrets", func(t *testing.T) {
		for _, s := range secrets {
			assert.NotContains(t, text, s)
		}
	})
}

// An internal answer's access line names the upstream answer behind it
// (status and globalisation code), which the partner never sees.
func TestAccessLogNamesUpstreamRuleOfInternal(t *testing.T) {
	for _, line := range lines {
		t.Run("fineract-"+line.String(), func(t *testing.T) {
			t.Parallel()
			var out syncBuffer
			s := deploy(t, stackOptions{line: line, log: jsonLogger(&out)})
			s.sim.InjectFaults("GET", fake.Fault{Status: 500, Body: `{"developerMessage":"boom","httpStatusCode":"500","defaultUserMessage":"boom","userMessageGlobalisationCode":"error.msg.platform.unexpected","errors":[]}`})
			r := s.doWith("GET", "/v1/customers/1", "", map[string]string{"Authorization": "Bearer " + s.token, "X-Request-ID": "internal-1"})
			require.Equal(t, 500, r.status, r.body)
			assert.NotContains(t, r.body, "error.msg")
			entry := accessLine(t, out.String(), "internal-1")
			assert.Equal(t, "internal", entry["code"])
			assert.Equal(t, 500.0, entry["upstream_status"])
			assert.Equal(t, "error.msg.platform.unexpected", entry["upstream_code"])
		})
	}
}

// The access log's client address: the connection's peer unless it is a
// configured trusted proxy, whose X-Forwarded-For is then walked from the
// right past every trusted hop. Loopback and private ranges are trusted
// only when listed.
func TestAccessLogClientAddress(t *testing.T) {
	tests := []struct {
		name    string
		trusted []string
		xff     string
		want    string
	}{
		{"no trusted proxy: X-Forwarded-For ignored", nil, "203.0.113.7", "127.0.0.1"},
		{"behind a trusted proxy", []string{"127.0.0.0/8"}, "203.0.113.7", "203.0.113.7"},
		{"an untrusted hop is the client", []string{"127.0.0.1/32"}, "203.0.113.7, 10.0.0.9", "10.0.0.9"},
		{"every trusted hop skipped", []string{"127.0.0.0/8", "10.0.0.0/8"}, "203.0.113.7, 10.0.0.9", "203.0.113.7"},
		{"loopback not trusted unless listed", []string{"10.0.0.0/8"}, "203.0.113.7", "127.0.0.1"},
		{"garbage in the header", []string{"127.0.0.0/8"}, "not-an-address", "127.0.0.1"},
		{"no header", []string{"127.0.0.0/8"}, "", "127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out syncBuffer
			s := deploy(t, stackOptions{log: jsonLogger(&out), config: func(c *server.Config) {
				for _, p := range tt.trusted {
					c.TrustedProxies = append(c.TrustedProxies, netip.MustParsePrefix(p))
				}
			}})
			headers := map[string]string{"Authorization": "Bearer " + s.token, "X-Request-ID": "xff-1", "User-Agent": "partner-sdk/2.1"}
			if tt.xff != "" {
				headers["X-Forwarded-For"] = tt.xff
			}
			require.Equal(t, 200, s.doWith("GET", "/v1/customers/1", "", headers).status)
			entry := accessLine(t, out.String(), "xff-1")
			assert.Equal(t, tt.want, entry["client_ip"])
			assert.Equal(t, "partner-sdk/2.1", entry["user_agent"])
		})
	}
}

// accessLine finds the access line of one request id in a JSON log.
func accessLine(t *testing.T, log, requestID string) map[string]any {
	t.Helper()
	for line := range strings.Lines(log) {
		var entry map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &entry), line)
		if entry["msg"] == "request" && entry["request_id"] == requestID {
			return entry
		}
	}
	require.Fail(t, "no access line", requestID)
	return nil
}
