// Command lmsproxy is the partner gateway in front of the lending core.
//
//	lmsproxy [serve]        run the proxy, configured from LMSPROXY_* variables
//	lmsproxy dev            run simulator + local token issuer + proxy on loopback
//	lmsproxy fake-upstream  run the upstream simulator alone
//	lmsproxy config-test    validate the configuration and exit
//	lmsproxy record         record the upstream exchanges of a scripted tour
//	lmsproxy version        print the version
//	lmsproxy help           print the usage and every LMSPROXY_* variable
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"text/tabwriter"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"lmsproxy/server"
	"lmsproxy/server/auth"
	"lmsproxy/upstream"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `usage: lmsproxy [serve|dev|fake-upstream|config-test|record|version|help] [-h]

  serve          run the proxy (default), configured from LMSPROXY_* variables
  dev            run the upstream simulator, a local token issuer and the proxy on loopback
                 (LMSPROXY_FAKE_VERSION: 1.8, 1.9 or 1.10, default 1.10)
  fake-upstream  run the upstream simulator alone (LMSPROXY_FAKE_LISTEN, LMSPROXY_FAKE_VERSION)
  config-test    validate the configuration, list every problem, exit non-zero if any
  record         run a scripted customer tour against the LMSPROXY_UPSTREAM_* upstream and write
                 its exchanges (-dir or LMSPROXY_RECORD_DIR; -prefix, -closure-reason)
  version        print the version
  help, -h       print this help
`

// printHelp writes the usage and every setting, so that -h answers "how do
// I configure this" without the README.
func printHelp(w io.Writer) {
	fmt.Fprint(w, usage)
	fmt.Fprint(w, "\nenvironment (dev ignores those marked -, as it runs its own upstream and issuer):\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, v := range envVars {
		mark, def := " ", v.def
		if devFixed[v.name] {
			mark = "-"
		}
		if v.name == "LMSPROXY_LISTEN" {
			def += "; dev: " + devListen
		}
		if def != "" {
			def = " (default " + def + ")"
		}
		fmt.Fprintf(tw, "  %s %s\t%s%s\n", mark, v.name, v.help, def)
	}
	_ = tw.Flush()
}

// helpArgs are the ways to ask for help, as a command or after one.
var helpArgs = []string{"help", "-h", "-help", "--help"}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run is main without the process: testable with any arguments, environment
// and outputs. It returns the exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cmd, rest := "serve", args
	if len(args) > 0 {
		cmd, rest = args[0], args[1:]
	}
	switch {
	case slices.Contains(helpArgs, cmd) || (cmd != "record" && len(rest) > 0 && slices.Contains(helpArgs, rest[0])):
		printHelp(stdout)
		return 0
	case cmd != "record" && len(rest) > 0:
		fmt.Fprintf(stderr, "unexpected argument %q\n%s", rest[0], usage)
		return 2
	}
	var err error
	switch cmd {
	case "serve":
		err = serve(ctx, getenv, stderr)
	case "dev":
		err = dev(ctx, getenv, stdout, stderr)
	case "fake-upstream":
		err = fakeUpstream(ctx, getenv, stdout)
	case "config-test":
		if _, err = LoadConfig(getenv); err == nil {
			fmt.Fprintln(stdout, "configuration OK")
		}
	case "record":
		if err = record(ctx, rest, getenv, stdout); errors.Is(err, flag.ErrHelp) {
			return 0 // the flag set printed its own help
		}
	case "version":
		fmt.Fprintln(stdout, "lmsproxy", version)
	default:
		fmt.Fprintf(stderr, "unknown command %q\n%s", cmd, usage)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}

// newLogger builds the JSON logger. Sampling is off: every access-log line
// has the same message, and zap's default sampling would drop all but one
// in a hundred of them (zap #985).
func newLogger(level zapcore.Level, w io.Writer) *zap.Logger {
	enc := zap.NewProductionEncoderConfig()
	enc.TimeKey = "ts"
	enc.EncodeTime = zapcore.ISO8601TimeEncoder
	core := zapcore.NewCore(zapcore.NewJSONEncoder(enc), zapcore.Lock(zapcore.AddSync(w)), level)
	return zap.New(core)
}

func serve(ctx context.Context, getenv func(string) string, logOut io.Writer) error {
	cfg, err := LoadConfig(getenv)
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel, logOut)
	defer func() { _ = log.Sync() }() // stderr Sync fails with EINVAL on Linux (zap #880)
	return runProxy(ctx, cfg, log, nil)
}

// runProxy builds the upstream client, the verifier and the server from a
// validated configuration, then serves until ctx ends. ln may be nil, in
// which case cfg.Server.Listen is bound.
func runProxy(ctx context.Context, cfg Config, log *zap.Logger, ln net.Listener, opts ...server.Option) error {
	tp, flushTraces, err := cfg.Tracing.provider(ctx)
	if err != nil {
		return err
	}
	defer flushTraces(log)
	if cfg.Tracing.protocol != "" {
		log.Info("exporting traces over OTLP", zap.String("protocol", cfg.Tracing.protocol))
	}
	cfg.Upstream.TracerProvider = tp
	up, err := upstream.New(cfg.Upstream)
	if err != nil {
		return err
	}
	if cfg.Upstream.Version.IsZero() {
		v, err := detectVersion(ctx, up, log)
		if err != nil {
			return err
		}
		log.Info("upstream version detected", zap.String("line", v.String()))
	} else {
		log.Info("upstream version configured", zap.String("line", cfg.Upstream.Version.String()))
	}
	verifier, err := auth.NewVerifier(cfg.Auth, auth.WithLogger(log.Named("auth")))
	if err != nil {
		return err
	}
	if ln == nil {
		if ln, err = net.Listen("tcp", cfg.Server.Listen); err != nil {
			return err
		}
	}
	if cfg.Server.AdminListen != "" {
		admin, err := net.Listen("tcp", cfg.Server.AdminListen)
		if err != nil {
			_ = ln.Close()
			return err
		}
		log.Info("serving operations", zap.String("listen", admin.Addr().String()))
		opts = append(opts, server.WithAdminListener(admin))
	}
	log.Info("serving partners", zap.String("listen", ln.Addr().String()))
	srv := server.New(cfg.Server, up, verifier, append(opts, server.WithLogger(log), server.WithVersion(version), server.WithTracerProvider(tp))...)
	return srv.Run(ctx, ln)
}

// detectVersion probes the upstream until it answers, for at most a
// minute: an upstream that is still starting is normal, one that never
// answers is a deployment problem better reported by exiting.
func detectVersion(ctx context.Context, up *upstream.Client, log *zap.Logger) (upstream.Version, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	wait := 500 * time.Millisecond
	for {
		v, err := up.Detect(ctx)
		if err == nil {
			return v, nil
		}
		log.Warn("upstream version detection failed; retrying", zap.Error(err))
		select {
		case <-ctx.Done():
			return upstream.Version{}, errors.Join(errors.New("could not detect the upstream version; set LMSPROXY_UPSTREAM_VERSION or check the upstream"), err)
		case <-time.After(wait):
		}
		wait = min(wait*2, 10*time.Second)
	}
}
