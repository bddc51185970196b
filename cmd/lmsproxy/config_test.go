package main

import (
	"bytes"
	"context"
	"encoding/pem"
	"flag"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream"
)

var update = flag.Bool("update", false, "rewrite generated README sections and golden files")

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func validEnv() map[string]string {
	return map[string]string{
		"LMSPROXY_UPSTREAM_URL":      "https://lms:8443/fineract-provider/api",
		"LMSPROXY_UPSTREAM_USERNAME": "svc",
		"LMSPROXY_UPSTREAM_PASSWORD": "secret",
		"LMSPROXY_OIDC_ISSUER":       "service-project",
		"LMSPROXY_JWKS_URL":          "https://auth.example.com/jwks",
	}
}

func TestLoadConfigDefaults(t *testing.T) {
	cfg, err := LoadConfig(env(validEnv()))
	require.NoError(t, err)
	assert.Equal(t, ":8080", cfg.Server.Listen)
	assert.Equal(t, "default", cfg.Upstream.Tenant)
	assert.True(t, cfg.Upstream.Version.IsZero(), "auto leaves the version to detection")
	assert.Equal(t, int64(1), cfg.Server.OfficeID)
	assert.Equal(t, "roles", cfg.Auth.RolesClaim)
	assert.Equal(t, "ADMIN", cfg.Auth.AdminRole)
	assert.Equal(t, time.UTC, cfg.Server.Location, "never the proxy host's zone")
}

func TestLoadConfigUpstreamTimezone(t *testing.T) {
	tests := []struct {
		name    string
		set     map[string]string
		want    string // the zone, or the problem reported
		wantErr bool
	}{
		{"IANA name", map[string]string{"LMSPROXY_UPSTREAM_TIMEZONE": "Asia/Kolkata"}, "Asia/Kolkata", false},
		{"unknown name", map[string]string{"LMSPROXY_UPSTREAM_TIMEZONE": "Mars/Olympus"}, `LMSPROXY_UPSTREAM_TIMEZONE: want an IANA time zone name such as Asia/Kolkata, got "Mars/Olympus"`, true},
		{"the proxy host's zone", map[string]string{"LMSPROXY_UPSTREAM_TIMEZONE": "Local"}, `got "Local"`, true},
		{"the old variable", map[string]string{"LMSPROXY_TIMEZONE": "UTC"}, "LMSPROXY_TIMEZONE was renamed LMSPROXY_UPSTREAM_TIMEZONE", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := validEnv()
			maps.Copy(e, tt.set)
			cfg, err := LoadConfig(env(e))
			if tt.wantErr {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.want)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, cfg.Server.Location.String())
		})
	}
}

// The shared rate limit's Redis URL: accepted as redis:// or rediss://,
// refused otherwise without echoing it (it may carry a password), and
// refused without a local rate to share.
func TestLoadConfigRateLimitRedis(t *testing.T) {
	tests := []struct {
		name string
		set  map[string]string
		want string // the problem reported; empty: valid
	}{
		{"redis", map[string]string{"LMSPROXY_RATE_LIMIT_REDIS_URL": "redis://:s3cret@redis:6379/2"}, ""},
		{"TLS", map[string]string{"LMSPROXY_RATE_LIMIT_REDIS_URL": "rediss://redis.internal:6380"}, ""},
		{"not Redis", map[string]string{"LMSPROXY_RATE_LIMIT_REDIS_URL": "http://:s3cret@redis:6379"}, "rate limit Redis URL: want redis://"},
		{"no rate to share", map[string]string{"LMSPROXY_RATE_LIMIT_REDIS_URL": "redis://redis:6379", "LMSPROXY_RATE_LIMIT": "0"}, "needs a rate limit above 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := validEnv()
			maps.Copy(e, tt.set)
			cfg, err := LoadConfig(env(e))
			if tt.want == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.set["LMSPROXY_RATE_LIMIT_REDIS_URL"], cfg.Server.RateLimitRedisURL)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "s3cret")
		})
	}
}

func TestLoadConfigListsEveryProblem(t *testing.T) {
	e := map[string]string{
		"LMSPROXY_UPSTREAM_URL":     "ftp://lms",
		"LMSPROXY_UPSTREAM_VERSION": "1.7",
		"LMSPROXY_OFFICE_ID":        "one",
		"LMSPROXY_REQUEST_TIMEOUT":  "-1s",
		"LMSPROXY_LOG_LEVEL":        "loud",
		"LMSPROXY_JWT_ALGORITHMS":   "HS256",
	}
	_, err := LoadConfig(env(e))
	require.Error(t, err)
	msg := err.Error()
	for _, want := range []string{
		"LMSPROXY_OFFICE_ID", "LMSPROXY_REQUEST_TIMEOUT", "LMSPROXY_LOG_LEVEL",
		"must be an absolute http(s) URL", "username and password are required",
		"LMSPROXY_UPSTREAM_VERSION", "LMSPROXY_OIDC_ISSUER", "HS256",
	} {
		assert.Contains(t, msg, want)
	}
	assert.NotContains(t, msg, "secret")
}

func TestConfigTestCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"config-test"}, env(validEnv()), &out, &errOut)
	assert.Equal(t, 0, code, errOut.String())
	assert.Contains(t, out.String(), "configuration OK")

	out.Reset()
	errOut.Reset()
	code = run(context.Background(), []string{"config-test"}, env(nil), &out, &errOut)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut.String(), "invalid configuration:")
	assert.Contains(t, errOut.String(), "upstream URL is required")
}

func TestUnknownCommand(t *testing.T) {
	stopped, stop := context.WithCancel(context.Background())
	stop() // a command that starts anyway returns at once
	for _, args := range [][]string{{"frobnicate"}, {"serve", "--listen=:9"}, {"dev", "now"}} {
		var out, errOut bytes.Buffer
		assert.Equal(t, 2, run(stopped, args, env(map[string]string{"LMSPROXY_LISTEN": "127.0.0.1:0"}), &out, &errOut), args)
		assert.Contains(t, errOut.String(), "usage:", args)
	}
}

// Asking for help prints it and starts nothing, for every command: the
// environment would let dev start, and serve fail for lack of settings.
func TestHelp(t *testing.T) {
	devEnv := env(map[string]string{"LMSPROXY_LISTEN": "127.0.0.1:0"})
	for _, args := range [][]string{{"-h"}, {"--help"}, {"help"}, {"serve", "-h"}, {"serve", "--help"}, {"dev", "-h"}, {"dev", "help"}, {"config-test", "-h"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // a command that starts anyway returns at once
			var out, errOut bytes.Buffer
			assert.Equal(t, 0, run(ctx, args, devEnv, &out, &errOut), errOut.String())
			assert.Contains(t, out.String(), "usage: lmsproxy")
			assert.NotContains(t, out.String(), "partner API on", "dev did not start")
			for _, v := range envVars {
				assert.Contains(t, out.String(), v.name)
			}
			assert.Regexp(t, `- LMSPROXY_UPSTREAM_URL\s`, out.String(), "the settings dev ignores are marked")
			assert.Regexp(t, `  LMSPROXY_RATE_LIMIT\s`, out.String())
		})
	}
	var out, errOut bytes.Buffer
	assert.Equal(t, 0, run(context.Background(), []string{"record", "-h"}, devEnv, &out, &errOut))
	assert.Contains(t, out.String(), "-closure-reason")
}

func TestUpstreamCAFile(t *testing.T) {
	srv := httptest.NewTLSServer(nil)
	defer srv.Close()
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	require.NoError(t, os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600))
	empty := filepath.Join(dir, "empty.pem")
	require.NoError(t, os.WriteFile(empty, nil, 0o600))

	e := validEnv()
	e["LMSPROXY_UPSTREAM_CA_FILE"] = ca
	cfg, err := LoadConfig(env(e))
	require.NoError(t, err)
	require.NotNil(t, cfg.Upstream.RootCAs)
	resp, err := (&http.Client{Transport: upstream.NewTransport(0, 0, cfg.Upstream.RootCAs)}).Get(srv.URL)
	require.NoError(t, err, "the configured bundle is trusted")
	resp.Body.Close()

	for _, bad := range []string{filepath.Join(dir, "missing.pem"), empty} {
		e["LMSPROXY_UPSTREAM_CA_FILE"] = bad
		e["LMSPROXY_OFFICE_ID"] = "one"
		_, err := LoadConfig(env(e))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "LMSPROXY_UPSTREAM_CA_FILE", bad)
		assert.Contains(t, err.Error(), "LMSPROXY_OFFICE_ID", "listed with the other problems")
	}
}

// configTable renders envVars as the README's configuration table, so the
// documentation cannot drift from the loader.
func configTable() string {
	var b strings.Builder
	b.WriteString("| variable | meaning | default |\n|---|---|---|\n")
	for _, v := range envVars {
		def := "none"
		if v.def != "" {
			def = "`" + v.def + "`"
		}
		b.WriteString("| `" + v.name + "` | " + v.help + " | " + def + " |\n")
	}
	return b.String()
}

func TestREADMEConfigTable(t *testing.T) {
	syncREADMESection(t, "config-table", configTable())
}

// syncREADMESection checks (or with -update rewrites) the README text
// between <!-- name:begin --> and <!-- name:end -->.
func syncREADMESection(t *testing.T, name, want string) {
	t.Helper()
	const path = "../../README.md"
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	begin, end := "<!-- "+name+":begin -->\n", "<!-- "+name+":end -->"
	readme := string(raw)
	i, j := strings.Index(readme, begin), strings.Index(readme, end)
	require.True(t, i >= 0 && j > i, "README lacks the %s markers", name)
	got := readme[i+len(begin) : j]
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(readme[:i+len(begin)]+want+readme[j:]), 0o644))
		return
	}
	assert.Equal(t, want, got, "README section %s is stale; run go test ./cmd/lmsproxy -update", name)
}

// TestLoadConfigTokenKind reads the two token-kind settings into the
// verifier's configuration and refuses values that could never match.
func TestLoadConfigTokenKind(t *testing.T) {
	tests := []struct {
		name       string
		set        map[string]string
		wantType   string
		wantRefuse bool
		wantErr    string
	}{
		{"unset", nil, "", false, ""},
		{"RFC 9068 access tokens only", map[string]string{"LMSPROXY_REQUIRED_TOKEN_TYPE": "application/at+jwt", "LMSPROXY_REFUSE_ID_TOKENS": "true"}, "application/at+jwt", true, ""},
		{"not a media type", map[string]string{"LMSPROXY_REQUIRED_TOKEN_TYPE": "at jwt"}, "", false, "LMSPROXY_REQUIRED_TOKEN_TYPE must be a media type"},
		{"not a boolean", map[string]string{"LMSPROXY_REFUSE_ID_TOKENS": "yes please"}, "", false, `LMSPROXY_REFUSE_ID_TOKENS: want true or false, got "yes please"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := validEnv()
			maps.Copy(e, tt.set)
			cfg, err := LoadConfig(env(e))
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantType, cfg.Auth.RequiredTokenType)
			assert.Equal(t, tt.wantRefuse, cfg.Auth.RefuseIDTokens)
		})
	}
}
