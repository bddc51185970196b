// Command lmsbench measures lmsproxy side by side with a bare reverse proxy
// (net/http/httputil) in front of the same upstream simulator, on one
// machine, so that what is reported is the cost lmsproxy adds — auth,
// translation, logging, metrics — rather than the simulator's speed.
//
// The simulator, the baseline and lmsproxy each run as a child process
// (this binary re-executed with LMSBENCH_ROLE set), so CPU time and peak
// RSS are per target; the load generator runs in the parent. Targets are
// measured alternately (baseline, lmsproxy, baseline, …) so that drift —
// thermal, the simulator's growing store — hits both alike, and each figure
// is the median of -runs runs.
//
//	lmsbench [-duration 2s] [-concurrency 1,8,64,256] [-runs 3]
//	         [-workloads get-id,get-ext,list,create,get-loan,originate]
//	         [-rate half|N] [-connections 10,100,1000] [-json FILE]
//	         [-upstream-latency 0]
//	         [-cpuprofile FILE] [-memprofile FILE]
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	if role := os.Getenv(envRole); role != "" {
		if err := runRole(role); err != nil {
			fmt.Fprintln(os.Stderr, "lmsbench", role+":", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "lmsbench:", err)
		os.Exit(1)
	}
}

// options are the parsed flags.
type options struct {
	duration    time.Duration
	concurrency []int
	runs        int
	workloads   []workload
	rate        string // "", "half" or a number of requests per second
	rateWorkers int
	connections []int
	interval    time.Duration
	hold        time.Duration
	jsonPath    string
	cpuProfile  string
	memProfile  string
	accessLog   bool
	latency     time.Duration
}

func parseFlags(args []string, out io.Writer) (options, error) {
	fs := flag.NewFlagSet("lmsbench", flag.ContinueOnError)
	fs.SetOutput(out)
	var o options
	var conc, names, conns string
	fs.DurationVar(&o.duration, "duration", 2*time.Second, "measured time of each run (after a short warm-up)")
	fs.StringVar(&conc, "concurrency", "1,8,64,256", "closed-loop concurrent clients, comma-separated")
	fs.IntVar(&o.runs, "runs", 3, "runs per measurement; the median is reported")
	fs.StringVar(&names, "workloads", "get-id,get-ext,list,create,get-loan,originate", "workloads to run")
	fs.StringVar(&o.rate, "rate", "", `open-loop paced mode after the closed-loop runs: req/s, or "half" for half the baseline's best closed-loop rate per workload`)
	fs.IntVar(&o.rateWorkers, "rate-workers", 256, "most requests in flight in paced mode")
	fs.StringVar(&conns, "connections", "", "connection-memory mode: open keep-alive connections per step, comma-separated, e.g. 10,100,1000")
	fs.DurationVar(&o.interval, "interval", time.Second, "connection mode: time between one connection's requests")
	fs.DurationVar(&o.hold, "hold", 5*time.Second, "connection mode: how long the connections are held")
	fs.StringVar(&o.jsonPath, "json", "", "also write every result as JSON to this file")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the lmsproxy process to this file")
	fs.StringVar(&o.memProfile, "memprofile", "", "write an allocation profile of the lmsproxy process to this file")
	fs.BoolVar(&o.accessLog, "access-log", true, "lmsproxy encodes its JSON access log (to io.Discard)")
	fs.DurationVar(&o.latency, "upstream-latency", 0, "the simulator answers every request this late, so upstream round trips show")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	var err error
	if o.concurrency, err = parseInts(conc); err != nil {
		return o, fmt.Errorf("-concurrency: %w", err)
	}
	if conns != "" {
		if o.connections, err = parseInts(conns); err != nil {
			return o, fmt.Errorf("-connections: %w", err)
		}
	}
	for name := range strings.SplitSeq(names, ",") {
		w, ok := workloadByName(strings.TrimSpace(name))
		if !ok {
			return o, fmt.Errorf("-workloads: unknown workload %q", name)
		}
		o.workloads = append(o.workloads, w)
	}
	if o.rate != "" && o.rate != "half" {
		if r, err := strconv.ParseFloat(o.rate, 64); err != nil || r <= 0 {
			return o, fmt.Errorf(`-rate: want a positive number or "half", got %q`, o.rate)
		}
	}
	if o.duration <= 0 || o.runs < 1 || o.rateWorkers < 1 || o.interval <= 0 || o.hold <= 0 {
		return o, errors.New("-duration, -runs, -rate-workers, -interval and -hold must be positive")
	}
	if o.latency < 0 {
		return o, errors.New("-upstream-latency must not be negative")
	}
	return o, nil
}

func parseInts(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("want positive integers, got %q", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// bench is one invocation: the three children and what was measured.
type bench struct {
	opts    options
	sim     *child
	targets []*target // baseline first, then lmsproxy
	report  Report
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	opts, err := parseFlags(args, stdout)
	if err != nil {
		return err
	}
	b := &bench{opts: opts, report: Report{Machine: describeMachine(), Settings: describeSettings(opts)}}
	stop, err := b.start(ctx)
	if err != nil {
		return err
	}
	measured := b.measureAll(ctx)
	stop() // writes the profiles
	if measured != nil {
		return measured
	}
	b.report.Groups = groupResults(b.report.Results)
	writeTable(stdout, &b.report)
	if opts.jsonPath != "" {
		data, err := json.MarshalIndent(&b.report, "", "  ")
		if err != nil {
			return err
		}
		return os.WriteFile(opts.jsonPath, append(data, '\n'), 0o644)
	}
	return nil
}

// start launches the simulator, the baseline and lmsproxy, seeds the
// simulator and checks that both targets answer.
func (b *bench) start(ctx context.Context) (func(), error) {
	var children []*child
	stop := func() {
		for i := len(children) - 1; i >= 0; i-- {
			children[i].stop()
		}
	}
	sim, err := startChild("sim", envLatency+"="+b.opts.latency.String())
	if err != nil {
		return nil, err
	}
	children = append(children, sim)
	base, err := startChild("baseline", envUpstream+"="+sim.origin)
	if err != nil {
		stop()
		return nil, err
	}
	children = append(children, base)
	proxyEnv := []string{envUpstream + "=" + sim.origin, envCPUProfile + "=" + b.opts.cpuProfile, envMemProfile + "=" + b.opts.memProfile}
	if !b.opts.accessLog {
		proxyEnv = append(proxyEnv, envLog+"=off")
	}
	proxy, err := startChild("proxy", proxyEnv...)
	if err != nil {
		stop()
		return nil, err
	}
	children = append(children, proxy)

	upstreamHeader := http.Header{
		"Fineract-Platform-Tenantid": {simTenant},
		"Authorization":              {"Basic " + base64.StdEncoding.EncodeToString([]byte(simUser+":"+simPassword))},
	}
	orig, err := newOrigination(ctx, sim.origin)
	if err != nil {
		stop()
		return nil, err
	}
	b.sim = sim
	b.targets = []*target{
		{name: "baseline", origin: base.origin, header: upstreamHeader, proc: base, origination: orig},
		{name: "lmsproxy", origin: proxy.origin, header: http.Header{"Authorization": {"Bearer " + proxy.token}}, proc: proxy, proxy: true},
	}
	if err := seedClients(ctx, &target{name: "sim", origin: sim.origin, header: upstreamHeader}, 30); err != nil {
		stop()
		return nil, err
	}
	client := &http.Client{Timeout: requestTimeout}
	for _, t := range b.targets {
		for _, w := range b.opts.workloads {
			if err := do(ctx, client, t, w, requestSeq.Add(1)); err != nil {
				stop()
				return nil, fmt.Errorf("%s does not answer %s: %w", t.name, w.name, err)
			}
		}
	}
	return stop, nil
}

// measureAll runs the closed-loop grid, then the paced and connection modes
// if asked for, alternating targets within every run.
func (b *bench) measureAll(ctx context.Context) error {
	o := b.opts
	for _, w := range o.workloads {
		for _, c := range o.concurrency {
			for range o.runs {
				for _, t := range b.targets {
					err := b.measure(ctx, Key{Mode: "closed", Workload: w.name, Target: t.name, Concurrency: c}, t, func() sample {
						return closedLoop(ctx, t, w, c, o.duration)
					})
					if err != nil {
						return err
					}
				}
			}
		}
	}
	if o.rate != "" {
		for _, w := range o.workloads {
			rate, err := b.pacedRate(w.name)
			if err != nil {
				return err
			}
			for range o.runs {
				for _, t := range b.targets {
					err := b.measure(ctx, Key{Mode: "paced", Workload: w.name, Target: t.name, Rate: rate}, t, func() sample {
						return paced(ctx, t, w, rate, o.rateWorkers, o.duration)
					})
					if err != nil {
						return err
					}
				}
			}
		}
	}
	for _, n := range o.connections {
		for range o.runs {
			for _, t := range b.targets {
				w, _ := workloadByName("get-id")
				err := b.measure(ctx, Key{Mode: "connections", Workload: w.name, Target: t.name, Connections: n}, t, func() sample {
					return holdConnections(ctx, t, w, n, o.interval, o.hold)
				})
				if err != nil {
					return err
				}
			}
		}
	}
	return ctx.Err()
}

// pacedRate is the -rate figure, resolving "half" against the baseline's
// best median closed-loop throughput for the workload.
func (b *bench) pacedRate(workload string) (float64, error) {
	if b.opts.rate != "half" {
		return strconv.ParseFloat(b.opts.rate, 64)
	}
	best := 0.0
	for _, g := range groupResults(b.report.Results) {
		if g.Key.Mode == "closed" && g.Key.Workload == workload && g.Key.Target == "baseline" {
			best = max(best, g.Median.RPS)
		}
	}
	if best == 0 {
		return 0, fmt.Errorf("-rate half: no closed-loop baseline result for %s", workload)
	}
	return best / 2, nil
}

// measure runs one sample and records it with the CPU and peak memory of
// the target and the simulator over exactly that run.
func (b *bench) measure(ctx context.Context, key Key, t *target, load func() sample) error {
	runtime.GC() // the previous run's garbage is not this run's cost
	if err := t.proc.resetPeakRSS(); err != nil {
		return err
	}
	targetCPU0, err := t.proc.cpu()
	if err != nil {
		return err
	}
	simCPU0, err := b.sim.cpu()
	if err != nil {
		return err
	}
	driverCPU0 := selfCPU()
	s := load()
	driverCPU := selfCPU() - driverCPU0
	targetCPU1, err := t.proc.cpu()
	if err != nil {
		return err
	}
	simCPU1, err := b.sim.cpu()
	if err != nil {
		return err
	}
	peak, err := t.proc.peakRSS()
	if err != nil {
		return err
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	r := summarise(s)
	r.TargetCPUSeconds = (targetCPU1 - targetCPU0).Seconds()
	r.SimCPUSeconds = (simCPU1 - simCPU0).Seconds()
	r.DriverCPUSeconds = driverCPU.Seconds()
	if s.requests > 0 {
		r.TargetCPUPerRequestUs = r.TargetCPUSeconds / float64(s.requests) * 1e6
		r.SimCPUPerRequestUs = r.SimCPUSeconds / float64(s.requests) * 1e6
	}
	r.PeakRSSMiB = float64(peak) / (1 << 20)
	b.report.Results = append(b.report.Results, Result{Key: key, Run: r})
	fmt.Fprintf(os.Stderr, "%-11s %-8s %-8s c=%-4d rate=%-6.0f conns=%-4d  %8.0f req/s  p99 %7.2f ms  errors %d  cpu/req %6.1f µs  rss %5.1f MiB\n",
		key.Mode, key.Workload, key.Target, key.Concurrency, key.Rate, key.Connections, r.RPS, r.P99Ms, r.Errors, r.TargetCPUPerRequestUs, r.PeakRSSMiB)
	if s.firstError != "" {
		fmt.Fprintf(os.Stderr, "  first error: %s\n", s.firstError)
	}
	return nil
}

// selfCPU is this process's CPU time, the load generator's share of the
// machine (syscall.Getrusage).
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
