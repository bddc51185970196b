package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream"
	"lmsproxy/upstream/fake"
	"lmsproxy/upstream/recording"
)

// corpusToday is the business date of the recorded corpus.
var corpusToday = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

const simPassword = "s3cret-sim-password"

// recordSimulator runs the record tour against a fresh simulator of line
// into a temporary directory and returns it.
func recordSimulator(t *testing.T, line string) string {
	t.Helper()
	v, err := upstream.ParseVersion(line)
	require.NoError(t, err)
	sim := fake.New(fake.Options{Version: v, Password: simPassword, Today: func() time.Time { return corpusToday }})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	e := map[string]string{
		"LMSPROXY_UPSTREAM_URL":      srv.URL + "/fineract-provider/api",
		"LMSPROXY_UPSTREAM_USERNAME": "mifos",
		"LMSPROXY_UPSTREAM_PASSWORD": simPassword,
		"LMSPROXY_UPSTREAM_VERSION":  line,
		"LMSPROXY_UPSTREAM_TIMEZONE": "UTC",
	}
	var out bytes.Buffer
	opts := recordOptions{
		dir: dir, prefix: "rec", closureReasonID: fake.ClosureReasonID,
		source: "the simulator (upstream/fake)", now: func() time.Time { return corpusToday }, sim: sim,
	}
	require.NoError(t, recordTour(context.Background(), env(e), opts, &out))
	assert.Contains(t, out.String(), "from upstream line "+v.String())
	return dir
}

// TestRecordAgainstSimulator runs the record tour as a live upstream would
// see it and checks what it writes: parseable scenarios of the detected
// line, every one with exchanges, credentials redacted, tenant kept.
func TestRecordAgainstSimulator(t *testing.T) {
	for _, line := range []string{"1.8", "1.10"} {
		t.Run(line, func(t *testing.T) {
			dir := recordSimulator(t, line)
			scenarios, err := recording.LoadDir(dir)
			require.NoError(t, err)
			names := map[string]bool{}
			for _, s := range scenarios {
				names[s.ID()] = true
				assert.Equal(t, line, s.Line, s.Scenario)
				assert.Equal(t, "2026-11-21", s.Today)
				assert.NotEmpty(t, s.Exchanges, "%s made no upstream call", s.Scenario)
				for _, ex := range s.Exchanges {
					assert.Equal(t, "Basic REDACTED", ex.Request.Header["Authorization"], s.Scenario)
					assert.NotEmpty(t, ex.Request.Header["Fineract-Platform-TenantId"], s.Scenario)
					assert.Regexp(t, `^/v1/(clients|loans|loanproducts/|batches$|configurations/name/enable_business_date$|businessdate/BUSINESS_DATE$)`, ex.Request.Path, "%s: path keeps the base path", s.Scenario)
				}
			}
			for _, want := range []string{"create", "get-by-id", "get-by-external-id", "list", "point-lookup", "update", "close", "close-already-closed", "delete-pending", "delete-active", "get-unknown-id", "create-no-permission", "create-business-date", "create-business-date-unreadable"} {
				assert.True(t, names["customers/"+want], "scenario customers/%s not recorded", want)
			}
			for _, want := range []string{"create", "create-retry", "get-by-id", "get-by-external-id", "list-by-customer", "undo-disbursal", "undo-approval", "update", "delete", "adjust-disbursement-date", "write-off", "rollback"} {
				assert.True(t, names["loans/"+want], "scenario loans/%s not recorded", want)
			}
			filepath.WalkDir(dir, func(path string, _ os.DirEntry, err error) error {
				require.NoError(t, err)
				if raw, err := os.ReadFile(path); err == nil {
					assert.NotContains(t, string(raw), simPassword, path)
					assert.NotContains(t, string(raw), "bWlmb3M6", path) // base64 of "mifos:"
				}
				return nil
			})
		})
	}
}

// springTimestamp is the wall-clock time in Spring Boot error bodies, the
// one part of a recording that changes from run to run.
var springTimestamp = regexp.MustCompile(`(\\"timestamp\\":)\d+`)

// TestRecordedCorpusIsCurrent re-records the corpus against the simulator
// and compares it with testdata/fineract/<line>/<resource>/: the recorded
// files stay what the recorder produces today (go test ./cmd/lmsproxy
// -update rewrites them). Hand-written files are not touched.
func TestRecordedCorpusIsCurrent(t *testing.T) {
	for _, line := range []string{"1.8", "1.10"} {
		t.Run(line, func(t *testing.T) {
			fresh := recordSimulator(t, line)
			corpus := filepath.Join("..", "..", "testdata", "fineract", line)
			paths, err := filepath.Glob(filepath.Join(fresh, "*", "*.json"))
			require.NoError(t, err)
			require.NotEmpty(t, paths)
			for _, p := range paths {
				want, err := os.ReadFile(p)
				require.NoError(t, err)
				rel, err := filepath.Rel(fresh, p)
				require.NoError(t, err)
				dst := filepath.Join(corpus, rel)
				if *update {
					require.NoError(t, os.MkdirAll(filepath.Dir(dst), 0o755))
					require.NoError(t, os.WriteFile(dst, want, 0o644))
					continue
				}
				got, err := os.ReadFile(dst)
				require.NoError(t, err, "run go test ./cmd/lmsproxy -update")
				assert.Equal(t, springTimestamp.ReplaceAllString(string(want), "${1}0"), springTimestamp.ReplaceAllString(string(got), "${1}0"),
					"%s is stale; run go test ./cmd/lmsproxy -update", dst)
			}
		})
	}
}

func TestRecordNeedsADirectory(t *testing.T) {
	err := record(context.Background(), nil, env(validEnv()), &bytes.Buffer{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "LMSPROXY_RECORD_DIR")
}
