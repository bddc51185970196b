package main

import (
	"bytes"
	"context"
	"flag"
	"maps"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	var out, errOut bytes.Buffer
	assert.Equal(t, 2, run(context.Background(), []string{"frobnicate"}, env(nil), &out, &errOut))
	assert.Contains(t, errOut.String(), "usage:")
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
