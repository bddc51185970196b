package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"go.uber.org/zap"

	"lmsproxy/server"
	"lmsproxy/server/auth"
	"lmsproxy/upstream"
	"lmsproxy/upstream/fake"
)

// Dev-mode fixed values. They only ever exist on loopback.
const (
	devIssuer       = "service-project" // the iss the real auth host issues
	devUser         = "dev"
	devPassword     = "dev-password"
	devListen       = "127.0.0.1:8080"
	devFakeListen   = "127.0.0.1:0"
	defaultFakeLine = "1.10"
	fakeTenant      = "default"
	fakeUser        = "mifos" // the upstream's documented dev account
	fakePassword    = "password"
)

// devOrigination is the banner's example origination: a loan of the
// simulator's seeded product for its seeded Active customer.
var devOrigination = fmt.Sprintf(`{"customerExternalId":%q,"productId":%d,"principal":10000}`, fake.SeedActiveExternalID, fake.SeedFlatProductID)

func getenvOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// dev runs, on loopback and with no set-up, the upstream simulator (over
// real HTTP, so the proxy speaks the upstream wire format), a local token
// issuer mounted beside the partner API (GET /v1/auth/token, like the real
// auth host), and the proxy; then prints a ready token and a curl line.
// The proxy reads the same LMSPROXY_* settings as serve, through the same
// loader, except those naming the upstream and the issuer (devFixed), and
// listens on loopback unless LMSPROXY_LISTEN says otherwise.
func dev(ctx context.Context, getenv func(string) string, stdout, logOut io.Writer) error {
	line, err := upstream.ParseVersion(getenvOr(getenv, "LMSPROXY_FAKE_VERSION", defaultFakeLine))
	if err != nil {
		return fmt.Errorf("LMSPROXY_FAKE_VERSION: %w", err)
	}
	upstreamURL, stopFake, err := startFake(ctx, devFakeListen, line)
	if err != nil {
		return err
	}
	defer stopFake()

	devEnv := func(name string) string {
		if v := getenv(name); v != "" || name != "LMSPROXY_LISTEN" {
			return v
		}
		return devListen
	}
	cfg, err := Config{
		Server:   server.DefaultConfig(),
		Upstream: upstream.Config{BaseURL: upstreamURL, Tenant: fakeTenant, Username: fakeUser, Password: fakePassword, Version: line},
		// The key set is served on the proxy's own address, known once bound.
		Auth: auth.Config{Issuer: devIssuer, JWKSURL: "http://" + devListen + auth.JWKSPath},
	}.load(devEnv, func(v envVar) bool { return !devFixed[v.name] })
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Server.Listen)
	if err != nil {
		return err
	}
	cfg.Server.Listen = ln.Addr().String()
	base := "http://" + cfg.Server.Listen
	cfg.Auth.JWKSURL = base + auth.JWKSPath
	issuer, err := auth.NewLocalIssuer(devIssuer, map[string]string{devUser: devPassword})
	if err != nil {
		return err
	}
	token, err := issuer.Mint(nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "lmsproxy dev: partner API on %s (upstream simulator: Fineract %s at %s)\n", base, line, upstreamURL)
	fmt.Fprintf(stdout, "token (also: curl -s -u %s:%s %s%s):\n%s\n", devUser, devPassword, base, auth.TokenPath, token)
	fmt.Fprintf(stdout, "try:\n  curl -s %s/v1/customers -H \"Authorization: Bearer %s\"\n", base, token)
	fmt.Fprintf(stdout, "  curl -s -X POST %s/v1/loans -H \"Authorization: Bearer %s\" -H \"Content-Type: application/json\" -d '%s'\n",
		base, token, devOrigination)
	log := newLogger(cfg.LogLevel, logOut)
	defer func() { _ = log.Sync() }()
	for _, v := range envVars {
		if devFixed[v.name] && getenv(v.name) != "" {
			log.Warn("setting ignored by lmsproxy dev, which runs its own upstream and issuer", zap.String("variable", v.name))
		}
	}
	return runProxy(ctx, cfg, log, ln, server.WithMount(issuer.Handler(), auth.TokenPath, auth.JWKSPath, auth.DiscoveryPath))
}

// startFake serves the simulator on its own listener and returns the API
// base URL a proxy should be configured with.
func startFake(ctx context.Context, listen string, line upstream.Version) (string, func(), error) {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: fake.New(fake.Options{Version: line, Tenant: fakeTenant, Username: fakeUser, Password: fakePassword}), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	stop := func() {
		shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdownCtx)
	}
	return "http://" + ln.Addr().String() + "/fineract-provider/api", stop, nil
}

// fakeUpstream runs the simulator alone, for pointing another proxy at it.
func fakeUpstream(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	line, err := upstream.ParseVersion(getenvOr(getenv, "LMSPROXY_FAKE_VERSION", defaultFakeLine))
	if err != nil {
		return fmt.Errorf("LMSPROXY_FAKE_VERSION: %w", err)
	}
	url, stop, err := startFake(ctx, getenvOr(getenv, "LMSPROXY_FAKE_LISTEN", "127.0.0.1:8443"), line)
	if err != nil {
		return err
	}
	defer stop()
	fmt.Fprintf(stdout, "upstream simulator (Fineract %s) at %s — tenant %q, user %q, password %q\n", line, url, fakeTenant, fakeUser, fakePassword)
	<-ctx.Done() // SIGINT or SIGTERM: a normal stop
	return nil
}
