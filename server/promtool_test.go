package server_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMetricsPromtool lints a scrape, after partner traffic, with
// Prometheus' own `promtool check metrics` (naming, units, help, types), as
// a platform team's CI would. CI installs promtool (.ci/run); elsewhere
// the test skips, saying so.
func TestMetricsPromtool(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool not installed (Debian package prometheus): `promtool check metrics` not run")
	}
	d := deploy(t, stackOptions{})
	for _, target := range []string{"/v1/customers/1", "/v1/customers/abc", "/v1/nothing"} {
		d.do("GET", target, "")
	}
	r := d.doWith("GET", "/metrics", "", nil)
	require.Equal(t, 200, r.status)
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(r.body)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "promtool check metrics:\n%s", out)
}
