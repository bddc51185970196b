package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestMain lets the test binary serve as its own child processes, as the
// lmsbench binary does.
func TestMain(m *testing.M) {
	if role := os.Getenv(envRole); role != "" {
		if err := runRole(role); err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestSmoke runs every workload briefly and checks that both targets
// answered without errors and that the simulator's delay showed once per
// upstream round trip; other timings on a shared test machine mean nothing.
func TestSmoke(t *testing.T) {
	const latency = 2 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out := filepath.Join(t.TempDir(), "bench.json")
	var table bytes.Buffer
	args := []string{"-duration", "200ms", "-runs", "1", "-concurrency", "2", "-rate", "half", "-connections", "5", "-hold", "300ms", "-interval", "100ms",
		"-upstream-latency", latency.String(), "-json", out}
	if err := run(ctx, args, &table); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var report Report
	if err := json.Unmarshal(data, &report); err != nil {
		t.Fatal(err)
	}
	answered := map[string]int{}
	for _, g := range report.Groups {
		for _, r := range g.Runs {
			if r.Errors != 0 {
				t.Errorf("%+v: %d errors", g.Key, r.Errors)
			}
			if r.Requests > 0 {
				answered[g.Key.Target]++
			}
			// Every request waits at least once per round trip, so even the
			// median does: lmsproxy's origination makes two at least (the
			// batch and the read-back), everything else one.
			trips := 1
			if g.Key.Target == "lmsproxy" && g.Key.Workload == "originate" {
				trips = 2
			}
			if want := float64(trips) * latency.Seconds() * 1000; r.P50Ms < want {
				t.Errorf("%+v: p50 %.2f ms, want at least %.2f ms (%d round trips)", g.Key, r.P50Ms, want, trips)
			}
		}
	}
	// 6 workloads closed-loop + 6 paced + 1 connection step, per target.
	if answered["baseline"] != 13 || answered["lmsproxy"] != 13 {
		t.Errorf("measurements with answers: %v, want 13 per target\n%s", answered, table.String())
	}
}
