package server_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"

	"lmsproxy/server"
	"lmsproxy/upstream"
	"lmsproxy/upstream/wire"
)

// panickingUpstream fails the way a bug would.
type panickingUpstream struct{ server.Upstream }

func (panickingUpstream) GetClient(context.Context, upstream.Ref) (wire.ClientData, error) {
	panic("a bug in a handler")
}

// A panic reaches the partner through the one error writer, as a 500
// envelope that says nothing about the panic, and the server keeps serving.
func TestPanicIsAnEnvelope(t *testing.T) {
	proxy := httptest.NewServer(server.New(server.DefaultConfig(), panickingUpstream{}, acceptAll{}))
	defer proxy.Close()
	st := &stack{t: t, proxy: proxy}
	for range 2 {
		r := st.doWith("GET", "/v1/customers/1", "", nil)
		assert.Equal(t, 500, r.status)
		assert.JSONEq(t, `{"code":"internal","message":"internal error"}`, r.body)
	}
}
