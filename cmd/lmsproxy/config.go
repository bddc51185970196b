package main

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap/zapcore"

	"lmsproxy/server"
	"lmsproxy/server/auth"
	"lmsproxy/upstream"
)

// Config is the whole process configuration, read from LMSPROXY_*
// environment variables and validated at once.
type Config struct {
	Server   server.Config
	Upstream upstream.Config
	Auth     auth.Config
	LogLevel zapcore.Level
	Tracing  tracing
}

// envVar describes one setting: its variable, default (as documented in
// the README), help, and how it is stored. Keeping them in one table makes
// the README's configuration table and the loader agree.
type envVar struct {
	name, def, help string
	set             func(c *Config, v string) error
}

func durationVar(dst func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("want a positive duration such as 10s, got %q", v)
		}
		*dst(c) = d
		return nil
	}
}

func stringVar(dst func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *dst(c) = v; return nil }
}

// envVars lists every setting. Defaults must match server.DefaultConfig and
// auth.Config.WithDefaults.
var envVars = []envVar{
	{"LMSPROXY_LISTEN", ":8080", "address to serve partners on", stringVar(func(c *Config) *string { return &c.Server.Listen })},
	{"LMSPROXY_ADMIN_LISTEN", "", "address of a separate admin port for /healthz, /readyz and /metrics, which then leave the partner port; unset keeps them on LMSPROXY_LISTEN", stringVar(func(c *Config) *string { return &c.Server.AdminListen })},
	{"LMSPROXY_UPSTREAM_URL", "", "upstream API base, e.g. https://lms:8443/fineract-provider/api (required)", stringVar(func(c *Config) *string { return &c.Upstream.BaseURL })},
	{"LMSPROXY_UPSTREAM_TENANT", "default", "upstream tenant header value", stringVar(func(c *Config) *string { return &c.Upstream.Tenant })},
	{"LMSPROXY_UPSTREAM_USERNAME", "", "upstream service account (HTTP Basic) (required)", stringVar(func(c *Config) *string { return &c.Upstream.Username })},
	{"LMSPROXY_UPSTREAM_PASSWORD", "", "upstream service account password (required)", stringVar(func(c *Config) *string { return &c.Upstream.Password })},
	{"LMSPROXY_UPSTREAM_VERSION", "auto", "upstream release line (1.8, 1.9, 1.10) or auto (detected once at start)", func(c *Config, v string) error {
		if v == "auto" {
			c.Upstream.Version = upstream.Version{}
			return nil
		}
		parsed, err := upstream.ParseVersion(v)
		c.Upstream.Version = parsed
		return err
	}},
	{"LMSPROXY_UPSTREAM_CA_FILE", "", "PEM bundle of CAs trusted for an https upstream besides the system's (Fineract's default certificate is self-signed); SSL_CERT_FILE replaces the system's instead", func(c *Config, v string) error {
		pool, err := upstream.LoadCAFile(v)
		c.Upstream.RootCAs = pool
		return err
	}},
	{"LMSPROXY_OIDC_ISSUER", "", "expected iss; also the discovery URL when LMSPROXY_JWKS_URL is unset (required)", stringVar(func(c *Config) *string { return &c.Auth.Issuer })},
	{"LMSPROXY_JWKS_URL", "", "signing-key set URL (skips discovery)", stringVar(func(c *Config) *string { return &c.Auth.JWKSURL })},
	{"LMSPROXY_AUDIENCE", "", "required aud; when unset, tokens carrying an aud are refused", stringVar(func(c *Config) *string { return &c.Auth.Audience })},
	{"LMSPROXY_ROLES_CLAIM", auth.DefaultRolesClaim, "claim (or dotted path) holding the roles", stringVar(func(c *Config) *string { return &c.Auth.RolesClaim })},
	{"LMSPROXY_ADMIN_ROLE", auth.DefaultAdminRole, "role every partner call requires", stringVar(func(c *Config) *string { return &c.Auth.AdminRole })},
	{"LMSPROXY_REQUIRED_TOKEN_TYPE", "", "JOSE typ header every token must carry, e.g. at+jwt (RFC 9068); case-insensitive, application/ prefix optional", stringVar(func(c *Config) *string { return &c.Auth.RequiredTokenType })},
	{"LMSPROXY_REFUSE_ID_TOKENS", "false", "true refuses OpenID Connect ID tokens: those carrying nonce, at_hash or c_hash, token_use id (Cognito) or typ ID (Keycloak)", func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("want true or false, got %q", v)
		}
		c.Auth.RefuseIDTokens = b
		return nil
	}},
	{"LMSPROXY_JWT_ALGORITHMS", "RS256", "accepted signing algorithms, comma-separated (RS256, ES256)", func(c *Config, v string) error {
		c.Auth.Algorithms = strings.Split(v, ",")
		return nil
	}},
	{"LMSPROXY_CLOCK_LEEWAY", "30s", "clock skew allowed on exp, nbf and iat", durationVar(func(c *Config) *time.Duration { return &c.Auth.Leeway })},
	{"LMSPROXY_KEY_REFRESH_INTERVAL", "1m", "pace of signing-key refreshes for unknown kids: 3 at once, then one per interval", durationVar(func(c *Config) *time.Duration { return &c.Auth.RefreshInterval })},
	{"LMSPROXY_OFFICE_ID", "1", "office new customers are created in", func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("want a positive integer, got %q", v)
		}
		c.Server.OfficeID = n
		return nil
	}},
	{"LMSPROXY_DISBURSEMENT_PAYMENT_TYPE_ID", "0", "upstream payment type id loan originations disburse by; 0 sends none", func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("want a non-negative integer, got %q", v)
		}
		c.Server.DisbursementPaymentTypeID = n
		return nil
	}},
	{"LMSPROXY_UPSTREAM_TIMEZONE", "UTC", "the upstream tenant's time zone (IANA name): today's date for activations when the upstream's business date is the tenant's local date or unreadable", func(c *Config, v string) error {
		// "Local" would be the proxy host's zone, which is what made creates
		// fail where the host is east of the tenant.
		loc, err := time.LoadLocation(v)
		if err != nil || v == "Local" {
			return fmt.Errorf("want an IANA time zone name such as Asia/Kolkata, got %q", v)
		}
		c.Server.Location = loc
		return nil
	}},
	{"LMSPROXY_REQUEST_TIMEOUT", "10s", "deadline of one partner request, upstream retries included", durationVar(func(c *Config) *time.Duration { return &c.Server.RequestTimeout })},
	{"LMSPROXY_SHUTDOWN_TIMEOUT", "15s", "on SIGTERM, how long in-flight requests may finish; keep it under the orchestrator's grace period", durationVar(func(c *Config) *time.Duration { return &c.Server.ShutdownTimeout })},
	{"LMSPROXY_RATE_LIMIT", "50", "sustained requests per second allowed to each partner; 0 disables the limit", func(c *Config, v string) error {
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fmt.Errorf("want a number of requests per second, got %q", v)
		}
		c.Server.RateLimit = n
		return nil
	}},
	{"LMSPROXY_RATE_BURST", "100", "requests a partner may send at once above the sustained rate", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("want a request count, got %q", v)
		}
		c.Server.RateBurst = n
		return nil
	}},
	{"LMSPROXY_RATE_LIMIT_REDIS_URL", "", "Redis (redis://[user:password@]host:port[/db], or rediss://) on which all replicas share each partner's rate limit; empty: each replica limits on its own", stringVar(func(c *Config) *string { return &c.Server.RateLimitRedisURL })},
	{"LMSPROXY_UPSTREAM_CONNECT_TIMEOUT", "3s", "bound on opening one upstream connection", durationVar(func(c *Config) *time.Duration { return &c.Upstream.ConnectTimeout })},
	{"LMSPROXY_UPSTREAM_HEADER_TIMEOUT", "10s", "bound on waiting for upstream response headers, per attempt", durationVar(func(c *Config) *time.Duration { return &c.Upstream.ResponseHeaderTimeout })},
	{"LMSPROXY_BODY_LIMIT", "1048576", "largest partner request body, in bytes", func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("want a byte count, got %q", v)
		}
		c.Server.BodyLimit = n
		return nil
	}},
	{"LMSPROXY_TRUSTED_PROXIES", "", "addresses or CIDRs of the load balancers in front, comma-separated, whose X-Forwarded-For gives the client address in the access log; unset: the connection's peer", func(c *Config, v string) error {
		c.Server.TrustedProxies = nil
		for _, s := range strings.Split(v, ",") {
			s = strings.TrimSpace(s)
			p, err := netip.ParsePrefix(s)
			if err != nil {
				a, aerr := netip.ParseAddr(s)
				if aerr != nil {
					return fmt.Errorf("want CIDRs or addresses such as 10.0.0.0/8, got %q", s)
				}
				p = netip.PrefixFrom(a, a.BitLen())
			}
			c.Server.TrustedProxies = append(c.Server.TrustedProxies, p.Masked())
		}
		return nil
	}},
	{"LMSPROXY_LOG_LEVEL", "info", "debug, info, warn or error", func(c *Config, v string) error {
		return c.LogLevel.UnmarshalText([]byte(v))
	}},
}

// renamedTimezoneVar is the variable LMSPROXY_UPSTREAM_TIMEZONE replaced; a
// deployment still setting it is told so rather than ignored.
const renamedTimezoneVar = "LMSPROXY_TIMEZONE"

// devFixed are the settings lmsproxy dev decides itself, because it runs
// its own upstream simulator and token issuer; it honours every other one.
var devFixed = map[string]bool{
	"LMSPROXY_UPSTREAM_URL": true, "LMSPROXY_UPSTREAM_TENANT": true, "LMSPROXY_UPSTREAM_USERNAME": true,
	"LMSPROXY_UPSTREAM_PASSWORD": true, "LMSPROXY_UPSTREAM_VERSION": true, "LMSPROXY_UPSTREAM_CA_FILE": true,
	"LMSPROXY_UPSTREAM_TIMEZONE": true, // the simulator's tenant is on UTC
	"LMSPROXY_OIDC_ISSUER":       true, "LMSPROXY_JWKS_URL": true, "LMSPROXY_AUDIENCE": true,
	"LMSPROXY_ROLES_CLAIM": true, "LMSPROXY_ADMIN_ROLE": true, "LMSPROXY_JWT_ALGORITHMS": true,
	"LMSPROXY_REQUIRED_TOKEN_TYPE": true, "LMSPROXY_REFUSE_ID_TOKENS": true,
}

// LoadConfig reads the environment through getenv; every problem, parse or
// validation, is returned together.
func LoadConfig(getenv func(string) string) (Config, error) {
	c := Config{Server: server.DefaultConfig()}
	return c.load(getenv, func(envVar) bool { return true })
}

// load sets every variable that applies from getenv, or from its default
// when unset, then validates; every problem, parse or validation, is
// returned together. Both serve and dev read their settings through it.
func (c Config) load(getenv func(string) string, applies func(envVar) bool) (Config, error) {
	var errs []error
	if getenv(renamedTimezoneVar) != "" {
		// Ignoring it would silently move "today" to UTC.
		errs = append(errs, fmt.Errorf("%s was renamed LMSPROXY_UPSTREAM_TIMEZONE: it is the upstream tenant's time zone, not the proxy's", renamedTimezoneVar))
	}
	for _, v := range envVars {
		if !applies(v) {
			continue
		}
		val := getenv(v.name)
		if val == "" {
			val = v.def
		}
		if val == "" {
			continue
		}
		if err := v.set(&c, val); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", v.name, err))
		}
	}
	c.Auth = c.Auth.WithDefaults()
	var tracingErrs []error
	c.Tracing, tracingErrs = loadTracing(getenv)
	errs = append(errs, tracingErrs...)
	errs = append(errs, c.Validate()...)
	if len(errs) > 0 {
		return c, &ConfigError{Problems: errs}
	}
	return c, nil
}

// Validate lists every problem across all parts.
func (c Config) Validate() []error {
	var errs []error
	errs = append(errs, c.Server.Validate()...)
	errs = append(errs, c.Upstream.Validate()...)
	errs = append(errs, c.Auth.Validate()...)
	return errs
}

// ConfigError lists every configuration problem.
type ConfigError struct{ Problems []error }

func (e *ConfigError) Error() string {
	var b strings.Builder
	b.WriteString("invalid configuration:")
	for _, p := range e.Problems {
		b.WriteString("\n  - ")
		b.WriteString(p.Error())
	}
	return b.String()
}
