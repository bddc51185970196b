package translate_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestNoIO makes "translate does no I/O" a rule the compiler's dependency
// graph checks rather than a convention: translate reaches the upstream's
// types through lmsproxy/upstream/wire only, never the client that calls
// the upstream nor its HTTP machinery, and wire itself imports none of it.
func TestNoIO(t *testing.T) {
	const retryablehttp = "github.com/hashicorp/go-retryablehttp"
	for _, tc := range []struct {
		pkg       string
		forbidden []string
	}{
		{"lmsproxy/upstream/wire", []string{"net/http", "lmsproxy/upstream", retryablehttp}},
		{"lmsproxy/translate", []string{"net/http", "lmsproxy/upstream", retryablehttp}},
	} {
		t.Run(tc.pkg, func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", "-test=false", tc.pkg).Output()
			if err != nil {
				t.Fatalf("go list -deps %s: %v", tc.pkg, err)
			}
			deps := strings.Fields(string(out))
			for _, f := range tc.forbidden {
				if slices.Contains(deps, f) {
					t.Errorf("%s depends on %s", tc.pkg, f)
				}
			}
		})
	}
}
