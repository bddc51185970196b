package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFakeUpstreamCommand starts the standalone simulator and talks the
// upstream's wire format to it, as another team's proxy would.
func TestFakeUpstreamCommand(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out, w := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"fake-upstream"}, env(map[string]string{"LMSPROXY_FAKE_LISTEN": "127.0.0.1:0", "LMSPROXY_FAKE_VERSION": "1.8"}), w, io.Discard)
		_ = w.Close()
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err)
	go func() { _, _ = io.Copy(io.Discard, out) }()
	m := regexp.MustCompile(`\(Fineract 1\.8\) at (http://\S+)`).FindStringSubmatch(line)
	require.Len(t, m, 2, line)

	req, err := http.NewRequest("GET", m[1]+"/v1/clients/1", nil)
	require.NoError(t, err)
	req.SetBasicAuth(fakeUser, fakePassword)
	req.Header.Set("Fineract-Platform-TenantId", fakeTenant)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.Contains(t, string(body), `"legalForm":{"id":1,"code":"legalFormType.person","value":"PERSON"}`, "1.8's shape")

	cancel()
	assert.Equal(t, 0, <-done)
}
