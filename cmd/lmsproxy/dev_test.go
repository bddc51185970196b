package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDevMode runs what `make run` runs and follows the banner's
// instructions as a partner would: the printed token and curl line work,
// the documented token flow works, and the errors seed's Python example
// branches correctly against it.
func TestDevMode(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, w := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"dev"}, env(map[string]string{"LMSPROXY_LISTEN": "127.0.0.1:0", "LMSPROXY_LOG_LEVEL": "error"}), w, io.Discard)
		_ = w.Close()
	}()

	var base, curlLine string
	banner := bufio.NewScanner(out)
	for curlLine == "" && banner.Scan() {
		line := banner.Text()
		if m := regexp.MustCompile(`partner API on (http://\S+)`).FindStringSubmatch(line); m != nil {
			base = m[1]
		}
		if strings.HasPrefix(strings.TrimSpace(line), "curl ") {
			curlLine = strings.TrimSpace(line)
		}
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	require.NotEmpty(t, base, "banner names the partner API")
	token := regexp.MustCompile(`Bearer ([A-Za-z0-9_.-]+)`).FindStringSubmatch(curlLine)
	require.Len(t, token, 2, "banner prints a curl line with a token: %q", curlLine)

	t.Run("printed curl line", func(t *testing.T) {
		req, err := http.NewRequest("GET", base+"/v1/customers", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+token[1])
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		assert.Equal(t, 200, resp.StatusCode, string(body))
		assert.Contains(t, string(body), `"items":[`)
	})

	t.Run("token flow with HTTP Basic", func(t *testing.T) {
		req, err := http.NewRequest("GET", base+"/v1/auth/token", nil)
		require.NoError(t, err)
		req.SetBasicAuth(devUser, devPassword)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		assert.Equal(t, 200, resp.StatusCode)
		assert.Regexp(t, `^\{"token":"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+"\}`, string(body))
	})

	t.Run("errors seed python example", func(t *testing.T) {
		if exec.Command("python3", "-c", "import requests").Run() != nil {
			t.Skip("python3 with requests is not installed; the example runs where it is")
		}
		pyCtx, pyCancel := context.WithTimeout(ctx, 30*time.Second)
		defer pyCancel()
		got, err := exec.CommandContext(pyCtx, "python3", "../../testdata/examples/branch_on_errors.py", base).CombinedOutput()
		require.NoError(t, err, string(got))
		assert.Equal(t, "created py-001 Active\n  name: unknown field\n  externalId: required\n"+
			"error: aborted lms: status=403: Customer with externalId py-001 already exists (or one differing from it only in letter case)\n", string(got))
	})

	cancel()
	select {
	case code := <-done:
		assert.Equal(t, 0, code, "dev exits cleanly on shutdown")
	case <-time.After(20 * time.Second):
		t.Fatal("dev did not shut down")
	}
}
