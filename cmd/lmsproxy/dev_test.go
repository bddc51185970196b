package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"sync"
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
	d := startDev(ctx, t, map[string]string{"LMSPROXY_LISTEN": "127.0.0.1:0", "LMSPROXY_LOG_LEVEL": "error"})

	t.Run("printed curl line", func(t *testing.T) {
		req, err := http.NewRequest("GET", d.base+"/v1/customers", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+d.token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		assert.Equal(t, 200, resp.StatusCode, string(body))
		assert.Contains(t, string(body), `"items":[`)
	})

	t.Run("printed origination line", func(t *testing.T) {
		body := regexp.MustCompile(`-d '([^']+)'`).FindStringSubmatch(d.originate)
		require.Len(t, body, 2, "banner prints an origination: %q", d.originate)
		req, err := http.NewRequest("POST", d.base+"/v1/loans", strings.NewReader(body[1]))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+d.token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		got, _ := io.ReadAll(resp.Body)
		assert.Equal(t, 200, resp.StatusCode, string(got))
		assert.Contains(t, string(got), `"status":"Active"`)
	})

	t.Run("token flow with HTTP Basic", func(t *testing.T) {
		req, err := http.NewRequest("GET", d.base+"/v1/auth/token", nil)
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
		got, err := exec.CommandContext(pyCtx, "python3", "../../testdata/examples/branch_on_errors.py", d.base).CombinedOutput()
		require.NoError(t, err, string(got))
		assert.Equal(t, "created py-001 Active\n  name: unknown field\n  externalId: required\n"+
			"error: aborted lms: status=403: Customer with externalId py-001 already exists (or one differing from it only in letter case)\n", string(got))
	})

	cancel()
	d.assertClean(t)
}

// devRun is a running lmsproxy dev.
type devRun struct {
	base, token string
	// originate is the banner's origination curl line.
	originate string
	logs      *syncBuffer
	done      chan int
}

// startDev runs lmsproxy dev with environment e until ctx ends, and reads
// the partner API's address and the token from its banner, as a person
// following it would.
func startDev(ctx context.Context, t *testing.T, e map[string]string) *devRun {
	t.Helper()
	out, w := io.Pipe()
	d := &devRun{logs: &syncBuffer{}, done: make(chan int, 1)}
	go func() {
		d.done <- run(ctx, []string{"dev"}, env(e), w, d.logs)
		_ = w.Close()
	}()
	var curlLine string
	banner := bufio.NewScanner(out)
	for d.originate == "" && banner.Scan() {
		line := strings.TrimSpace(banner.Text())
		if m := regexp.MustCompile(`partner API on (http://\S+)`).FindStringSubmatch(line); m != nil {
			d.base = m[1]
		}
		switch {
		case strings.HasPrefix(line, "curl ") && strings.Contains(line, "/v1/loans"):
			d.originate = line
		case strings.HasPrefix(line, "curl "):
			curlLine = line
		}
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	require.NotEmpty(t, d.base, "banner names the partner API")
	token := regexp.MustCompile(`Bearer ([A-Za-z0-9_.-]+)`).FindStringSubmatch(curlLine)
	require.Len(t, token, 2, "banner prints a curl line with a token: %q", curlLine)
	d.token = token[1]
	return d
}

// assertClean waits for dev to exit after its context ended.
func (d *devRun) assertClean(t *testing.T) {
	t.Helper()
	select {
	case code := <-d.done:
		assert.Equal(t, 0, code, "dev exits cleanly on shutdown")
	case <-time.After(20 * time.Second):
		t.Fatal("dev did not shut down")
	}
}

// syncBuffer is a bytes.Buffer safe for the logger's writes and the test's
// reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lmsproxy dev honours the serve settings that apply to it, read by the
// same loader, and says which ones it ignores.
func TestDevHonoursSettings(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d := startDev(ctx, t, map[string]string{
		"LMSPROXY_LISTEN":       "127.0.0.1:0",
		"LMSPROXY_LOG_LEVEL":    "warn",
		"LMSPROXY_RATE_LIMIT":   "0.01",
		"LMSPROXY_RATE_BURST":   "2",
		"LMSPROXY_BODY_LIMIT":   "64",
		"LMSPROXY_UPSTREAM_URL": "https://elsewhere.example/api",
	})
	get := func(method, path, body string) *http.Response {
		req, err := http.NewRequest(method, d.base+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+d.token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	assert.Equal(t, 400, get("POST", "/v1/customers", `{"externalId":"`+strings.Repeat("x", 64)+`"}`).StatusCode, "LMSPROXY_BODY_LIMIT")
	assert.Equal(t, 200, get("GET", "/v1/customers", "").StatusCode)
	limited := get("GET", "/v1/customers", "")
	assert.Equal(t, 503, limited.StatusCode, "LMSPROXY_RATE_LIMIT and LMSPROXY_RATE_BURST")
	assert.NotEmpty(t, limited.Header.Get("Retry-After"))
	cancel()
	d.assertClean(t)
	logs := d.logs.String()
	assert.Contains(t, logs, `"variable":"LMSPROXY_UPSTREAM_URL"`, "an ignored setting is named")
	assert.NotContains(t, logs, `"msg":"request"`, "LMSPROXY_LOG_LEVEL=warn drops the access log")

	stopped, stop := context.WithCancel(context.Background())
	stop() // should dev start anyway, it returns at once
	var out, errOut bytes.Buffer
	code := run(stopped, []string{"dev"}, env(map[string]string{"LMSPROXY_LISTEN": "127.0.0.1:0", "LMSPROXY_RATE_LIMIT": "fast", "LMSPROXY_REQUEST_TIMEOUT": "soon"}), &out, &errOut)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut.String(), "LMSPROXY_RATE_LIMIT")
	assert.Contains(t, errOut.String(), "LMSPROXY_REQUEST_TIMEOUT", "every problem is listed")
}
