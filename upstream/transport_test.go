package upstream

import (
	"crypto/tls"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadCAFile(t *testing.T) {
	srv := httptest.NewTLSServer(nil)
	defer srv.Close()
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, data, 0o600))
		return p
	}
	tests := []struct {
		name, path, wantErr string
	}{
		{"the server's self-signed certificate", write("ca.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})), ""},
		{"missing file", filepath.Join(dir, "nope.pem"), "reading CA bundle"},
		{"no certificate", write("empty.pem", []byte("not a certificate\n")), "holds no PEM certificate"},
		{"a key, not a certificate", write("key.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}})), "holds no PEM certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pool, err := LoadCAFile(tt.path)
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				assert.Nil(t, pool)
				return
			}
			require.NoError(t, err)
			tr := NewTransport(0, 0, pool)
			assert.Equal(t, uint16(tls.VersionTLS12), tr.TLSClientConfig.MinVersion)
			resp, err := (&http.Client{Transport: tr}).Get(srv.URL)
			require.NoError(t, err, "the bundle's certificate is trusted")
			resp.Body.Close()
		})
	}

	_, err := (&http.Client{Transport: NewTransport(0, 0, nil)}).Get(srv.URL)
	assert.ErrorContains(t, err, "certificate", "without the bundle a self-signed upstream is refused")
}
