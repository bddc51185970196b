package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"lmsproxy/server"
	"lmsproxy/server/auth"
	"lmsproxy/upstream"
	"lmsproxy/upstream/fake"
)

// A child process learns its role and parameters from the environment
// rather than flags, so that the test binary can re-execute itself as a
// child as well (TestMain checks the same variable).
const (
	envRole       = "LMSBENCH_ROLE"       // sim, baseline or proxy
	envUpstream   = "LMSBENCH_UPSTREAM"   // simulator origin, e.g. http://127.0.0.1:1234
	envCPUProfile = "LMSBENCH_CPUPROFILE" // proxy role: write a CPU profile here
	envMemProfile = "LMSBENCH_MEMPROFILE" // proxy role: write an allocation profile here
	envLog        = "LMSBENCH_LOG"        // proxy role: "off" disables the access log
	envLatency    = "LMSBENCH_LATENCY"    // sim role: delay before each answer, a time.Duration
)

// Upstream credentials: the simulator's documented dev account.
const (
	simTenant   = "default"
	simUser     = "mifos"
	simPassword = "password"
	simAPI      = "/fineract-provider/api"
	benchIssuer = "service-project"
)

// simVersion is the line the simulator plays and lmsproxy is told it talks
// to; the baseline's batches are written for it too.
var simVersion = upstream.V1_10

// runRole serves one target until its standard input closes, which happens
// when the parent exits for any reason, so no child outlives a run. It
// first prints "READY <origin> [token]" on standard output.
func runRole(role string) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	origin := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		serve func() error
		extra string
	)
	switch role {
	case "sim":
		latency, err := parseLatency(os.Getenv(envLatency))
		if err != nil {
			return err
		}
		h := fake.New(fake.Options{Version: simVersion, Tenant: simTenant, Username: simUser, Password: simPassword})
		srv := &http.Server{Handler: delayed(h, latency), ReadHeaderTimeout: 5 * time.Second}
		serve = func() error { return srv.Serve(ln) }
		defer srv.Close()
	case "baseline":
		srv, err := baselineServer(os.Getenv(envUpstream))
		if err != nil {
			return err
		}
		serve = func() error { return srv.Serve(ln) }
		defer srv.Close()
	case "proxy":
		stopProfiles, err := startProfiles(os.Getenv(envCPUProfile), os.Getenv(envMemProfile))
		if err != nil {
			return err
		}
		defer stopProfiles()
		srv, token, err := proxyServer(origin, os.Getenv(envUpstream), os.Getenv(envLog) != "off")
		if err != nil {
			return err
		}
		extra = " " + token
		serve = func() error { return srv.Run(ctx, ln) }
	default:
		return fmt.Errorf("unknown role %q", role)
	}
	errc := make(chan error, 1)
	go func() { errc <- serve() }()
	fmt.Printf("READY %s%s\n", origin, extra)
	go func() {
		_, _ = io.Copy(io.Discard, bufio.NewReader(os.Stdin))
		cancel()
	}()
	select {
	case <-ctx.Done():
		return nil
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	}
}

// baselineServer is the comparison point: a bare reverse proxy with the same
// upstream transport as lmsproxy (a default transport keeps only two idle
// connections per host and would churn connections under load, measuring
// the kernel rather than the proxy). No auth, no translation, no logging.
func baselineServer(upstreamOrigin string) (*http.Server, error) {
	u, err := url.Parse(upstreamOrigin)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("baseline: upstream %q: %v", upstreamOrigin, err)
	}
	rp := &httputil.ReverseProxy{
		Rewrite:   func(r *httputil.ProxyRequest) { r.SetURL(u) },
		Transport: upstream.NewTransport(0, 0, nil),
	}
	return &http.Server{Handler: rp, ReadHeaderTimeout: 5 * time.Second}, nil
}

// proxyServer is lmsproxy as `lmsproxy dev` wires it: a local issuer mounted
// beside the partner API, a verifier fetching its key set over HTTP, and one
// minted token that every request reuses, as partners do. Two settings
// differ from production and are reported as such: the per-partner rate
// limit is off (one token would otherwise be held to 50 req/s), and the
// JSON access log is encoded in full but written to io.Discard, so its CPU
// cost counts while terminal or pipe throughput does not.
func proxyServer(origin, upstreamOrigin string, logging bool) (*server.Server, string, error) {
	issuer, err := auth.NewLocalIssuer(benchIssuer, nil)
	if err != nil {
		return nil, "", err
	}
	token, err := issuer.Mint(nil)
	if err != nil {
		return nil, "", err
	}
	verifier, err := auth.NewVerifier(auth.Config{Issuer: benchIssuer, JWKSURL: origin + auth.JWKSPath}.WithDefaults())
	if err != nil {
		return nil, "", err
	}
	up, err := simClient(upstreamOrigin)
	if err != nil {
		return nil, "", err
	}
	cfg := server.DefaultConfig()
	cfg.Listen = origin[len("http://"):]
	cfg.RateLimit = 0
	opts := []server.Option{server.WithMount(issuer.Handler(), auth.JWKSPath, auth.DiscoveryPath)}
	if logging {
		opts = append(opts, server.WithLogger(accessLogger()))
	}
	return server.New(cfg, up, verifier, opts...), token, nil
}

// simClient is an upstream client of the simulator at origin, as lmsproxy
// is configured.
func simClient(origin string) (*upstream.Client, error) {
	return upstream.New(upstream.Config{
		BaseURL: origin + simAPI, Tenant: simTenant, Username: simUser, Password: simPassword,
		Version: simVersion,
	})
}

// parseLatency reads the sim role's delay; unset is none.
func parseLatency(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%s: want a non-negative duration, got %q", envLatency, s)
	}
	return d, nil
}

// delayed answers every request d late: the network round trip to a real
// upstream, which loopback lacks and which an origination pays once per
// upstream call. The wait is outside the simulator, which serves one
// request at a time, so concurrent requests wait in parallel as they would
// on a network rather than queueing behind each other's delay.
func delayed(h http.Handler, d time.Duration) http.Handler {
	if d <= 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			h.ServeHTTP(w, r)
		case <-r.Context().Done():
		}
	})
}

// accessLogger is the production JSON logger of cmd/lmsproxy at info level,
// writing nowhere.
func accessLogger() *zap.Logger {
	enc := zap.NewProductionEncoderConfig()
	enc.TimeKey = "ts"
	enc.EncodeTime = zapcore.ISO8601TimeEncoder
	return zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(enc), zapcore.AddSync(io.Discard), zapcore.InfoLevel))
}

// startProfiles starts a CPU profile and arranges an allocation profile;
// the returned function writes both, at the end of the child's life.
func startProfiles(cpuPath, memPath string) (func(), error) {
	var cpuFile *os.File
	if cpuPath != "" {
		f, err := os.Create(cpuPath)
		if err != nil {
			return nil, err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, err
		}
		cpuFile = f
	}
	return func() {
		if cpuFile != nil {
			pprof.StopCPUProfile()
			_ = cpuFile.Close()
		}
		if memPath != "" {
			if f, err := os.Create(memPath); err == nil {
				runtime.GC()
				_ = pprof.Lookup("allocs").WriteTo(f, 0)
				_ = f.Close()
			}
		}
	}, nil
}
