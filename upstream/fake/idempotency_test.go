package fake_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"lmsproxy/upstream"
	"lmsproxy/upstream/fake"
	"lmsproxy/upstream/wire"
)

// TestIdempotencyKey: from 1.9 a key already used for the same task
// replays the stored answer (success or failure) with x-served-from-cache
// and applies nothing; 1.8 ignores the header.
func TestIdempotencyKey(t *testing.T) {
	forEachVersion(t, allVersions, func(t *testing.T, v upstream.Version, s *fake.Server) {
		key := withHeader("Idempotency-Key", "k-1")
		body := jsonBody(t, proxyCreate, nil)
		first := do(t, s, http.MethodPost, "clients", body, key)
		require.Equal(t, http.StatusOK, first.Status)
		assert.Empty(t, first.Header.Get("x-served-from-cache"))

		again := do(t, s, http.MethodPost, "clients", body, key)
		if !v.HonoursIdempotencyKey() {
			// A second create really runs and hits the unique index.
			wantError(t, again, http.StatusForbidden, "error.msg.client.duplicate.externalId",
				item{"error.msg.client.duplicate.externalId", "Client with externalId `cust-1` already exists", "externalId", nil})
			assert.Empty(t, again.Header.Get("x-served-from-cache"))
			assert.Equal(t, 1, s.Writes())
			return
		}
		require.Equal(t, http.StatusOK, again.Status)
		assert.Equal(t, "true", again.Header.Get("x-served-from-cache"))
		assert.Equal(t, string(first.Raw), string(again.Raw))
		assert.Equal(t, 1, s.Writes())

		// The stored answer is replayed whatever the new body says.
		other := do(t, s, http.MethodPost, "clients", jsonBody(t, proxyCreate, map[string]any{"externalId": "cust-2"}), key)
		assert.Equal(t, string(first.Raw), string(other.Raw))
		assert.Equal(t, 1, s.Writes())

		// The key is scoped by task (action + entity), not by client.
		closeOne := do(t, s, http.MethodPost, "clients/1?command=close", closeBody("2024-10-01", 17), key)
		require.Equal(t, http.StatusOK, closeOne.Status)
		assert.Empty(t, closeOne.Header.Get("x-served-from-cache"))
		closeOther := do(t, s, http.MethodPost, "clients/2?command=close", closeBody("2024-10-01", 17), key)
		assert.Equal(t, "true", closeOther.Header.Get("x-served-from-cache"))
		assert.JSONEq(t, string(closeOne.Raw), string(closeOther.Raw))
		named, _ := s.Client(fake.SeedNamedID)
		assert.Equal(t, wire.ClientStatusActive, named.Status, "the replay applied nothing")

		// A failure is stored and replayed too.
		failKey := withHeader("Idempotency-Key", "k-2")
		failed := do(t, s, http.MethodDelete, "clients/2", "", failKey)
		require.Equal(t, http.StatusForbidden, failed.Status)
		replayed := do(t, s, http.MethodDelete, "clients/2", "", failKey)
		assert.Equal(t, http.StatusForbidden, replayed.Status)
		assert.Equal(t, "true", replayed.Header.Get("x-served-from-cache"))
		assert.Equal(t, string(failed.Raw), string(replayed.Raw))

		// Permission is checked before the store is consulted.
		s.DenyPermission("CREATE_CLIENT")
		assert.Equal(t, http.StatusForbidden, do(t, s, http.MethodPost, "clients", body, key).Status)
		assert.Equal(t, 2, s.Writes())
	})
}

func TestIdempotencyWithMakerChecker(t *testing.T) {
	s := newServer(upstream.V1_10)
	s.SetMakerChecker("UPDATE_CLIENT", true)
	key := withHeader("Idempotency-Key", "mc")
	first := do(t, s, http.MethodPut, "clients/1", `{"externalId":"x"}`, key)
	require.Equal(t, http.StatusOK, first.Status)
	again := do(t, s, http.MethodPut, "clients/1", `{"externalId":"x"}`, key)
	assert.Equal(t, "true", again.Header.Get("x-served-from-cache"))
	assert.Equal(t, string(first.Raw), string(again.Raw))
	fresh := do(t, s, http.MethodPut, "clients/1", `{"externalId":"x"}`)
	assert.Equal(t, `{"commandId":2,"resourceId":1,"rollbackTransaction":true,"resourceExternalId":{},"subResourceExternalId":{}}`, string(fresh.Raw))
	assert.Zero(t, s.Writes())
}
