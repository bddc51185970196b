package deploy_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dockerfile returns the instructions of the Dockerfile, continuation
// lines joined and comments dropped.
func dockerfile(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../Dockerfile")
	require.NoError(t, err)
	var out []string
	var cur strings.Builder
	for line := range strings.SplitSeq(string(b), "\n") {
		trimmed := strings.TrimSpace(line)
		if cur.Len() == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if cont, ok := strings.CutSuffix(trimmed, "\\"); ok {
			cur.WriteString(cont + " ")
			continue
		}
		cur.WriteString(trimmed)
		out = append(out, cur.String())
		cur.Reset()
	}
	return out
}

var digestPinned = regexp.MustCompile(`^[a-z0-9./_-]+(:[\w.-]+)?@sha256:[0-9a-f]{64}$`)

func TestDockerfile(t *testing.T) {
	instrs := dockerfile(t)
	args := map[string]string{}
	var froms, labels []string
	for _, in := range instrs {
		word, rest, _ := strings.Cut(in, " ")
		switch strings.ToUpper(word) {
		case "ARG":
			if name, def, ok := strings.Cut(rest, "="); ok {
				args[name] = def
			}
		case "FROM":
			froms = append(froms, strings.Fields(rest)[0])
		case "LABEL":
			for _, f := range strings.Fields(rest) {
				if k, _, ok := strings.Cut(f, "="); ok {
					labels = append(labels, k)
				}
			}
		}
	}
	t.Run("base images pinned by digest", func(t *testing.T) {
		require.Len(t, froms, 2)
		for _, f := range froms {
			ref := f
			if name, ok := strings.CutPrefix(strings.TrimSuffix(f, "}"), "${"); ok {
				ref = args[name]
			}
			assert.Regexp(t, digestPinned, ref, "FROM %s", f)
		}
	})
	t.Run("serve is the default argument only", func(t *testing.T) {
		assert.Contains(t, instrs, `ENTRYPOINT ["/lmsproxy"]`)
		assert.Contains(t, instrs, `CMD ["serve"]`)
	})
	t.Run("OCI labels", func(t *testing.T) {
		for _, want := range []string{"title", "description", "version", "revision", "created", "base.name"} {
			if !slices.Contains(labels, "org.opencontainers.image."+want) {
				t.Errorf("no org.opencontainers.image.%s label among %v", want, labels)
			}
		}
	})
}

// TestDockerignore keeps environment files, which hold credentials, out of
// the build context at any depth.
func TestDockerignore(t *testing.T) {
	b, err := os.ReadFile("../.dockerignore")
	require.NoError(t, err)
	patterns := strings.Split(string(b), "\n")
	for _, want := range []string{".env", ".env.*", "*.env", "**/.env", "**/.env.*", "**/*.env"} {
		assert.Contains(t, patterns, want)
	}
}
