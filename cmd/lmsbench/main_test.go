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

// TestSmoke runs every workload briefly and checks only that both targets
// answered without errors: timings on a shared test machine mean nothing.
func TestSmoke(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out := filepath.Join(t.TempDir(), "bench.json")
	var table bytes.Buffer
	args := []string{"-duration", "200ms", "-runs", "1", "-concurrency", "2", "-rate", "half", "-connections", "5", "-hold", "300ms", "-interval", "100ms", "-json", out}
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
		}
	}
	// 4 workloads closed-loop + 4 paced + 1 connection step, per target.
	if answered["baseline"] != 9 || answered["lmsproxy"] != 9 {
		t.Errorf("measurements with answers: %v, want 9 per target\n%s", answered, table.String())
	}
}
