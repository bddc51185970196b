package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Key identifies one measurement; runs with the same key are repeats.
type Key struct {
	Mode        string  `json:"mode"` // closed, paced or connections
	Workload    string  `json:"workload"`
	Target      string  `json:"target"`
	Concurrency int     `json:"concurrency,omitempty"`
	Rate        float64 `json:"rate,omitempty"`
	Connections int     `json:"connections,omitempty"`
}

// Run is what one run measured.
type Run struct {
	Requests              int64   `json:"requests"`
	Errors                int64   `json:"errors"`
	RPS                   float64 `json:"rps"`
	P50Ms                 float64 `json:"p50_ms"`
	P99Ms                 float64 `json:"p99_ms"`
	P999Ms                float64 `json:"p999_ms"`
	TargetCPUSeconds      float64 `json:"target_cpu_s"`
	TargetCPUPerRequestUs float64 `json:"target_cpu_per_request_us"`
	SimCPUSeconds         float64 `json:"sim_cpu_s"`
	SimCPUPerRequestUs    float64 `json:"sim_cpu_per_request_us"`
	DriverCPUSeconds      float64 `json:"driver_cpu_s"`
	PeakRSSMiB            float64 `json:"peak_rss_mib"`
}

// Result is one run of one key.
type Result struct {
	Key Key `json:"key"`
	Run Run `json:"run"`
}

// Group is every run of one key and their per-metric medians.
type Group struct {
	Key    Key   `json:"key"`
	Runs   []Run `json:"runs"`
	Median Run   `json:"median"`
}

// Report is the whole output, also written as JSON.
type Report struct {
	Machine  string   `json:"machine"`
	Settings string   `json:"settings"`
	Results  []Result `json:"-"`
	Groups   []Group  `json:"groups"`
}

func summarise(s sample) Run {
	lat := slices.Clone(s.latencies)
	slices.Sort(lat)
	r := Run{Requests: s.requests, Errors: s.errors, P50Ms: quantileMs(lat, 0.5), P99Ms: quantileMs(lat, 0.99), P999Ms: quantileMs(lat, 0.999)}
	if s.elapsed > 0 {
		r.RPS = float64(s.requests) / s.elapsed.Seconds()
	}
	return r
}

// quantileMs is the nearest-rank quantile of sorted latencies.
func quantileMs(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := min(int(q*float64(len(sorted))), len(sorted)-1)
	return float64(sorted[i]) / float64(time.Millisecond)
}

// groupResults gathers runs by key, in first-measured order.
func groupResults(results []Result) []Group {
	var groups []Group
	index := map[Key]int{}
	for _, r := range results {
		i, ok := index[r.Key]
		if !ok {
			i = len(groups)
			index[r.Key] = i
			groups = append(groups, Group{Key: r.Key})
		}
		groups[i].Runs = append(groups[i].Runs, r.Run)
	}
	for i := range groups {
		groups[i].Median = medianRun(groups[i].Runs)
	}
	return groups
}

// medianRun takes the median of each metric on its own: the figures of one
// row may come from different runs, which is what "median of runs" means
// per metric and is robust to one noisy run.
func medianRun(runs []Run) Run {
	m := func(f func(Run) float64) float64 {
		v := make([]float64, len(runs))
		for i, r := range runs {
			v[i] = f(r)
		}
		slices.Sort(v)
		if len(v)%2 == 1 {
			return v[len(v)/2]
		}
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return Run{
		Requests:              int64(m(func(r Run) float64 { return float64(r.Requests) })),
		Errors:                int64(m(func(r Run) float64 { return float64(r.Errors) })),
		RPS:                   m(func(r Run) float64 { return r.RPS }),
		P50Ms:                 m(func(r Run) float64 { return r.P50Ms }),
		P99Ms:                 m(func(r Run) float64 { return r.P99Ms }),
		P999Ms:                m(func(r Run) float64 { return r.P999Ms }),
		TargetCPUSeconds:      m(func(r Run) float64 { return r.TargetCPUSeconds }),
		TargetCPUPerRequestUs: m(func(r Run) float64 { return r.TargetCPUPerRequestUs }),
		SimCPUSeconds:         m(func(r Run) float64 { return r.SimCPUSeconds }),
		SimCPUPerRequestUs:    m(func(r Run) float64 { return r.SimCPUPerRequestUs }),
		DriverCPUSeconds:      m(func(r Run) float64 { return r.DriverCPUSeconds }),
		PeakRSSMiB:            m(func(r Run) float64 { return r.PeakRSSMiB }),
	}
}

// writeTable prints one row per key and, under each lmsproxy row, its
// ratio to the baseline row of the same measurement. Errors are summed
// over runs, not medianed: one failed request in any run is reported.
func writeTable(w io.Writer, r *Report) {
	fmt.Fprintf(w, "machine: %s\nsettings: %s\n\n", r.Machine, r.Settings)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "mode\tworkload\tload\ttarget\treq/s\tp50 ms\tp99 ms\tp999 ms\terrors\tCPU µs/req\tsim CPU µs/req\tpeak RSS MiB\t")
	baseline := map[Key]Group{}
	for _, g := range r.Groups {
		if g.Key.Target == "baseline" {
			k := g.Key
			k.Target = ""
			baseline[k] = g
		}
	}
	for _, g := range r.Groups {
		m := g.Median
		var errs int64
		for _, run := range g.Runs {
			errs += run.Errors
		}
		load := loadLabel(g.Key)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.0f\t%.2f\t%.2f\t%.2f\t%d\t%.1f\t%.1f\t%.1f\t\n",
			g.Key.Mode, g.Key.Workload, load, g.Key.Target, m.RPS, m.P50Ms, m.P99Ms, m.P999Ms, errs, m.TargetCPUPerRequestUs, m.SimCPUPerRequestUs, m.PeakRSSMiB)
		k := g.Key
		k.Target = ""
		b, ok := baseline[k]
		if g.Key.Target != "lmsproxy" || !ok {
			continue
		}
		bm := b.Median
		fmt.Fprintf(tw, "\t\t\tratio\t%s\t%s\t%s\t%s\t\t%s\t\t%s\t\n",
			ratio(m.RPS, bm.RPS), ratio(m.P50Ms, bm.P50Ms), fmt.Sprintf("%+.2f ms", m.P99Ms-bm.P99Ms), ratio(m.P999Ms, bm.P999Ms),
			ratio(m.TargetCPUPerRequestUs, bm.TargetCPUPerRequestUs), ratio(m.PeakRSSMiB, bm.PeakRSSMiB))
	}
	_ = tw.Flush()
}

func loadLabel(k Key) string {
	switch k.Mode {
	case "paced":
		return fmt.Sprintf("%.0f/s", k.Rate)
	case "connections":
		return fmt.Sprintf("%d conns", k.Connections)
	default:
		return fmt.Sprintf("c=%d", k.Concurrency)
	}
}

func ratio(a, b float64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fx", a/b)
}

// describeMachine names the machine the figures belong to.
func describeMachine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if name, ok := strings.CutPrefix(line, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
				break
			}
		}
	}
	mem := "unknown memory"
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err == nil {
			mem = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
		}
	}
	return fmt.Sprintf("%s, %d cores, %s, %s %s/%s", model, runtime.NumCPU(), mem, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func describeSettings(o options) string {
	return fmt.Sprintf("duration %s per run, %d runs (medians), upstream latency %s, lmsproxy access log %v, rate limit off; simulator, baseline and lmsproxy each in a child process",
		o.duration, o.runs, o.latency, o.accessLog)
}
