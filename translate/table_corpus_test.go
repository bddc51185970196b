package translate

import (
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream/recording"
	"lmsproxy/upstream/wire"
)

// documentedDefaults are the upstream answers in the recorded corpus that
// deliberately fall to a catch-all row ("*" code) rather than a row of
// their own, keyed "status code" (code "" for bodies without one).
var documentedDefaults = map[string]string{
	"401 ": "Basic-auth refusal (Spring Boot body): the proxy's credentials, whatever the body",
	"409 error.msg.platform.service.client.conflict": "every optimistic-lock conflict is retryable, whatever the entity",
	"425 ": "Idempotency-Key still in flight: retryable, no body",
	"500 error.msg.platform.server.side.error":           "500 envelope: any internal failure",
	"404 error.msg.businessdate.not.found":               "the business-date read, never translated: no stored date means the tenant's local date",
	"400 validation.msg.client.no.parameters.for.update": "names parameter id, which no partner field carries: internal (the proxy always sends a change)",
	"500 ": "Spring Boot 500: any internal failure",
	"502 ": "a load balancer's HTML page",
}

// TestCorpusCodesHaveRows checks the translation table against every error
// the recorded corpus holds: each globalisation code meets a row written
// for it, or is one of the documented defaults above, and every documented
// default still occurs (no stale entries).
func TestCorpusCodesHaveRows(t *testing.T) {
	seenDefaults := map[string]bool{}
	for _, line := range []string{"1.8", "1.10"} {
		scenarios, err := recording.LoadDir(filepath.Join("..", "testdata", "fineract", line))
		require.NoError(t, err)
		require.NotEmpty(t, scenarios)
		for _, sc := range scenarios {
			for _, ex := range sc.Exchanges {
				status := ex.Response.Status
				if status >= 200 && status < 300 {
					continue
				}
				ue := wire.ParseError("replay", status, []byte(ex.Response.Body))
				for _, p := range problemsOf(ue) {
					key := strconv.Itoa(status) + " " + p.code
					if r := ruleFor(status, p.code, p.message); r.Code == "*" {
						_, ok := documentedDefaults[key]
						assert.True(t, ok, "%s/%s: %q falls to the default row %s/*; add a row or document it", line, sc.Scenario, key, r.Status)
						seenDefaults[key] = true
					}
				}
			}
		}
	}
	for key := range documentedDefaults {
		assert.True(t, seenDefaults[key], "documented default %q no longer occurs in the corpus", key)
	}
}
